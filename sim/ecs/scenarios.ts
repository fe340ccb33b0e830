/**
 * The named scenarios the deploy-ecs end-to-end tests and `npm run bench` run: how the service is
 * seeded, what the scenario layer makes ECS do, the action's inputs, and what the action must report.
 */
import type { Pace, Scenario, TargetHealthOverride, TaskFailure } from './scenario.js';
import { IMAGE_V1, IMAGE_V2, type SeedOptions, type Seeded } from './seed.js';

/**
 * The poll interval the scenarios are written for: an outcome `afterMs: 3300` comes between the action's 3rd
 * and 4th look. `npm run bench` and the demo poll at this interval on the wall clock.
 */
export const POLL_INTERVAL_MS = 1000;

/**
 * The smallest poll interval deploy-ecs accepts (actions/deploy-ecs/src/inputs.ts, `poll-interval`), at which the
 * end-to-end tests poll. There the layer is paced by looks, one look standing for POLL_INTERVAL_MS of ECS
 * time (`LOOK_PACE`), so each scenario plays out at the same look as on the wall clock, in a tenth of the time.
 */
export const FAST_POLL_INTERVAL_MS = 100;

/** The end-to-end tests' pace: ECS time moves one POLL_INTERVAL_MS per look of the action. */
export const LOOK_PACE: Pace = { kind: 'looks', msPerLook: POLL_INTERVAL_MS };

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

/** An image tag that was never pushed: ECS cannot pull it. */
export const MISSING_IMAGE = IMAGE_V1.replace(':v1', ':sha-1a2b3c4');

/** The essential container is killed for using more memory than its limit (exit 137). */
export const OOM: TaskFailure = {
  container: 'app',
  exitCode: 137,
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containerReason: 'OutOfMemoryError: Container killed due to memory usage',
  logLines: ['cache: warming 1200000 entries', 'cache: 1100000 entries loaded']
};

/** The image cannot be pulled: the task never starts (stop code TaskFailedToStart, no exit codes). */
export const CANNOT_PULL: TaskFailure = {
  container: 'app',
  neverStarted: true,
  stopCode: 'TaskFailedToStart',
  stoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${MISSING_IMAGE}: ${MISSING_IMAGE}: not found`,
  logLines: []
};

/** The execution role may not read a secret: the task never starts. */
export const SECRETS_INIT: TaskFailure = {
  container: 'app',
  neverStarted: true,
  stopCode: 'TaskFailedToStart',
  stoppedReason:
    'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf from secrets manager: AccessDeniedException',
  logLines: []
};

/** The scheduler replaces tasks that fail the target group's health checks (stop code ServiceSchedulerInitiated). */
export const ELB_UNHEALTHY: TaskFailure = {
  container: 'app',
  exitCode: 143,
  stopCode: 'ServiceSchedulerInitiated',
  stoppedReason: 'Task failed ELB health checks in (target-group web-tg)',
  logLines: ['listening on :80', 'GET /health 502']
};

/** The container's own health check never passes; the scheduler replaces the task. */
export const NEVER_HEALTHY: TaskFailure = {
  container: 'app',
  exitCode: 137,
  stopCode: 'ServiceSchedulerInitiated',
  stoppedReason: 'Task failed container health checks',
  healthStatus: 'UNHEALTHY',
  logLines: ['listening on :8080 (the health check asks :80)']
};

export const MIGRATION_LOG = [
  'migrate: connecting to postgres://db.internal:5432/app',
  'migrate: applying 0041_create_users ... ok',
  'migrate: applying 0042_add_orders',
  'ERROR: relation "orders" already exists',
  'migration 0042_add_orders failed (exit 3)'
];

/**
 * Lines an app prints (or echoes from a request it logs) that would take over the runner if they reached stdout
 * as they are (issue 14): hide text with add-mask, set outputs (the `::` form at the start of a line, the legacy
 * `##[…]` form anywhere in it), forge annotations, and stop command processing, in any case (the runner matches
 * names ignoring case). Each names itself `injected`.
 */
