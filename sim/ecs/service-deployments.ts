/**
 * One service deployment of ECS's own BLUE_GREEN, LINEAR or CANARY strategy, as a state machine driven by the
 * scenario layer's ECS time: the lifecycle stages in order (strategy-stages.ts), the lifecycle hooks at each
 * stage (Lambda hooks that succeed, fail or time out as the scenario says; PAUSE hooks that wait for
 * ContinueServiceDeployment), CloudWatch alarms and the circuit breaker that fail it, and ECS's own rollback
 * (ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS through the traffic stages back, ROLLBACK_SUCCESSFUL). Pure: it
 * never calls moto; it returns `Effect`s that the layer applies (tasks to start, fail or drain, the service back
 * on its source revision, events, the outcome) and renders itself as DescribeServiceDeployments shows it.
 */
import {
  circuitBreakerThreshold,
  FINISHED_STATUSES,
  HOOK_TIMEOUT_DEFAULTS,
  stageSequence,
  urlSafeToken,
  type HookAction,
  type HookStatus,
  type LifecycleHook,
  type LifecycleStage,
  type MonitorStatus,
  type ServiceDeploymentStatus,
  type StageStep,
  type StageTiming,
  type Strategy,
  type StrategyConfiguration
} from './strategy-stages.js';

/** What a Lambda hook returns, each time ECS invokes it. */
export type HookPlan =
  /** `hookStatus` SUCCEEDED or FAILED `afterMs` after the stage began (one stage by default). */
  | { status: 'SUCCEEDED' | 'FAILED'; afterMs?: number; invocation?: number }
  /** It never answers: TIMED_OUT at its `timeoutInMinutes`, then its timeout action. */
  | { status: 'TIMEOUT' };

/** What ECS does with a strategy deployment in a scenario (besides what its configuration says). */
export interface StrategyPlan {
  /** ECS ms a stage lasts when nothing else decides (default 1000: one look of an action polling every second). */
  stageMs?: number;
  /** ECS ms one configured minute lasts (default 1000): bake times, step bake times, hook timeouts. */
  msPerMinute?: number;
  /** CloudWatch alarms that go into ALARM `afterMs` (default: one stage) after `stage` began. */
  alarm?: { names: string[]; stage: LifecycleStage; afterMs?: number };
  /**
   * What the Lambda hooks return, by `hookTargetArn`: SUCCEEDED after one stage unless said otherwise. With
   * `invocation: n`, the n-th invocation (a hook at PRODUCTION_TRAFFIC_SHIFT runs once per step) returns
   * `status` and the others succeed.
   */
  hooks?: Record<string, HookPlan>;
  /** The target revision's tasks keep failing (the circuit breaker counts them). */
  tasksFail?: boolean;
  /** ECS's own rollback fails: ROLLBACK_FAILED. */
  rollbackFails?: boolean;
}

/** What the layer must do because the service deployment moved. */
export type Effect =
  | { kind: 'event'; message: string }
  /** SCALE_UP: start the target revision's tasks. */
  | { kind: 'scale-up' }
  /** The target's tasks run and are healthy. */
  | { kind: 'target-running' }
  /** ECS moves traffic: the target revision's share of test and production traffic, in percent. */
  | { kind: 'traffic'; test: number; production: number }
  /** The target's tasks fail (the scenario's failure) and the scheduler replaces them. */
  | { kind: 'target-failed' }
  /** CLEAN_UP: the source revision's tasks stop. */
  | { kind: 'source-drained' }
  /** ECS starts rolling back: the service is back on the source revision, the target's deployment FAILED. */
  | { kind: 'rollback-started'; reason: string }
  /** The target's tasks stop (the rollback's CLEAN_UP). */
  | { kind: 'target-drained' }
  /** The service deployment is over. */
  | { kind: 'finished'; status: ServiceDeploymentStatus; reason?: string; supersededBy?: string };

