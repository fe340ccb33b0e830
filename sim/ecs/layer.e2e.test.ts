/**
 * The scenario layer itself, driven with the SDK through the proxy the way the action drives it: each
 * scenario must show what it promises, on moto, or the deploy-ecs end-to-end tests prove nothing. Paced by
 * looks (as the end-to-end tests run it), each DescribeServices moves ECS time on by `msPerLook`, so what a
 * look shows is known exactly; one test checks the wall-clock pace the bench and the demo use.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IMAGE_V2, sdkConfig, taskDefinitionInput, type Seeded } from './seed.js';
import { startEcsStack, type EcsStack } from './stack.js';
import { failingLogLines, SCENARIOS } from './scenarios.js';

let stack: EcsStack;
let ecs: ECSClient;
let elb: ElasticLoadBalancingV2Client;
let logs: CloudWatchLogsClient;

/** Paces the layer by looks of `msPerLook` of ECS time each. */
const pacedBy = (msPerLook: number) => (stack.layer.pace = { kind: 'looks', msPerLook });

beforeAll(async () => {
  stack = await startEcsStack();
  const config = sdkConfig(stack.proxy.endpoint);
  ecs = new ECSClient(config);
  elb = new ElasticLoadBalancingV2Client(config);
  logs = new CloudWatchLogsClient(config);
}, 60_000);

afterAll(async () => {
  for (const client of [ecs, elb, logs]) client?.destroy();
  await stack?.stop();
});

async function newRevision(seed: Seeded): Promise<string> {
  const td = await stack.clients.ecs.send(
    new RegisterTaskDefinitionCommand(taskDefinitionInput(seed.family, seed.logGroup, IMAGE_V2))
  );
  return td.taskDefinition!.taskDefinitionArn!;
}

async function describe1(seed: Seeded) {
  const out = await ecs.send(
    new DescribeServicesCommand({ cluster: seed.cluster, services: [seed.service] })
  );
  return out.services![0];
}

