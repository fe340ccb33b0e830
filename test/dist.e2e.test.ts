/**
 * dist/ is committed and must be what the sources build to: the runner executes dist/, not src/. The check itself
 * is scripts/check-dist.ts, the same one release.yml runs.
 */
import { readFileSync } from 'node:fs';
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

  // A step that fails on its inputs loads no AWS SDK: each client is loaded when a phase first needs it, which keeps
  // deploy-ecs's start-up at or below aws-actions' deploy action (npm run bench -- startup). A static import of a
  // client module from the input path puts the SDK in the entry chunk.
  it.each(['deploy-ecs', 'deploy-eks'])('%s: the entry chunk holds no AWS SDK client', action => {
    const entry = readFileSync(new URL(`../dist/${action}/index.js`, import.meta.url), 'utf8');
    // An SDK service client is a class extending Smithy's `Client` (`class ECSClient extends Client`); undici's
    // MockClient (under @actions/core) is the one other such class.
    expect(entry.match(/class (?!Mock)\w+Client extends (?:\w+\.)?Client\b/g) ?? []).toEqual([]);
    expect(entry).not.toMatch(/@aws-sdk\/client-\w+/);
  });
});
