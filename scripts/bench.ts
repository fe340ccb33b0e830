/**
 * `npm run bench`: runs the bundled deploy-ecs against each ECS scenario (moto behind the scenario layer,
 * see sim/ecs) and prints, per scenario, the detection latency (from the moment the scenario reaches its
 * outcome to the action's exit), the API calls by operation, and the total time. Checks the targets —
 * detection within one poll interval, at most one DescribeServices per poll — and exits non-zero when one is
 * missed or a scenario ends with the wrong status.
 *
 *   npm run bench                       every scenario, once
 *   npm run bench -- failed timeout     the named ones
 *   npm run bench -- --repeat 4         each four times, the outcome moved across one poll interval
 *   npm run bench -- --no-build         use dist/deploy-ecs as it is
 *   npm run bench -- concurrent-20      only the N = 20 deploys-at-once scenario (also concurrent-50)
 *
 * Scenarios with a failure class (issue 10) also check the root cause the action puts first, and the report
 * lists them together. The deploys-at-once scenarios run N = 20 and N = 50 actions together against one
 * account whose ECS API is throttled by a token bucket per operation (sim/ecs/concurrent.ts): each run must
 * end right with exactly one RegisterTaskDefinition and one UpdateService, and failures must be noticed within
 * two poll intervals at p95; the detection latency p50/p95 is reported.
 *
 * ECS's own blue/green, linear and canary deployments (scripts/bench-strategies.ts: blue-green, blue-green-alarm,
 * canary-hook-fails, linear, …): the outcome as above, and the stage-transition detection time — from each status
 * and stage the service deployment entered to the first answer that showed it (target: within one poll).
 *   npm run bench -- strategies               every strategy scenario; or name them
 *
 * deploy-eks scenarios (eks-*, see sim/eks/bench.ts) run against the Kubernetes API test server:
 * seconds from the first CrashLoopBackOff / ErrImagePull, a Deployment's ReplicaFailure (pods refused by a
 * quota) and its ProgressDeadlineExceeded (pods never Ready) to the action's exit (target under 30 s), API
 * requests per deploy, the token refresh, and no false alarm on a pod that crashes once.
 *   npm run bench -- eks-crashloop eks-pull   the named ones; `eks` runs every EKS scenario
 *
 * Start-up (scripts/startup.ts): the bundled deploy-ecs and deploy-eks from starting Node to an input error, median
 * time and peak RSS, against aws-actions/amazon-ecs-deploy-task-definition's dist/ run the same way; deploy-ecs
 * must be at or below it. The anchor is read from a checkout (DOCKYARD_BENCH_ANCHOR), or skipped with the reason.
 *   npm run bench -- startup                  only this; `--runs N` runs each N times (default 21)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkConcurrent,
  percentile,
  runConcurrent,
  type ConcurrentCheck,
  type ConcurrentReport
} from '../sim/ecs/concurrent.js';
import { checkTargets, seconds, type Measurement, type TargetCheck } from '../sim/ecs/measure.js';
import { runScenario } from '../sim/ecs/run.js';
import { POLL_INTERVAL_MS, SCENARIOS, type ScenarioCase } from '../sim/ecs/scenarios.js';
import { startEcsStack, type EcsStack } from '../sim/ecs/stack.js';
import { EKS_SCENARIOS, runEksBench } from '../sim/eks/bench.js';
import {
  runStrategyScenario,
  STRATEGY_BENCH,
  strategyMisses,
  strategyTable,
  type StrategyRow
} from './bench-strategies.js';
import { runStartupBench } from './startup.js';

const root = new URL('..', import.meta.url).pathname;

/** The deploys-at-once scenarios: N runs together, with this poll interval. */
const CONCURRENT: Record<string, { n: number; pollIntervalMs: number }> = {
  'concurrent-20': { n: 20, pollIntervalMs: 2000 },
  'concurrent-50': { n: 50, pollIntervalMs: 2000 }
};

interface Row {
  scenario: ScenarioCase;
  /** The report's summary: its first sentence is the root cause. */
  summary: string;
  status: string;
  exitCode: number | null;
  measurement: Measurement;
  checks: TargetCheck[];
}

