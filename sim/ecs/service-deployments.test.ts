import { describe, expect, it } from '@jest/globals';
import {
  Refusal,
  ServiceDeploymentMachine,
  type Effect,
  type MachineOptions,
  type StrategyPlan
} from './service-deployments.js';
import { BLUE_GREEN_LOOKS, TO_TEST_TRAFFIC } from './scenarios.js';
import {
  circuitBreakerThreshold,
  productionSteps,
  stageSequence,
  type StrategyConfiguration
} from './strategy-stages.js';

const LOOK = 1000;
const HOOK = 'arn:aws:lambda:us-east-1:123456789012:function:canary-check';
const COUNTS = {
  target: { requested: 2, running: 0, pending: 0 },
  source: { requested: 2, running: 2, pending: 0 }
};

function machine(
  configuration: StrategyConfiguration,
  plan: StrategyPlan = {},
  extra: Partial<MachineOptions> = {}
): ServiceDeploymentMachine {
  return new ServiceDeploymentMachine({
    arn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/abc',
    serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/c/web',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
    serviceName: 'web',
    strategy: (configuration.strategy ?? 'BLUE_GREEN') as MachineOptions['strategy'],
    configuration: { ...configuration },
    target: { arn: 'rev/target', taskDefinition: 'web:2', deploymentId: 'ecs-svc/2' },
    source: { arn: 'rev/source', taskDefinition: 'web:1', deploymentId: 'ecs-svc/1' },
    desiredCount: 2,
    plan,
    at: { ecs: 0, wall: 0 },
    ...extra
  });
}

/** What each look shows (`STATUS STAGE [weight]`), look by look, and every effect, until it finishes. */
function drive(m: ServiceDeploymentMachine, looks = 60, from = 0) {
  const shown: string[] = [];
  const effects: Effect[] = [];
  for (let look = from + 1; look <= from + looks && !m.finished; look++) {
    effects.push(...m.advance(look * LOOK, at => at));
    const d = m.describe(COUNTS) as {
      status: string;
      lifecycleStage?: string;
      targetServiceRevision: { requestedProductionTrafficWeight: number };
    };
    const weight =
      d.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT'
        ? ` ${d.targetServiceRevision.requestedProductionTrafficWeight}`
        : '';
    shown.push(`${d.status} ${d.lifecycleStage ?? '-'}${weight}`);
  }
  return {
    shown: collapse(shown),
    effects: effects.map(e =>
      e.kind === 'finished'
        ? `finished ${e.status}`
        : e.kind === 'traffic'
          ? `traffic ${e.test}/${e.production}`
          : e.kind
    )
  };
}

