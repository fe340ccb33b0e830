/**
 * Bundles each action with ncc into dist/<action>/index.js (one file, committed).
 * `npm run build` builds all; `npm run build -- deploy-ecs` builds the ones named;
 * `--out DIR` writes elsewhere (the dist check builds into a temporary folder and compares).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const ACTIONS = readdirSync(join(root, 'actions')).filter(a =>
  existsSync(join(root, 'actions', a, 'src', 'index.ts'))
);

export function build(actions: string[], outDir = join(root, 'dist')): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{\n  "type": "module"\n}\n');
  for (const action of actions) {
    const out = join(outDir, action);
    // Build beside the target and swap it in, so a failed build keeps the old bundle and a test
    // running the bundle meanwhile never finds it missing.
    const staging = `${out}.building-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    try {
      execFileSync(
        join(root, 'node_modules', '.bin', 'ncc'),
        [
          'build',
          join('actions', action, 'src', 'index.ts'),
          '-o',
          staging,
          '--license',
          'licenses.txt',
          '--quiet'
        ],
        { cwd: root, stdio: 'inherit' }
      );
      rmSync(out, { recursive: true, force: true });
      renameSync(staging, out);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    console.log(`built ${join(outDir, action, 'index.js')}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outDir = outAt >= 0 ? resolve(args[outAt + 1]) : undefined;
  const wanted = args.filter((_, i) => outAt < 0 || (i !== outAt && i !== outAt + 1));
  const unknown = wanted.filter(a => !ACTIONS.includes(a));
  if (unknown.length > 0) {
    console.error(`Unknown action(s): ${unknown.join(', ')}. Known: ${ACTIONS.join(', ')}`);
    process.exit(2);
  }
  build(wanted.length > 0 ? wanted : ACTIONS, outDir);
}