/** A revision of the service: its ARN, task definition, and the `deployments[]` entry that runs it. */
export interface RevisionRef {
  arn: string;
  taskDefinition: string;
  deploymentId: string;
}

export interface RevisionCounts {
  requested: number;
  running: number;
  pending: number;
}

/** ECS time and the wall-clock moment a change is dated. */
export interface Moment {
  ecs: number;
  wall: number;
}

export interface MachineOptions {
  arn: string;
  serviceArn: string;
  clusterArn: string;
  serviceName: string;
  strategy: Exclude<Strategy, 'ROLLING'>;
  /** The service's deploymentConfiguration when the deployment started. */
  configuration: StrategyConfiguration & Record<string, unknown>;
  target: RevisionRef;
  source: RevisionRef;
  desiredCount: number;
  plan: StrategyPlan;
  /** More than one ACTIVE revision when it started: RECONCILE_SERVICE first. */
  reconcile?: boolean;
  at: Moment;
}

/** A refused request: the exception ECS answers with. */
export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

/** A status or stage the deployment entered, and when a response first showed it (for the benchmark). */
export interface Transition {
  status: ServiceDeploymentStatus;
  stage?: LifecycleStage;
  /** The target's production weight at a PRODUCTION_TRAFFIC_SHIFT step. */
  production?: number;
  at: number;
  shownAt?: number;
}

interface HookRun {
  hookId: string;
  hook: LifecycleHook;
  stage: LifecycleStage;
  status: HookStatus;
  expiresAt: number;
}

interface Step {
  at: number;
  seq: number;
  generation: number;
  run: (m: Moment) => void;
}

const seconds = (ms: number) => ms / 1000;

export class ServiceDeploymentMachine {
  readonly arn: string;
  readonly strategy: MachineOptions['strategy'];
  readonly target: RevisionRef;
  readonly source: RevisionRef;
  readonly createdAt: number;
  readonly transitions: Transition[] = [];
  status: ServiceDeploymentStatus = 'PENDING';
  stage?: LifecycleStage;
  statusReason?: string;
  private startedAt?: number;
  private updatedAt: number;
  private finishedAt?: number;
  private stoppedAt?: number;
  private rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  private readonly weights = { test: 0, production: 0 };
  private readonly breaker: { status: MonitorStatus; failureCount: number; threshold: number };
  private readonly alarms: { status: MonitorStatus; alarmNames: string[]; triggeredAlarmNames: string[] };
  private hooks: HookRun[] = [];
  /** The hook that failed or timed out, shown until the end. */
  private culprit?: HookRun;
  private readonly invocations = new Map<string, number>();
  private readonly sequence: StageStep[];
  /** The stages of the rollback, fixed when it starts. */
  private rollbackPath: LifecycleStage[] = [];
  private readonly timing: StageTiming;
  private index = -1;
  private entered = { ecs: 0, held: false };
  private steps: Step[] = [];
  private seq = 0;
  private generation = 0;
  private effects: Effect[] = [];

  constructor(private readonly options: MachineOptions) {
    this.arn = options.arn;
    this.strategy = options.strategy;
    this.target = options.target;
    this.source = options.source;
    this.createdAt = options.at.wall;
    this.updatedAt = options.at.wall;
    this.timing = { stageMs: options.plan.stageMs ?? 1000, msPerMinute: options.plan.msPerMinute ?? 1000 };
    this.sequence = stageSequence(options.configuration, this.timing, options.reconcile);
    const cb = options.configuration.deploymentCircuitBreaker;
    this.breaker = {
      status: cb?.enable ? 'MONITORING' : 'DISABLED',
      failureCount: 0,
      threshold: circuitBreakerThreshold(options.desiredCount, cb?.thresholdConfiguration)
    };
    const alarms = options.configuration.alarms;
    this.alarms = {
      status: alarms?.enable && (alarms.alarmNames?.length ?? 0) > 0 ? 'MONITORING' : 'DISABLED',
      alarmNames: alarms?.alarmNames ?? [],
      triggeredAlarmNames: []
    };
    this.record(options.at.wall);
    this.schedule(options.at.ecs + this.timing.stageMs, m => this.begin(m));
  }