describe('ECS scenario layer', () => {
  it('starts from a steady service and shows a deployment progressing to COMPLETED, look by look', async () => {
    pacedBy(250);
    const seed = await stack.fresh();
    stack.layer.use({ name: 'complete', rollout: { kind: 'complete', afterMs: 1000 } });
    const before = await describe1(seed);
    expect(before.deployments).toHaveLength(1);
    expect(before.deployments![0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      runningCount: 2
    });
    // Moto drops the deployment configuration; ECS returns it, and the action reads the circuit breaker there.
    expect(before.deploymentConfiguration).toEqual(seed.deploymentConfiguration);
    const arn = await newRevision(seed);
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, taskDefinition: arn })
    );
    const id = updated.service!.deployments![0].id!;
    expect(updated.service!.deployments![0]).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: arn,
      rolloutState: 'IN_PROGRESS'
    });
    expect(updated.service!.deployments![1]).toMatchObject({
      status: 'ACTIVE',
      taskDefinition: seed.taskDefinitionArn
    });
    const states: string[] = [];
    for (let i = 0; i < 8; i++) {
      const svc = await describe1(seed);
      const d = svc.deployments!.find(x => x.id === id)!;
      states.push(`${d.rolloutState}:${d.pendingCount}/${d.runningCount}`);
      if (d.rolloutState === 'COMPLETED') break;
    }
    // 250 ms of ECS time a look: tasks start at 200, run at 500, and the rollout completes at 1000 (the 4th look).
    expect(states).toEqual(['IN_PROGRESS:2/0', 'IN_PROGRESS:0/2', 'IN_PROGRESS:0/2', 'COMPLETED:0/2']);
    const after = await describe1(seed);
    expect(after.deployments).toHaveLength(1);
    expect(after.events!.map(e => e.message)).toEqual(
      expect.arrayContaining([
        `(service web) (deployment ${id}) deployment completed.`,
        '(service web) has reached a steady state.'
      ])
    );
    // Recorded as shown by the look that made it happen.
    const outcome = stack.layer.mainOutcome()!;
    expect(outcome.kind).toBe('COMPLETED');
    expect(outcome.shownAt).toBeDefined();
    // The deployment's tasks are real moto tasks, found the way ECS finds them.
    const running = await ecs.send(new ListTasksCommand({ cluster: seed.cluster, startedBy: id }));
    expect(running.taskArns).toHaveLength(2);
  }, 30_000);

  it('on the wall clock (the bench, the demo), moves with time rather than looks', async () => {
    stack.layer.pace = { kind: 'clock' };
    const seed = await stack.fresh();
    stack.layer.use({ name: 'complete', rollout: { kind: 'complete', afterMs: 600 } });
    const arn = await newRevision(seed);
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, taskDefinition: arn })
    );
    const id = updated.service!.deployments![0].id!;
    for (;;) {
      const svc = await describe1(seed);
      if (svc.deployments!.find(x => x.id === id)!.rolloutState === 'COMPLETED') break;
      await new Promise(r => setTimeout(r, 100));
    }
    // However many looks it took, COMPLETED was shown no earlier than 600 ms after the update.
    const update = stack.proxy.calls.find(c => c.operation === 'UpdateService')!;
    const shown = stack.proxy.calls.filter(c => c.operation === 'DescribeServices').at(-1)!;
    expect(shown.answeredAt - update.receivedAt).toBeGreaterThanOrEqual(600);
  }, 30_000);

  it('fails a deployment with stopped tasks, exit codes, awslogs lines and unhealthy targets', async () => {
    pacedBy(1000);
    const seed = await stack.fresh();
    stack.layer.use(SCENARIOS.failed.scenario(1000));
    const arn = await newRevision(seed);
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, taskDefinition: arn })
    );
    const id = updated.service!.deployments![0].id!;
    const svc = await describe1(seed);
    const d = svc.deployments!.find(x => x.id === id)!;
    expect(d).toMatchObject({
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      failedTasks: 2
    });
    expect(svc.events!.map(e => e.message)).toContain(
      `(service web) (deployment ${id}) deployment failed: tasks failed to start.`
    );
    const stopped = await ecs.send(
      new ListTasksCommand({ cluster: seed.cluster, startedBy: id, desiredStatus: 'STOPPED' })
    );
    expect(stopped.taskArns).toHaveLength(2);
    const tasks = await ecs.send(
      new DescribeTasksCommand({ cluster: seed.cluster, tasks: stopped.taskArns })
    );
    const task = tasks.tasks![0];
    expect(task).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      startedBy: id
    });
    expect(task.containers!.find(c => c.name === 'app')!.exitCode).toBe(1);
    const taskId = task.taskArn!.split('/').pop();
    const events = await logs.send(
      new GetLogEventsCommand({
        logGroupName: seed.logGroup,
        logStreamName: `web/app/${taskId}`,
        limit: 30,
        startFromHead: false
      })
    );
    expect(events.events!.map(e => e.message)).toEqual(failingLogLines().slice(-30));
    // Service tasks only: ListTasks by service name, which moto ignores, is filtered by the layer.
    const byService = await ecs.send(
      new ListTasksCommand({ cluster: seed.cluster, serviceName: seed.service })
    );
    expect(byService.taskArns).toHaveLength(2);
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: seed.targetGroupArn }));
    expect(health.TargetHealthDescriptions).toHaveLength(2);
    for (const t of health.TargetHealthDescriptions!) {
      expect(t.TargetHealth).toEqual({
        State: 'unhealthy',
        Reason: 'Target.ResponseCodeMismatch',
        Description: 'Health checks failed with these codes: [502]'
      });
    }
    // The action's rollback: back to the revision the service ran before completes at the next look.
    await ecs.send(
      new UpdateServiceCommand({
        cluster: seed.cluster,
        service: seed.service,
        taskDefinition: seed.taskDefinitionArn
      })
    );
    const back = await describe1(seed);
    expect(back.deployments).toHaveLength(1);
    expect(back.deployments![0]).toMatchObject({
      taskDefinition: seed.taskDefinitionArn,
      rolloutState: 'COMPLETED'
    });
    expect(stack.layer.started.map(s => s.plan)).toEqual(['rollout', 'rollback']);
  }, 30_000);

  it('rolls back by the circuit breaker: the deployment is gone and the previous revision is PRIMARY', async () => {
    pacedBy(1000);
    const seed = await stack.fresh({ circuitBreakerRollback: true });
    stack.layer.use(SCENARIOS['circuit-breaker'].scenario(600));
    const arn = await newRevision(seed);
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, taskDefinition: arn })
    );
    const id = updated.service!.deployments![0].id!;
    const svc = await describe1(seed);
    expect(svc.deployments!.some(d => d.id === id)).toBe(false);
    expect(svc.deployments![0]).toMatchObject({ status: 'PRIMARY', taskDefinition: seed.taskDefinitionArn });
    expect(svc.taskDefinition).toBe(seed.taskDefinitionArn);
    const messages = svc.events!.map(e => e.message);
    expect(messages).toContain(`(service web) (deployment ${id}) deployment failed: tasks failed to start.`);
    expect(messages.some(m => m?.startsWith('(service web) rolling back to deployment ecs-svc/'))).toBe(true);
    expect(stack.layer.mainOutcome()).toMatchObject({ kind: 'ROLLED_BACK', deploymentId: id });
  }, 30_000);

  it('supersedes the deployment with someone else’s', async () => {
    pacedBy(1000);
    const seed = await stack.fresh();
    stack.layer.use(SCENARIOS.superseded.scenario(500));
    const arn = await newRevision(seed);
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, taskDefinition: arn })
    );
    const id = updated.service!.deployments![0].id!;
    const svc = await describe1(seed);
    expect(svc.deployments![0].status).toBe('PRIMARY');
    expect(svc.deployments![0].id).not.toBe(id);
    expect(svc.deployments![0].taskDefinition).toMatch(/:3$/);
    expect(svc.deployments!.find(d => d.id === id)!.status).toBe('ACTIVE');
  }, 30_000);

  it('injects throttling and 5xx the way the services answer them', async () => {
    const seed = await stack.fresh();
    stack.layer.use({
      name: 'faults',
      rollout: { kind: 'complete', afterMs: 500 },
      faults: [
        { operation: 'DescribeServices', calls: [1], kind: 'throttle' },
        { operation: 'DescribeServices', calls: [2], kind: '503' },
        { operation: 'DescribeTargetHealth', calls: [1], kind: 'throttle' }
      ]
    });
    await expect(describe1(seed)).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 }
    });
    await expect(describe1(seed)).rejects.toMatchObject({
      $metadata: { httpStatusCode: 503 }
    });
    await expect(describe1(seed)).resolves.toMatchObject({ serviceName: 'web' });
    await expect(
      elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: seed.targetGroupArn }))
    ).rejects.toMatchObject({
      name: 'Throttling'
    });
    expect(stack.proxy.calls.map(c => `${c.service}:${c.operation}:${c.status}:${c.injected ?? ''}`)).toEqual(
      [
        'ecs:DescribeServices:400:throttle',
        'ecs:DescribeServices:503:503',
        'ecs:DescribeServices:200:',
        'elasticloadbalancing:DescribeTargetHealth:400:throttle'
      ]
    );
  }, 30_000);

  it('resets connections and denies access when asked', async () => {
    const seed = await stack.fresh();
    stack.layer.use({
      name: 'faults',
      rollout: { kind: 'complete', afterMs: 500 },
      faults: [
        { operation: 'DescribeServices', calls: [1], kind: 'reset' },
        { operation: 'UpdateService', calls: [1], kind: 'access-denied' }
      ]
    });
    const reset = await ecs
      .send(new DescribeServicesCommand({ cluster: seed.cluster, services: [seed.service] }))
      .catch(e => e);
    expect(reset).toBeInstanceOf(Error);
    expect(String((reset as { code?: string }).code ?? (reset as Error).message)).toMatch(
      /ECONNRESET|socket hang up/
    );
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, desiredCount: 3 }))
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('ecs:UpdateService')
    });
    expect(stack.proxy.calls.map(c => c.injected)).toEqual(['reset', 'access-denied']);
  }, 30_000);

  it('can leave rolloutState out: the new deployment completes when the old one has drained', async () => {
    pacedBy(250);
    const seed = await stack.fresh();
    stack.layer.use({ name: 'legacy', rollout: { kind: 'complete', afterMs: 800, noRolloutState: true } });
    const arn = await newRevision(seed);
    await ecs.send(
      new UpdateServiceCommand({ cluster: seed.cluster, service: seed.service, taskDefinition: arn })
    );
    await describe1(seed); // 250: the new tasks start
    const during = await describe1(seed); // 500: they run, the old ones too
    expect(during.deployments).toHaveLength(2);
    expect(during.deployments!.every(d => d.rolloutState === undefined)).toBe(true);
    expect(during.deployments![0]).toMatchObject({ status: 'PRIMARY', runningCount: 2, desiredCount: 2 });
    await describe1(seed); // 750
    const after = await describe1(seed); // 1000: completed at 800, the old deployment gone
    expect(after.deployments).toHaveLength(1);
    expect(after.deployments![0]).toMatchObject({ taskDefinition: arn, runningCount: 2, desiredCount: 2 });
    expect(after.deployments![0].rolloutState).toBeUndefined();
  }, 30_000);

  it('runs a one-off task that stops with the planned exit code and log lines', async () => {
    pacedBy(1000);
    const seed = await stack.fresh();
    stack.layer.use(SCENARIOS['run-task-fails'].scenario(500));
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: seed.cluster,
        taskDefinition: seed.taskDefinitionArn,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [seed.subnetId], securityGroups: [] } },
        overrides: { containerOverrides: [{ name: 'app', command: ['migrate'] }] }
      })
    );
    const arn = run.tasks![0].taskArn!;
    expect(run.tasks![0].lastStatus).toBe('PROVISIONING');
    // A look at the one-off task moves ECS time too: stopped at 500.
    const described = await ecs.send(new DescribeTasksCommand({ cluster: seed.cluster, tasks: [arn] }));
    expect(described.tasks![0]).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited'
    });
    expect(described.tasks![0].containers!.find(c => c.name === 'app')!.exitCode).toBe(3);
    const events = await logs.send(
      new GetLogEventsCommand({
        logGroupName: seed.logGroup,
        logStreamName: `web/app/${arn.split('/').pop()}`
      })
    );
    expect(events.events!.at(-1)!.message).toContain('migration 0042_add_orders failed');
    expect(stack.layer.mainOutcome()).toMatchObject({ kind: 'TASK_STOPPED', taskArn: arn });
  }, 30_000);
});
