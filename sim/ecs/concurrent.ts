/**
 * Many deploys at once: N services in one cluster, each deployed by its own run of the bundled action at the
 * same moment (a workflow's matrix), all polling one account whose ECS API is throttled by one token bucket
 * per operation (proxy.ts `setRateLimits`). Some rollouts complete, some fail (ECS's circuit breaker with or
 * without its rollback); each run must end with the right status, make exactly one RegisterTaskDefinition
 * and one UpdateService that ECS answered, and notice its outcome soon after it happens.
 */
import { runAction, type RunResult } from '../runner.js';
import { seconds } from './measure.js';
import type { RateLimit } from './proxy.js';
import type { Scenario } from './scenario.js';
import { CRASH } from './scenarios.js';
import { IMAGE_V2, seedService } from './seed.js';
import type { EcsStack } from './stack.js';

/**
 * Account-wide token buckets, an approximation of ECS's published throttling: the developer guide's example
 * gives cluster read actions a bucket of 50 tokens refilled at 20 a second; the same is used for every read
 * the action makes. Writes get a much lower sustained rate (2 a second, bursts of 20), lower than any read,
 * so that N = 50 registrations and updates at once must be throttled and retried.
 */
const ECS_RATE_LIMITS: Record<string, RateLimit> = {
  DescribeClusters: { capacity: 50, refillPerSecond: 20 },
  DescribeServices: { capacity: 50, refillPerSecond: 20 },
  DescribeTaskDefinition: { capacity: 50, refillPerSecond: 20 },
  ListTasks: { capacity: 50, refillPerSecond: 20 },
  DescribeTasks: { capacity: 50, refillPerSecond: 20 },
  RegisterTaskDefinition: { capacity: 20, refillPerSecond: 2 },
  UpdateService: { capacity: 20, refillPerSecond: 2 }
};

export type Kind = 'complete' | 'fail' | 'circuit-breaker';

export interface ConcurrentRun {
  service: string;
  kind: Kind;
  expected: string;
  status: string;
  exitCode: number | null;
  /** RegisterTaskDefinition and UpdateService calls ECS answered (throttled attempts not counted). */
  registrations: number;
  updates: number;
  throttled: number;
  /** From the moment the outcome happened to the first response that showed it, and to the run's exit. */
  seenMs?: number;
  detectionMs?: number;
  ok: boolean;
  problems: string[];
}

export interface ConcurrentReport {
  n: number;
  pollIntervalMs: number;
  wallMs: number;
  runs: ConcurrentRun[];
  throttledByOperation: Record<string, number>;
  callsByOperation: Record<string, number>;
}

export function kindOf(i: number): Kind {
  return i % 4 === 1 ? 'fail' : i % 4 === 3 ? 'circuit-breaker' : 'complete';
}

const EXPECTED: Record<Kind, string> = {
  complete: 'COMPLETED',
  fail: 'FAILED',
  'circuit-breaker': 'ROLLED_BACK'
};