interface Args {
  names: string[];
  eks: string[];
  /** Runs of each bundle in the start-up scenario; 0 when it is not run. */
  startup: number;
  repeat: number;
  build: boolean;
}

function parseArgs(argv: string[]): Args {
  const names: string[] = [];
  const eks: string[] = [];
  let startup = false;
  let runs = 21;
  let repeat = 1;
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repeat') repeat = Math.max(1, Number(argv[++i]) || 1);
    else if (argv[i] === '--runs') runs = Math.max(1, Number(argv[++i]) || 1);
    else if (argv[i] === '--no-build') build = false;
    else if (argv[i] === 'startup') startup = true;
    else if (argv[i] === 'eks') eks.push(...Object.keys(EKS_SCENARIOS));
    else if (argv[i] === 'strategies') names.push(...STRATEGY_BENCH);
    else if (argv[i] in EKS_SCENARIOS) eks.push(argv[i]);
    else names.push(argv[i]);
  }
  const known = [...Object.keys(SCENARIOS), ...STRATEGY_BENCH, ...Object.keys(CONCURRENT)];
  const unknown = names.filter(n => !known.includes(n));
  if (unknown.length > 0) {
    console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${known.join(', ')}`);
    process.exit(2);
  }
  const all = names.length === 0 && eks.length === 0 && !startup;
  return {
    names: all ? known : names,
    eks: all ? Object.keys(EKS_SCENARIOS) : eks,
    startup: all || startup ? runs : 0,
    repeat,
    build
  };
}

/** `p50 / p95` of the values, in seconds. */
const p50p95 = (values: number[]) =>
  `${seconds(percentile(values, 50))} / ${seconds(percentile(values, 95))}`;

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function statusOk(row: Row): boolean {
  const s = row.scenario;
  return (
    row.status === s.expect.status &&
    (row.exitCode === 0) === s.expect.success &&
    (!s.expect.rootCause || new RegExp(s.expect.rootCause.source.replace(/\$$/, '')).test(row.summary))
  );
}

function report(row: Row): string {
  const m = row.measurement;
  const s = row.scenario;
  const ok = statusOk(row);
  const out: string[] = [];
  out.push(`\n## ${s.name} — ${s.description}`);
  out.push(
    table(
      [
        'status',
        'expected',
        'exit',
        'outcome',
        'detection latency (outcome → exit)',
        'seen (outcome → first poll showing it)',
        'polls after seen',
        'seen → next step',
        'rollback',
        'total'
      ],
      [
        [
          row.status || '(none)',
          s.expect.status || '(none)',
          String(row.exitCode),
          m.outcome ?? '—',
          seconds(m.detectionMs),
          seconds(m.seenMs),
          m.pollsAfterSeen === undefined ? '—' : String(m.pollsAfterSeen),
          seconds(m.reactionMs),
          m.rollback ? `${m.rollback.outcome}, seen after ${seconds(m.rollback.seenMs)}` : '—',
          seconds(m.totalMs)
        ]
      ]
    )
  );
  out.push('');
  out.push(
    table(
      ['API call', 'count'],
      Object.entries(m.calls)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => [op, String(n)])
        .concat([['(of which injected faults)', String(m.injected)]])
    )
  );
  if (m.phases.length > 0) {
    out.push('');
    out.push(
      table(
        ['wait', 'duration', 'polls', 'poll calls answered', 'max per poll'],
        m.phases.map(p => [
          p.kind,
          seconds(p.endedAt - p.startedAt),
          String(p.polls),
          String(p.pollCalls),
          String(p.maxPollCallsPerPoll)
        ])
      )
    );
  }
  out.push('');
  out.push(
    `${ok ? '✓' : '✗'} status ${row.status || '(none)'}${ok ? '' : ` (expected ${s.expect.status}, ${s.expect.success ? 'success' : 'failure'}${s.expect.rootCause ? `, cause ${s.expect.rootCause}` : ''})`}`
  );
  if (s.failureClass) out.push(`  root cause: ${row.summary.split('. Deployment')[0]}`);
  for (const c of row.checks) out.push(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  return out.join('\n');
}

