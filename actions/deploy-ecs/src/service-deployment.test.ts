import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeServiceDeploymentsCommand,
  ECSClient,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger, virtualClock } from '../../../core/index.js';
import { startDeployment } from './rollout.js';
import {
  followServiceDeployment,
  strategyRootCause,
  type StrategyWatchOptions
} from './service-deployment.js';
import { rollbackEnding, stoppable, stopWithRollback } from './strategy-rollback.js';
import {
  NEW_DEPLOYMENT,
  NEW_REVISION,
  OLD_REVISION,
  OLD_SERVICE_DEPLOYMENT_ARN,
  SERVICE_DEPLOYMENT_ARN,
  serviceDeployment,
  NEW_TD as NEW,
  OLD_TD as OLD
} from './testing/fixtures.js';
import { mockedClients, strategyFake, type StrategyScript } from './testing/strategy-fake.js';

const ecsMock = mockClient(ECSClient);
const { clients, target } = mockedClients();

beforeEach(() => {
  ecsMock.reset();
});

/** The new revision's traffic and tasks at one look. */
const green = (production: number, test = production, running = 2) => ({
  targetServiceRevision: {
    arn: NEW_REVISION,
    requestedTaskCount: 2,
    runningTaskCount: running,
    pendingTaskCount: 2 - running,
    requestedProductionTrafficWeight: production,
    requestedTestTrafficWeight: test
  }
});
/** A look at `stage`; the stage is any text, as ECS may report one this code does not know. */
const at = (stage: string, more: Partial<ServiceDeployment> = {}): Partial<ServiceDeployment> => ({
  lifecycleStage: stage as ServiceDeployment['lifecycleStage'],
  ...more
});
const rollingBack = (stage: string, more: Partial<ServiceDeployment> = {}) =>
  at(stage, {
    status: 'ROLLBACK_IN_PROGRESS',
    rollback: {
      reason: 'ECS deployment alarms triggered',
      serviceRevisionArn: OLD_REVISION,
      startedAt: new Date()
    },
    ...more
  });
const BLUE_GREEN_STAGES = [
  at('PRE_SCALE_UP', green(0, 0, 0)),
  at('SCALE_UP', green(0, 0, 1)),
  at('POST_SCALE_UP', green(0, 0)),
  at('TEST_TRAFFIC_SHIFT', green(0, 100)),
  at('POST_TEST_TRAFFIC_SHIFT', green(0, 100)),
  at('PRE_PRODUCTION_TRAFFIC_SHIFT', green(0, 100)),
  at('PRODUCTION_TRAFFIC_SHIFT', green(100)),
  at('POST_PRODUCTION_TRAFFIC_SHIFT', green(100)),
  at('BAKE_TIME', green(100)),
  at('BAKE_TIME', green(100)),
  at('CLEAN_UP', green(100)),
  at('CLEAN_UP', { status: 'SUCCESSFUL', ...green(100), finishedAt: new Date() })
];

/** UpdateService on the fake, then the follower, as deploy.ts runs them. */
async function deployAndFollow(
  script: StrategyScript,
  options: Partial<StrategyWatchOptions> = {},
  log = memoryLogger()
) {
  const fake = strategyFake(ecsMock, script);
  const clock = options.clock ?? virtualClock(Date.parse('2026-11-22T10:00:00Z'));
  const started = await startDeployment(
    clients,
    target,
    { taskDefinitionArn: NEW, forceNewDeployment: false },
    log
  );
  const result = await followServiceDeployment(
    clients,
    target,
    {
      strategy: 'BLUE_GREEN',
      waitUntil: 'completed',
      configuration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10 },
      serviceDeploymentArn: started.service.currentServiceDeployment,
      before: OLD_SERVICE_DEPLOYMENT_ARN,
      deploymentId: started.deployment.id ?? '',
      taskDefinitionArn: NEW,
      previousTaskDefinitionArn: OLD,
      timeoutMs: 3_600_000,
      intervalMs: 5000,
      clock,
      ...options
    },
    log
  );
  return { result, fake, log, clock };
}

