/**
 * dist/ is committed and must be exactly what the sources build to: the runner executes dist/, not src/. The one
 * dist check, used by the end-to-end dist test (test/dist.e2e.test.ts, which CI runs through .ci/run), by
 * release.yml, and by hand:
 *
 *   npm run check-dist
 *
 * It builds every action into a temporary folder (scripts/build.ts --out) and compares every file, both ways, with
 * dist/. Nothing in dist/ is written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './workflows.js';

/** The files below `dir`, as paths relative to it; none when it is missing. */
function filesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter(f => statSync(join(dir, f)).isFile())
    .sort();
}

/** How `committed` differs from `built`, one line a file: missing, not built from the sources, or different. */
export function treeDifferences(built: string, committed: string): string[] {
  const want = filesIn(built);
  const have = new Set(filesIn(committed));
  const problems = want.flatMap(f => {
    if (!have.has(f)) return [`dist/${f}: missing`];
    return readFileSync(join(built, f)).equals(readFileSync(join(committed, f)))
      ? []
      : [`dist/${f}: differs from a fresh build`];
  });
  const extra = [...have].filter(f => !want.includes(f)).map(f => `dist/${f}: not built from any action`);
  return [...problems, ...extra];
}

/** What is stale in dist/: builds every action into a temporary folder and compares. */
export function staleDist(base = root): string[] {
  const out = mkdtempSync(join(tmpdir(), 'dockyard-dist-'));
  try {
    execFileSync(join(base, 'node_modules', '.bin', 'tsx'), ['scripts/build.ts', '--out', out], {
      cwd: base,
      stdio: 'pipe'
    });
    return treeDifferences(out, join(base, 'dist'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const stale = staleDist();
  for (const line of stale) console.log(line);
  console.log(
    stale.length
      ? `dist/ is stale (${stale.length} file(s)): run 'npm run build' and commit dist/.`
      : 'dist/ matches a fresh build of every action.'
  );
  process.exit(stale.length ? 1 : 0);
}
