/**
 * The deploy pipeline every deploy action fills in:
 *
 *   connect → render → verify → apply → wait → explain → rollback → settle
 *
 * (a render that needs nothing from the target, such as Kubernetes manifests, says so and runs before connect).
 * An action supplies its phases; this module owns what every deploy does the same way: one log group per phase,
 * how much of the step's time each phase may take, what a cancel, the deadline or an error makes of the result,
 * the wording of a failure (the root cause first, then what was done), and the parts of the outputs, summary and
 * report every deploy shares. core/run.ts runs the action around it (inputs, signals, the step's deadline).
 */
import type { DeploymentSpec } from './deployments.js';
import { describeError } from './errors.js';
import type { InputSource } from './inputs.js';
import type { Logger } from './log.js';
import type { Clock } from './poll.js';
import { createReport, type Diagnostic, type ReportInit, type ReportStatus } from './report.js';
import {
  failureMessage,
  type ActionContext,
  type ActionDefinition,
  type Finish,
  type Outcome,
  type OutputValue
} from './run.js';
import { oneLine, sentence } from './text.js';

/** Every status a deploy can end in; each action uses those that apply to it. */
export type DeployStatus =
  | 'COMPLETED'
  | 'DRY_RUN'
  | 'REGISTERED'
  | 'IN_PROGRESS'
  | 'FAILED'
  | 'ROLLED_BACK'
  | 'SUPERSEDED'
  | 'TIMED_OUT'
  | 'CANCELLED';

export const STATUS_ICON: Record<DeployStatus, string> = {
  COMPLETED: '✅',
  DRY_RUN: '🔍',
  REGISTERED: '✅',
  IN_PROGRESS: '⏳',
  FAILED: '❌',
  ROLLED_BACK: '↩️',
  SUPERSEDED: '⚠️',
  TIMED_OUT: '⏱️',
  CANCELLED: '🛑'
};

/** The statuses that are a success: the step stays green. */
const SUCCESS = new Set<DeployStatus>(['COMPLETED', 'DRY_RUN', 'REGISTERED', 'IN_PROGRESS']);
/** Failures of a rollout that explain runs for. */
const EXPLAINED = new Set<DeployStatus>(['FAILED', 'TIMED_OUT', 'ROLLED_BACK']);

/** What every deploy's result holds, whatever it deploys to. */
export interface DeployBase {
  status: DeployStatus;
  /** True for COMPLETED, DRY_RUN, REGISTERED and IN_PROGRESS. */
  success: boolean;
  /** What happened: for a failure, the root cause first, then what was done. */
  reason: string;
  /** Why it failed, in one line, when explain found it. */
  rootCause?: string;
  diagnostics: Diagnostic[];
  /** Printed as warnings when the deploy starts, and listed in the summary. */
  warnings: string[];
  /** An error that ended the deploy before it had an outcome (a refused input, AccessDenied, …). */
  error?: unknown;
}

/** A result before any phase ran: FAILED until a phase says otherwise, nothing found yet. */
export function deployBase(warnings: string[] = []): DeployBase {
  return { status: 'FAILED', success: false, reason: '', diagnostics: [], warnings: [...warnings] };
}

/** How a phase ends the deployment (or, for rollback, what it did): a status and what happened. */
export interface Ending {
  status: DeployStatus;
  reason: string;
}

export interface PhaseContext {
  log: Logger;
  signal: AbortSignal;
  clock: Clock;
  /** Epoch ms (on `clock`) by which the whole step must end: calls that cannot outlive the step stop by it. */
  deadline: number;
  /** How long this phase may still wait, in ms: see `waitReserveMs` and FINISH_RESERVE_MS. */
  timeLeftMs(): number;
}

export interface Phase<T> {
  /** The phase's log group. */
  title: string | (() => string);
  run(phase: PhaseContext): Promise<T>;
}

/** A render may need nothing from the target (manifests and local tools only). */
export interface RenderPhase extends Phase<void> {
  /**
   * It reads only the workspace: it runs before connect, so a broken manifest, or an input only rendering can
   * judge (an `images` line that matches nothing), fails before any network call, like an input problem.
   */
  local?: boolean;
}

