/**
 * Bundles each action with ncc into dist/<action>/index.js (one file, committed).
 * `npm run build` builds all; `npm run build -- deploy-ecs` builds the ones named;
 * `--out DIR` writes elsewhere (the dist check builds into a temporary folder and compares).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const ACTIONS = readdirSync(join(root, 'actions')).filter(a =>
  existsSync(join(root, 'actions', a, 'src', 'index.ts'))
);

/**
 * ncc type-checks what it bundles unless told `--transpile-only`, which makes a bundle four times cheaper to build:
 * `npm run lint` type-checks the whole project already (tsc --noEmit), and `isolatedModules` (tsconfig.json) makes
 * each file's JavaScript the same either way. But TypeScript's one-file transpile cannot read package.json, so under
 * `module: NodeNext` it takes every .ts file for CommonJS; since ncc loads TypeScript from TYPESCRIPT_LOOKUP_PATH,
 * it is given there one whose one-file transpile emits ES modules, as this package's `"type": "module"` says.
 * Returns that folder, for the caller to remove.
 */
function esmTranspiler(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-ncc-typescript-'));
  const typescript = createRequire(join(root, 'package.json')).resolve('typescript');
  mkdirSync(join(dir, 'node_modules', 'typescript'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'typescript', 'package.json'), '{ "main": "index.cjs" }\n');
  writeFileSync(
    join(dir, 'node_modules', 'typescript', 'index.cjs'),
    `const ts = require(${JSON.stringify(typescript)});
const esm = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
module.exports = {
  ...ts,
  transpileModule: (input, options) =>
    ts.transpileModule(input, { ...options, compilerOptions: { ...options.compilerOptions, ...esm } })
};
`
  );
  return dir;
}

/** Bundles one action into `${outDir}/${action}`: built beside the target, then swapped in. */
async function buildOne(action: string, outDir: string, transpiler: string): Promise<void> {
  const out = join(outDir, action);
  // Build beside the target and swap it in, so a failed build keeps the old bundle and a test
  // running the bundle meanwhile never finds it missing.
  const staging = `${out}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const ncc = spawn(
      join(root, 'node_modules', '.bin', 'ncc'),
      [
        'build',
        join('actions', action, 'src', 'index.ts'),
        '-o',
        staging,
        '--license',
        'licenses.txt',
        '--transpile-only',
        '--quiet'
      ],
      { cwd: root, stdio: 'inherit', env: { ...process.env, TYPESCRIPT_LOOKUP_PATH: `${transpiler}/` } }
    );
    const [code, signal] = (await once(ncc, 'exit')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new Error(`ncc could not build ${action} (${signal ?? `exit ${code}`})`);
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  console.log(`built ${join(outDir, action, 'index.js')}`);
}

/** Bundles the actions, as many at once as there are cores (each ncc run keeps one busy). */
export async function build(actions: string[], outDir = join(root, 'dist')): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{\n  "type": "module"\n}\n');
  const transpiler = esmTranspiler();
  const queue = [...actions];
  const worker = async () => {
    for (let action = queue.shift(); action; action = queue.shift())
      await buildOne(action, outDir, transpiler);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(availableParallelism(), queue.length) }, worker));
  } finally {
    rmSync(transpiler, { recursive: true, force: true });
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
  await build(wanted.length > 0 ? wanted : ACTIONS, outDir);
}