  get finished(): boolean {
    return FINISHED_STATUSES.includes(this.status);
  }

  /** Applies every change whose ECS time has come; `stampOf` dates a change made at ECS time `at`. */
  advance(now: number, stampOf: (at: number) => number): Effect[] {
    while (this.steps.length > 0 && this.steps[0].at <= now) {
      const step = this.steps.shift()!;
      if (step.generation === this.generation) step.run({ ecs: step.at, wall: stampOf(step.at) });
    }
    return this.drain();
  }

  // ---- the way forward ----------------------------------------------------------------------------

  private begin(m: Moment): void {
    this.status = 'IN_PROGRESS';
    this.startedAt = m.wall;
    this.enter(0, m);
  }

  private enter(index: number, m: Moment): void {
    const step = this.sequence[index];
    this.index = index;
    this.stage = step.stage;
    this.entered = { ecs: m.ecs, held: false };
    this.shift(step.test, step.production);
    this.record(m.wall);
    this.hooks = this.startHooks(step.stage, m);
    this.armAlarm(step.stage, m);
    if (step.stage === 'SCALE_UP') return this.scaleUp(m);
    if (step.stage === 'CLEAN_UP') this.effects.push({ kind: 'source-drained' });
    this.schedule(m.ecs + step.holdMs, at => this.held(at));
  }

  /** SCALE_UP: tasks start, then run; or keep failing until the circuit breaker trips (if it is on). */
  private scaleUp(m: Moment): void {
    this.effects.push({ kind: 'scale-up' });
    const at = m.ecs + this.timing.stageMs;
    if (!this.options.plan.tasksFail) {
      this.schedule(at, next => {
        this.effects.push({ kind: 'target-running' });
        this.held(next);
      });
      return;
    }
    this.schedule(at, next => this.tasksFailed(next));
  }

  private tasksFailed(m: Moment): void {
    this.effects.push({ kind: 'target-failed' });
    this.updatedAt = m.wall;
    if (this.breaker.status === 'DISABLED') {
      this.schedule(m.ecs + this.timing.stageMs, next => this.tasksFailed(next));
      return;
    }
    this.breaker.failureCount += this.options.desiredCount;
    if (this.breaker.failureCount < this.breaker.threshold) {
      this.schedule(m.ecs + this.timing.stageMs, next => this.tasksFailed(next));
      return;
    }
    this.breaker.status = 'TRIGGERED';
    const why = 'tasks failed to start';
    this.fail(
      `ECS deployment circuit breaker: ${why}.`,
      why,
      !!this.options.configuration.deploymentCircuitBreaker?.rollback,
      m
    );
  }

  private held(m: Moment): void {
    this.entered.held = true;
    this.tryExit(m);
  }

  /** The stage ends once it was held long enough and its hooks are resolved. */
  private tryExit(m: Moment): void {
    if (this.status !== 'IN_PROGRESS' || !this.entered.held) return;
    if (this.hooks.some(h => h.status === 'IN_PROGRESS' || h.status === 'AWAITING_ACTION')) return;
    if (this.index + 1 < this.sequence.length) return this.enter(this.index + 1, m);
    this.complete(m);
  }

  private complete(m: Moment): void {
    this.hooks = [];
    for (const monitor of [this.breaker, this.alarms])
      if (monitor.status === 'MONITORING') monitor.status = 'MONITORING_COMPLETE';
    this.finish('SUCCESSFUL', m);
  }

  private finish(status: ServiceDeploymentStatus, m: Moment, reason?: string, supersededBy?: string): void {
    this.status = status;
    if (status === 'STOPPED') this.stoppedAt = m.wall;
    else this.finishedAt = m.wall;
    this.generation += 1;
    this.record(m.wall);
    this.effects.push({ kind: 'finished', status, reason, ...(supersededBy ? { supersededBy } : {}) });
  }

