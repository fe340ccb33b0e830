/**
 * What following a service deployment has seen: which service deployment is ours, each stage as it was entered
 * (with the traffic and task counts of that moment), the hooks, alarms and circuit breaker that failed it, where
 * ECS rolls back to, and the bake time left. It prints one line per transition; the verdicts
 * (service-deployment.ts) and the summary read it.
 *
 * Text ECS quotes (status reasons, rollback reasons) is printed as untrusted data; stage names are made safe to
 * print by readStage.
 */
import {
  DescribeServiceRevisionsCommand,
  type DeploymentConfiguration,
  type DeploymentLifecycleHookDetail,
  type ECSClient,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { formatDuration } from '../../../core/duration.js';
import type { Logger } from '../../../core/log.js';
import { systemClock, type Clock } from '../../../core/poll.js';
import { oneLine } from '../../../core/text.js';
import { taskDefinitionKey } from './render.js';
import { ServiceEvents, type Verdict, type WatchOptions } from './rollout.js';
import { elapsedText, readStage, shortArn, stagesAfter, type Stage, type WaitUntil } from './stages.js';
import type { StrategyName } from './strategy-inputs.js';

/** What following a strategy deployment needs besides the rolling deployment's id and revisions. */
export interface StrategyOptions {
  strategy: StrategyName;
  waitUntil: WaitUntil;
  /** The deployment configuration the deployment runs with (strategy-config.ts). */
  configuration?: DeploymentConfiguration;
  /** Our service deployment, when UpdateService's answer named it. */
  serviceDeploymentArn?: string;
  /** The service's current service deployment before UpdateService: a later one is ours. */
  before?: string;
  /** The clock time stages are counted from: the first follow's, when following the step's own rollback. */
  origin?: number;
}

type ProgressOptions = StrategyOptions & {
  taskDefinitionArn: string;
  previousTaskDefinitionArn?: string;
  knownEvents?: WatchOptions['knownEvents'];
  clock?: Clock;
};

/** A stage as it was entered: when (from the start of the wait), and the traffic on the new revision then. */
export interface StageEntry {
  stage: string;
  status?: string;
  atMs: number;
  /** Percent of production / test traffic on the new revision, when ECS said. */
  production?: number;
  test?: number;
}

/** Why a strategy deployment failed, as ECS showed it. */
export type StrategyFailure =
  | { kind: 'alarm'; alarms: string[]; stage?: string }
  | { kind: 'hook'; hook: string; status: string; stage?: string; timeoutAction?: string }
  | { kind: 'circuit-breaker'; failed?: number; threshold?: number; stage?: string }
  | { kind: 'other'; reason?: string; stage?: string };

/** What the step saw of the service deployment, for the summary, the report and the outputs. */
export interface StrategyView {
  strategy: StrategyName;
  /** The clock time the stages' `atMs` count from. */
  origin: number;
  serviceDeploymentArn?: string;
  status?: string;
  stage?: string;
  stages: StageEntry[];
  /** The bake time, and how much of it was left at the last look (while it ran). */
  bake?: { minutes: number; leftMs?: number };
  failure?: StrategyFailure;
  /** Where ECS rolls back to (`web:41`), once it does. */
  rollbackTo?: string;
  /** The stages ECS still goes through after the step stopped following. */
  remaining?: string[];
}

/** Statuses in which the deployment is still going forward (rolling back is not). */
const FORWARD = new Set(['PENDING', 'IN_PROGRESS']);
const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);

export class StageProgress {
  readonly events: ServiceEvents;
  arn?: string;
  private readonly clock: Clock;
  private readonly started: number;
  private readonly stages: StageEntry[] = [];
  private deployment?: ServiceDeployment;
  private transition = '';
  private forwardStage?: Stage;
  private bakeEntered?: number;
  private failure?: StrategyFailure;
  private readonly hooks = new Map<string, { status?: string; stage?: string }>();
  private rollbackTo?: string;
  private warnedMissing = false;
  private reasonShown?: string;

  constructor(
    private readonly options: ProgressOptions,
    private readonly log: Logger
  ) {
    this.clock = options.clock ?? systemClock;
    this.started = options.origin ?? this.clock.now();
    this.events = new ServiceEvents(options.knownEvents, log);
    if (options.serviceDeploymentArn && options.serviceDeploymentArn !== options.before)
      this.arn = options.serviceDeploymentArn;
  }

