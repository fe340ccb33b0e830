import { describe, expect, it } from '@jest/globals';
import { validateReport, type RunContext } from '../../../core/index.js';
import { newState } from './build.js';
import { buildReport } from './report.js';
import { failedScan, REPO, URI } from './testing/fixtures.js';

const D = `sha256:${'b'.repeat(64)}`;
const run = { repository: 'octo/app', sha: 'abc' } as RunContext;
const startedAt = new Date('2026-11-22T03:00:00Z');
const now = () => new Date('2026-11-22T03:01:30Z');
const pushed = {
  ...newState(),
  outcome: 'PUSHED' as const,
  repository: REPO,
  tags: ['sha-0123456', 'v1'],
  digest: D,
  builder: 'legacy' as const
};

describe('buildReport', () => {
  it('records a push with the image target, and is a valid dockyard report', () => {
    const report = buildReport(
      { state: pushed, subject: 'team/app', startedAt, region: 'us-east-1', run },
      now
    );
    expect(validateReport(JSON.parse(JSON.stringify(report)))).toMatchObject({
      action: 'build-push',
      status: 'success',
      outcome: 'PUSHED',
      subject: 'team/app',
      summary: `Pushed ${URI}@${D} as sha-0123456, v1.`,
      region: 'us-east-1',
      durationMs: 90_000,
      image: {
        repository: 'team/app',
        registry: REPO.registry,
        uri: URI,
        digest: D,
        tags: ['sha-0123456', 'v1']
      },
      details: [
        ['Tags', 'sha-0123456, v1'],
        ['Builder', 'classic docker build']
      ]
    });
  });

  it('marks a skip as skipped', () => {
    const report = buildReport(
      { state: { ...pushed, outcome: 'SKIPPED' }, subject: 'team/app', startedAt, run },
      now
    );
    expect(report).toMatchObject({
      status: 'skipped',
      outcome: 'SKIPPED',
      summary: `${URI}:sha-0123456 is already in ECR (${D}); nothing was built.`
    });
  });

  it('records a failure with how far it got, and the scan findings as a diagnostic', () => {
    const state = {
      ...pushed,
      scan: failedScan({ id: 'CVE-9', severity: 'HIGH', package: 'zlib 1.2' })
    };
    const report = buildReport(
      { state, subject: 'team/app', startedAt, threshold: 'HIGH', error: 'gate failed', run },
      now
    );
    expect(report).toMatchObject({
      status: 'failure',
      outcome: 'FAILED',
      error: 'gate failed',
      summary: 'Build and push of team/app failed: gate failed',
      image: { digest: D },
      diagnostics: [
        {
          title: 'Scan findings',
          severity: 'error',
          lines: [
            'Basic scan: HIGH 1; 1 at or above HIGH. Worst: CVE-9 (HIGH, zlib 1.2).',
            'HIGH CVE-9 (zlib 1.2)'
          ]
        }
      ]
    });
  });

  it("carries the end of a failed build's output as a diagnostic", () => {
    const report = buildReport(
      {
        state: { ...newState(), buildOutput: ['Step 2/2 : RUN make', 'make: *** [all] Error 2'] },
        subject: 'team/app',
        startedAt,
        error: 'docker build failed (exit code 1): make: *** [all] Error 2.',
        run
      },
      now
    );
    expect(report.diagnostics).toEqual([
      {
        title: 'End of the build output',
        severity: 'error',
        lines: ['Step 2/2 : RUN make', 'make: *** [all] Error 2']
      }
    ]);
  });

  it('says a cancelled run was cancelled, and reports bad input before any repository is known', () => {
    expect(
      buildReport({ state: newState(), subject: 'Bad', startedAt, error: 'x', cancelled: true, run }, now)
    ).toMatchObject({
      status: 'cancelled',
      outcome: 'CANCELLED',
      image: { repository: 'Bad', tags: [] }
    });
  });
});