/** What each phase returns. */
interface PhaseValues {
  /** Reach the target and read what runs there now. */
  connect: void;
  /** Make what will be deployed (pure, or local tools under the step's signal). Before connect when `local`. */
  render: void;
  /** Check it before anything is written; throw to stop. */
  verify: void;
  /** Write. An Ending here ends the deployment: a dry run, no wait, a failed one-off task. */
  apply: Ending | void;
  /** Follow the rollout to its outcome. */
  wait: Ending | void;
  /** For FAILED, TIMED_OUT and ROLLED_BACK: the root cause, if found (diagnostics go in the result). */
  explain: string | void;
  /**
   * For FAILED (and TIMED_OUT, when the phase's `afterTimeout()` says so): put back what ran before; the Ending
   * says how it went (ROLLED_BACK, FAILED, CANCELLED, or the status it leaves).
   */
  rollback: Ending | void;
  /** After a deployment that finished well (not a dry run, not left in progress): clean up, prune. */
  settle: void;
}

export type PhaseName = keyof PhaseValues;

type PhaseTable = { [K in PhaseName]?: Phase<PhaseValues[K]> };

/**
 * A rollback that also runs after TIMED_OUT when `afterTimeout()` says so: for a deployment the target carries on
 * with once the step stops waiting, shifting traffic with nobody watching (ECS's blue/green), or one a stalled
 * rollout leaves half-done (a Kubernetes workload, as Helm's `--atomic` rolls back).
 */
export interface RollbackPhase extends Phase<Ending | void> {
  afterTimeout?: () => boolean;
}

/** An action's phases: connect, render, apply and wait are required; the others are left out when not wanted. */
export type DeployPhases = PhaseTable &
  Required<Pick<PhaseTable, 'connect' | 'apply' | 'wait'>> & {
    render: RenderPhase;
    rollback?: RollbackPhase;
    /** What had been done, for the reason of a deploy stopped by a cancel or the deadline. */
    progress?(): string;
  };

const GERUND: Record<PhaseName, string> = {
  connect: 'connecting',
  render: 'rendering',
  verify: 'verifying',
  apply: 'applying',
  wait: 'waiting',
  explain: 'diagnosing',
  rollback: 'rolling back',
  settle: 'settling'
};

/**
 * The time rule. The wait (and anything before it that waits, such as a one-off task) may take what is left of
 * the step's timeout less this reserve, which is kept for explain and rollback: a fifth of the timeout, at most
 * a minute (3 minutes of a 15-minute timeout are the wait's to spare, a 10 s timeout keeps 2 s).
 */
export function waitReserveMs(timeoutMs: number): number {
  return Math.min(60_000, timeoutMs / 5);
}

/** The phases after the wait stop this long before the step's deadline, to write outputs, summary and report. */
export const FINISH_RESERVE_MS = 1500;

const BEFORE_THE_RESERVE = new Set<PhaseName>(['connect', 'render', 'verify', 'apply', 'wait']);

export interface DeployContext {
  log: Logger;
  signal: AbortSignal;
  clock: Clock;
  /** Epoch ms (on `clock`) by which the step must be over; Infinity counts `timeoutMs` from now. */
  deadline: number;
}

/** Thrown when the step's signal aborted after a phase that did not say so itself. */
class Stopped extends Error {}

/** Runs the phases in order over one result, which they fill in; returns it on every path. */
export async function runDeploy<R extends DeployBase>(
  result: R,
  phases: DeployPhases,
  ctx: DeployContext,
  timeoutMs: number
): Promise<R> {
  const pipeline = new Pipeline(result, phases, ctx, timeoutMs);
  for (const warning of result.warnings) ctx.log.warning(warning);
  try {
    await pipeline.run();
  } catch (error) {
    pipeline.fail(error);
  }
  return result;
}

class Pipeline {
  private current: PhaseName = 'connect';
  private readonly deadline: number;

  constructor(
    private readonly result: DeployBase,
    private readonly phases: DeployPhases,
    private readonly ctx: DeployContext,
    private readonly timeoutMs: number
  ) {
    this.deadline = Number.isFinite(ctx.deadline) ? ctx.deadline : ctx.clock.now() + timeoutMs;
  }

