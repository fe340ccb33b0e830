/**
 * The named scenarios the deploy-ecs end-to-end tests and `npm run bench` run: how the service is
 * seeded, what the scenario layer makes ECS do, the action's inputs, and what the action must report.
 */
import type { Scenario, TargetHealthOverride, TaskFailure } from './scenario.js';
import { IMAGE_V2, type SeedOptions, type Seeded } from './seed.js';

export const POLL_INTERVAL_MS = 1000;

/** 35 lines of a container that crashes on boot; the action shows the last 30. */
export function failingLogLines(): string[] {
  const lines = Array.from(
    { length: 33 },
    (_, i) => `L${String(i + 1).padStart(2, '0')} boot: loading module ${i + 1} of 33`
  );
  lines.push('L34 Error: DATABASE_URL is not set');
  lines.push('L35     at loadConfig (/app/dist/config.js:12:11)');
  return lines;
}

export const CRASH: TaskFailure = {
  container: 'app',
  exitCode: 1,
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  logLines: failingLogLines()
};

export const UNHEALTHY: TargetHealthOverride = {
  state: 'unhealthy',
  reason: 'Target.ResponseCodeMismatch',
  description: 'Health checks failed with these codes: [502]'
};

export const MIGRATION_LOG = [
  'migrate: connecting to postgres://db.internal:5432/app',
  'migrate: applying 0041_create_users ... ok',
  'migrate: applying 0042_add_orders',
  'ERROR: relation "orders" already exists',
  'migration 0042_add_orders failed (exit 3)'
];

export interface ScenarioCase {
  name: string;
  description: string;
  seed?: SeedOptions;
  /** When the scenario reaches its outcome, in ms from UpdateService (or RunTask); runs may move it. */
  afterMs: number;
  scenario(afterMs: number): Scenario;
  inputs(seed: Seeded): Record<string, string>;
  /** The action's `status` output and whether the step succeeds. */
  expect: { status: string; success: boolean };
  /** The timeout scenario: the outcome is the action's own deadline, this long after UpdateService. */
  timeoutMs?: number;
  /**
   * Time allowed from the first poll that showed the outcome to the action's next step (diagnostics, then
   * its rollback or its exit); 500 ms unless the scenario makes those calls fail and back off on purpose.
   */
  reactionAllowanceMs?: number;
  /** The cancellation scenario: SIGTERM this long after the action started. */
  cancelAfterMs?: number;
}

export function baseInputs(seed: Seeded): Record<string, string> {
  return {
    cluster: seed.cluster,
    service: seed.service,
    images: `app=${IMAGE_V2}`,
    'poll-interval': `${POLL_INTERVAL_MS / 1000}s`,
    timeout: '20s'
  };
}