export const INJECTED_LINES = [
  '::add-mask::injected-mask',
  '::set-output name=status::injected',
  'GET /health "X-Forwarded-For: injected" ##[set-output name=run-task-exit-code;]0',
  '::set-output name=injected::1',
  '::warning::injected warning',
  '::ADD-MASK::injected-mask',
  '::Set-Output name=status::injected',
  'GET /login "User-Agent: injected" ##[Set-Output Name=run-task-exit-code;]0',
  '  ::Warning title=injected::injected mixed-case warning',
  '::stop-commands::injected',
  '::error file=.github/workflows/deploy.yml,line=1::injected annotation'
];

/** The essential container crashes printing INJECTED_LINES; its stopped reason and container reason carry more. */
export const HOSTILE: TaskFailure = {
  container: 'app',
  exitCode: 1,
  stopCode: 'EssentialContainerExited',
  stoppedReason:
    'Essential container in task exited\n::add-mask::injected-reason ##[set-output name=status;]injected',
  containerReason: 'Error ##[Warning]injected container reason',
  logLines: [...INJECTED_LINES, 'Error: DATABASE_URL is not set ##[set-output name=deployment-id;]injected']
};

export interface ScenarioCase {
  name: string;
  description: string;
  seed?: SeedOptions;
  /** When the scenario reaches its outcome, in ms from UpdateService (or RunTask); runs may move it. */
  afterMs: number;
  scenario(afterMs: number): Scenario;
  inputs(seed: Seeded): Record<string, string>;
  /** The action's `status` output and whether the step succeeds; for a failure, its root cause in one line. */
  expect: { status: string; success: boolean; rootCause?: RegExp };
  /** The failure class this scenario stands for (issue 10's list), for the benchmark's report. */
  failureClass?: string;
  /** The timeout scenario: the outcome is the action's own deadline, this long after UpdateService. */
  timeoutMs?: number;
  /**
   * Time allowed from the first poll that showed the outcome to the action's next step (diagnostics, then
   * its rollback or its exit); 500 ms unless the scenario makes those calls fail and back off on purpose.
   */
  reactionAllowanceMs?: number;
  /** The cancellation scenario: SIGTERM once the action's log shows this (a state it then waits in). */
  cancelWhen?: RegExp;
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
    cancelWhen: /was unable to place a task/,
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
    failureClass: 'one-off task (run-task) exit',
    expect: {
      status: 'FAILED',
      success: false,
      rootCause: /^app exited with code 3: migration 0042_add_orders failed \(exit 3\)$/
    }
  },
  'essential-exit': {
    afterMs: 3300,
    name: 'essential-exit',
    failureClass: 'essential container exit, with log tail',
    description: 'the essential container exits 1 on boot; the root cause carries its error line',
    scenario: afterMs => ({ name: 'essential-exit', rollout: { kind: 'fail', afterMs, failure: CRASH } }),
    inputs: baseInputs,
    expect: {
      status: 'ROLLED_BACK',
      success: false,
      rootCause: /^2 tasks stopped: app exited with code 1: L34 Error: DATABASE_URL is not set$/
    }
  },
  oom: {
    afterMs: 3300,
    name: 'oom',
    failureClass: 'out of memory (137)',
    description: 'the essential container is killed for memory (exit 137, OutOfMemoryError)',
    scenario: afterMs => ({ name: 'oom', rollout: { kind: 'fail', afterMs, failure: OOM } }),
    inputs: baseInputs,
    expect: {
      status: 'ROLLED_BACK',
      success: false,
      rootCause:
        /^2 tasks stopped: app ran out of memory \(exit code 137, limit 384 MiB\): OutOfMemoryError: Container killed due to memory usage$/
    }
  },
  'cannot-pull': {
    afterMs: 3300,
    name: 'cannot-pull',
    failureClass: 'CannotPullContainerError',
    description: 'an image tag that was never pushed (verify off): the tasks never start',
    scenario: afterMs => ({ name: 'cannot-pull', rollout: { kind: 'fail', afterMs, failure: CANNOT_PULL } }),
    inputs: seed => ({ ...baseInputs(seed), images: `app=${MISSING_IMAGE}`, verify: 'false' }),
    expect: {
      status: 'ROLLED_BACK',
      success: false,
      rootCause: /^2 tasks stopped: CannotPullContainerError: .*web:sha-1a2b3c4: not found$/
    }
  },
  'secrets-init': {
    afterMs: 3300,
    name: 'secrets-init',
    failureClass: 'ResourceInitializationError (secrets)',
    description: 'the execution role may not read a secret: the tasks never start',
    scenario: afterMs => ({
      name: 'secrets-init',
      rollout: { kind: 'fail', afterMs, failure: SECRETS_INIT }
    }),
    inputs: baseInputs,
    expect: {
      status: 'ROLLED_BACK',
      success: false,
      rootCause:
        /^2 tasks stopped: ResourceInitializationError: unable to pull secrets or registry auth: .*AccessDeniedException$/
    }
  },
  'lb-unhealthy': {
    afterMs: 3300,
    name: 'lb-unhealthy',
    failureClass: 'failing load-balancer health checks',
    description: 'tasks run but fail the target group health checks; the scheduler replaces them',
    scenario: afterMs => ({
      name: 'lb-unhealthy',
      rollout: { kind: 'fail', afterMs, failure: ELB_UNHEALTHY, unhealthy: UNHEALTHY }
    }),
    inputs: baseInputs,
    expect: {
      status: 'ROLLED_BACK',
      success: false,
      rootCause:
        /^2 targets unhealthy \(10\.[\d.]+:80, 10\.[\d.]+:80\): Health checks failed with these codes: \[502\]$/
    }
  },
  'never-healthy': {
    afterMs: 3300,
    name: 'never-healthy',
    failureClass: 'a task that never becomes healthy (container health check)',
    description: "the container's health check never passes; the scheduler replaces the tasks",
    scenario: afterMs => ({
      name: 'never-healthy',
      rollout: { kind: 'fail', afterMs, failure: NEVER_HEALTHY }
    }),
    inputs: baseInputs,
    expect: {
      status: 'ROLLED_BACK',
      success: false,
      rootCause: /^2 tasks stopped: app never became healthy: Task failed container health checks$/
    }
  },
  'no-capacity': {
    name: 'no-capacity',
    failureClass: 'no capacity to place a task',
    description: 'Fargate has no capacity: a task can never be placed, the step times out saying why',
    afterMs: 0,
    scenario: () => ({ name: 'no-capacity', rollout: { kind: 'stall' } }),
    inputs: seed => ({ ...baseInputs(seed), timeout: '5s' }),
    timeoutMs: 5000,
    expect: {
      status: 'TIMED_OUT',
      success: false,
      rootCause: /^ECS was unable to place a task\. Reason: Capacity is unavailable at this time\./
    }
  },
  hostile: {
    afterMs: 3300,
    name: 'hostile',
    description:
      'tasks crash printing workflow commands in their log, stopped reason, container reason and target health',
    scenario: afterMs => ({
      name: 'hostile',
      rollout: {
        kind: 'fail',
        afterMs,
        failure: HOSTILE,
        unhealthy: { ...UNHEALTHY, description: 'Health checks failed ##[SET-OUTPUT name=status;]injected' }
      }
    }),
    inputs: baseInputs,
    expect: {
      status: 'ROLLED_BACK',
      success: false,
      rootCause: /^2 tasks stopped: app exited with code 1: Error: DATABASE_URL is not set ##\[set-output/
    }
  },
  'run-task-hostile': {
    afterMs: 2300,
    name: 'run-task-hostile',
    description: 'the one-off task exits 3 printing workflow commands in its log and container reason',
    scenario: afterMs => ({
      name: 'run-task-hostile',
      rollout: { kind: 'complete', afterMs: 2000 },
      runTask: {
        afterMs,
        exitCode: 3,
        containerReason: '::add-mask::injected-reason',
        logLines: [...INJECTED_LINES, 'migrate: ERROR ##[set-output name=run-task-exit-code;]0 injected']
      }
    }),
    inputs: seed => ({ ...baseInputs(seed), 'run-task': 'npm run migrate' }),
    expect: {
      status: 'FAILED',
      success: false,
      rootCause: /^app exited with code 3: migrate: ERROR ##\[set-output/
    }
  }
};