/** The value below which `p` of the values lie (nearest rank). */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export async function runConcurrent(
  stack: EcsStack,
  options: {
    n: number;
    pollIntervalMs: number;
    limits?: Record<string, RateLimit>;
    log?: (line: string) => void;
  }
): Promise<ConcurrentReport> {
  const { n, pollIntervalMs } = options;
  const log = options.log ?? (() => undefined);
  const first = await stack.fresh({ loadBalancer: false });
  const services: { name: string; kind: Kind }[] = [];
  stack.layer.use({ name: 'concurrent', rollout: { kind: 'complete', afterMs: 2000 } });
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(2, '0')}`;
    const kind = kindOf(i);
    const seed = await seedService(stack.clients, {
      cluster: first.cluster,
      service: name,
      family: name,
      loadBalancer: false,
      circuitBreakerRollback: kind === 'circuit-breaker'
    });
    stack.layer.configure(seed.cluster, seed.service, seed.deploymentConfiguration);
    // Outcomes spread across one poll interval, a few intervals after each run's UpdateService.
    const afterMs = 4 * pollIntervalMs + Math.round((i * pollIntervalMs) / n);
    const scenario: Scenario =
      kind === 'complete'
        ? { name, rollout: { kind: 'complete', afterMs } }
        : {
            name,
            rollout: {
              kind: 'fail',
              afterMs,
              failure: CRASH,
              ecsRollback: kind === 'circuit-breaker',
              rollbackCompletesAfterMs: 2000
            }
          };
    stack.layer.useFor(seed.cluster, seed.service, scenario);
    services.push({ name, kind });
  }
  log(`seeded ${n} services`);
  stack.proxy.resetCalls();
  stack.proxy.setRateLimits(options.limits ?? ECS_RATE_LIMITS);
  const t0 = Date.now();
  let results: { result: RunResult; exitAt: number }[];
  try {
    results = await Promise.all(
      services.map(async s => {
        const result = await runAction('deploy-ecs', {
          inputs: {
            cluster: first.cluster,
            service: s.name,
            images: `app=${IMAGE_V2}`,
            'poll-interval': `${pollIntervalMs}ms`,
            timeout: '120s',
            rollback: 'false'
          },
          env: stack.env,
          timeoutMs: 180_000
        });
        return { result, exitAt: Date.now() };
      })
    );
  } finally {
    stack.proxy.setRateLimits({});
  }
  const wallMs = Date.now() - t0;
  const calls = stack.proxy.calls;
  const runs = services.map((s, i): ConcurrentRun => {
    const { result, exitAt } = results[i];
    const mine = calls.filter(c => c.subject === s.name);
    const answered = (op: string) => mine.filter(c => c.operation === op && c.status === 200).length;
    const outcome = stack.layer.outcomesOf(first.cluster, s.name).find(o => o.of === 'rollout');
    const status = result.outputs.status ?? '';
    const run: ConcurrentRun = {
      service: s.name,
      kind: s.kind,
      expected: EXPECTED[s.kind],
      status,
      exitCode: result.code,
      registrations: answered('RegisterTaskDefinition'),
      updates: answered('UpdateService'),
      throttled: mine.filter(c => c.injected === 'throttle').length,
      seenMs: outcome?.shownAt !== undefined ? outcome.shownAt - outcome.at : undefined,
      detectionMs: outcome ? exitAt - outcome.at : undefined,
      ok: true,
      problems: []
    };
    if (status !== run.expected) run.problems.push(`status ${status || '(none)'}, expected ${run.expected}`);
    if ((result.code === 0) !== (s.kind === 'complete')) run.problems.push(`exit code ${result.code}`);
    if (run.registrations !== 1) run.problems.push(`${run.registrations} RegisterTaskDefinition`);
    if (run.updates !== 1) run.problems.push(`${run.updates} UpdateService`);
    if (run.seenMs === undefined) run.problems.push('the outcome was never seen');
    if (run.problems.length > 0 && !status)
      run.problems.push(`output: ${result.output.trim().split('\n').slice(-3).join(' | ')}`);
    run.ok = run.problems.length === 0;
    return run;
  });
  const count = (filter: (c: (typeof calls)[number]) => boolean) => {
    const out: Record<string, number> = {};
    for (const c of calls.filter(filter)) out[c.operation] = (out[c.operation] ?? 0) + 1;
    return out;
  };
  return {
    n,
    pollIntervalMs,
    wallMs,
    runs,
    throttledByOperation: count(c => c.injected === 'throttle'),
    callsByOperation: count(() => true)
  };
}

export interface ConcurrentCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** The targets for many deploys at once. */
export function checkConcurrent(report: ConcurrentReport, toleranceMs = 250): ConcurrentCheck[] {
  const wrong = report.runs.filter(r => !r.ok);
  const failures = report.runs.filter(r => r.kind !== 'complete');
  const seen95 = percentile(
    failures.map(r => r.seenMs ?? Infinity),
    95
  );
  const limit = 2 * report.pollIntervalMs + toleranceMs;
  return [
    {
      name: 'every run ends with the right status, one RegisterTaskDefinition and one UpdateService',
      ok: wrong.length === 0,
      detail:
        wrong.length === 0
          ? `${report.runs.length}/${report.runs.length}`
          : wrong.map(r => `${r.service}: ${r.problems.join('; ')}`).join(' / ')
    },
    {
      name: 'failures noticed within two poll intervals at p95',
      ok: seen95 !== undefined && seen95 <= limit,
      detail: `p95 ${seconds(seen95)} ≤ ${seconds(2 * report.pollIntervalMs)}`
    }
  ];
}