export const SCENARIOS: Record<string, ScenarioCase> = {
  success: {
    afterMs: 3300,
    name: 'success',
    description: 'the rollout completes after a few polls',
    scenario: afterMs => ({ name: 'success', rollout: { kind: 'complete', afterMs } }),
    inputs: baseInputs,
    expect: { status: 'COMPLETED', success: true }
  },
  failed: {
    afterMs: 3300,
    name: 'failed',
    description: 'tasks crash and fail health checks; rolloutState FAILED; the action rolls back',
    scenario: afterMs => ({
      name: 'failed',
      rollout: { kind: 'fail', afterMs, failure: CRASH, unhealthy: UNHEALTHY }
    }),
    inputs: seed => ({ ...baseInputs(seed), rollback: 'true' }),
    expect: { status: 'ROLLED_BACK', success: false }
  },
  'circuit-breaker': {
    afterMs: 3300,
    name: 'circuit-breaker',
    description: 'the circuit breaker rolls back by itself: the deployment disappears',
    seed: { circuitBreakerRollback: true },
    scenario: afterMs => ({
      name: 'circuit-breaker',
      rollout: {
        kind: 'fail',
        afterMs,
        failure: CRASH,
        unhealthy: UNHEALTHY,
        ecsRollback: true,
        rollbackCompletesAfterMs: 3000
      }
    }),
    inputs: baseInputs,
    expect: { status: 'ROLLED_BACK', success: false }
  },
  'circuit-breaker-failed-first': {
    afterMs: 3300,
    name: 'circuit-breaker-failed-first',
    description: 'the circuit breaker (rollback on) shows FAILED first; ECS starts its rollback 1.5s later',
    seed: { circuitBreakerRollback: true },
    scenario: afterMs => ({
      name: 'circuit-breaker-failed-first',
      rollout: {
        kind: 'fail',
        afterMs,
        failure: CRASH,
        ecsRollback: true,
        ecsRollbackAfterMs: 1500,
        rollbackCompletesAfterMs: 3000
      }
    }),
    inputs: baseInputs,
    expect: { status: 'ROLLED_BACK', success: false }
  },
  superseded: {
    afterMs: 3300,
    name: 'superseded',
    description: 'another deployment takes over mid-wait',
    scenario: afterMs => ({
      name: 'superseded',
      rollout: {
        kind: 'supersede',
        afterMs,
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:hotfix'
      }
    }),
    inputs: baseInputs,
    expect: { status: 'SUPERSEDED', success: false }
  },
  timeout: {
    name: 'timeout',
    description: 'a task can never be placed; the action times out',
    afterMs: 0,
    scenario: () => ({ name: 'timeout', rollout: { kind: 'stall' } }),
    inputs: seed => ({ ...baseInputs(seed), timeout: '5s' }),
    timeoutMs: 5000,
    expect: { status: 'TIMED_OUT', success: false }
  },
  throttled: {
    afterMs: 5300,
    name: 'throttled',
    description: 'ThrottlingException and 5xx on registration, update and polls; still one registration',
    // The wait's faults come before the outcome, so that the poller is back to its interval when it happens.
    scenario: afterMs => ({
      name: 'throttled',
      rollout: { kind: 'complete', afterMs },
      faults: [
        { operation: 'RegisterTaskDefinition', calls: [1], kind: 'throttle' },
        { operation: 'UpdateService', calls: [1], kind: '503' },
        { operation: 'DescribeServices', calls: [1, 3], kind: 'throttle', after: 'UpdateService' },
        { operation: 'DescribeServices', calls: [5], kind: '500', after: 'UpdateService' },
        { operation: 'DescribeTaskDefinition', calls: [1], kind: 'throttle' }
      ]
    }),
    inputs: baseInputs,
    expect: { status: 'COMPLETED', success: true }
  },
  'register-500-after-commit': {
    afterMs: 2300,
    name: 'register-500-after-commit',
    description: 'RegisterTaskDefinition succeeds but answers 500; the retry must not register twice',
    scenario: afterMs => ({
      name: 'register-500-after-commit',
      rollout: { kind: 'complete', afterMs },
      faults: [{ operation: 'RegisterTaskDefinition', calls: [1], kind: '500-after-commit' }]
    }),
    inputs: baseInputs,
    expect: { status: 'COMPLETED', success: true }
  },
  'no-rollout-state': {
    afterMs: 3300,
    name: 'no-rollout-state',
    description:
      'deployments carry no rolloutState: complete when the old one has drained and running = desired',
    scenario: afterMs => ({
      name: 'no-rollout-state',
      rollout: { kind: 'complete', afterMs, noRolloutState: true }
    }),
    inputs: baseInputs,
    expect: { status: 'COMPLETED', success: true }
  },
  'failed-flaky-diagnostics': {
    afterMs: 3300,
    name: 'failed-flaky-diagnostics',
    description:
      'the failed rollout, with throttling, a 500 and a connection reset on the polls and diagnostics',
    // Four diagnostic calls fail once each and are retried with randomised backoff, and adaptive retries
    // slow the calls after a throttle: seconds, not a poll interval.
    reactionAllowanceMs: 10_000,
    scenario: afterMs => ({
      name: 'failed-flaky-diagnostics',
      rollout: { kind: 'fail', afterMs, failure: CRASH, unhealthy: UNHEALTHY },
      faults: [
        { operation: 'DescribeServices', calls: [2], kind: 'reset', after: 'UpdateService' },
        { operation: 'ListTasks', calls: [1], kind: 'throttle' },
        { operation: 'DescribeTasks', calls: [1], kind: '500' },
        { operation: 'DescribeTargetHealth', calls: [1], kind: 'throttle' },
        { operation: 'GetLogEvents', calls: [1], kind: 'throttle' }
      ]
    }),
    inputs: seed => ({ ...baseInputs(seed), rollback: 'true' }),
    expect: { status: 'ROLLED_BACK', success: false }
  },
  'rollback-fails': {
    afterMs: 3300,
    name: 'rollback-fails',
    description: 'the rollout fails, and so does the rollback to the previous revision',
    scenario: afterMs => ({
      name: 'rollback-fails',
      rollout: { kind: 'fail', afterMs, failure: CRASH },
      rollback: { kind: 'fail', afterMs: 2300, failure: CRASH }
    }),
    inputs: baseInputs,
    expect: { status: 'FAILED', success: false }
  },
  'access-denied': {
    afterMs: 3300,
    name: 'access-denied',
    description: 'UpdateService is denied: fails at once, naming the permission',
    scenario: afterMs => ({
      name: 'access-denied',
      rollout: { kind: 'complete', afterMs },
      faults: [{ operation: 'UpdateService', calls: [1], kind: 'access-denied' }]
    }),
    inputs: baseInputs,
    expect: { status: 'FAILED', success: false }
  },
  'run-task-then-rollout': {
    afterMs: 2300,
    name: 'run-task-then-rollout',
    description: 'the one-off task exits 0, then the rollout completes',
    scenario: afterMs => ({
      name: 'run-task-then-rollout',
      rollout: { kind: 'complete', afterMs },
      runTask: { afterMs: 1800, exitCode: 0, logLines: ['migrate: nothing to do'] }
    }),
    inputs: seed => ({ ...baseInputs(seed), 'run-task': 'npm run migrate' }),
    expect: { status: 'COMPLETED', success: true }
  },
  cancelled: {
    name: 'cancelled',
    description: 'SIGTERM from the runner mid-wait',
    afterMs: 0,
    scenario: () => ({ name: 'cancelled', rollout: { kind: 'stall' } }),
    inputs: baseInputs,
    cancelAfterMs: 3500,
    expect: { status: 'CANCELLED', success: false }
  },
  'run-task-fails': {
    afterMs: 2300,
    name: 'run-task-fails',
    description: 'the one-off migration task exits 3 before the rollout',
    scenario: afterMs => ({
      name: 'run-task-fails',
      rollout: { kind: 'complete', afterMs: 2000 },
      runTask: { afterMs, exitCode: 3, logLines: MIGRATION_LOG }
    }),
    inputs: seed => ({ ...baseInputs(seed), 'run-task': 'npm run migrate' }),
    expect: { status: 'FAILED', success: false }
  }
};