/** The transition lines the follower printed (`[+…] STAGE · …`). */
const transitions = (text: string) => text.split('\n').filter(l => /^ {2}\[\+/.test(l));

describe('followServiceDeployment: blue/green', () => {
  it('completes, printing each stage once as it is entered, not once per poll', async () => {
    const { result, fake, log } = await deployAndFollow({ steps: BLUE_GREEN_STAGES });
    expect(result).toMatchObject({ status: 'COMPLETED', deploymentId: NEW_DEPLOYMENT, polls: 12 });
    expect(result.reason).toMatch(/completed: 2\/2 tasks running; web:8 takes all production traffic/);
    const lines = transitions(log.text());
    // Twelve looks, ten transitions: BAKE_TIME and CLEAN_UP were each seen twice.
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('  [+0s] PRE_SCALE_UP · web:8 0/2 tasks running, 2 pending');
    expect(lines[1]).toMatch(/\[\+5s\] SCALE_UP · web:8 1\/2 tasks running, 1 pending/);
    expect(lines[3]).toMatch(/TEST_TRAFFIC_SHIFT · test traffic 100%/);
    expect(lines[8]).toMatch(
      /\[\+40s\] BAKE_TIME · production traffic 100% · web:8 2\/2 tasks running · both revisions run for 10m 00s more/
    );
    expect(lines[10]).toMatch(/SUCCESSFUL CLEAN_UP/);
    expect(result.strategy).toMatchObject({
      strategy: 'BLUE_GREEN',
      serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN,
      status: 'SUCCESSFUL',
      stage: 'CLEAN_UP',
      bake: { minutes: 10 }
    });
    expect(result.strategy.stages.map(s => s.stage)).toContain('POST_TEST_TRAFFIC_SHIFT');
    expect(fake.updates()).toBe(1);
    expect(fake.stops()).toEqual([]);
  });

  it('sees a stage within the poll that first shows it', async () => {
    const { result } = await deployAndFollow({ steps: BLUE_GREEN_STAGES });
    // Look n happens at (n-1) × 5 s; the stage it shows is entered then.
    const bake = result.strategy.stages.find(s => s.stage === 'BAKE_TIME');
    expect(bake?.atMs).toBe(8 * 5000);
  });

  it('adopts the service deployment from DescribeServices when UpdateService does not name it', async () => {
    const { result, log } = await deployAndFollow(
      { steps: BLUE_GREEN_STAGES, namedInAnswer: false },
      { serviceDeploymentArn: OLD_SERVICE_DEPLOYMENT_ARN }
    );
    expect(result.status).toBe('COMPLETED');
    expect(log.text()).toContain(`service deployment ${SERVICE_DEPLOYMENT_ARN}`);
  });

  it('shows a stage it does not know, and carries on', async () => {
    const steps = [
      at('SCALE_UP'),
      at('warm-up traffic shift'),
      at('<script>'),
      ...BLUE_GREEN_STAGES.slice(-1)
    ];
    const { result, log } = await deployAndFollow({ steps });
    expect(result.status).toBe('COMPLETED');
    expect(log.text()).toMatch(/\] WARM_UP_TRAFFIC_SHIFT/);
    expect(log.text()).toMatch(/\] SCRIPT/);
    expect(log.text()).not.toContain('<script>');
  });

  it('ends at the stage wait-until names, saying what ECS still does', async () => {
    const { result, fake } = await deployAndFollow(
      { steps: BLUE_GREEN_STAGES },
      { waitUntil: 'production-traffic' }
    );
    expect(result.status).toBe('IN_PROGRESS');
    expect(result.polls).toBe(9);
    expect(result.reason).toMatch(
      /^Production traffic is on web:8: service deployment ejGvqq2ilnbKT9qj0vLJe reached BAKE_TIME/
    );
    expect(result.reason).toMatch(/ECS carries on with the rest of BAKE_TIME \(about 10m 00s\), CLEAN_UP/);
    expect(result.strategy.remaining).toEqual(['the rest of BAKE_TIME (about 10m 00s)', 'CLEAN_UP']);
    expect(fake.stops()).toEqual([]);
  });

  it('wait-until test-traffic ends once test traffic is all on the new revision', async () => {
    const { result } = await deployAndFollow({ steps: BLUE_GREEN_STAGES }, { waitUntil: 'test-traffic' });
    expect(result).toMatchObject({ status: 'IN_PROGRESS', polls: 5 });
    expect(result.strategy.stage).toBe('POST_TEST_TRAFFIC_SHIFT');
    expect(result.strategy.remaining).toEqual([
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME (10m)',
      'CLEAN_UP'
    ]);
  });

  it('a rollback before the wait-until stage is a rollback, not an early success', async () => {
    const steps = [
      at('SCALE_UP'),
      rollingBack('SCALE_UP'),
      rollingBack('SCALE_UP', { status: 'ROLLBACK_SUCCESSFUL' })
    ];
    const { result } = await deployAndFollow({ steps }, { waitUntil: 'production-traffic' });
    expect(result.status).toBe('ROLLED_BACK');
  });
});

