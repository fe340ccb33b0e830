import * as actionsCore from '@actions/core';
import type { DeploymentSpec, GitHubDeployment } from './deployments.js';
import { formatDuration } from './duration.js';
import { describeError } from './errors.js';
import { runContext, type RunContext } from './github.js';
import { actionsInputSource, type InputSource } from './inputs.js';
import { actionsLogger, type Logger } from './log.js';
import { systemClock, type Clock } from './poll.js';
import { fitReport, type Report } from './report.js';
import { writeSummary } from './summary.js';

export interface ActionContext {
  log: Logger;
  /** Aborts on SIGINT/SIGTERM (the runner's cancel) and at the step's deadline. Give it to every wait and call. */
  signal: AbortSignal;
  startedAt: Date;
  run: RunContext;
  /** Epoch ms by which the whole step must be over (Infinity when the action sets no timeout). */
  deadline: number;
  clock: Clock;
}

/** How a step went, handed to the action's `finish` on every path. */
export interface Outcome<I, R> {
  startedAt: Date;
  /** When the step ended, on the same clock as `startedAt`: set just before `finish` is called. */
  finishedAt: Date;
  run: RunContext;
  /** The runner cancelled the job (SIGINT/SIGTERM). */
  cancelled: boolean;
  /** The step's deadline passed. */
  timedOut: boolean;
  /** Undefined when the inputs did not validate. */
  inputs?: I;
  /** Set when `run` returned. */
  result?: R;
  /** Set when `inputs` or `run` threw. */
  error?: unknown;
}

export type OutputValue = string | number | boolean | object | undefined;

export interface Finish {
  outputs: Record<string, OutputValue>;
  /** Markdown for the job summary. */
  summary: string;
  /** Written to the `report` output. */
  report: Report;
  /** When set, the step fails with this message. */
  failed?: string;
}

/** What an action's `main.ts` declares; the core runs every action the same way. */
export interface ActionDefinition<I, R> {
  name: string;
  /** Reads and validates every input together (throw an InputError); no AWS call may happen here. */
  inputs(source: InputSource): I;
  /** The whole step's time limit; the core aborts `ctx.signal` when it passes. */
  timeoutMs?(inputs: I): number | undefined;
  /**
   * The GitHub deployment to record around `run` (core/deployments.ts), when the inputs ask for one: created
   * with `in_progress` before `run`, then `success` or `failure` as `finish` tells.
   */
  deployment?(inputs: I): DeploymentSpec | undefined;
  /** The action's plain function. */
  run(inputs: I, ctx: ActionContext): Promise<R>;
  /** Turns how the step went into outputs, summary and report: called on every path. */
  finish(outcome: Outcome<I, R>): Finish;
}

export interface LifecycleHost {
  source: InputSource;
  log: Logger;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  writeSummary(markdown: string): Promise<void>;
  /** Registers SIGINT/SIGTERM handlers; returns their removal. */
  onSignals(handler: (name: NodeJS.Signals) => void): () => void;
}

/** How long an action waits for its GitHub deployment to be in progress before it starts all the same. */
export const DEPLOYMENT_GRACE_MS = 2000;

export const runnerHost: LifecycleHost = {
  source: actionsInputSource,
  log: actionsLogger,
  clock: systemClock,
  env: process.env,
  setOutput: (name, value) => actionsCore.setOutput(name, value),
  setFailed: message => actionsCore.setFailed(message),
  writeSummary: markdown => writeSummary(markdown, actionsLogger),
  onSignals: handler => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  }
};

/**
 * Runs one action: inputs read and checked, the action's function called under one abort signal (cancel and
 * deadline), then outputs, report and summary written whatever happened, and the step failed when it should be.
 * Returns the outcome (for tests); on a runner, an aborted step also exits soon after, so an open socket or a
 * child process cannot keep it alive.
 */