  /** The target's test or production weight changes (a traffic stage, forward or back). */
  private shift(test: number | undefined, production: number | undefined): void {
    const next = { test: test ?? this.weights.test, production: production ?? this.weights.production };
    if (next.test === this.weights.test && next.production === this.weights.production) return;
    Object.assign(this.weights, next);
    this.effects.push({ kind: 'traffic', ...next });
  }

  // ---- lifecycle hooks ----------------------------------------------------------------------------

  private startHooks(stage: LifecycleStage, m: Moment): HookRun[] {
    const hooks = (this.options.configuration.lifecycleHooks ?? []).filter(h =>
      (h.lifecycleStages ?? []).includes(stage)
    );
    return hooks.map(hook => {
      const pause = hook.targetType === 'PAUSE';
      const timeout = { ...HOOK_TIMEOUT_DEFAULTS, ...hook.timeoutConfiguration };
      const run: HookRun = {
        hookId: `ecs-${pause ? 'pause' : 'lambda'}-${urlSafeToken(43)}`,
        hook,
        stage,
        status: pause ? 'AWAITING_ACTION' : 'IN_PROGRESS',
        expiresAt: m.wall + timeout.timeoutInMinutes * 60_000
      };
      this.schedule(m.ecs + timeout.timeoutInMinutes * this.timing.msPerMinute, at =>
        this.hookTimedOut(run, timeout.action, at)
      );
      if (!pause) this.invokeLambda(run, m);
      return run;
    });
  }

  private invokeLambda(run: HookRun, m: Moment): void {
    const key = run.hook.hookTargetArn ?? '';
    const invocation = (this.invocations.get(key) ?? 0) + 1;
    this.invocations.set(key, invocation);
    const plan = this.options.plan.hooks?.[key];
    if (plan?.status === 'TIMEOUT') return;
    const applies = plan && (plan.invocation === undefined || plan.invocation === invocation);
    const status = applies ? plan.status : 'SUCCEEDED';
    const afterMs = (applies ? plan.afterMs : undefined) ?? this.timing.stageMs;
    this.schedule(m.ecs + afterMs, at => this.hookAnswered(run, status, at));
  }

  private hookAnswered(run: HookRun, status: 'SUCCEEDED' | 'FAILED', m: Moment): void {
    if (run.status !== 'IN_PROGRESS') return;
    run.status = status;
    this.updatedAt = m.wall;
    if (status === 'SUCCEEDED') return this.tryExit(m);
    this.culprit = run;
    const why = `lifecycle hook ${hookName(run)} returned FAILED at ${run.stage}`;
    this.fail(`${capitalised(why)}.`, 'lifecycle hook failed', true, m);
  }

  private hookTimedOut(run: HookRun, action: HookAction, m: Moment): void {
    if (run.status !== 'IN_PROGRESS' && run.status !== 'AWAITING_ACTION') return;
    run.status = 'TIMED_OUT';
    this.updatedAt = m.wall;
    if (action === 'CONTINUE') return this.tryExit(m);
    this.culprit = run;
    const why = `lifecycle hook ${hookName(run)} timed out at ${run.stage}`;
    this.fail(`${capitalised(why)}.`, 'lifecycle hook timed out', true, m);
  }

  /** ContinueServiceDeployment: a PAUSE hook awaiting action continues, or the deployment rolls back. */
  continueHook(hookId: string, action: HookAction, m: Moment): Effect[] {
    const run = this.hooks.find(h => h.hookId === hookId);
    if (!run || run.hook.targetType !== 'PAUSE')
      throw new Refusal('InvalidParameterException', `The lifecycle hook ${hookId} was not found.`);
    if (run.status !== 'AWAITING_ACTION' || this.status !== 'IN_PROGRESS')
      throw new Refusal(
        'InvalidParameterException',
        `The lifecycle hook ${hookId} is ${run.status} and the service deployment ${this.status}: only a hook in AWAITING_ACTION of an IN_PROGRESS service deployment can be continued.`
      );
    this.updatedAt = m.wall;
    if (action === 'CONTINUE') {
      run.status = 'SUCCEEDED';
      this.schedule(this.nextLook(m), at => this.tryExit(at));
    } else {
      run.status = 'FAILED';
      this.culprit = run;
      this.startRollback(`Rollback requested through ContinueServiceDeployment at ${run.stage}.`, true, m);
    }
    return this.drain();
  }

