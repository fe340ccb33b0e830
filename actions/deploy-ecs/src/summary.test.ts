import { describe, expect, it } from '@jest/globals';
import { deployEcs } from './main.js';
import type { DeployResult } from './result.js';
import { buildSummary } from './summary.js';

const base: DeployResult = {
  status: 'FAILED',
  success: false,
  reason: '',
  cluster: 'prod',
  service: 'web',
  diagnostics: [],
  warnings: []
};

describe('buildSummary', () => {
  it('puts the root cause in the title, and the report leads with it', () => {
    const result: DeployResult = {
      ...base,
      status: 'ROLLED_BACK',
      rootCause: '3 tasks stopped: web exited with code 1: Error: DATABASE_URL is not set',
      reason:
        '3 tasks stopped: web exited with code 1: Error: DATABASE_URL is not set. Deployment ecs-svc/1 failed. Rolled back to web:6.'
    };
    expect(buildSummary(result, { region: 'eu-west-1', durationMs: 1 }).split('\n')[0]).toBe(
      '## ↩️ deploy-ecs: web (prod) — ROLLED_BACK: 3 tasks stopped: web exited with code 1: Error: DATABASE_URL is not set'
    );
    const { report, failed } = deployEcs.finish({
      startedAt: new Date(0),
      finishedAt: new Date(2500),
      run: {} as never,
      cancelled: false,
      timedOut: false,
      result
    });
    expect(report.summary.startsWith(result.rootCause!)).toBe(true);
    expect(report.durationMs).toBe(2500);
    expect(failed).toBe(`ROLLED_BACK: ${result.reason}`);
  });

  it('lists verify problems one a line, says nothing was written, and names skipped checks', () => {
    const result: DeployResult = {
      ...base,
      reason: "Input 'task-definition': verify: the task definition has 2 problems:\n  - a\n  - b",
      verify: {
        problems: [
          {
            path: 'containerDefinitions[0].image',
            message: "'nginx:<latest>' is not an image reference.",
            fix: 'Fix it.'
          },
          { path: 'memory', message: '4096 MiB does not go with 256 CPU units on Fargate.', fix: 'Use 512.' }
        ],
        skipped: ['image web:v2: skipped, the role may not call ecr:DescribeImages'],
        checked: []
      }
    };
    const summary = buildSummary(result, { region: 'eu-west-1', durationMs: 1 });
    expect(summary).toContain('### Verify: 2 problems, nothing was written');
    expect(summary).toContain(
      "- `containerDefinitions[0].image`: 'nginx:&lt;latest&gt;' is not an image reference. Fix it."
    );
    expect(summary).toContain('### Verify: checks skipped');
    expect(summary).toContain('ecr:DescribeImages');
  });
});
