/**
 * dist/ is committed and must be what the sources build to: the runner executes dist/, not src/. The check itself
 * is scripts/check-dist.ts, the same one release.yml runs.
 */
import { describe, expect, it } from '@jest/globals';
import { staleDist } from '../scripts/check-dist.js';

describe('dist', () => {
  it('matches a fresh build of every action, file for file', () => {
    const stale = staleDist();
    expect({ stale, hint: stale.length ? 'Run `npm run build` and commit dist/.' : '' }).toEqual({
      stale: [],
      hint: ''
    });
  }, 300_000);
});