  async run(): Promise<void> {
    const reach = this.phases.render.local ? ['render', 'connect'] : ['connect', 'render'];
    for (const name of reach as ('render' | 'connect')[]) await this.phase(name);
    await this.phase('verify');
    const early = await this.phase('apply');
    if (early) {
      this.end(early);
      return this.settle();
    }
    const waited = await this.phase('wait');
    if (!waited) throw new Error('the wait ended without an outcome.');
    this.end(waited);
    if (this.result.status === 'CANCELLED') return;
    if (this.result.success) return this.settle();
    await this.explain();
    this.ctx.log.error(this.result.reason, { title: `Deployment ${this.result.status}` });
    const { status } = this.result;
    if (status === 'FAILED' || (status === 'TIMED_OUT' && this.phases.rollback?.afterTimeout?.()))
      await this.rollBack();
  }

  /** Runs one phase in its log group; a stop that the phase did not report itself ends the pipeline. */
  private async phase<K extends PhaseName>(name: K): Promise<PhaseValues[K] | undefined> {
    const phase = this.phases[name] as Phase<PhaseValues[K]> | undefined;
    if (!phase) return undefined;
    this.current = name;
    const title = typeof phase.title === 'string' ? phase.title : phase.title();
    const value = await this.ctx.log.group(title, () =>
      phase.run({
        log: this.ctx.log,
        signal: this.ctx.signal,
        clock: this.ctx.clock,
        deadline: this.deadline,
        timeLeftMs: () => this.timeLeftMs(name)
      })
    );
    const saidCancelled = (value as Ending | undefined)?.status === 'CANCELLED';
    if (this.ctx.signal.aborted && !saidCancelled) throw new Stopped();
    return value;
  }

  private timeLeftMs(name: PhaseName): number {
    const keep = BEFORE_THE_RESERVE.has(name) ? waitReserveMs(this.timeoutMs) : FINISH_RESERVE_MS;
    return Math.max(0, this.deadline - this.ctx.clock.now() - keep);
  }

  private end(ending: Ending): void {
    this.result.status = ending.status;
    this.result.success = SUCCESS.has(ending.status);
    this.result.reason = ending.reason;
  }

  private async settle(): Promise<void> {
    const { status, success } = this.result;
    if (success && status !== 'DRY_RUN' && status !== 'IN_PROGRESS') await this.phase('settle');
  }

  /** The root cause leads the reason: `cause. what the wait saw`. */
  private async explain(): Promise<void> {
    if (!EXPLAINED.has(this.result.status)) return;
    const cause = await this.phase('explain');
    if (!cause) return;
    this.result.rootCause = cause;
    this.result.reason = sentence(cause, this.result.reason);
  }

  private async rollBack(): Promise<void> {
    const back = await this.phase('rollback');
    if (!back) return;
    this.result.status = back.status;
    this.result.success = false;
    this.result.reason = sentence(this.result.reason, back.reason);
  }

  /** A phase threw, or the step was stopped: the result says where, after what had been found. */
  fail(error: unknown): void {
    const { result } = this;
    result.success = false;
    if (this.ctx.signal.aborted) {
      const why = error instanceof Stopped ? abortReason(this.ctx.signal) : describeError(error);
      const stopped = sentence(
        `Stopped while ${GERUND[this.current]}: ${why}`,
        this.phases.progress?.() ?? ''
      );
      result.status = 'CANCELLED';
      result.reason = result.reason ? sentence(result.reason, stopped) : stopped;
      return;
    }
    result.status = 'FAILED';
    if (result.reason) {
      // After the outcome (a rollback or a clean-up that failed): what was found stays first.
      const doing = GERUND[this.current];
      result.reason = sentence(
        result.reason,
        `${doing[0].toUpperCase()}${doing.slice(1)} failed: ${describeError(error)}`
      );
      return;
    }
    result.error = error;
    result.reason = describeError(error);
  }
}

function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as unknown;
  return reason instanceof Error ? reason.message : String(reason ?? 'the step was stopped');
}

