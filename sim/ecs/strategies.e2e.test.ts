/**
 * The scenario layer's ECS service deployments, driven with the SDK through the proxy the way deploy-ecs drives
 * them: UpdateService on a BLUE_GREEN, LINEAR or CANARY service, then DescribeServices and
 * DescribeServiceDeployments look by look (paced by looks: one pair of calls moves ECS time one POLL_INTERVAL_MS),
 * stage by stage to the outcome; StopServiceDeployment and ContinueServiceDeployment; and what ECS refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  ContinueServiceDeploymentCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IMAGE_V2, sdkConfig, taskDefinitionInput, type Seeded } from './seed.js';
import { startEcsStack, type EcsStack } from './stack.js';
import {
  ALARM,
  BLUE_GREEN_LOOKS,
  CANARY_HOOK,
  LOOK_PACE,
  SCENARIOS,
  STRATEGY_SCENARIOS,
  TO_TEST_TRAFFIC
} from './scenarios.js';

let stack: EcsStack;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  stack = await startEcsStack({ pace: LOOK_PACE });
  const config = sdkConfig(stack.proxy.endpoint);
  ecs = new ECSClient(config);
  logs = new CloudWatchLogsClient(config);
}, 60_000);

afterAll(async () => {
  for (const client of [ecs, logs]) client?.destroy();
  await stack?.stop();
});

/** A fresh service seeded as the strategy scenario says, the scenario selected, and a new revision registered. */
async function start(name: string): Promise<{ seed: Seeded; revision: string }> {
  const scenario = STRATEGY_SCENARIOS[name] ?? SCENARIOS[name];
  const seed = await stack.fresh(scenario.seed);
  stack.layer.use(scenario.scenario(scenario.afterMs));
  const td = await stack.clients.ecs.send(
    new RegisterTaskDefinitionCommand(taskDefinitionInput(seed.family, seed.logGroup, IMAGE_V2))
  );
  return { seed, revision: td.taskDefinition!.taskDefinitionArn! };
}

async function update(seed: Seeded, taskDefinition: string): Promise<string> {
  const out = await ecs.send(
    new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, taskDefinition })
  );
  return out.service!.currentServiceDeployment!;
}

async function service(seed: Seeded) {
  const out = await ecs.send(
    new DescribeServicesCommand({ cluster: seed.cluster, services: [seed.service] })
  );
  return out.services![0];
}

async function deployment(arn: string): Promise<ServiceDeployment> {
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  return out.serviceDeployments![0];
}

/** `STATUS STAGE [production weight]`, as a look shows it. */
function line(d: ServiceDeployment): string {
  const weight =
    d.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT'
      ? ` ${d.targetServiceRevision?.requestedProductionTrafficWeight}`
      : '';
  return `${d.status} ${d.lifecycleStage ?? '-'}${weight}`;
}

/** The weights a listener rule forwards with: `blue/green` (the seed's target group, then the alternate one). */
async function weights(seed: Seeded, rule: 'productionListenerRule' | 'testListenerRule'): Promise<string> {
  const out = await stack.clients.elb.send(new DescribeRulesCommand({ RuleArns: [seed.strategy![rule]] }));
  const groups = out.Rules![0].Actions![0].ForwardConfig!.TargetGroups!;
  const weight = (arn: string | undefined) => groups.find(g => g.TargetGroupArn === arn)?.Weight;
  return `${weight(seed.targetGroupArn)}/${weight(seed.strategy!.alternateTargetGroupArn)}`;
}

const FINISHED = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];

type Service = Awaited<ReturnType<typeof service>>;

/**
 * Looks (DescribeServices then DescribeServiceDeployments, one look) until the deployment finishes or `until`
 * says stop; what each look showed, repeats collapsed (`x3`).
 */
async function watch(
  seed: Seeded,
  arn: string,
  until: (d: ServiceDeployment) => boolean = d => FINISHED.includes(d.status!),
  maxLooks = 40
): Promise<{ shown: string[]; last: ServiceDeployment; looks: ServiceDeployment[]; services: Service[] }> {
  const looks: ServiceDeployment[] = [];
  const services: Service[] = [];
  for (let i = 0; i < maxLooks; i++) {
    services.push(await service(seed));
    const d = await deployment(arn);
    looks.push(d);
    if (until(d)) break;
  }
  const shown: string[] = [];
  for (const text of looks.map(line)) {
    const m = /^(.*?)(?: x(\d+))?$/.exec(shown.at(-1) ?? '');
    if (m && m[1] === text) shown[shown.length - 1] = `${text} x${Number(m[2] ?? 1) + 1}`;
    else shown.push(text);
  }
  return { shown, last: looks.at(-1)!, looks, services };
}