  opening(): string {
    const bake = this.options.configuration?.bakeTimeInMinutes;
    const plan = [
      `strategy ${this.options.strategy}`,
      bake !== undefined && `bake time ${bake}m`,
      this.options.waitUntil !== 'completed' && `until ${this.options.waitUntil}`
    ].filter(Boolean);
    const which = this.arn ? `service deployment ${this.arn}` : 'the service deployment ECS starts';
    return `Following ${which} (${plan.join(', ')}) to ${taskDefinitionKey(this.options.taskDefinitionArn)}.`;
  }

  /** Our service deployment: the one UpdateService named, else the service's current one once it is new. */
  adopt(service: Service): string | undefined {
    const current = service.currentServiceDeployment;
    if (!this.arn && current && current !== this.options.before) {
      this.arn = current;
      this.log.info(`  service deployment ${current}`);
    }
    return this.arn;
  }

  notDescribed(arn: string, reason: string | undefined): void {
    if (this.warnedMissing) return;
    this.warnedMissing = true;
    this.log.info(
      `  ECS does not describe ${arn} yet${reason ? ` (${oneLine(reason)})` : ''}; looking again.`
    );
  }

  /** Takes in one look: the events, a transition (one line), the failure evidence, ECS's rollback target. */
  async show(look: { service: Service; deployment?: ServiceDeployment }, ecs: ECSClient): Promise<void> {
    this.events.show(look.service);
    const d = look.deployment;
    if (!d) return;
    this.deployment = d;
    const stage = readStage(d.lifecycleStage);
    if (FORWARD.has(d.status ?? '') && stage) this.forwardStage = stage;
    this.noteHooks(d, stage);
    this.noteFailure(d, stage);
    this.noteTransition(d, stage);
    if (!this.rollbackTo && d.status?.startsWith('ROLLBACK'))
      this.rollbackTo = await this.learnRollbackTarget(ecs, d);
  }

  private noteTransition(d: ServiceDeployment, stage: Stage | undefined): void {
    const target = d.targetServiceRevision;
    const entry: StageEntry = {
      stage: stage?.name ?? '(no stage yet)',
      status: d.status,
      atMs: this.clock.now() - this.started,
      production: target?.requestedProductionTrafficWeight,
      test: target?.requestedTestTrafficWeight
    };
    const key = `${entry.status}|${entry.stage}|${entry.production}|${entry.test}`;
    if (key === this.transition) return;
    this.transition = key;
    this.stages.push(entry);
    if (entry.stage === 'BAKE_TIME' && this.bakeEntered === undefined) this.bakeEntered = this.clock.now();
    this.log.info(`  [+${elapsedText(entry.atMs)}] ${this.transitionLine(d, entry)}`);
    // ECS's reason for a rollback or a stop, once (it quotes alarm and hook output: untrusted).
    const why = d.statusReason ?? (d.status?.startsWith('ROLLBACK') ? d.rollback?.reason : undefined);
    if (why && !FORWARD.has(d.status ?? '') && why !== this.reasonShown) {
      this.reasonShown = why;
      this.log.untrusted(`    ${oneLine(why, { max: 500 })}`);
    }
  }

  private transitionLine(d: ServiceDeployment, entry: StageEntry): string {
    const status = FORWARD.has(entry.status ?? '') ? '' : `${entry.status} `;
    const parts = [`${status}${entry.stage}`];
    const traffic = this.trafficText(entry);
    if (traffic) parts.push(traffic);
    const target = d.targetServiceRevision;
    if (target)
      parts.push(
        `${taskDefinitionKey(this.options.taskDefinitionArn)} ${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} tasks running${target.pendingTaskCount ? `, ${target.pendingTaskCount} pending` : ''}`
      );
    if (entry.stage === 'BAKE_TIME' && FORWARD.has(entry.status ?? '')) {
      const left = this.bakeLeftMs();
      if (left !== undefined) parts.push(`both revisions run for ${formatDuration(left)} more`);
    }
    return parts.join(' · ');
  }