/** The step's `failed` line: the error as its own message, else `STATUS: reason`. */
export function failureLine(result: DeployBase): string | undefined {
  if (result.success) return undefined;
  return result.error !== undefined ? describeError(result.error) : `${result.status}: ${result.reason}`;
}

export function reportStatus(result: Pick<DeployBase, 'status' | 'success'>): ReportStatus {
  if (result.status === 'CANCELLED') return 'cancelled';
  if (result.status === 'DRY_RUN') return 'skipped';
  return result.success ? 'success' : 'failure';
}

/**
 * The job summary's title: the status icon, the action, what was deployed, the status and, on failure, why: the
 * root cause whole (its end is often what matters: `…: not found`), else the reason's first line.
 */
export function summaryTitle(action: string, what: string, result: DeployBase): string {
  const cause = result.rootCause
    ? oneLine(result.rootCause, { max: 1000 })
    : result.success
      ? ''
      : oneLine(result.reason, { firstLine: true });
  return `${STATUS_ICON[result.status]} ${action}: ${what} — ${result.status}${cause ? `: ${cause}` : ''}`;
}

/** What a deploy action declares: its inputs, its function, and its own part of the outputs, summary, report. */
export interface DeployAction<I extends { timeoutMs: number }, R extends DeployBase> {
  name: string;
  /** Reads and validates every input together; no AWS call. */
  inputs(source: InputSource): I;
  deployment?(inputs: I): DeploymentSpec | undefined;
  /** Runs the phases (runDeploy) and returns the result on every path. */
  run(inputs: I, ctx: ActionContext): Promise<R>;
  /** The result before any phase ran; also the step's result when the inputs did not validate. */
  initial(inputs: I | undefined): R;
  /** The outputs besides `status` and `report`. */
  outputs(result: R): Record<string, OutputValue>;
  /** The report's part that names the target. */
  report(
    result: R,
    inputs: I | undefined
  ): Pick<ReportInit, 'subject' | 'region' | 'ecs' | 'eks' | 'details'>;
  summary(result: R, facts: { region?: string; durationMs: number }): string;
}

/** A deploy action as the core lifecycle runs it. */
export function defineDeployAction<I extends { timeoutMs: number }, R extends DeployBase>(
  action: DeployAction<I, R>
): ActionDefinition<I, R> {
  return {
    name: action.name,
    inputs: action.inputs,
    timeoutMs: inputs => inputs.timeoutMs,
    deployment: action.deployment,
    run: action.run,
    finish: outcome => finishDeploy(action, outcome)
  };
}

/** The result, the report (timed by the outcome), the outputs, the summary and the failure, on every path. */
export function finishDeploy<I extends { timeoutMs: number }, R extends DeployBase>(
  action: DeployAction<I, R>,
  outcome: Outcome<I, R>
): Finish {
  const result = resultOf(action, outcome);
  const report = createReport({
    action: action.name,
    status: reportStatus(result),
    outcome: result.status,
    summary: result.reason,
    startedAt: outcome.startedAt.toISOString(),
    finishedAt: outcome.finishedAt.toISOString(),
    diagnostics: result.diagnostics,
    error: result.success ? undefined : result.reason,
    run: outcome.run,
    ...action.report(result, outcome.inputs)
  });
  return {
    outputs: { status: result.status, ...action.outputs(result) },
    report,
    summary: action.summary(result, { region: report.region, durationMs: report.durationMs }),
    failed: failureLine(result)
  };
}

/** The deploy's result; a failure before the phases (a refused input) becomes one too. */
function resultOf<I extends { timeoutMs: number }, R extends DeployBase>(
  action: DeployAction<I, R>,
  outcome: Outcome<I, R>
): R {
  const result: R = outcome.result ?? {
    ...action.initial(outcome.inputs),
    status: outcome.cancelled ? 'CANCELLED' : outcome.timedOut ? 'TIMED_OUT' : 'FAILED',
    success: false,
    reason: failureMessage(outcome) ?? '',
    error: outcome.error
  };
  // The step's deadline aborts like a cancel: say which it was.
  return outcome.timedOut && result.status === 'CANCELLED' ? { ...result, status: 'TIMED_OUT' } : result;
}
