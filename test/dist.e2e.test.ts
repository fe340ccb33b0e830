/**
 * dist/ is committed and must be what the sources build to: the runner executes dist/, not src/.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../sim/runner.js';

const actions = readdirSync(join(ROOT, 'actions')).filter(a =>
  existsSync(join(ROOT, 'actions', a, 'src', 'index.ts'))
);

describe('dist', () => {
  it('matches a fresh build of every action', () => {
    const out = mkdtempSync(join(tmpdir(), 'dockyard-dist-'));
    try {
      execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build.ts', '--out', out], {
        cwd: ROOT,
        stdio: 'pipe'
      });
      const stale = actions.filter(action => {
        const committed = join(ROOT, 'dist', action, 'index.js');
        return (
          !existsSync(committed) ||
          !readFileSync(committed).equals(readFileSync(join(out, action, 'index.js')))
        );
      });
      expect({ stale, hint: stale.length ? 'Run `npm run build` and commit dist/.' : '' }).toEqual({
        stale: [],
        hint: ''
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