  // ---- failures and rollback ----------------------------------------------------------------------

  private armAlarm(stage: LifecycleStage, m: Moment): void {
    const alarm = this.options.plan.alarm;
    if (!alarm || alarm.stage !== stage || this.alarms.status !== 'MONITORING') return;
    this.schedule(m.ecs + (alarm.afterMs ?? this.timing.stageMs), at => {
      this.alarms.status = 'TRIGGERED';
      this.alarms.triggeredAlarmNames = alarm.names.filter(n => this.alarms.alarmNames.includes(n));
      const names = this.alarms.triggeredAlarmNames.join(', ');
      const rollback = !!this.options.configuration.alarms?.rollback;
      const during = this.stage ?? stage;
      this.fail(`Alarm ${names} detected in ALARM state during ${during}.`, 'alarm detected', rollback, at);
    });
  }

  /** A failure ECS detected: its own rollback, or the deployment STOPPED where it is (no rollback option). */
  private fail(reason: string, event: string, rollback: boolean, m: Moment): void {
    this.statusReason = reason;
    this.effects.push({ kind: 'event', message: this.serviceEvent(`deployment failed: ${event}.`) });
    if (rollback) return this.startRollback(reason, false, m);
    this.finish('STOPPED', m, reason);
  }

  private serviceEvent(text: string): string {
    return `(service ${this.options.serviceName}) (deployment ${this.target.deploymentId}) ${text}`;
  }

  /**
   * ECS's rollback: production traffic back to the source revision, then test traffic (running the hooks of
   * those two stages again, as the developer guide says), then the target's tasks stop (CLEAN_UP).
   */
  private startRollback(reason: string, requested: boolean, m: Moment): void {
    this.generation += 1;
    this.statusReason = reason;
    this.rollback = { reason, startedAt: m.wall, serviceRevisionArn: this.source.arn };
    this.rollbackPath = this.rollbackStages();
    this.effects.push({ kind: 'rollback-started', reason });
    this.effects.push({
      kind: 'event',
      message: `(service ${this.options.serviceName}) rolling back to deployment ${this.source.deploymentId}.`
    });
    if (!requested) return this.rollbackStage(0, m);
    this.status = 'ROLLBACK_REQUESTED';
    this.record(m.wall);
    this.schedule(this.lookAfterNext(m), at => this.rollbackStage(0, at));
  }

  private rollbackStages(): LifecycleStage[] {
    return [
      ...(this.weights.production > 0 ? (['PRODUCTION_TRAFFIC_SHIFT'] as const) : []),
      ...(this.weights.test > 0 ? (['TEST_TRAFFIC_SHIFT'] as const) : []),
      'CLEAN_UP'
    ];
  }

  private rollbackStage(index: number, m: Moment): void {
    const stage = this.rollbackPath[index];
    this.status = 'ROLLBACK_IN_PROGRESS';
    this.stage = stage;
    this.hooks = this.rollbackHooks(stage, m);
    if (stage === 'PRODUCTION_TRAFFIC_SHIFT') this.shift(undefined, 0);
    if (stage === 'TEST_TRAFFIC_SHIFT') this.shift(0, undefined);
    if (stage === 'CLEAN_UP') this.effects.push({ kind: 'target-drained' });
    this.record(m.wall);
    this.schedule(m.ecs + this.timing.stageMs, at => {
      for (const run of this.hooks) run.status = 'SUCCEEDED';
      if (stage !== 'CLEAN_UP') return this.rollbackStage(index + 1, at);
      this.hooks = [];
      if (this.options.plan.rollbackFails) return this.finish('ROLLBACK_FAILED', at, this.statusReason);
      this.finish('ROLLBACK_SUCCESSFUL', at, this.statusReason);
    });
  }

