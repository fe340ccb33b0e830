/**
 * What ECS's own blue/green, linear and canary deployments are made of, as the ECS API reference and the SDK
 * model describe them (@aws-sdk/client-ecs `models/enums.d.ts`, `ServiceDeployment.lifecycleStage`,
 * `LinearConfiguration`, `CanaryConfiguration`, `ThresholdType`): the values of each enum, the order of the
 * lifecycle stages for each strategy, the production traffic steps of linear and canary deployments, and the
 * circuit breaker's failure threshold. Pure: the scenario layer's state machine (service-deployments.ts) is
 * built on it.
 */
import { randomBytes } from 'node:crypto';

export const STRATEGIES = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * Every stage a service deployment can be in. `PRE_PRODUCTION_TRAFFIC_SHIFT` is missing from the SDK's
 * `ServiceDeploymentLifecycleStage` enum but listed in `ServiceDeployment.lifecycleStage`'s own documentation
 * ("for linear and canary deployments, this stage is invoked before every traffic shift step") and in
 * `DeploymentLifecycleHookStage`; the layer shows it, so that a client must parse stages tolerantly.
 */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP'
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** The stages a lifecycle hook may name (`DeploymentLifecycleHookStage`): no SCALE_UP, BAKE_TIME or CLEAN_UP. */
export const HOOK_STAGES: readonly LifecycleStage[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT'
];

/** Stages a PAUSE hook may not name (DeploymentLifecycleHook.lifecycleStages: "only valid for AWS_LAMBDA hooks"). */
export const NO_PAUSE_STAGES: readonly LifecycleStage[] = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'];

export type ServiceDeploymentStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOP_REQUESTED'
  | 'STOPPED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

/** The statuses of a finished service deployment (developer guide, "View service history": Completed). */
export const FINISHED_STATUSES: readonly ServiceDeploymentStatus[] = [
  'SUCCESSFUL',
  'STOPPED',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED'
];

/** `ServiceDeploymentRollbackMonitorsStatus`, of the circuit breaker and of the alarms. */
export type MonitorStatus = 'DISABLED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED';
export type HookStatus = 'AWAITING_ACTION' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
export type HookAction = 'ROLLBACK' | 'CONTINUE';
export type HookTargetType = 'AWS_LAMBDA' | 'PAUSE';

export interface LifecycleHook {
  targetType?: HookTargetType;
  hookTargetArn?: string;
  roleArn?: string;
  lifecycleStages?: string[];
  hookDetails?: unknown;
  timeoutConfiguration?: { timeoutInMinutes?: number; action?: HookAction };
}

/** The members of `DeploymentConfiguration` a strategy deployment reads. */
export interface StrategyConfiguration {
  strategy?: string;
  bakeTimeInMinutes?: number;
  linearConfiguration?: { stepPercent?: number; stepBakeTimeInMinutes?: number };
  canaryConfiguration?: { canaryPercent?: number; canaryBakeTimeInMinutes?: number };
  lifecycleHooks?: LifecycleHook[];
  alarms?: { alarmNames?: string[]; rollback?: boolean; enable?: boolean };
  deploymentCircuitBreaker?: {
    enable?: boolean;
    rollback?: boolean;
    thresholdConfiguration?: { type?: string; value?: number };
  };
}

/** How long things last, in the scenario layer's ECS time. */
export interface StageTiming {
  /** How long a stage lasts when nothing else decides (its hooks, its bake time): one look by default. */
  stageMs: number;
  /** How long one configured minute lasts: bake times, step bake times and hook timeouts are scaled by it. */
  msPerMinute: number;
}

/** One stage of a service deployment's way forward. */
export interface StageStep {
  stage: LifecycleStage;
  /** How long the stage lasts at least (its hooks may hold it longer). */
  holdMs: number;
  /** The target revision's test traffic weight from this stage on. */
  test?: number;
  /** The target revision's production traffic weight from this stage on (a linear or canary step's). */
  production?: number;
}

/** Defaults of the API reference: LinearConfiguration (10 %, 6 min), CanaryConfiguration (5 %, 10 min). */
export const LINEAR_DEFAULTS = { stepPercent: 10, stepBakeTimeInMinutes: 6 };
export const CANARY_DEFAULTS = { canaryPercent: 5, canaryBakeTimeInMinutes: 10 };
/** DeploymentLifecycleHookTimeoutConfiguration: 1440 minutes, then ROLLBACK. */
export const HOOK_TIMEOUT_DEFAULTS = { timeoutInMinutes: 1440, action: 'ROLLBACK' as HookAction };