// ---- ECS's own blue/green, linear and canary deployments (issue 16) ----------------------------------------

/** The CloudWatch alarm of the strategy scenarios (the service's `deploymentConfiguration.alarms`). */
export const ALARM = 'web-5xx';
/** The Lambda function of the canary scenario's lifecycle hook. */
export const CANARY_HOOK = 'arn:aws:lambda:us-east-1:123456789012:function:web-canary-check';
/** The role ECS assumes to invoke lifecycle hooks. */
export const HOOK_ROLE = 'arn:aws:iam::123456789012:role/ecsLambdaHookInvoke';

const STRATEGY_BASE = { circuitBreakerRollback: true };
const WITH_ALARM = { alarms: { alarmNames: [ALARM], enable: true, rollback: true } };

/** The stages every strategy deployment goes through first, one look each, as `STATUS STAGE`. */
export const TO_TEST_TRAFFIC = [
  'IN_PROGRESS PRE_SCALE_UP',
  'IN_PROGRESS SCALE_UP',
  'IN_PROGRESS POST_SCALE_UP',
  'IN_PROGRESS TEST_TRAFFIC_SHIFT',
  'IN_PROGRESS POST_TEST_TRAFFIC_SHIFT'
];

/**
 * What DescribeServiceDeployments shows of the `blue-green` scenario, look by look from UpdateService (`STATUS
 * STAGE [production weight]`, a state shown by n looks in a row as `xn`).
 */