describe('ECS service deployments in the scenario layer', () => {
  it('blue/green: every stage once, both revisions through the bake, then only green', async () => {
    const { seed, revision } = await start('blue-green');
    const before = await service(seed);
    const arn = await update(seed, revision);
    expect(arn).not.toBe(before.currentServiceDeployment);
    const { shown, last, looks, services } = await watch(seed, arn);
    expect(shown).toEqual(BLUE_GREEN_LOOKS);
    expect(last).toMatchObject({
      targetServiceRevision: {
        requestedTaskCount: 2,
        runningTaskCount: 2,
        requestedProductionTrafficWeight: 100
      },
      sourceServiceRevisions: [{ runningTaskCount: 0, requestedProductionTrafficWeight: 0 }],
      deploymentCircuitBreaker: { status: 'MONITORING_COMPLETE', failureCount: 0, threshold: 3 },
      deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 3 }
    });
    const during = services[looks.findIndex(d => d.lifecycleStage === 'BAKE_TIME')];
    expect(during.deployments!.map(d => [d.status, d.runningCount, d.rolloutState])).toEqual([
      ['PRIMARY', 2, 'IN_PROGRESS'],
      ['ACTIVE', 2, 'COMPLETED']
    ]);
    expect(during.currentServiceRevisions).toHaveLength(2);
    const after = await service(seed);
    expect(after).toMatchObject({ taskDefinition: revision, currentServiceDeployment: arn });
    expect(after.deployments).toHaveLength(1);
    expect(await weights(seed, 'productionListenerRule')).toBe('0/100');
    expect(after.currentServiceRevisions).toEqual([
      expect.objectContaining({ arn: last.targetServiceRevision!.arn, runningTaskCount: 2 })
    ]);
    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [last.targetServiceRevision!.arn!] })
    );
    expect(revisions.serviceRevisions![0]).toMatchObject({
      taskDefinition: revision,
      containerImages: expect.arrayContaining([{ containerName: 'app', image: IMAGE_V2 }]),
      loadBalancers: [
        expect.objectContaining({
          advancedConfiguration: expect.objectContaining({
            alternateTargetGroupArn: seed.strategy!.alternateTargetGroupArn
          })
        })
      ]
    });
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: seed.cluster, service: seed.service })
    );
    expect(listed.serviceDeployments!.map(d => [d.serviceDeploymentArn, d.status])).toEqual([
      [arn, 'SUCCESSFUL'],
      [before.currentServiceDeployment, 'SUCCESSFUL']
    ]);
    expect(stack.layer.mainOutcome()).toMatchObject({ kind: 'COMPLETED', shownAt: expect.any(Number) });
    // For the bench's stage-transition detection: each status and stage entered, and the first response showing it.
    const [record] = stack.layer.strategies.transitionsOf(seed.cluster, seed.service);
    expect(record.arn).toBe(arn);
    expect(record.transitions.map(t => t.stage ?? t.status)).toEqual([
      'PENDING',
      ...BLUE_GREEN_LOOKS.map(l => l.split(' ')[1]).slice(0, -1),
      'CLEAN_UP'
    ]);
    expect(record.transitions.every(t => t.shownAt !== undefined && t.shownAt >= t.at)).toBe(true);
  }, 60_000);

  it('an alarm during the bake: ECS rolls back by itself to the source revision, with no UpdateService', async () => {
    const { seed, revision } = await start('blue-green-alarm');
    const arn = await update(seed, revision);
    const { shown, last } = await watch(seed, arn);
    expect(shown.slice(-6)).toEqual([
      'IN_PROGRESS POST_PRODUCTION_TRAFFIC_SHIFT',
      'IN_PROGRESS BAKE_TIME x2',
      'ROLLBACK_IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 0',
      'ROLLBACK_IN_PROGRESS TEST_TRAFFIC_SHIFT',
      'ROLLBACK_IN_PROGRESS CLEAN_UP',
      'ROLLBACK_SUCCESSFUL CLEAN_UP'
    ]);
    expect(last).toMatchObject({
      alarms: { status: 'TRIGGERED', alarmNames: [ALARM], triggeredAlarmNames: [ALARM] },
      rollback: {
        reason: `Alarm ${ALARM} detected in ALARM state during BAKE_TIME.`,
        serviceRevisionArn: last.sourceServiceRevisions![0].arn
      },
      statusReason: `Alarm ${ALARM} detected in ALARM state during BAKE_TIME.`,
      finishedAt: expect.any(Date)
    });
    const after = await service(seed);
    expect(after.taskDefinition).toBe(seed.taskDefinitionArn);
    expect([await weights(seed, 'productionListenerRule'), await weights(seed, 'testListenerRule')]).toEqual([
      '100/0',
      '100/0'
    ]);
    expect(after.deployments!.map(d => [d.taskDefinition, d.rolloutState])).toEqual([
      [seed.taskDefinitionArn, 'COMPLETED']
    ]);
    expect(after.events!.map(e => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\(service web\) \(deployment ecs-svc\/\d+\) deployment failed: alarm detected\.$/
        ),
        expect.stringMatching(/^\(service web\) rolling back to deployment ecs-svc\/\d+\.$/)
      ])
    );
    expect(stack.proxy.count('UpdateService')).toBe(1);
    expect(stack.layer.mainOutcome()).toMatchObject({ kind: 'ROLLED_BACK' });
    // Recorded by service, as the per-service counts of runs of several services need them.
    const described = stack.proxy.calls.filter(c => c.operation === 'DescribeServiceDeployments');
    expect(described.length).toBeGreaterThan(10);
    expect(new Set(described.map(c => c.subject))).toEqual(new Set([seed.service]));
  }, 60_000);

  it('canary: the hook fails on the canary step; rolled back with the hook named', async () => {
    const { seed, revision } = await start('canary-hook-fails');
    const arn = await update(seed, revision);
    const { shown, last } = await watch(seed, arn);
    expect(shown).toEqual([
      ...TO_TEST_TRAFFIC,
      'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
      'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 10',
      'ROLLBACK_IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 0',
      'ROLLBACK_IN_PROGRESS TEST_TRAFFIC_SHIFT',
      'ROLLBACK_IN_PROGRESS CLEAN_UP',
      'ROLLBACK_SUCCESSFUL CLEAN_UP'
    ]);
    expect(last.statusReason).toBe(
      `Lifecycle hook ${CANARY_HOOK} returned FAILED at PRODUCTION_TRAFFIC_SHIFT.`
    );
    expect(last.lifecycleHookDetails).toEqual([
      expect.objectContaining({
        targetType: 'AWS_LAMBDA',
        targetArn: CANARY_HOOK,
        status: 'FAILED',
        timeoutAction: 'ROLLBACK'
      })
    ]);
  }, 60_000);

  it('linear: PRODUCTION_TRAFFIC_SHIFT once per step, 25 % more each time', async () => {
    const { seed, revision } = await start('linear');
    const arn = await update(seed, revision);
    const { shown } = await watch(seed, arn);
    expect(shown.filter(s => s.includes('PRODUCTION_TRAFFIC_SHIFT'))).toEqual([
      'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
      'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 25 x2',
      'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
      'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 50 x2',
      'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
      'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 75 x2',
      'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
      'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 100',
      'IN_PROGRESS POST_PRODUCTION_TRAFFIC_SHIFT'
    ]);
    expect(shown.at(-1)).toBe('SUCCESSFUL CLEAN_UP');
  }, 60_000);

  it('blue/green tasks crash: the circuit breaker trips and ECS rolls back; the tasks and their logs are there', async () => {
    const { seed, revision } = await start('blue-green-circuit-breaker');
    const arn = await update(seed, revision);
    const green = stack.layer.started.at(-1)!.id;
    const { shown, looks } = await watch(seed, arn);
    expect(shown).toEqual([
      'IN_PROGRESS PRE_SCALE_UP',
      'IN_PROGRESS SCALE_UP x2',
      'ROLLBACK_IN_PROGRESS CLEAN_UP',
      'ROLLBACK_SUCCESSFUL CLEAN_UP'
    ]);
    expect(looks.map(d => d.deploymentCircuitBreaker!.failureCount)).toEqual([0, 0, 2, 4, 4]);
    expect(looks.at(-1)).toMatchObject({
      deploymentCircuitBreaker: { status: 'TRIGGERED', threshold: 3 },
      statusReason: 'ECS deployment circuit breaker: tasks failed to start.'
    });
    const stopped = await ecs.send(
      new ListTasksCommand({ cluster: seed.cluster, startedBy: green, desiredStatus: 'STOPPED' })
    );
    expect(stopped.taskArns!.length).toBeGreaterThanOrEqual(4);
    const tasks = await ecs.send(
      new DescribeTasksCommand({ cluster: seed.cluster, tasks: stopped.taskArns!.slice(0, 1) })
    );
    expect(tasks.tasks![0]).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited'
    });
    const events = await logs.send(
      new GetLogEventsCommand({
        logGroupName: seed.logGroup,
        logStreamName: `web/app/${tasks.tasks![0].taskArn!.split('/').pop()}`
      })
    );
    expect(events.events!.map(e => e.message)).toContain('L34 Error: DATABASE_URL is not set');
  }, 60_000);

  it('a long bake stopped with ROLLBACK: ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL; a second stop is refused', async () => {
    const { seed, revision } = await start('blue-green-long-bake');
    const arn = await update(seed, revision);
    await watch(seed, arn, d => d.lifecycleStage === 'BAKE_TIME');
    expect([await weights(seed, 'productionListenerRule'), await weights(seed, 'testListenerRule')]).toEqual([
      '0/100',
      '0/100'
    ]);
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    const { shown } = await watch(seed, arn);
    expect(shown).toEqual([
      'ROLLBACK_REQUESTED BAKE_TIME',
      'ROLLBACK_IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 0',
      'ROLLBACK_IN_PROGRESS TEST_TRAFFIC_SHIFT',
      'ROLLBACK_IN_PROGRESS CLEAN_UP',
      'ROLLBACK_SUCCESSFUL CLEAN_UP'
    ]);
    expect((await service(seed)).taskDefinition).toBe(seed.taskDefinitionArn);
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }))
    ).rejects.toMatchObject({
      name: 'ConflictException',
      $metadata: { httpStatusCode: 400 }
    });
  }, 60_000);

  it('a PAUSE hook waits for ContinueServiceDeployment', async () => {
    const { seed, revision } = await start('blue-green-pause');
    const arn = await update(seed, revision);
    const paused = await watch(seed, arn, d => d.lifecycleStage === 'POST_TEST_TRAFFIC_SHIFT');
    const more = await watch(seed, arn, () => false, 3);
    expect(more.shown).toEqual(['IN_PROGRESS POST_TEST_TRAFFIC_SHIFT x3']);
    const hook = paused.last.lifecycleHookDetails![0];
    expect(hook).toMatchObject({
      targetType: 'PAUSE',
      status: 'AWAITING_ACTION',
      timeoutAction: 'ROLLBACK',
      expiresAt: expect.any(Date)
    });
    await expect(
      ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: arn,
          hookId: 'ecs-pause-wrong',
          action: 'CONTINUE'
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: arn,
        hookId: hook.hookId!,
        action: 'CONTINUE'
      })
    );
    const { shown } = await watch(seed, arn);
    expect(shown[0]).toBe('IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT');
    expect(shown.at(-1)).toBe('SUCCESSFUL CLEAN_UP');
  }, 60_000);

  it('a CODE_DEPLOY service: UpdateService with a task definition is refused with ECS’s message, and nothing changes', async () => {
    const { seed, revision } = await start('code-deploy');
    await expect(update(seed, revision)).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message:
        'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
      $metadata: { httpStatusCode: 400 }
    });
    expect((await service(seed)).taskDefinition).toBe(seed.taskDefinitionArn);
    await ecs.send(
      new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, desiredCount: 3 })
    );
    expect((await service(seed)).desiredCount).toBe(3);
  }, 60_000);

  it('refuses a strategy configuration ECS refuses, before moto sees it', async () => {
    const { seed, revision } = await start('blue-green');
    await expect(
      ecs.send(
        new UpdateServiceCommand({
          cluster: seed.cluster,
          service: seed.service,
          taskDefinition: revision,
          deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 1 } }
        })
      )
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('stepPercent')
    });
    expect((await service(seed)).taskDefinition).toBe(seed.taskDefinitionArn);
    await expect(
      ecs.send(
        new CreateServiceCommand({
          cluster: seed.cluster,
          serviceName: 'api',
          taskDefinition: revision,
          desiredCount: 1,
          deploymentConfiguration: {
            strategy: 'BLUE_GREEN',
            lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['TEST_TRAFFIC_SHIFT'] }]
          }
        })
      )
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('PAUSE hooks cannot')
    });
  }, 60_000);

  it('a rolling service has service deployments too, mirroring its rollout', async () => {
    const { seed, revision } = await start('success');
    const arn = await update(seed, revision);
    expect((await deployment(arn)).status).toBe('IN_PROGRESS');
    const { last } = await watch(seed, arn);
    expect(last).toMatchObject({ status: 'SUCCESSFUL', targetServiceRevision: { runningTaskCount: 2 } });
    expect(last.lifecycleStage).toBeUndefined();
    const unknown = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [`${arn}x`] })
    );
    expect(unknown).toMatchObject({
      serviceDeployments: [],
      failures: [{ arn: `${arn}x`, reason: 'MISSING' }]
    });
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: `${arn}x` }))
    ).rejects.toMatchObject({
      name: 'ServiceDeploymentNotFoundException'
    });
    await expect(
      ecs.send(new ListServiceDeploymentsCommand({ cluster: seed.cluster, service: 'nope' }))
    ).rejects.toMatchObject({
      name: 'ServiceNotFoundException'
    });
  }, 60_000);
});