describe('followServiceDeployment: ECS rolls back by itself', () => {
  const triggered = {
    status: 'TRIGGERED' as const,
    alarmNames: ['web-5xx'],
    triggeredAlarmNames: ['web-5xx']
  };
  const alarmDuringBake = [
    ...BLUE_GREEN_STAGES.slice(0, 9),
    at('BAKE_TIME', { ...green(100), alarms: triggered }),
    rollingBack('BAKE_TIME', { ...green(0), alarms: triggered }),
    rollingBack('BAKE_TIME', { ...green(0), alarms: triggered, status: 'ROLLBACK_SUCCESSFUL' })
  ];

  it('an alarm during the bake: ROLLED_BACK with the alarm first, and nothing written', async () => {
    const { result, fake, log } = await deployAndFollow({ steps: alarmDuringBake });
    expect(result).toMatchObject({ status: 'ROLLED_BACK', rolledBackByEcs: true, polls: 12 });
    expect(result.reason).toMatch(/back to web:7 by itself \(BLUE_GREEN, ROLLBACK_SUCCESSFUL\)/);
    expect(strategyRootCause(result.strategy)).toBe(
      'alarm web-5xx triggered during BAKE_TIME; ECS rolled back to web:7'
    );
    expect(result.strategy.failure).toEqual({ kind: 'alarm', alarms: ['web-5xx'], stage: 'BAKE_TIME' });
    const text = log.text();
    expect(text).toContain('    alarm web-5xx triggered during BAKE_TIME');
    expect(text).toMatch(/\[\+50s\] ROLLBACK_IN_PROGRESS BAKE_TIME · production traffic 0%/);
    // ECS's reason once, as data.
    expect(log.lines.filter(l => l === 'untrusted:     ECS deployment alarms triggered')).toHaveLength(1);
    expect(fake.updates()).toBe(1);
    expect(fake.stops()).toEqual([]);
    expect(stoppable(result.strategy)).toBe(false);
  });

  it('a canary hook that fails: rolled back with the hook and its stage named', async () => {
    const hook = (status: string) => ({
      lifecycleHookDetails: [
        {
          hookId: 'h-1',
          targetType: 'AWS_LAMBDA' as const,
          targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:web-smoke:3',
          status: status as 'IN_PROGRESS',
          timeoutAction: 'ROLLBACK' as const
        }
      ]
    });
    const steps = [
      at('SCALE_UP'),
      at('POST_TEST_TRAFFIC_SHIFT', { ...green(0, 100), ...hook('IN_PROGRESS') }),
      at('POST_TEST_TRAFFIC_SHIFT', { ...green(0, 100), ...hook('FAILED') }),
      rollingBack('POST_TEST_TRAFFIC_SHIFT', hook('FAILED')),
      rollingBack('POST_TEST_TRAFFIC_SHIFT', { ...hook('FAILED'), status: 'ROLLBACK_SUCCESSFUL' })
    ];
    const { result, log } = await deployAndFollow(
      { steps },
      {
        strategy: 'CANARY',
        configuration: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10 } }
      }
    );
    expect(result.status).toBe('ROLLED_BACK');
    expect(strategyRootCause(result.strategy)).toBe(
      'lifecycle hook web-smoke (AWS_LAMBDA) failed at POST_TEST_TRAFFIC_SHIFT; ECS rolled back to web:7'
    );
    expect(log.text()).toMatch(
      /hook web-smoke \(AWS_LAMBDA\) at POST_TEST_TRAFFIC_SHIFT: IN_PROGRESS \(ROLLBACK if not done\)/
    );
    expect(log.text().match(/hook web-smoke .*FAILED/g)).toHaveLength(1);
  });

  it('a hook that times out says so, with its timeout action', async () => {
    const timedOut = {
      lifecycleHookDetails: [
        {
          hookId: 'p-1',
          targetType: 'PAUSE' as const,
          status: 'TIMED_OUT' as const,
          timeoutAction: 'ROLLBACK' as const
        }
      ]
    };
    const steps = [
      at('POST_SCALE_UP', timedOut),
      rollingBack('POST_SCALE_UP', { ...timedOut, status: 'ROLLBACK_SUCCESSFUL' })
    ];
    const { result } = await deployAndFollow({ steps });
    expect(strategyRootCause(result.strategy)).toBe(
      'lifecycle hook pause hook p-1 timed out (timeout action ROLLBACK) at POST_SCALE_UP; ECS rolled back to web:7'
    );
  });

  it("the circuit breaker: the diagnosis (the tasks' cause and the app's line) is the cause", async () => {
    const breaker = {
      deploymentCircuitBreaker: { status: 'TRIGGERED' as const, failureCount: 3, threshold: 3 }
    };
    const steps = [
      at('SCALE_UP', green(0, 0, 0)),
      rollingBack('SCALE_UP', {
        ...breaker,
        rollback: { reason: 'circuit breaker', serviceRevisionArn: OLD_REVISION }
      }),
      rollingBack('SCALE_UP', { ...breaker, status: 'ROLLBACK_SUCCESSFUL' })
    ];
    const { result } = await deployAndFollow({ steps });
    expect(result.strategy.failure).toEqual({
      kind: 'circuit-breaker',
      failed: 3,
      threshold: 3,
      stage: 'SCALE_UP'
    });
    const app = '3 tasks stopped: app exited with code 1: Error: DATABASE_URL is not set';
    expect(strategyRootCause(result.strategy, app)).toBe(app);
    expect(strategyRootCause(result.strategy)).toBe(
      "ECS's circuit breaker stopped the deployment during SCALE_UP after 3 failed tasks; ECS rolled back to web:7"
    );
  });

  it('ROLLBACK_FAILED is FAILED, and says the rollback failed', async () => {
    const steps = [
      at('BAKE_TIME'),
      rollingBack('BAKE_TIME'),
      rollingBack('BAKE_TIME', { status: 'ROLLBACK_FAILED' })
    ];
    const { result } = await deployAndFollow({ steps });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/rollback of service deployment .* to web:7 failed \(ROLLBACK_FAILED\)/);
    expect(stoppable(result.strategy)).toBe(false);
  });

  it('a deployment ECS stopped without rolling back is FAILED, and nothing more is done', async () => {
    const steps = [
      at('PRODUCTION_TRAFFIC_SHIFT', {
        alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx', 'web-p99'] }
      }),
      at('PRODUCTION_TRAFFIC_SHIFT', {
        status: 'STOPPED',
        statusReason: 'Service deployment stopped: alarm triggered.'
      })
    ];
    const { result } = await deployAndFollow({ steps });
    expect(result.status).toBe('FAILED');
    expect(strategyRootCause(result.strategy)).toBe(
      'alarms web-5xx, web-p99 triggered during PRODUCTION_TRAFFIC_SHIFT; ECS stopped the deployment'
    );
  });

  it('a wait that runs out while ECS rolls back reports ECS rolling back, not a timeout', async () => {
    const steps = [at('BAKE_TIME'), rollingBack('BAKE_TIME')];
    const { result, fake } = await deployAndFollow({ steps }, { timeoutMs: 30_000 });
    expect(result).toMatchObject({ status: 'ROLLED_BACK', rolledBackByEcs: true });
    expect(result.reason).toMatch(/back to web:7 \(ROLLBACK_IN_PROGRESS\); it had not finished/);
    expect(fake.stops()).toEqual([]);
  });
});

