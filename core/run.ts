import * as actionsCore from '@actions/core';
import { describeError } from './errors.js';
import { actionsLogger, type Logger } from './log.js';
import { cancellationOnSignals } from './poll.js';

export interface ActionContext {
  log: Logger;
  /** Aborts when the runner cancels the job (SIGINT/SIGTERM). */
  signal: AbortSignal;
  startedAt: Date;
}

/**
 * Runs an action's body: wires cancellation, turns any error into one clear failure annotation and a
 * non-zero exit. Every action's `main.ts` goes through here.
 */
export async function runAction(body: (ctx: ActionContext) => Promise<void>): Promise<void> {
  const cancel = cancellationOnSignals();
  try {
    await body({ log: actionsLogger, signal: cancel.signal, startedAt: new Date() });
  } catch (error) {
    actionsCore.setFailed(describeError(error));
    if (
      error instanceof Error &&
      error.stack &&
      !(error.name === 'DockyardError' || error.name === 'InputError')
    ) {
      actionsCore.debug(error.stack);
    }
  } finally {
    cancel.dispose();
  }
}

/** Sets outputs, skipping undefined; objects are written as JSON. */
export function setOutputs(outputs: Record<string, string | number | boolean | object | undefined>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    actionsCore.setOutput(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}