/** A percentage to the tenth, as the API counts them (`Valid values are multiples of 0.1`). */
const tenth = (value: number) => Math.round(value * 10) / 10;

/**
 * The target revision's production traffic weight after each production traffic shift, and how long ECS waits
 * after it (in configured minutes): one step of 100 for blue/green; the canary percentage, its bake time, then
 * 100; equal linear steps with the step bake time between them ("not applied after reaching 100 percent").
 */
export function productionSteps(config: StrategyConfiguration): { weight: number; bakeMinutes: number }[] {
  if (config.strategy === 'CANARY') {
    const canary = { ...CANARY_DEFAULTS, ...config.canaryConfiguration };
    if (canary.canaryPercent >= 100) return [{ weight: 100, bakeMinutes: 0 }];
    return [
      { weight: tenth(canary.canaryPercent), bakeMinutes: canary.canaryBakeTimeInMinutes },
      { weight: 100, bakeMinutes: 0 }
    ];
  }
  if (config.strategy === 'LINEAR') {
    const linear = { ...LINEAR_DEFAULTS, ...config.linearConfiguration };
    const steps: { weight: number; bakeMinutes: number }[] = [];
    for (let k = 1; tenth(k * linear.stepPercent) < 100; k++)
      steps.push({ weight: tenth(k * linear.stepPercent), bakeMinutes: linear.stepBakeTimeInMinutes });
    return [...steps, { weight: 100, bakeMinutes: 0 }];
  }
  return [{ weight: 100, bakeMinutes: 0 }];
}

/**
 * The stages of a BLUE_GREEN, LINEAR or CANARY deployment, in order (ServiceDeployment.lifecycleStage, the
 * developer guide's "blue/green service deployments workflow"): RECONCILE_SERVICE only when the service starts
 * with more than one ACTIVE revision; scale-up; test traffic; then PRE_PRODUCTION_TRAFFIC_SHIFT and
 * PRODUCTION_TRAFFIC_SHIFT once per production step (the step bake time held in PRODUCTION_TRAFFIC_SHIFT);
 * POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME (`bakeTimeInMinutes`) and CLEAN_UP.
 */
export function stageSequence(
  config: StrategyConfiguration,
  timing: StageTiming,
  reconcile = false
): StageStep[] {
  const one = (stage: LifecycleStage, extra: Partial<StageStep> = {}): StageStep => ({
    stage,
    holdMs: timing.stageMs,
    ...extra
  });
  const production = productionSteps(config).flatMap(step => [
    one('PRE_PRODUCTION_TRAFFIC_SHIFT'),
    one('PRODUCTION_TRAFFIC_SHIFT', {
      production: step.weight,
      holdMs: timing.stageMs + step.bakeMinutes * timing.msPerMinute
    })
  ]);
  return [
    ...(reconcile ? [one('RECONCILE_SERVICE')] : []),
    one('PRE_SCALE_UP'),
    one('SCALE_UP'),
    one('POST_SCALE_UP'),
    one('TEST_TRAFFIC_SHIFT', { test: 100 }),
    one('POST_TEST_TRAFFIC_SHIFT'),
    ...production,
    one('POST_PRODUCTION_TRAFFIC_SHIFT'),
    one('BAKE_TIME', { holdMs: (config.bakeTimeInMinutes ?? 0) * timing.msPerMinute }),
    one('CLEAN_UP')
  ];
}

/**
 * The circuit breaker's failure threshold (ThresholdType): BOUNDED_PERCENT (the default, 50) multiplies the
 * desired count and keeps the result between 3 and 200; UNBOUNDED_PERCENT does not bound it; COUNT is the value
 * itself. Percentages are rounded up (the reference does not say how).
 */
export function circuitBreakerThreshold(
  desiredCount: number,
  threshold: { type?: string; value?: number } = {}
): number {
  const type = threshold.type ?? 'BOUNDED_PERCENT';
  const value = threshold.value ?? 50;
  if (type === 'COUNT') return value;
  const product = Math.ceil((value / 100) * desiredCount);
  return type === 'UNBOUNDED_PERCENT' ? product : Math.min(200, Math.max(3, product));
}

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `length` characters of the URL-safe alphabet ECS uses in service deployment ids and hook ids. */
export function urlSafeToken(length: number): string {
  return [...randomBytes(length)].map(b => URL_SAFE[b % 64]).join('');
}

/** A number of `length` digits not starting with 0, as in service revision and deployment ids. */
export function digits(length: number): string {
  const bytes = [...randomBytes(length)];
  return bytes.map((b, i) => (i === 0 ? String(1 + (b % 9)) : String(b % 10))).join('');
}
