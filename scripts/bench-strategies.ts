/**
 * `npm run bench`'s part for ECS's own blue/green, linear and canary deployments (issue 16): each strategy
 * scenario run on the wall clock at the scenarios' poll interval, with the outcome checked as the other scenarios'
 * are, and the stage-transition detection time: for every status and stage the service deployment entered, how
 * long until a DescribeServiceDeployments answer first showed it (the layer's `transitionsOf`). Target: within
 * one poll interval, as deploy-ecs looks once per poll and prints each transition at the look that shows it.
 */
import { percentile } from '../sim/ecs/concurrent.js';
import { checkTargets, seconds, type TargetCheck } from '../sim/ecs/measure.js';
import { runScenario } from '../sim/ecs/run.js';
import { POLL_INTERVAL_MS, STRATEGY_SCENARIOS, type ScenarioCase } from '../sim/ecs/scenarios.js';
import type { EcsStack } from '../sim/ecs/stack.js';

/**
 * The strategy scenarios the bench runs. `blue-green-pause` waits for a ContinueServiceDeployment that gated
 * promotion sends; on the wall clock its hour-long pause outlasts any step, so it is left to the e2e tests.
 */
export const STRATEGY_BENCH = Object.keys(STRATEGY_SCENARIOS).filter(n => n !== 'blue-green-pause');

/** What each scenario's step may take on the wall clock: the linear one runs 21 one-second stages. */
const STEP_TIMEOUT = '60s';

export interface StrategyRow {
  scenario: ScenarioCase;
  status: string;
  exitCode: number | null;
  /** Milliseconds from each transition to the first answer that showed it; Infinity for one never shown. */
  seenMs: number[];
  checks: TargetCheck[];
}

/**
 * A stage lasts this many poll intervals here (the scenarios' own stage is one interval, which lines each stage up
 * with a look): stages then begin at every phase of the interval, and the time to see them spans it.
 */
const STAGE_IN_POLLS = 1.37;

/** The scenario with its stages (and configured minutes) lasting STAGE_IN_POLLS poll intervals. */
function offBeat(scenario: ScenarioCase): ScenarioCase {
  return {
    ...scenario,
    scenario: afterMs => {
      const s = scenario.scenario(afterMs);
      if (s.rollout?.kind !== 'strategy') return s;
      const stageMs = Math.round(STAGE_IN_POLLS * POLL_INTERVAL_MS);
      return { ...s, rollout: { ...s.rollout, stageMs, msPerMinute: stageMs } };
    }
  };
}

export async function runStrategyScenario(stack: EcsStack, name: string): Promise<StrategyRow> {
  const scenario = offBeat(STRATEGY_SCENARIOS[name]);
  const run = await runScenario(stack, scenario, {
    inputs: scenario.timeoutMs === undefined ? { timeout: STEP_TIMEOUT } : undefined
  });
  // A transition after the action's last look (it had ended, or its time was up) is no one's to see.
  const lastLook = Math.max(
    ...stack.proxy.calls.filter(c => c.operation === 'DescribeServiceDeployments').map(c => c.receivedAt)
  );
  const transitions = stack.layer.strategies
    .transitionsOf(run.seed.cluster, run.seed.service)
    .flatMap(d => d.transitions)
    .filter(t => t.at <= lastLook);
  const seenMs = transitions.map(t => (t.shownAt === undefined ? Infinity : t.shownAt - t.at));
  const worst = Math.max(0, ...seenMs);
  const checks: TargetCheck[] = [
    ...checkTargets(run.measurement, POLL_INTERVAL_MS, { reactionAllowanceMs: scenario.reactionAllowanceMs }),
    ...(transitions.length > 0
      ? [
          {
            name: 'every stage transition seen within one poll interval',
            ok: worst <= POLL_INTERVAL_MS + 250,
            detail: `worst ${seconds(worst)} of ${transitions.length} transitions ≤ ${seconds(POLL_INTERVAL_MS)}`
          }
        ]
      : [])
  ];
  return { scenario, status: run.result.outputs.status ?? '', exitCode: run.result.code, seenMs, checks };
}

export function strategyOk(row: StrategyRow): boolean {
  const { expect } = row.scenario;
  return row.status === expect.status && (row.exitCode === 0) === expect.success;
}

/** The stage-transition table: per scenario, its status, how many transitions, and when they were seen. */
export function strategyTable(rows: StrategyRow[]): { headers: string[]; rows: string[][] } {
  return {
    headers: ['scenario', 'status', 'transitions', 'seen p50 / max', 'targets'],
    rows: rows.map(r => {
      const missed = r.checks.filter(c => !c.ok).length + (strategyOk(r) ? 0 : 1);
      return [
        r.scenario.name,
        `${r.status || '(none)'}${strategyOk(r) ? '' : ` ✗ (expected ${r.scenario.expect.status})`}`,
        String(r.seenMs.length),
        r.seenMs.length > 0
          ? `${seconds(percentile(r.seenMs, 50))} / ${seconds(Math.max(...r.seenMs))}`
          : '—',
        missed === 0 ? '✓' : `✗ ${missed}`
      ];
    })
  };
}

/** What a strategy row missed, for the bench's list of misses. */
export function strategyMisses(row: StrategyRow): string[] {
  const name = row.scenario.name;
  return [
    ...(strategyOk(row)
      ? []
      : [`${name}: status ${row.status || '(none)'}, expected ${row.scenario.expect.status}`]),
    ...row.checks.filter(c => !c.ok).map(c => `${name}: ${c.name} (${c.detail})`)
  ];
}