  /** `production traffic 30% (step 3 of 10)`, `canary: production traffic 10%, then a 15m canary bake`. */
  private trafficText(entry: StageEntry): string | undefined {
    const { production, test } = entry;
    if (/TEST_TRAFFIC/.test(entry.stage) && test !== undefined) return `test traffic ${test}%`;
    if (production === undefined || !/PRODUCTION_TRAFFIC|BAKE/.test(entry.stage)) return undefined;
    const config = this.deploymentConfiguration();
    if (this.options.strategy === 'LINEAR') {
      const step = config?.linearConfiguration?.stepPercent;
      const steps = step ? Math.ceil(100 / step) : undefined;
      const k = step ? Math.min(steps ?? 0, Math.round(production / step)) : undefined;
      return `production traffic ${production}%${k && steps ? ` (step ${k} of ${steps})` : ''}`;
    }
    if (this.options.strategy === 'CANARY' && production > 0 && production < 100) {
      const bake = config?.canaryConfiguration?.canaryBakeTimeInMinutes;
      return `canary: production traffic ${production}%${bake !== undefined ? `, then a ${bake}m canary bake` : ''}`;
    }
    return `production traffic ${production}%`;
  }

  private deploymentConfiguration(): DeploymentConfiguration | undefined {
    return this.deployment?.deploymentConfiguration ?? this.options.configuration;
  }

  private bakeMinutes(): number | undefined {
    return this.deploymentConfiguration()?.bakeTimeInMinutes;
  }

  private bakeLeftMs(): number | undefined {
    const minutes = this.bakeMinutes();
    if (minutes === undefined || this.bakeEntered === undefined) return undefined;
    return Math.max(0, this.bakeEntered + minutes * 60_000 - this.clock.now());
  }

  /** Each hook's result once, with the stage it ran at. */
  private noteHooks(d: ServiceDeployment, stage: Stage | undefined): void {
    for (const hook of d.lifecycleHookDetails ?? []) {
      const id = hook.hookId ?? hook.targetArn ?? '';
      const seen = this.hooks.get(id) ?? { stage: stage?.name };
      if (seen.status === hook.status) continue;
      this.hooks.set(id, { ...seen, status: hook.status });
      this.log.info(
        `    hook ${hookName(hook)} at ${seen.stage ?? 'an unnamed stage'}: ${hook.status ?? 'no status'}${hookWait(hook)}`
      );
      if ((hook.status === 'FAILED' || hook.status === 'TIMED_OUT') && !this.failure)
        this.failure = {
          kind: 'hook',
          hook: hookName(hook),
          status: hook.status,
          stage: seen.stage,
          timeoutAction: hook.timeoutAction
        };
    }
  }

  /** The first evidence of failure (a triggered alarm, the circuit breaker, else ECS's reason), said once. */
  private noteFailure(d: ServiceDeployment, stage: Stage | undefined): void {
    if (this.failure) return;
    this.failure = this.failureOf(d, stage);
    const f = this.failure;
    const during = f?.stage ? ` during ${f.stage}` : '';
    if (f?.kind === 'alarm')
      this.log.info(`    alarm ${f.alarms.join(', ') || '(unnamed)'} triggered${during}`);
    if (f?.kind === 'circuit-breaker')
      this.log.info(
        `    circuit breaker triggered${during}: ${f.failed ?? '?'} failed tasks, threshold ${f.threshold ?? '?'}`
      );
  }

  private failureOf(d: ServiceDeployment, stage: Stage | undefined): StrategyFailure | undefined {
    const at = (FORWARD.has(d.status ?? '') ? stage : (this.forwardStage ?? stage))?.name;
    const alarms = d.alarms?.triggeredAlarmNames ?? [];
    if (alarms.length > 0 || d.alarms?.status === 'TRIGGERED') return { kind: 'alarm', alarms, stage: at };
    const breaker = d.deploymentCircuitBreaker;
    if (breaker?.status === 'TRIGGERED')
      return {
        kind: 'circuit-breaker',
        failed: breaker.failureCount,
        threshold: breaker.threshold,
        stage: at
      };
    if (!FORWARD.has(d.status ?? '') && d.status !== 'SUCCESSFUL')
      return { kind: 'other', reason: d.rollback?.reason ?? d.statusReason, stage: at };
    return undefined;
  }

