import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateAnchor, median, startupChecks, type StartupRun, type StartupStats } from './startup.js';

const checkout = mkdtempSync(join(tmpdir(), 'dockyard-anchor-'));
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

const INPUT_ERROR = '::error::Input required and not supplied: task-definition\n';
const run = (ms: number, over: Partial<StartupRun> = {}): StartupRun => ({
  ms,
  peakKiB: 80_000,
  code: 1,
  stdout: INPUT_ERROR,
  ...over
});
const stats = (
  name: string,
  medianMs: number,
  medianPeakKiB: number,
  runs = [run(medianMs)]
): StartupStats => ({
  name,
  runs,
  medianMs,
  medianPeakKiB
});
const ANCHOR = 'amazon-ecs-deploy-task-definition v2.6.3';

describe('start-up bench', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5]
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('holds deploy-ecs to the anchor, in median time and peak RSS', () => {
    expect(startupChecks([stats('deploy-ecs', 140, 70_000), stats(ANCHOR, 150, 84_000)])).toEqual([]);
    expect(startupChecks([stats('deploy-ecs', 210, 109_000), stats(ANCHOR, 140, 84_000)])).toEqual([
      "deploy-ecs start-up: 0.210 s median, above the anchor's 0.140 s",
      "deploy-ecs peak RSS: 106.4 MiB, above the anchor's 82.0 MiB"
    ]);
  });

  it('counts only runs that ended on an input error: a crash or a missing bundle is not a fast start', () => {
    const crashed = run(40, { code: 1, stdout: '' });
    expect(startupChecks([stats('deploy-eks', 40, 40_000, [run(40), crashed])])).toEqual([
      'deploy-eks: 1 runs did not end on an input error (exit 1)'
    ]);
  });

  it('finds the anchor in DOCKYARD_BENCH_ANCHOR, and says why when it is not there', () => {
    expect(locateAnchor({ DOCKYARD_BENCH_ANCHOR: checkout })).toEqual({
      why: `DOCKYARD_BENCH_ANCHOR is set, but ${join(checkout, 'dist', 'index.js')} does not exist.`
    });
    mkdirSync(join(checkout, 'dist'));
    writeFileSync(join(checkout, 'dist', 'index.js'), '');
    expect(locateAnchor({ DOCKYARD_BENCH_ANCHOR: checkout })).toEqual({
      bundle: join(checkout, 'dist', 'index.js')
    });
  });
});
