/** The dist check's comparison: every file both ways, byte for byte. */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { treeDifferences } from './check-dist.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dist-tree-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('treeDifferences', () => {
  const built = {
    'package.json': '{"type":"module"}\n',
    'deploy-ecs/index.js': 'bundle',
    'deploy-ecs/licenses.txt': 'MIT'
  };

  it('finds nothing when every file is the same', () => {
    expect(treeDifferences(tree(built), tree(built))).toEqual([]);
  });

  it('names a missing file, a different one and one no action builds', () => {
    const committed = tree({
      'package.json': built['package.json'],
      'deploy-ecs/index.js': 'older bundle',
      'deploy-eks2/index.js': 'left over'
    });
    expect(treeDifferences(tree(built), committed)).toEqual([
      'dist/deploy-ecs/index.js: differs from a fresh build',
      'dist/deploy-ecs/licenses.txt: missing',
      'dist/deploy-eks2/index.js: not built from any action'
    ]);
  });
});