  /** The task definition ECS rolls back to: its service revision's, else the one the service ran before. */
  private async learnRollbackTarget(ecs: ECSClient, d: ServiceDeployment): Promise<string | undefined> {
    const previous = this.options.previousTaskDefinitionArn;
    const revision = d.rollback?.serviceRevisionArn ?? d.sourceServiceRevisions?.[0]?.arn;
    if (revision) {
      try {
        const out = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revision] }));
        const td = out.serviceRevisions?.[0]?.taskDefinition;
        if (td) return taskDefinitionKey(td);
      } catch (error) {
        this.log.debug(`DescribeServiceRevisions ${revision}: ${(error as Error).message}`);
      }
    }
    return previous ? taskDefinitionKey(previous) : undefined;
  }

  /** ECS is rolling back and has not finished: what a wait that runs out of time reports. */
  rollingBack(): Verdict | undefined {
    const status = this.deployment?.status ?? '';
    if (!ROLLING_BACK.has(status)) return undefined;
    return {
      deploymentId: this.arn ?? '',
      status: 'ROLLED_BACK',
      rolledBackByEcs: true,
      reason: `ECS is rolling service deployment ${shortArn(this.arn)} back to ${this.rollbackTarget() ?? 'the previous revision'} (${status}); it had not finished when the step's time ran out.`
    };
  }

  rollbackTarget(): string | undefined {
    return this.rollbackTo;
  }

  private stage(): Stage | undefined {
    return readStage(this.deployment?.lifecycleStage);
  }

  /** What ECS still does after the current stage: `the rest of BAKE_TIME (about 55m), CLEAN_UP`. */
  remainingText(): string {
    return this.remaining().join(', ');
  }

  private remaining(): string[] {
    const stage = this.stage();
    const bake = this.bakeMinutes();
    const after = stagesAfter(stage).map(s =>
      s === 'BAKE_TIME' && bake !== undefined ? `BAKE_TIME (${bake}m)` : s
    );
    const left = this.bakeLeftMs();
    if (stage?.name === 'BAKE_TIME' && left !== undefined)
      after.unshift(`the rest of BAKE_TIME (about ${formatDuration(left)})`);
    return after;
  }

  /** Where the deployment stands, for a wait that ends without a verdict. */
  where(): string {
    if (!this.arn) return 'ECS had not named the service deployment yet.';
    const d = this.deployment;
    if (!d) return `Service deployment ${shortArn(this.arn)} could not be described yet.`;
    const left = this.stage()?.name === 'BAKE_TIME' ? this.bakeLeftMs() : undefined;
    const bake = left !== undefined ? `; about ${formatDuration(left)} of bake time left` : '';
    return `Service deployment ${shortArn(this.arn)} (${this.options.strategy}) stands at ${this.stage()?.name ?? 'no stage'}, ${d.status ?? 'no status'}${bake}.`;
  }

  view(): StrategyView {
    const bake = this.bakeMinutes();
    const left = this.bakeLeftMs();
    return {
      strategy: this.options.strategy,
      origin: this.started,
      serviceDeploymentArn: this.arn,
      status: this.deployment?.status,
      stage: this.stage()?.name,
      stages: [...this.stages],
      bake: bake === undefined ? undefined : { minutes: bake, leftMs: left },
      failure: this.failure,
      rollbackTo: this.rollbackTo,
      remaining: FORWARD.has(this.deployment?.status ?? '') ? this.remaining() : undefined
    };
  }
}

/** `web-smoke (AWS_LAMBDA)` from the hook's Lambda ARN, `pause hook 1a2b` for a PAUSE hook. */
export function hookName(hook: DeploymentLifecycleHookDetail): string {
  const target = /:function:([^:]+)/.exec(hook.targetArn ?? '')?.[1] ?? hook.targetArn?.split(/[:/]/).pop();
  if (target) return `${target} (${hook.targetType ?? 'AWS_LAMBDA'})`;
  return `${(hook.targetType ?? 'hook').toLowerCase()} hook ${hook.hookId ?? ''}`.trim();
}

function hookWait(hook: DeploymentLifecycleHookDetail): string {
  if (hook.status !== 'AWAITING_ACTION' && hook.status !== 'IN_PROGRESS') return '';
  const until = hook.expiresAt ? ` until ${new Date(hook.expiresAt).toISOString()}` : '';
  return hook.timeoutAction ? ` (${hook.timeoutAction} if not done${until})` : '';
}
