/**
 * `npm run bench`: runs the bundled deploy-ecs against each ECS scenario (moto behind the scenario layer,
 * see test/ecs) and prints, per scenario, the detection latency (from the moment the scenario reaches its
 * outcome to the action's exit), the API calls by operation, and the total time. Checks the targets —
 * detection within one poll interval, at most one DescribeServices per poll — and exits non-zero when one is
 * missed or a scenario ends with the wrong status.
 *
 *   npm run bench                       every scenario, once
 *   npm run bench -- failed timeout     the named ones
 *   npm run bench -- --repeat 4         each four times, the outcome moved across one poll interval
 *   npm run bench -- --no-build         use dist/deploy-ecs as it is
 *
 * deploy-eks scenarios (eks-*, see test/deploy-eks/bench.ts) run against the Kubernetes API test server:
 * seconds from the first CrashLoopBackOff / ErrImagePull to the action's exit (target under 30 s), API
 * requests per deploy, the token refresh, and no false alarm on a pod that crashes once.
 *   npm run bench -- eks-crashloop eks-pull   the named ones; `eks` runs every EKS scenario
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkTargets, type Measurement, type TargetCheck } from '../test/ecs/measure.js';
import { runScenario } from '../test/ecs/run.js';
import { POLL_INTERVAL_MS, SCENARIOS, type ScenarioCase } from '../test/ecs/scenarios.js';
import { startEcsStack, type EcsStack } from '../test/ecs/stack.js';
import { EKS_SCENARIOS, runEksBench } from '../test/deploy-eks/bench.js';

const root = new URL('..', import.meta.url).pathname;

interface Row {
  scenario: ScenarioCase;
  status: string;
  exitCode: number | null;
  measurement: Measurement;
  checks: TargetCheck[];
}

function parseArgs(argv: string[]): { names: string[]; eks: string[]; repeat: number; build: boolean } {
  const names: string[] = [];
  const eks: string[] = [];
  let repeat = 1;
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repeat') repeat = Math.max(1, Number(argv[++i]) || 1);
    else if (argv[i] === '--no-build') build = false;
    else if (argv[i] === 'eks') eks.push(...Object.keys(EKS_SCENARIOS));
    else if (argv[i] in EKS_SCENARIOS) eks.push(argv[i]);
    else names.push(argv[i]);
  }
  const unknown = names.filter(n => !(n in SCENARIOS));
  if (unknown.length > 0) {
    console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${Object.keys(SCENARIOS).join(', ')}`);
    process.exit(2);
  }
  const all = names.length === 0 && eks.length === 0;
  return {
    names: all ? Object.keys(SCENARIOS) : names,
    eks: all ? Object.keys(EKS_SCENARIOS) : eks,
    repeat,
    build
  };
}

const sec = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)}s`);

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function report(row: Row): string {
  const m = row.measurement;
  const s = row.scenario;
  const statusOk = row.status === s.expect.status && (row.exitCode === 0) === s.expect.success;
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
          sec(m.detectionMs),
          sec(m.seenMs),
          m.pollsAfterSeen === undefined ? '—' : String(m.pollsAfterSeen),
          sec(m.reactionMs),
          m.rollback ? `${m.rollback.outcome}, seen after ${sec(m.rollback.seenMs)}` : '—',
          sec(m.totalMs)
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
          sec(p.endedAt - p.startedAt),
          String(p.polls),
          String(p.pollCalls),
          String(p.maxPollCallsPerPoll)
        ])
      )
    );
  }
  out.push('');
  out.push(
    `${statusOk ? '✓' : '✗'} status ${row.status || '(none)'}${statusOk ? '' : ` (expected ${s.expect.status}, ${s.expect.success ? 'success' : 'failure'})`}`
  );
  for (const c of row.checks) out.push(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  return out.join('\n');
}

async function main(): Promise<number> {
  const { names, eks, repeat, build } = parseArgs(process.argv.slice(2));
  for (const [action, wanted] of [
    ['deploy-ecs', names.length > 0],
    ['deploy-eks', eks.length > 0]
  ] as const) {
    if (wanted && (build || !existsSync(join(root, 'dist', action, 'index.js')))) {
      console.log(`Building dist/${action} …`);
      execFileSync('npx', ['tsx', join(root, 'scripts', 'build.ts'), action], {
        cwd: root,
        stdio: 'inherit'
      });
    }
  }
  const eksFailures: string[] = [];
  if (eks.length > 0) {
    console.log(`# deploy-eks benchmark — default settings, ${eks.length} scenarios`);
    eksFailures.push(...(await runEksBench(eks, text => console.log(text))).failures);
  }
  if (names.length === 0) {
    if (eksFailures.length > 0) {
      console.log(`\nMissed:\n${eksFailures.map(f => `  - ${f}`).join('\n')}`);
      return 1;
    }
    console.log('\nAll targets met.');
    return 0;
  }
  console.log(
    `# deploy-ecs benchmark — poll interval ${sec(POLL_INTERVAL_MS)}, ${names.length} scenarios × ${repeat}`
  );
  let stack: EcsStack | undefined;
  const rows: Row[] = [];
  const stop = async () => {
    await stack?.stop();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    stack = await startEcsStack();
    for (const name of names) {
      const scenario = SCENARIOS[name];
      for (let i = 0; i < repeat; i++) {
        // Repeats move the outcome across one poll interval, so the worst phase against the polls is seen.
        const shift = Math.round((i * POLL_INTERVAL_MS) / repeat);
        const run = await runScenario(stack, scenario, {
          afterMs: scenario.afterMs > 0 ? scenario.afterMs + shift : undefined
        });
        const row: Row = {
          scenario,
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
  } finally {
    await stack?.stop();
  }

  console.log('\n# Summary\n');
  const failures: string[] = [...eksFailures];
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
        const statusOk =
          r.status === r.scenario.expect.status && (r.exitCode === 0) === r.scenario.expect.success;
        const missed = r.checks.filter(c => !c.ok);
        if (!statusOk)
          failures.push(
            `${r.scenario.name}: status ${r.status || '(none)'}, expected ${r.scenario.expect.status}`
          );
        for (const c of missed) failures.push(`${r.scenario.name}: ${c.name} (${c.detail})`);
        const waits = m.phases.filter(p => p.kind !== 'run-task');
        return [
          r.scenario.name,
          `${r.status || '(none)'}${statusOk ? '' : ' ✗'}`,
          sec(m.detectionMs),
          sec(m.seenMs),
          sec(m.totalMs),
          String(Object.values(m.calls).reduce((a, b) => a + b, 0)),
          waits.length > 0 ? waits.map(p => `${p.pollCalls}/${p.polls}`).join(' + ') : '—',
          missed.length === 0 && statusOk ? '✓' : `✗ ${missed.length + (statusOk ? 0 : 1)}`
        ];
      })
    )
  );
  if (failures.length > 0) {
    console.log(`\nMissed:\n${failures.map(f => `  - ${f}`).join('\n')}`);
    return 1;
  }
  console.log('\nAll targets met.');
  return 0;
}

process.exitCode = await main();
