/**
 * Runs one named scenario end to end: a fresh seeded service, the scenario selected, the bundled action run
 * against the proxy the way the runner runs it, and the measurement of that run.
 */
import { runAction, type RunResult } from '../runner.js';
import { measure, type Measurement } from './measure.js';
import { FAST_POLL_INTERVAL_MS, POLL_INTERVAL_MS, type ScenarioCase } from './scenarios.js';
import type { Seeded } from './seed.js';
import type { EcsStack } from './stack.js';

export interface ScenarioRun {
  seed: Seeded;
  result: RunResult;
  measurement: Measurement;
}

export interface ScenarioRunOptions {
  /** Inputs on top of (or instead of, when undefined) the case's own. */
  inputs?: Record<string, string | undefined>;
  /** Keep moto and the layer as they are (a second run against the same service). */
  reuse?: Seeded;
  afterMs?: number;
  /** Environment on top of the stack's (GITHUB_API_URL, GITHUB_RUN_ATTEMPT, …). */
  env?: Record<string, string>;
  /** The step's directory and workspace, where its path inputs must be (the repository root by default). */
  cwd?: string;
}

export async function runScenario(
  stack: EcsStack,
  scenarioCase: ScenarioCase,
  options: ScenarioRunOptions = {}
): Promise<ScenarioRun> {
  const seed = options.reuse ?? (await stack.fresh(scenarioCase.seed));
  stack.layer.use(scenarioCase.scenario(options.afterMs ?? scenarioCase.afterMs));
  // Paced by looks, the action polls as fast as it may; on the clock, at the interval the scenarios are written for.
  const pollIntervalMs = stack.layer.pace.kind === 'looks' ? FAST_POLL_INTERVAL_MS : POLL_INTERVAL_MS;
  const startedAt = Date.now();
  const result = await runAction('deploy-ecs', {
    inputs: {
      ...scenarioCase.inputs(seed),
      'poll-interval': `${pollIntervalMs}ms`,
      ...options.inputs
    },
    env: { ...stack.env, ...options.env },
    cwd: options.cwd,
    signal: scenarioCase.cancelWhen && { name: 'SIGTERM', whenOutput: scenarioCase.cancelWhen },
    timeoutMs: 90_000
  });
  const exitAt = startedAt + result.durationMs;
  const measurement = measure({
    proxy: stack.proxy,
    layer: stack.layer,
    startedAt,
    exitAt,
    pollIntervalMs,
    timeoutMs: scenarioCase.timeoutMs,
    // When the signal really went out: on a loaded machine the timer fires late, and that is not the action's delay.
    signalledAt: result.signalledAfterMs !== undefined ? startedAt + result.signalledAfterMs : undefined
  });
  return { seed, result, measurement };
}