export async function runDefinedAction<I, R>(
  def: ActionDefinition<I, R>,
  host: LifecycleHost = runnerHost
): Promise<Outcome<I, R>> {
  const startedAt = new Date(host.clock.now());
  const outcome: Outcome<I, R> = {
    startedAt,
    finishedAt: startedAt,
    run: runContext(host.env),
    cancelled: false,
    timedOut: false
  };
  const controller = new AbortController();
  const removeSignals = host.onSignals(name => {
    outcome.cancelled = true;
    host.log.warning(`Received ${name}: stopping.`, { title: `${def.name} cancelled` });
    controller.abort(new Error(`Received ${name}`));
  });
  // Ends the deadline's sleep when the step is over.
  const over = new AbortController();
  let deployment: Promise<GitHubDeployment> | undefined;
  host.log.debug(`${def.name} runs on Node ${process.version}.`);
  try {
    try {
      outcome.inputs = def.inputs(host.source);
    } catch (error) {
      outcome.error = error;
    }
    if (outcome.inputs !== undefined && !controller.signal.aborted) {
      const timeoutMs = def.timeoutMs?.(outcome.inputs);
      const deadline = timeoutMs === undefined ? Infinity : startedAt.getTime() + timeoutMs;
      if (timeoutMs !== undefined) {
        // On the host's clock, so that tests move time instead of waiting for it.
        void host.clock.sleep(timeoutMs, over.signal).then(() => {
          if (over.signal.aborted) return;
          outcome.timedOut = true;
          controller.abort(new Error(`The step's timeout (${formatDuration(timeoutMs)}) passed`));
        });
      }
      const spec = def.deployment?.(outcome.inputs);
      if (spec) {
        // Never throws, and bounded itself. It runs beside the action: a slow or hung GitHub holds the action's
        // start up by DEPLOYMENT_GRACE_MS at most (long enough that `in_progress` usually comes first).
        deployment = import('./deployments.js').then(m =>
          m.startDeployment(spec, outcome.run, host.log, controller.signal, { env: host.env })
        );
        const grace = new AbortController();
        await Promise.race([
          deployment,
          host.clock.sleep(DEPLOYMENT_GRACE_MS, AbortSignal.any([controller.signal, grace.signal]))
        ]);
        grace.abort();
      }
      // A cancel while GitHub was asked: the action does not start.
      if (!controller.signal.aborted)
        try {
          outcome.result = await def.run(outcome.inputs, {
            log: host.log,
            signal: controller.signal,
            startedAt,
            run: outcome.run,
            deadline,
            clock: host.clock
          });
        } catch (error) {
          outcome.error = error;
        }
    }
  } finally {
    over.abort();
    removeSignals();
  }
  outcome.finishedAt = new Date(host.clock.now());
  await complete(def, outcome, host, deployment);
  if (controller.signal.aborted && host === runnerHost) {
    // Give the runner what was written, then end even if a socket or child process lingers.
    setTimeout(() => process.exit(), 1000).unref();
  }
  return outcome;
}

async function complete<I, R>(
  def: ActionDefinition<I, R>,
  outcome: Outcome<I, R>,
  host: LifecycleHost,
  started?: Promise<GitHubDeployment>
) {
  let finish: Finish;
  try {
    finish = def.finish(outcome);
  } catch (error) {
    // A bug in building the report must not hide the step's own failure.
    const message = `${outcome.error ? `${describeError(outcome.error)}\n` : ''}Could not write the outputs: ${describeError(error)}`;
    await (await started)?.finish('failure', { description: message });
    host.setFailed(message);
    return;
  }
  // The report is shortened when it would not fit where the next step reads it (REPORT_MAX_BYTES).
  for (const [name, value] of Object.entries({ ...finish.outputs, report: fitReport(finish.report) })) {
    if (value === undefined) continue;
    host.setOutput(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  try {
    await host.writeSummary(finish.summary);
  } catch (error) {
    host.log.warning(`Could not write the job summary: ${describeError(error)}`);
  }
  // After the outputs: GitHub (bounded, never failing) cannot hold them up.
  const deployment = await started;
  await deployment?.finish(finish.failed === undefined ? 'success' : 'failure', {
    description: finish.failed ?? finish.report.summary
  });
  if (finish.failed !== undefined) {
    host.setFailed(finish.failed);
    const error = outcome.error;
    if (
      error instanceof Error &&
      error.stack &&
      !(error.name === 'DockyardError' || error.name === 'InputError')
    )
      host.log.debug(error.stack);
  }
}

/** The failure line for an outcome that ended in an error, a cancel or the deadline. */
export function failureMessage(outcome: Outcome<unknown, unknown>): string | undefined {
  if (outcome.error !== undefined) return describeError(outcome.error);
  if (outcome.cancelled) return 'The run was cancelled.';
  if (outcome.timedOut) return "The step's timeout passed.";
  return undefined;
}