  /** The Lambda hooks of a traffic stage run again during the rollback (they succeed). */
  private rollbackHooks(stage: LifecycleStage, m: Moment): HookRun[] {
    return (this.options.configuration.lifecycleHooks ?? [])
      .filter(h => h.targetType !== 'PAUSE' && (h.lifecycleStages ?? []).includes(stage))
      .map(hook => ({
        hookId: `ecs-lambda-${urlSafeToken(43)}`,
        hook,
        stage,
        status: 'IN_PROGRESS' as HookStatus,
        expiresAt: m.wall + HOOK_TIMEOUT_DEFAULTS.timeoutInMinutes * 60_000
      }));
  }

  /**
   * StopServiceDeployment (developer guide, "Stopping Amazon ECS service deployments"): ROLLBACK from PENDING or
   * IN_PROGRESS moves to ROLLBACK_REQUESTED and rolls back; a deployment already stopping or rolling back goes on
   * as it is; ABORT stops it where it is (STOP_REQUESTED, then STOPPED). A finished one cannot be stopped.
   */
  stop(stopType: 'ROLLBACK' | 'ABORT', m: Moment): Effect[] {
    if (this.finished)
      throw new Refusal(
        'ConflictException',
        `The service deployment ${this.arn} is ${this.status} and can't be stopped.`
      );
    if (this.status !== 'PENDING' && this.status !== 'IN_PROGRESS') return [];
    this.updatedAt = m.wall;
    if (stopType === 'ROLLBACK') {
      this.startRollback('Rollback requested through StopServiceDeployment.', true, m);
      return this.drain();
    }
    this.generation += 1;
    this.status = 'STOP_REQUESTED';
    this.statusReason = 'Stop requested through StopServiceDeployment.';
    this.record(m.wall);
    this.schedule(this.lookAfterNext(m), at => this.finish('STOPPED', at, this.statusReason));
    return this.drain();
  }

  /** A newer service deployment of the service took over: this one is STOPPED where it was. */
  superseded(by: string, m: Moment): Effect[] {
    if (this.finished) return [];
    this.generation += 1;
    this.statusReason = `Superseded by service deployment ${by}.`;
    this.finish('STOPPED', m, this.statusReason, by);
    return this.drain();
  }

  // ---- bookkeeping --------------------------------------------------------------------------------

  /**
   * What a request (StopServiceDeployment, ContinueServiceDeployment) changes comes in ECS time, not at once: the
   * next stage a stage later (shown by the client's next look), and a *_REQUESTED status lasts two (the next look
   * shows it, the one after shows what follows), so that every status and stage is shown to a client that looks
   * once a stage.
   */
  private nextLook(m: Moment): number {
    return m.ecs + this.timing.stageMs;
  }

  private lookAfterNext(m: Moment): number {
    return m.ecs + 2 * this.timing.stageMs;
  }

  private schedule(at: number, run: (m: Moment) => void): void {
    this.steps.push({ at, seq: this.seq++, generation: this.generation, run });
    this.steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  private record(wall: number): void {
    this.updatedAt = wall;
    const production = this.stage === 'PRODUCTION_TRAFFIC_SHIFT' ? this.weights.production : undefined;
    this.transitions.push({ status: this.status, stage: this.stage, production, at: wall });
  }

  private drain(): Effect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }

  /** Marks the transitions up to now as shown by a response at `wall`. */
  markShown(wall: number): void {
    for (const t of this.transitions) t.shownAt ??= wall;
  }

