/**
 * What one run of the bundled action cost and how fast it noticed: from the proxy's call log, the scenario
 * layer's outcome record and the moment the action exited.
 *
 * - detection latency: from the moment the scenario reached its outcome to the action's exit;
 * - seen: from that moment to the first response that showed it (bounded by the poll interval);
 * - polls after seen: looks at the same deployment after the first response that showed the outcome
 *   (0 = the action acted at the first poll that showed it);
 * - polls: the action's waits are split into polls (bursts of calls separated by at least half an
 *   interval); at most one DescribeServices (DescribeTasks for a one-off task) may be answered per poll.
 */
import type { ApiCall, RecordingProxy } from './proxy.js';
import type { EcsScenarioLayer } from './scenario.js';
import { waitReserveMs } from '../../core/deploy.js';

export interface Phase {
  /** `rollout`, `rollback`, or `run-task`. */
  kind: string;
  startedAt: number;
  endedAt: number;
  polls: number;
  /** Answered (not injected) poll calls: DescribeServices, or DescribeTasks for a one-off task. */
  pollCalls: number;
  maxPollCallsPerPoll: number;
}

export interface Measurement {
  outcome?: string;
  outcomeAt?: number;
  exitAt: number;
  totalMs: number;
  detectionMs?: number;
  seenMs?: number;
  pollsAfterSeen?: number;
  /** From the first poll that showed the outcome to the action's next step (its rollback, or its exit). */
  reactionMs?: number;
  /**
   * The action's own rollback: from the rollback's outcome to the first poll that showed it, and to the exit;
   * the looks at the service after that poll (0: the action ended at once).
   */
  rollback?: { outcome: string; seenMs?: number; exitMs: number; pollsAfterSeen?: number };
  calls: Record<string, number>;
  injected: number;
  phases: Phase[];
}

export interface MeasureInput {
  proxy: RecordingProxy;
  layer: EcsScenarioLayer;
  startedAt: number;
  exitAt: number;
  pollIntervalMs: number;
  /**
   * For the timeout scenario: the action's `timeout`. The outcome is the wait's deadline: this long after
   * UpdateService, or the step's deadline less the reserve for diagnosis, whichever comes first.
   */
  timeoutMs?: number;
  /** For the cancellation scenario: when SIGTERM was sent. */
  signalledAt?: number;
}

function pollOperation(kind: string): string {
  return kind === 'run-task' ? 'DescribeTasks' : 'DescribeServices';
}

/** Splits calls into polls: a new poll starts after a quiet gap of at least half the interval. */
export function pollsOf(calls: ApiCall[], intervalMs: number): ApiCall[][] {
  const rounds: ApiCall[][] = [];
  let last = -Infinity;
  for (const call of [...calls].sort((a, b) => a.receivedAt - b.receivedAt)) {
    if (call.receivedAt - last >= intervalMs / 2 || rounds.length === 0) rounds.push([]);
    rounds[rounds.length - 1].push(call);
    last = call.answeredAt;
  }
  return rounds;
}

export function measure(input: MeasureInput): Measurement {
  const { proxy, layer, exitAt, pollIntervalMs } = input;
  const calls = proxy.calls;
  const starts = calls.filter(
    c => (c.operation === 'UpdateService' || c.operation === 'RunTask') && c.status === 200
  );
  const phases: Phase[] = starts.map((start, i) => {
    const endedAt = starts[i + 1]?.receivedAt ?? exitAt;
    const kind =
      start.operation === 'RunTask'
        ? 'run-task'
        : (layer.started.filter(s => s.byAction)[
            starts.slice(0, i).filter(s => s.operation === 'UpdateService').length
          ]?.plan ?? 'rollout');
    const op = pollOperation(kind);
    const within = calls.filter(c => c.receivedAt > start.answeredAt && c.receivedAt < endedAt);
    const rounds = pollsOf(within, pollIntervalMs).filter(r => r.some(c => c.operation === op));
    const answered = (r: ApiCall[]) => r.filter(c => c.operation === op && !c.injected).length;
    return {
      kind,
      startedAt: start.answeredAt,
      endedAt,
      polls: rounds.length,
      pollCalls: rounds.reduce((n, r) => n + answered(r), 0),
      maxPollCallsPerPoll: rounds.reduce((m, r) => Math.max(m, answered(r)), 0)
    };
  });

  let outcome: string | undefined;
  let outcomeAt: number | undefined;
  let seenMs: number | undefined;
  let pollsAfterSeen: number | undefined;
  let reactionMs: number | undefined;
  const main = layer.mainOutcome();
  if (input.signalledAt !== undefined) {
    outcome = 'SIGTERM';
    outcomeAt = input.signalledAt;
  } else if (input.timeoutMs !== undefined) {
    const update = starts.find(s => s.operation === 'UpdateService');
    if (update) {
      outcome = 'DEADLINE';
      outcomeAt = Math.min(
        update.answeredAt + input.timeoutMs,
        input.startedAt + input.timeoutMs - waitReserveMs(input.timeoutMs)
      );
    }
  } else if (main) {
    outcome = main.kind;
    outcomeAt = main.at;
    if (main.shownAt !== undefined) {
      seenMs = main.shownAt - main.at;
      const op = main.of === 'run-task' ? 'DescribeTasks' : 'DescribeServices';
      const next = calls.find(
        c => c.receivedAt > main.shownAt! && (c.operation === 'UpdateService' || c.operation === 'RunTask')
      );
      const until = next?.receivedAt ?? exitAt;
      pollsAfterSeen = calls.filter(
        c => c.operation === op && c.receivedAt > main.shownAt! && c.receivedAt < until
      ).length;
      reactionMs = until - main.shownAt;
    }
  }
  const back = layer.outcomes.find(o => o.of === 'rollback');
  const looksAfter = (moment: number) =>
    calls.filter(c => c.operation === 'DescribeServices' && c.receivedAt > moment && c.receivedAt < exitAt)
      .length;
  return {
    outcome,
    outcomeAt,
    exitAt,
    totalMs: exitAt - input.startedAt,
    detectionMs: outcomeAt !== undefined ? exitAt - outcomeAt : undefined,
    seenMs,
    pollsAfterSeen,
    reactionMs,
    rollback: back && {
      outcome: back.kind,
      seenMs: back.shownAt !== undefined ? back.shownAt - back.at : undefined,
      exitMs: exitAt - (back.shownAt ?? back.at),
      pollsAfterSeen: back.shownAt !== undefined ? looksAfter(back.shownAt) : undefined
    },
    calls: proxy.countByOperation({ qualified: true }),
    injected: calls.filter(c => c.injected).length,
    phases
  };
}