/** The Refusal `act` throws. */
function thrown(act: () => unknown): Refusal | undefined {
  try {
    act();
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  return undefined;
}

/** Repeated looks at the same state as one entry with a count. */
function collapse(list: string[]): string[] {
  const out: string[] = [];
  for (const item of list) {
    const last = out.at(-1);
    const m = last ? /^(.*?)(?: x(\d+))?$/.exec(last) : null;
    if (m && m[1] === item) out[out.length - 1] = `${item} x${Number(m[2] ?? 1) + 1}`;
    else out.push(item);
  }
  return out;
}

describe('service deployment state machine', () => {
  it.each<[string, StrategyConfiguration, string[]]>([
    [
      'BLUE_GREEN: one production shift, the bake, the clean-up (the blue-green scenario)',
      { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 3 },
      BLUE_GREEN_LOOKS
    ],
    [
      'LINEAR: PRE_PRODUCTION and PRODUCTION_TRAFFIC_SHIFT once per step, the step bake held in the shift',
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: 1 } },
      [
        ...TO_TEST_TRAFFIC,
        'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
        'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 30 x2',
        'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
        'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 60 x2',
        'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
        'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 90 x2',
        'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
        'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 100',
        'IN_PROGRESS POST_PRODUCTION_TRAFFIC_SHIFT',
        'IN_PROGRESS CLEAN_UP',
        'SUCCESSFUL CLEAN_UP'
      ]
    ],
    [
      'CANARY: the canary percentage and its bake, then the rest',
      {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
        bakeTimeInMinutes: 1
      },
      [
        ...TO_TEST_TRAFFIC,
        'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
        'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 10 x3',
        'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
        'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 100',
        'IN_PROGRESS POST_PRODUCTION_TRAFFIC_SHIFT',
        'IN_PROGRESS BAKE_TIME',
        'IN_PROGRESS CLEAN_UP',
        'SUCCESSFUL CLEAN_UP'
      ]
    ]
  ])('%s', (_name, configuration, expected) => {
    const m = machine(configuration);
    expect(m.describe(COUNTS)).toMatchObject({ status: 'PENDING' });
    const { shown, effects } = drive(m);
    expect(shown).toEqual(expected);
    expect(effects.filter(e => !e.startsWith('traffic'))).toEqual([
      'scale-up',
      'target-running',
      'source-drained',
      'finished SUCCESSFUL'
    ]);
    const production = productionSteps(configuration).map(p => `traffic 100/${p.weight}`);
    expect(effects.filter(e => e.startsWith('traffic'))).toEqual(['traffic 100/0', ...production]);
    expect(m.describe(COUNTS)).toMatchObject({
      targetServiceRevision: { requestedProductionTrafficWeight: 100, requestedTestTrafficWeight: 100 },
      sourceServiceRevisions: [{ requestedProductionTrafficWeight: 0 }],
      finishedAt: expect.any(Number)
    });
  });

  it('starts with RECONCILE_SERVICE when more than one revision is ACTIVE', () => {
    const { shown } = drive(machine({ strategy: 'BLUE_GREEN' }, {}, { reconcile: true }), 2);
    expect(shown).toEqual(['IN_PROGRESS RECONCILE_SERVICE', 'IN_PROGRESS PRE_SCALE_UP']);
  });

  const ROLLED_BACK_FROM_PRODUCTION = [
    'ROLLBACK_IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 0',
    'ROLLBACK_IN_PROGRESS TEST_TRAFFIC_SHIFT',
    'ROLLBACK_IN_PROGRESS CLEAN_UP',
    'ROLLBACK_SUCCESSFUL CLEAN_UP'
  ];

  it.each<[string, StrategyConfiguration, StrategyPlan, string[], Record<string, unknown>]>([
    [
      'an alarm during BAKE_TIME: ECS rolls back by itself',
      {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 5,
        alarms: { alarmNames: ['web-5xx', 'web-p99'], enable: true, rollback: true }
      },
      { alarm: { names: ['web-5xx'], stage: 'BAKE_TIME', afterMs: 2 * LOOK } },
      ['IN_PROGRESS BAKE_TIME x2', ...ROLLED_BACK_FROM_PRODUCTION],
      {
        alarms: { status: 'TRIGGERED', alarmNames: ['web-5xx', 'web-p99'], triggeredAlarmNames: ['web-5xx'] },
        rollback: {
          reason: 'Alarm web-5xx detected in ALARM state during BAKE_TIME.',
          serviceRevisionArn: 'rev/source'
        },
        statusReason: 'Alarm web-5xx detected in ALARM state during BAKE_TIME.'
      }
    ],
    [
      'an alarm without the rollback option: STOPPED where it is',
      {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 5,
        alarms: { alarmNames: ['web-5xx'], enable: true, rollback: false }
      },
      { alarm: { names: ['web-5xx'], stage: 'BAKE_TIME' } },
      ['IN_PROGRESS BAKE_TIME', 'STOPPED BAKE_TIME'],
      { alarms: { status: 'TRIGGERED' }, stoppedAt: expect.any(Number) }
    ],
    [
      'the canary step’s hook returns FAILED: rolled back naming the hook',
      {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 },
        lifecycleHooks: [
          {
            hookTargetArn: HOOK,
            roleArn: 'arn:aws:iam::123456789012:role/hooks',
            lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT']
          }
        ]
      },
      { hooks: { [HOOK]: { status: 'FAILED', invocation: 1 } } },
      ['IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 10', ...ROLLED_BACK_FROM_PRODUCTION],
      {
        statusReason: `Lifecycle hook ${HOOK} returned FAILED at PRODUCTION_TRAFFIC_SHIFT.`,
        lifecycleHookDetails: [
          { targetType: 'AWS_LAMBDA', targetArn: HOOK, status: 'FAILED', timeoutAction: 'ROLLBACK' }
        ]
      }
    ],
    [
      'a hook that never answers times out: its timeout action rolls back',
      {
        strategy: 'BLUE_GREEN',
        lifecycleHooks: [
          {
            hookTargetArn: HOOK,
            lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            timeoutConfiguration: { timeoutInMinutes: 2 }
          }
        ]
      },
      { hooks: { [HOOK]: { status: 'TIMEOUT' } } },
      [
        'IN_PROGRESS POST_TEST_TRAFFIC_SHIFT x2',
        'ROLLBACK_IN_PROGRESS TEST_TRAFFIC_SHIFT',
        'ROLLBACK_IN_PROGRESS CLEAN_UP',
        'ROLLBACK_SUCCESSFUL CLEAN_UP'
      ],
      {
        lifecycleHookDetails: [{ targetArn: HOOK, status: 'TIMED_OUT' }],
        statusReason: `Lifecycle hook ${HOOK} timed out at POST_TEST_TRAFFIC_SHIFT.`
      }
    ],
    [
      'the green tasks fail: the circuit breaker trips at its threshold and rolls back',
      { strategy: 'BLUE_GREEN', deploymentCircuitBreaker: { enable: true, rollback: true } },
      { tasksFail: true },
      ['IN_PROGRESS SCALE_UP x2', 'ROLLBACK_IN_PROGRESS CLEAN_UP', 'ROLLBACK_SUCCESSFUL CLEAN_UP'],
      {
        deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 4, threshold: 3 },
        statusReason: 'ECS deployment circuit breaker: tasks failed to start.'
      }
    ],
    [
      'the circuit breaker without rollback: STOPPED',
      { strategy: 'LINEAR', deploymentCircuitBreaker: { enable: true, rollback: false } },
      { tasksFail: true },
      ['IN_PROGRESS SCALE_UP x2', 'STOPPED SCALE_UP'],
      { deploymentCircuitBreaker: { status: 'TRIGGERED' } }
    ],
    [
      'ECS’s rollback itself fails',
      { strategy: 'BLUE_GREEN', deploymentCircuitBreaker: { enable: true, rollback: true } },
      { tasksFail: true, rollbackFails: true },
      ['IN_PROGRESS SCALE_UP x2', 'ROLLBACK_IN_PROGRESS CLEAN_UP', 'ROLLBACK_FAILED CLEAN_UP'],
      {}
    ]
  ])('%s', (_name, configuration, plan, tail, view) => {
    const m = machine(configuration, plan);
    const { shown } = drive(m);
    expect(shown.slice(-tail.length)).toEqual(tail);
    expect(m.describe(COUNTS)).toMatchObject(view);
    expect(m.finished).toBe(true);
  });

  it('shows the failing tasks’ count below the threshold and no rollback without the circuit breaker', () => {
    const counting = machine(
      { strategy: 'BLUE_GREEN', deploymentCircuitBreaker: { enable: true, rollback: true } },
      { tasksFail: true }
    );
    drive(counting, 3);
    expect(counting.describe(COUNTS)).toMatchObject({
      deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 2, threshold: 3 }
    });
    const off = machine({ strategy: 'BLUE_GREEN' }, { tasksFail: true });
    const { shown, effects } = drive(off, 20);
    expect(shown).toEqual(['IN_PROGRESS PRE_SCALE_UP', 'IN_PROGRESS SCALE_UP x19']);
    expect(effects.filter(e => e === 'target-failed').length).toBeGreaterThan(10);
    expect(off.describe(COUNTS)).toMatchObject({
      deploymentCircuitBreaker: { status: 'DISABLED', failureCount: 0 }
    });
  });

  describe('a PAUSE hook', () => {
    const PAUSED: StrategyConfiguration = {
      strategy: 'BLUE_GREEN',
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
          timeoutConfiguration: { timeoutInMinutes: 30, action: 'ROLLBACK' }
        }
      ]
    };
    const hookId = (m: ServiceDeploymentMachine) =>
      (m.describe(COUNTS).lifecycleHookDetails as { hookId: string }[])[0].hookId;

    it('waits for ContinueServiceDeployment CONTINUE, then goes on', () => {
      const m = machine(PAUSED);
      const before = drive(m, 10);
      expect(before.shown.at(-1)).toBe('IN_PROGRESS POST_TEST_TRAFFIC_SHIFT x6');
      expect(m.describe(COUNTS).lifecycleHookDetails).toEqual([
        {
          hookId: expect.stringMatching(/^ecs-pause-[\w-]{43}$/),
          targetType: 'PAUSE',
          status: 'AWAITING_ACTION',
          expiresAt: expect.any(Number),
          timeoutAction: 'ROLLBACK'
        }
      ]);
      m.continueHook(hookId(m), 'CONTINUE', { ecs: 10 * LOOK, wall: 10 * LOOK });
      const after = drive(m, 60, 10);
      expect(after.shown.at(-1)).toBe('SUCCESSFUL CLEAN_UP');
    });

    it('rolls back on ContinueServiceDeployment ROLLBACK: ROLLBACK_REQUESTED first', () => {
      const m = machine(PAUSED);
      drive(m, 8);
      m.continueHook(hookId(m), 'ROLLBACK', { ecs: 8 * LOOK, wall: 8 * LOOK });
      expect(m.status).toBe('ROLLBACK_REQUESTED');
      expect(drive(m, 60, 8).shown).toEqual([
        'ROLLBACK_REQUESTED POST_TEST_TRAFFIC_SHIFT',
        'ROLLBACK_IN_PROGRESS TEST_TRAFFIC_SHIFT',
        'ROLLBACK_IN_PROGRESS CLEAN_UP',
        'ROLLBACK_SUCCESSFUL CLEAN_UP'
      ]);
    });

    it('times out into its timeout action', () => {
      const m = machine(PAUSED);
      const { shown } = drive(m, 60);
      expect(shown).toContain('IN_PROGRESS POST_TEST_TRAFFIC_SHIFT x30');
      expect(m.status).toBe('ROLLBACK_SUCCESSFUL');
    });

    it.each([
      [
        'an unknown hook',
        (m: ServiceDeploymentMachine) => m.continueHook('ecs-pause-nope', 'CONTINUE', { ecs: 0, wall: 0 })
      ],
      [
        'a hook already continued',
        (m: ServiceDeploymentMachine) => {
          const id = hookId(m);
          m.continueHook(id, 'CONTINUE', { ecs: 8 * LOOK, wall: 0 });
          m.continueHook(id, 'CONTINUE', { ecs: 8 * LOOK, wall: 0 });
        }
      ]
    ])('refuses %s', (_name, act) => {
      const m = machine(PAUSED);
      drive(m, 8);
      expect(thrown(() => act(m))).toMatchObject({ code: 'InvalidParameterException' });
    });
  });

  describe('StopServiceDeployment', () => {
    it('ROLLBACK during the bake: ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL', () => {
      const m = machine({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 600 });
      drive(m, 12);
      expect(m.stage).toBe('BAKE_TIME');
      const effects = m.stop('ROLLBACK', { ecs: 12 * LOOK, wall: 12 * LOOK });
      expect(effects.map(e => e.kind)).toEqual(['rollback-started', 'event']);
      expect(m.describe(COUNTS)).toMatchObject({
        status: 'ROLLBACK_REQUESTED',
        rollback: { serviceRevisionArn: 'rev/source' }
      });
      expect(m.stop('ROLLBACK', { ecs: 12 * LOOK, wall: 0 })).toEqual([]);
      expect(drive(m, 60, 12).shown).toEqual([
        'ROLLBACK_REQUESTED BAKE_TIME',
        'ROLLBACK_IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 0',
        'ROLLBACK_IN_PROGRESS TEST_TRAFFIC_SHIFT',
        'ROLLBACK_IN_PROGRESS CLEAN_UP',
        'ROLLBACK_SUCCESSFUL CLEAN_UP'
      ]);
    });

    it('ABORT: STOP_REQUESTED, then STOPPED where it was', () => {
      const m = machine({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 600 });
      drive(m, 4);
      m.stop('ABORT', { ecs: 4 * LOOK, wall: 4 * LOOK });
      expect(m.status).toBe('STOP_REQUESTED');
      expect(drive(m, 60, 4).shown).toEqual([
        'STOP_REQUESTED TEST_TRAFFIC_SHIFT',
        'STOPPED TEST_TRAFFIC_SHIFT'
      ]);
    });

    it('refuses a finished deployment with ConflictException', () => {
      const m = machine({ strategy: 'BLUE_GREEN' });
      drive(m);
      expect(thrown(() => m.stop('ROLLBACK', { ecs: 0, wall: 0 }))).toMatchObject({
        code: 'ConflictException'
      });
    });
  });

  it('a newer deployment supersedes it: STOPPED where it was, naming the newer one', () => {
    const m = machine({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 60 });
    drive(m, 10);
    const effects = m.superseded('arn:newer', { ecs: 10 * LOOK, wall: 10 * LOOK });
    expect(effects).toEqual([
      {
        kind: 'finished',
        status: 'STOPPED',
        reason: 'Superseded by service deployment arn:newer.',
        supersededBy: 'arn:newer'
      }
    ]);
    expect(m.describe(COUNTS)).toMatchObject({ status: 'STOPPED', lifecycleStage: 'BAKE_TIME' });
    expect(m.superseded('arn:newest', { ecs: 0, wall: 0 })).toEqual([]);
  });

  it('records each transition once, and when a response first showed it', () => {
    const m = machine({ strategy: 'BLUE_GREEN' });
    m.advance(LOOK, at => at);
    m.markShown(1500);
    m.advance(2 * LOOK, at => at);
    expect(m.transitions.map(t => [t.status, t.stage, t.shownAt])).toEqual([
      ['PENDING', undefined, 1500],
      ['IN_PROGRESS', 'PRE_SCALE_UP', 1500],
      ['IN_PROGRESS', 'SCALE_UP', undefined]
    ]);
  });
});