  /** The hook details DescribeServiceDeployments shows: the current stage's, and the one that failed. */
  private hookDetails(): Record<string, unknown>[] {
    const runs =
      this.culprit && !this.hooks.includes(this.culprit) ? [this.culprit, ...this.hooks] : this.hooks;
    return runs.map(run => {
      const timeout = { ...HOOK_TIMEOUT_DEFAULTS, ...run.hook.timeoutConfiguration };
      return {
        hookId: run.hookId,
        targetType: run.hook.targetType ?? 'AWS_LAMBDA',
        ...(run.hook.targetType === 'PAUSE' ? {} : { targetArn: run.hook.hookTargetArn }),
        status: run.status,
        expiresAt: seconds(run.expiresAt),
        timeoutAction: timeout.action
      };
    });
  }

  private revision(ref: RevisionRef, counts: RevisionCounts, test: number, production: number) {
    return {
      arn: ref.arn,
      requestedTaskCount: counts.requested,
      runningTaskCount: counts.running,
      pendingTaskCount: counts.pending,
      requestedTestTrafficWeight: test,
      requestedProductionTrafficWeight: production
    };
  }

  /** The ServiceDeployment shape of DescribeServiceDeployments (timestamps in epoch seconds, as JSON carries them). */
  describe(counts: { target: RevisionCounts; source: RevisionCounts }): Record<string, unknown> {
    const { test, production } = this.weights;
    const hooks = this.hookDetails();
    return {
      serviceDeploymentArn: this.arn,
      serviceArn: this.options.serviceArn,
      clusterArn: this.options.clusterArn,
      createdAt: seconds(this.createdAt),
      ...optionalSeconds({
        startedAt: this.startedAt,
        finishedAt: this.finishedAt,
        stoppedAt: this.stoppedAt
      }),
      updatedAt: seconds(this.updatedAt),
      sourceServiceRevisions: [this.revision(this.source, counts.source, 100 - test, 100 - production)],
      targetServiceRevision: this.revision(this.target, counts.target, test, production),
      status: this.status,
      ...(this.statusReason ? { statusReason: this.statusReason } : {}),
      ...(this.stage ? { lifecycleStage: this.stage } : {}),
      ...(hooks.length > 0 ? { lifecycleHookDetails: hooks } : {}),
      deploymentConfiguration: this.options.configuration,
      ...(this.rollback
        ? { rollback: { ...this.rollback, startedAt: seconds(this.rollback.startedAt) } }
        : {}),
      deploymentCircuitBreaker: { ...this.breaker },
      alarms: this.alarmsView()
    };
  }

  private alarmsView(): Record<string, unknown> {
    if (this.alarms.status === 'DISABLED') return { status: 'DISABLED' };
    return {
      status: this.alarms.status,
      alarmNames: this.alarms.alarmNames,
      ...(this.alarms.triggeredAlarmNames.length > 0
        ? { triggeredAlarmNames: this.alarms.triggeredAlarmNames }
        : {})
    };
  }

  /** The ServiceDeploymentBrief shape of ListServiceDeployments. */
  brief(): Record<string, unknown> {
    return {
      serviceDeploymentArn: this.arn,
      serviceArn: this.options.serviceArn,
      clusterArn: this.options.clusterArn,
      createdAt: seconds(this.createdAt),
      ...optionalSeconds({ startedAt: this.startedAt, finishedAt: this.finishedAt ?? this.stoppedAt }),
      targetServiceRevisionArn: this.target.arn,
      status: this.status,
      ...(this.statusReason ? { statusReason: this.statusReason } : {})
    };
  }
}

function optionalSeconds(values: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values)
      .filter((e): e is [string, number] => e[1] !== undefined)
      .map(([k, v]) => [k, seconds(v)])
  );
}

/** A hook as a message names it: its Lambda function's ARN, or `PAUSE`. */
function hookName(run: HookRun): string {
  return run.hook.targetType === 'PAUSE' ? 'PAUSE' : (run.hook.hookTargetArn ?? 'AWS_LAMBDA');
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