describe('followServiceDeployment: linear and canary', () => {
  it('linear: each traffic step is a line with its percentage and step number', async () => {
    const steps: Partial<ServiceDeployment>[] = [
      at('SCALE_UP', green(0, 0, 1)),
      at('POST_SCALE_UP', green(0, 0))
    ];
    for (const weight of [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) {
      steps.push(at('PRE_PRODUCTION_TRAFFIC_SHIFT', green(weight - 10)));
      steps.push(
        at('PRODUCTION_TRAFFIC_SHIFT', green(weight)),
        at('PRODUCTION_TRAFFIC_SHIFT', green(weight))
      );
    }
    steps.push(at('BAKE_TIME', green(100)), at('CLEAN_UP', { ...green(100), status: 'SUCCESSFUL' }));
    const config = {
      strategy: 'LINEAR' as const,
      bakeTimeInMinutes: 5,
      linearConfiguration: { stepPercent: 10 }
    };
    const { result, log } = await deployAndFollow(
      { steps: steps.map(s => ({ ...s, deploymentConfiguration: config })) },
      { strategy: 'LINEAR', configuration: config }
    );
    expect(result.status).toBe('COMPLETED');
    const lines = transitions(log.text()).filter(l => /\] PRODUCTION_TRAFFIC_SHIFT/.test(l));
    expect(lines).toHaveLength(10);
    expect(lines[2]).toMatch(/PRODUCTION_TRAFFIC_SHIFT · production traffic 30% \(step 3 of 10\)/);
    expect(lines[9]).toMatch(/production traffic 100% \(step 10 of 10\)/);
  });

  it('canary: the canary step says its share and the canary bake that follows', async () => {
    const steps = [
      at('PRODUCTION_TRAFFIC_SHIFT', green(10)),
      at('PRODUCTION_TRAFFIC_SHIFT', green(100)),
      at('CLEAN_UP', { ...green(100), status: 'SUCCESSFUL' })
    ];
    const config = {
      strategy: 'CANARY' as const,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 15 }
    };
    const { log } = await deployAndFollow(
      { steps: steps.map(s => ({ ...s, deploymentConfiguration: config })) },
      { strategy: 'CANARY', configuration: config }
    );
    expect(log.text()).toMatch(
      /PRODUCTION_TRAFFIC_SHIFT · canary: production traffic 10%, then a 15m canary bake/
    );
    expect(log.text()).toMatch(/PRODUCTION_TRAFFIC_SHIFT · production traffic 100%/);
  });
});