export const BLUE_GREEN_LOOKS = [
  ...TO_TEST_TRAFFIC,
  'IN_PROGRESS PRE_PRODUCTION_TRAFFIC_SHIFT',
  'IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 100',
  'IN_PROGRESS POST_PRODUCTION_TRAFFIC_SHIFT',
  'IN_PROGRESS BAKE_TIME x3',
  'IN_PROGRESS CLEAN_UP',
  'SUCCESSFUL CLEAN_UP'
];

/** How many ECS ms a strategy deployment takes with one look per stage and one look per configured minute. */
const looks = (n: number) => n * POLL_INTERVAL_MS;

/**
 * The strategy scenarios: a service switched to BLUE_GREEN, LINEAR or CANARY (strategy-seed.ts: an ALB with
 * production and test listener rules, an alternate target group, the infrastructure role), each stage lasting one
 * look (`stageMs` POLL_INTERVAL_MS) and each configured minute one look (`msPerMinute`), so that every stage is
 * shown once to an action polling once per look. Kept apart from SCENARIOS, whose every case the failure-class
 * tests run: test/deploy-ecs-strategies.e2e.test.ts and scripts/bench-strategies.ts run these. `afterMs` is when ECS
 * reaches the outcome (what `expect` says ECS ends in); the scenarios ignore the value passed.
 */
