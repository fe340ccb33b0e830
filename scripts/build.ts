/**
 * Bundles each action with ncc into dist/<action>/index.js (one file, committed).
 * `npm run build` builds all; `npm run build -- deploy-ecs` builds the ones named.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = readdirSync(join(root, 'actions')).filter(a => existsSync(join(root, 'actions', a, 'src', 'index.ts')));
const wanted = process.argv.slice(2);
const unknown = wanted.filter(a => !all.includes(a));
if (unknown.length > 0) {
  console.error(`Unknown action(s): ${unknown.join(', ')}. Known: ${all.join(', ')}`);
  process.exit(2);
}
writeFileSync(join(root, 'dist', 'package.json'), '{\n  "type": "module"\n}\n');
for (const action of wanted.length > 0 ? wanted : all) {
  const out = join(root, 'dist', action);
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    join(root, 'node_modules', '.bin', 'ncc'),
    ['build', join('actions', action, 'src', 'index.ts'), '-o', out, '--license', 'licenses.txt', '--quiet'],
    { cwd: root, stdio: 'inherit' }
  );
  console.log(`built dist/${action}/index.js`);
}