export interface TargetCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * The targets from the issue: detection within one poll interval, at most one DescribeServices per poll.
 * Detection is checked as: the outcome was seen by a poll within one interval (plus the time one poll
 * takes), the action acted on that poll (no further look at the deployment), and its next step — the
 * rollback, or the exit — came within `reactionAllowanceMs` (diagnostics, process exit). Where there is no
 * poll to see the outcome (the deadline, SIGTERM), the exit itself must come within one interval.
 */
export interface TargetOptions {
  /** From the poll that showed the outcome to the next step; 500 ms by default. */
  reactionAllowanceMs?: number;
  /** What a poll itself may add to one interval (the time it takes, scheduling); 250 ms by default. */
  toleranceMs?: number;
}

/** Milliseconds as seconds for the reports: `1.25s`, `—` when unknown. */
export const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)}s`);

/**
 * What the action must do whatever the machine's speed: act at the first look that showed the outcome, and end at
 * the first look that showed its rollback's. The end-to-end tests check these (by looks, sim/ecs/scenario.ts
 * `Pace`); `checkTargets` adds the timing targets for the bench.
 */
export function checkProgress(m: Measurement): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (m.pollsAfterSeen !== undefined) {
    checks.push({
      name: 'acted at the first poll that showed it',
      ok: m.pollsAfterSeen === 0,
      detail: `${m.pollsAfterSeen} further polls`
    });
  }
  if (m.rollback?.pollsAfterSeen !== undefined) {
    checks.push({
      name: `ended at the first poll that showed the rollback ${m.rollback.outcome}`,
      ok: m.rollback.pollsAfterSeen === 0,
      detail: `${m.rollback.pollsAfterSeen} further polls`
    });
  }
  return checks;
}

export function checkTargets(
  m: Measurement,
  pollIntervalMs: number,
  options: TargetOptions = {}
): TargetCheck[] {
  const reactionAllowanceMs = options.reactionAllowanceMs ?? 500;
  const toleranceMs = options.toleranceMs ?? 250;
  const checks: TargetCheck[] = [];
  if (m.seenMs !== undefined) {
    checks.push({
      name: 'seen within one poll interval',
      ok: m.seenMs <= pollIntervalMs + toleranceMs,
      detail: `${seconds(m.seenMs)} ≤ ${seconds(pollIntervalMs)} + ${seconds(toleranceMs)}`
    });
  }
  checks.push(...checkProgress(m));
  if (m.reactionMs !== undefined) {
    checks.push({
      name: 'next step (rollback or exit) right after that poll',
      ok: m.reactionMs <= reactionAllowanceMs,
      detail: `${seconds(m.reactionMs)} ≤ ${seconds(reactionAllowanceMs)}`
    });
  } else if (m.detectionMs !== undefined) {
    checks.push({
      name: 'exit within one poll interval',
      ok: m.detectionMs <= pollIntervalMs + toleranceMs,
      detail: `${seconds(m.detectionMs)} ≤ ${seconds(pollIntervalMs)} + ${seconds(toleranceMs)}`
    });
  }
  if (m.rollback) {
    if (m.rollback.seenMs !== undefined) {
      checks.push({
        name: `rollback ${m.rollback.outcome} seen within one poll interval`,
        ok: m.rollback.seenMs <= pollIntervalMs + toleranceMs,
        detail: `${seconds(m.rollback.seenMs)} ≤ ${seconds(pollIntervalMs)} + ${seconds(toleranceMs)}`
      });
    }
    checks.push({
      name: 'exit right after the rollback ended',
      ok: m.rollback.exitMs <= reactionAllowanceMs,
      detail: `${seconds(m.rollback.exitMs)} ≤ ${seconds(reactionAllowanceMs)}`
    });
  }
  for (const p of m.phases) {
    checks.push({
      name: `${p.kind}: at most one ${pollOperation(p.kind)} per poll`,
      ok: p.maxPollCallsPerPoll <= 1,
      detail: `${p.pollCalls} calls in ${p.polls} polls (max ${p.maxPollCallsPerPoll} per poll)`
    });
    // Looks an interval apart, plus the last look the poller makes at its deadline.
    const budget = Math.ceil((p.endedAt - p.startedAt) / pollIntervalMs) + 1;
    checks.push({
      name: `${p.kind}: no more polls than the interval allows`,
      ok: p.polls <= budget,
      detail: `${p.polls} polls in ${seconds(p.endedAt - p.startedAt)} (≤ ${budget})`
    });
  }
  return checks;
}