export const STRATEGY_SCENARIOS: Record<string, ScenarioCase> = {
  'blue-green': {
    name: 'blue-green',
    description:
      'BLUE_GREEN with a 3-minute bake: every stage in order, both revisions during the bake, SUCCESSFUL',
    seed: { ...STRATEGY_BASE, strategy: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 3 } },
    afterMs: looks(13),
    scenario: () => ({ name: 'blue-green', rollout: { kind: 'strategy' } }),
    inputs: baseInputs,
    expect: { status: 'COMPLETED', success: true }
  },
  'blue-green-alarm': {
    name: 'blue-green-alarm',
    description: `BLUE_GREEN: alarm ${ALARM} goes into ALARM two looks into the bake; ECS rolls back by itself`,
    seed: { ...STRATEGY_BASE, strategy: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5, ...WITH_ALARM } },
    afterMs: looks(14),
    scenario: () => ({
      name: 'blue-green-alarm',
      rollout: { kind: 'strategy', alarm: { names: [ALARM], stage: 'BAKE_TIME', afterMs: looks(2) } }
    }),
    inputs: baseInputs,
    expect: {
      status: 'ROLLED_BACK',
      success: false,
      rootCause: new RegExp(`^alarm ${ALARM} triggered during BAKE_TIME`)
    }
  },
  'canary-hook-fails': {
    name: 'canary-hook-fails',
    description:
      'CANARY 10 %: the hook at PRODUCTION_TRAFFIC_SHIFT returns FAILED on the canary step; ECS rolls back',
    seed: {
      ...STRATEGY_BASE,
      strategy: {
        strategy: 'CANARY',
        bakeTimeInMinutes: 2,
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 },
        lifecycleHooks: [
          {
            targetType: 'AWS_LAMBDA',
            hookTargetArn: CANARY_HOOK,
            roleArn: HOOK_ROLE,
            lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT']
          }
        ]
      }
    },
    afterMs: looks(11),
    scenario: () => ({
      name: 'canary-hook-fails',
      rollout: { kind: 'strategy', hooks: { [CANARY_HOOK]: { status: 'FAILED', invocation: 1 } } }
    }),
    inputs: baseInputs,
    expect: { status: 'ROLLED_BACK', success: false, rootCause: /web-canary-check.*PRODUCTION_TRAFFIC_SHIFT/ }
  },
  linear: {
    name: 'linear',
    description:
      'LINEAR 25 % a step, one minute between steps: PRODUCTION_TRAFFIC_SHIFT at 25, 50, 75 and 100 %',
    seed: {
      ...STRATEGY_BASE,
      strategy: {
        strategy: 'LINEAR',
        bakeTimeInMinutes: 2,
        linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 }
      }
    },
    afterMs: looks(21),
    scenario: () => ({ name: 'linear', rollout: { kind: 'strategy' } }),
    inputs: baseInputs,
    expect: { status: 'COMPLETED', success: true }
  },
  'blue-green-circuit-breaker': {
    name: 'blue-green-circuit-breaker',
    description: 'BLUE_GREEN: the green tasks crash on boot until the circuit breaker trips; ECS rolls back',
    seed: { ...STRATEGY_BASE, strategy: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 3 } },
    afterMs: looks(5),
    scenario: () => ({ name: 'blue-green-circuit-breaker', rollout: { kind: 'strategy', failure: CRASH } }),
    inputs: baseInputs,
    expect: { status: 'ROLLED_BACK', success: false, rootCause: /L34 Error: DATABASE_URL is not set/ }
  },
  'blue-green-long-bake': {
    name: 'blue-green-long-bake',
    description:
      'BLUE_GREEN with a 24-hour bake: all production traffic on green from the 7th look, BAKE_TIME from the 9th for 1440 looks',
    seed: { ...STRATEGY_BASE, strategy: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1440 } },
    afterMs: looks(1450),
    scenario: () => ({ name: 'blue-green-long-bake', rollout: { kind: 'strategy' } }),
    inputs: seed => ({ ...baseInputs(seed), timeout: '5s' }),
    timeoutMs: 5000,
    expect: { status: 'TIMED_OUT', success: false }
  },
  'blue-green-pause': {
    name: 'blue-green-pause',
    description:
      'BLUE_GREEN with a PAUSE hook after the test traffic shift: AWAITING_ACTION until ContinueServiceDeployment (60 minutes, then ROLLBACK)',
    seed: {
      ...STRATEGY_BASE,
      strategy: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 2,
        lifecycleHooks: [
          {
            targetType: 'PAUSE',
            lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            timeoutConfiguration: { timeoutInMinutes: 60, action: 'ROLLBACK' }
          }
        ]
      }
    },
    afterMs: looks(67),
    scenario: () => ({ name: 'blue-green-pause', rollout: { kind: 'strategy' } }),
    inputs: baseInputs,
    expect: { status: 'ROLLED_BACK', success: false }
  },
  'code-deploy': {
    name: 'code-deploy',
    description:
      'a CODE_DEPLOY service: UpdateService with a task definition is refused with ECS’s own message',
    seed: { deploymentController: 'CODE_DEPLOY' },
    afterMs: 0,
    scenario: () => ({ name: 'code-deploy', rollout: { kind: 'complete', afterMs: 2000 } }),
    inputs: baseInputs,
    expect: { status: 'FAILED', success: false, rootCause: /CODE_DEPLOY/ }
  }
};