describe('followServiceDeployment: the step ends first', () => {
  it('times out during the bake with the bake time left, and the rollback stops the deployment', async () => {
    const steps = [...BLUE_GREEN_STAGES.slice(0, 9)];
    const afterStop = [
      rollingBack('BAKE_TIME', { rollback: { reason: 'Stopped by user', serviceRevisionArn: OLD_REVISION } }),
      rollingBack('BAKE_TIME', { status: 'ROLLBACK_SUCCESSFUL' })
    ];
    const log = memoryLogger();
    const clock = virtualClock(Date.parse('2026-11-22T10:00:00Z'));
    const { result, fake } = await deployAndFollow({ steps, afterStop }, { timeoutMs: 60_000, clock }, log);
    expect(result.status).toBe('TIMED_OUT');
    expect(result.reason).toMatch(/stands at BAKE_TIME, IN_PROGRESS; about 9m 40s of bake time left/);
    expect(stoppable(result.strategy)).toBe(true);

    const rollback = await stopWithRollback(
      clients,
      target,
      {
        strategy: 'BLUE_GREEN',
        waitUntil: 'completed',
        serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN,
        deploymentId: NEW_DEPLOYMENT,
        taskDefinitionArn: NEW,
        previousTaskDefinitionArn: OLD,
        timeoutMs: 60_000,
        intervalMs: 5000,
        clock
      },
      log
    );
    expect(fake.stops()).toEqual([{ serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN, stopType: 'ROLLBACK' }]);
    expect(fake.updates()).toBe(1);
    expect(rollback).toMatchObject({ ok: true, outcome: { status: 'ROLLED_BACK', rolledBackByEcs: false } });
    expect(rollbackEnding(rollback, 'TIMED_OUT')).toEqual({
      status: 'ROLLED_BACK',
      reason:
        'Stopped service deployment ejGvqq2ilnbKT9qj0vLJe with stopType ROLLBACK; ECS rolled back to web:7.'
    });
  });

  it('a stop refused because the deployment ended meanwhile is followed as it is', async () => {
    const fake = strategyFake(ecsMock, {
      steps: [at('CLEAN_UP', { status: 'SUCCESSFUL' })],
      service: { currentServiceDeployment: SERVICE_DEPLOYMENT_ARN }
    });
    const refusal = Object.assign(new Error('The service deployment is not in progress.'), {
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 }
    });
    ecsMock.on(StopServiceDeploymentCommand).rejects(refusal);
    const rollback = await stopWithRollback(
      clients,
      target,
      {
        strategy: 'BLUE_GREEN',
        waitUntil: 'completed',
        serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN,
        deploymentId: NEW_DEPLOYMENT,
        taskDefinitionArn: NEW,
        timeoutMs: 60_000,
        intervalMs: 5000,
        clock: virtualClock()
      },
      memoryLogger()
    );
    expect(rollback.outcome.status).toBe('COMPLETED');
    expect(rollbackEnding(rollback, 'TIMED_OUT').status).toBe('TIMED_OUT');
    expect(fake.updates()).toBe(0);
  });

  it('reports SUPERSEDED when another service deployment becomes current', async () => {
    const { result } = await deployAndFollow({ steps: BLUE_GREEN_STAGES, supersededAt: 3 });
    expect(result).toMatchObject({ status: 'SUPERSEDED', polls: 3 });
    expect(result.reason).toMatch(/superseded by ejGvqq2ilnbKT9qj0vLJe-other/);
  });

  it('keeps looking through throttling of DescribeServiceDeployments', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 }
    });
    const fake = strategyFake(ecsMock, { steps: BLUE_GREEN_STAGES.slice(-1) });
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .rejectsOnce(throttled)
      .resolves({
        serviceDeployments: [serviceDeployment({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' })]
      });
    const log = memoryLogger();
    await startDeployment(clients, target, { taskDefinitionArn: NEW, forceNewDeployment: false }, log);
    const clock = virtualClock();
    const result = await followServiceDeployment(
      clients,
      target,
      {
        strategy: 'BLUE_GREEN',
        waitUntil: 'completed',
        serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN,
        before: OLD_SERVICE_DEPLOYMENT_ARN,
        deploymentId: NEW_DEPLOYMENT,
        taskDefinitionArn: NEW,
        timeoutMs: 600_000,
        intervalMs: 5000,
        clock
      },
      log
    );
    expect(result.status).toBe('COMPLETED');
    expect(log.text()).toMatch(
      /DescribeServices \/ DescribeServiceDeployments \(poll 1\): ThrottlingException/
    );
    expect(fake.updates()).toBe(1);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });
});