function concurrentReport(report: ConcurrentReport, checks: ConcurrentCheck[]): string {
  const out: string[] = [];
  out.push(
    table(
      [
        'run',
        'expected',
        'status',
        'RegisterTaskDefinition',
        'UpdateService',
        'throttled',
        'seen',
        'detection'
      ],
      report.runs.map(r => [
        r.service,
        r.expected,
        `${r.status || '(none)'}${r.ok ? '' : ' ✗'}`,
        String(r.registrations),
        String(r.updates),
        String(r.throttled),
        seconds(r.seenMs),
        seconds(r.detectionMs)
      ])
    )
  );
  out.push('');
  out.push(
    table(
      ['API call', 'calls', 'throttled'],
      Object.entries(report.callsByOperation)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => [op, String(n), String(report.throttledByOperation[op] ?? 0)])
    )
  );
  out.push('');
  out.push(`wall time ${seconds(report.wallMs)}`);
  for (const c of checks) out.push(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  return out.join('\n');
}

async function main(): Promise<number> {
  const { names, eks, startup, repeat, build } = parseArgs(process.argv.slice(2));
  for (const [action, wanted] of [
    ['deploy-ecs', names.length > 0 || startup > 0],
    ['deploy-eks', eks.length > 0 || startup > 0]
  ] as const) {
    if (wanted && (build || !existsSync(join(root, 'dist', action, 'index.js')))) {
      console.log(`Building dist/${action} …`);
      execFileSync('npx', ['tsx', join(root, 'scripts', 'build.ts'), action], {
        cwd: root,
        stdio: 'inherit'
      });
    }
  }
  const otherFailures: string[] = [];
  if (startup > 0) {
    console.log('# Start-up');
    otherFailures.push(...(await runStartupBench(startup, text => console.log(text), table)).failures);
  }
  if (eks.length > 0) {
    console.log(`# deploy-eks benchmark — default settings, ${eks.length} scenarios`);
    otherFailures.push(...(await runEksBench(eks, text => console.log(text))).failures);
  }
  if (names.length === 0) {
    if (otherFailures.length > 0) {
      console.log(`\nMissed:\n${otherFailures.map(f => `  - ${f}`).join('\n')}`);
      return 1;
    }
    console.log('\nAll targets met.');
    return 0;
  }
  console.log(
    `# deploy-ecs benchmark — poll interval ${seconds(POLL_INTERVAL_MS)}, ${names.length} scenarios × ${repeat}`
  );
  let stack: EcsStack | undefined;
  const rows: Row[] = [];
  const concurrent: { name: string; report: ConcurrentReport; checks: ConcurrentCheck[] }[] = [];
  const strategies: StrategyRow[] = [];
  const stop = async () => {
    await stack?.stop();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    stack = await startEcsStack();
    for (const name of names.filter(n => n in SCENARIOS)) {
      const scenario = SCENARIOS[name];
      for (let i = 0; i < repeat; i++) {
        // Repeats move the outcome across one poll interval, so the worst phase against the polls is seen.
        const shift = Math.round((i * POLL_INTERVAL_MS) / repeat);
        const run = await runScenario(stack, scenario, {
          afterMs: scenario.afterMs > 0 ? scenario.afterMs + shift : undefined
        });
        const row: Row = {
          scenario,
          summary: run.result.outputs.report
            ? (JSON.parse(run.result.outputs.report) as { summary: string }).summary
            : '',
          status: run.result.outputs.status ?? '',
          exitCode: run.result.code,
          measurement: run.measurement,
          checks: checkTargets(run.measurement, POLL_INTERVAL_MS, {
            reactionAllowanceMs: scenario.reactionAllowanceMs
          })
        };
        rows.push(row);
        console.log(report(row));
        if (run.result.code !== 0 && !run.result.outputs.status) {
          console.log(
            `\n(action output, last lines)\n${run.result.output.trim().split('\n').slice(-15).join('\n')}`
          );
        }
      }
    }
    for (const name of names.filter(n => STRATEGY_BENCH.includes(n))) {
      const row = await runStrategyScenario(stack, name);
      strategies.push(row);
      console.log(`\n## ${name} — ${row.scenario.description}`);
      for (const c of row.checks) console.log(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
    }
    for (const name of names.filter(n => n in CONCURRENT)) {
      const { n, pollIntervalMs } = CONCURRENT[name];
      console.log(
        `\n## ${name} — ${n} deploys at once, poll interval ${seconds(pollIntervalMs)}, one token bucket per API`
      );
      const result = await runConcurrent(stack, { n, pollIntervalMs });
      const checks = checkConcurrent(result);
      concurrent.push({ name, report: result, checks });
      console.log(concurrentReport(result, checks));
    }
  } finally {
    await stack?.stop();
  }

  const classes = rows.filter(r => r.scenario.failureClass);
  if (classes.length > 0) {
    console.log('\n# Failure classes\n');
    console.log(
      table(
        [
          'failure class',
          'scenario',
          'status',
          'root cause (first line of the error, summary title, email header)',
          'detection'
        ],
        classes.map(r => [
          r.scenario.failureClass ?? '',
          r.scenario.name,
          `${r.status}${statusOk(r) ? '' : ' ✗'}`,
          r.summary.split(/\. (Deployment|Timed out|The service)/)[0],
          seconds(r.measurement.detectionMs)
        ])
      )
    );
  }
  if (concurrent.length > 0) {
    console.log('\n# Deploys at once\n');
    console.log(
      table(
        [
          'scenario',
          'runs',
          'right outcome, 1 register, 1 update',
          'throttled calls',
          'detection p50 / p95',
          'failure seen p50 / p95',
          'targets'
        ],
        concurrent.map(c => {
          const failures = c.report.runs.filter(r => r.kind !== 'complete');
          const missed = c.checks.filter(x => !x.ok);
          return [
            c.name,
            String(c.report.n),
            `${c.report.runs.filter(r => r.ok).length}/${c.report.n}`,
            String(Object.values(c.report.throttledByOperation).reduce((a, b) => a + b, 0)),
            p50p95(c.report.runs.map(r => r.detectionMs ?? Infinity)),
            p50p95(failures.map(r => r.seenMs ?? Infinity)),
            missed.length === 0 ? '✓' : `✗ ${missed.length}`
          ];
        })
      )
    );
  }

  if (strategies.length > 0) {
    const t = strategyTable(strategies);
    console.log('\n# Blue/green, linear and canary: stage transitions\n');
    console.log(table(t.headers, t.rows));
  }

  console.log('\n# Summary\n');
  const failures: string[] = [...otherFailures, ...strategies.flatMap(strategyMisses)];
  console.log(
    table(
      [
        'scenario',
        'status',
        'detection latency',
        'seen',
        'total',
        'API calls',
        'DescribeServices / polls (wait)',
        'targets'
      ],
      rows.map(r => {
        const m = r.measurement;
        const ok = statusOk(r);
        const missed = r.checks.filter(c => !c.ok);
        if (!ok)
          failures.push(
            `${r.scenario.name}: status ${r.status || '(none)'}, expected ${r.scenario.expect.status}`
          );
        for (const c of missed) failures.push(`${r.scenario.name}: ${c.name} (${c.detail})`);
        const waits = m.phases.filter(p => p.kind !== 'run-task');
        return [
          r.scenario.name,
          `${r.status || '(none)'}${ok ? '' : ' ✗'}`,
          seconds(m.detectionMs),
          seconds(m.seenMs),
          seconds(m.totalMs),
          String(Object.values(m.calls).reduce((a, b) => a + b, 0)),
          waits.length > 0 ? waits.map(p => `${p.pollCalls}/${p.polls}`).join(' + ') : '—',
          missed.length === 0 && ok ? '✓' : `✗ ${missed.length + (ok ? 0 : 1)}`
        ];
      })
    )
  );
  for (const c of concurrent)
    for (const check of c.checks.filter(x => !x.ok))
      failures.push(`${c.name}: ${check.name} (${check.detail})`);
  if (failures.length > 0) {
    console.log(`\nMissed:\n${failures.map(f => `  - ${f}`).join('\n')}`);
    return 1;
  }
  console.log('\nAll targets met.');
  return 0;
}

process.exitCode = await main();