describe('strategy stages', () => {
  it.each<[StrategyConfiguration, number[]]>([
    [{ strategy: 'BLUE_GREEN' }, [100]],
    [{ strategy: 'CANARY' }, [5, 100]],
    [{ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 100 } }, [100]],
    [{ strategy: 'LINEAR' }, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]],
    [
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 3.3 } },
      [...Array.from({ length: 30 }, (_, i) => Math.round((i + 1) * 33) / 10), 100]
    ]
  ])('production steps of %j', (config, weights) => {
    expect(productionSteps(config).map(s => s.weight)).toEqual(weights);
  });

  it('holds the bake times in configured minutes', () => {
    const steps = stageSequence(
      { strategy: 'LINEAR', bakeTimeInMinutes: 4, linearConfiguration: { stepPercent: 50 } },
      { stageMs: 10, msPerMinute: 100 }
    );
    expect(steps.filter(s => s.stage === 'PRODUCTION_TRAFFIC_SHIFT').map(s => s.holdMs)).toEqual([610, 10]);
    expect(steps.find(s => s.stage === 'BAKE_TIME')!.holdMs).toBe(400);
  });

  it.each<[number, { type?: string; value?: number } | undefined, number]>([
    [2, undefined, 3],
    [10, undefined, 5],
    [1000, undefined, 200],
    [1000, { type: 'UNBOUNDED_PERCENT', value: 50 }, 500],
    [4, { type: 'COUNT', value: 1 }, 1],
    [7, { type: 'BOUNDED_PERCENT', value: 100 }, 7]
  ])('circuit breaker threshold for %i tasks and %j: %i', (desired, config, threshold) => {
    expect(circuitBreakerThreshold(desired, config)).toBe(threshold);
  });
});
