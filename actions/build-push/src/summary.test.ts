import { describe, expect, it } from '@jest/globals';
import { newState } from './build.js';
import { buildSummary } from './summary.js';
import { failedScan, REPO } from './testing/fixtures.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('buildSummary', () => {
  it('shows image, digest, tags, skipped, builder, scan counts and duration', () => {
    const state = {
      ...newState(),
      outcome: 'PUSHED' as const,
      repository: REPO,
      tags: ['sha-0123456', 'v1'],
      builder: 'legacy' as const,
      digest: D,
      scan: {
        scanType: 'BASIC' as const,
        status: 'COMPLETE',
        counts: { LOW: 2, CRITICAL: 1 },
        worst: [
          { id: 'CVE-1', severity: 'CRITICAL', package: 'openssl 3', uri: 'https://cve.example/CVE-1' }
        ],
        blocking: 1,
        passed: false,
        waitedMs: 1000
      }
    };
    const md = buildSummary({ state, repository: 'team/app', durationMs: 65_000 });
    expect(md).toContain('## build-push: Image pushed');
    expect(md).toContain(`| **Image** | \`${REPO.uri}:sha-0123456\` |`);
    expect(md).toContain(`| **Digest** | \`${D}\` |`);
    expect(md).toContain('| **Tags** | `sha-0123456` `v1` |');
    expect(md).toContain('| **Skipped** | no |');
    expect(md).toContain('| **Builder** | classic docker build (no buildx) |');
    expect(md).toContain('| **Scan** | basic: CRITICAL 1, LOW 2 |');
    expect(md).toContain('| **Duration** | 1m 05s |');
    expect(md).toContain('| CRITICAL | [CVE-1](https://cve.example/CVE-1) | openssl 3 |');
  });

  it('leads with the error on failure, and says a skip is a skip', () => {
    const failed = buildSummary({
      state: newState(),
      repository: 'team/app',
      durationMs: 10,
      error: "Input 'tags': bad"
    });
    expect(failed).toMatch(/## build-push: failed\n\n\*\*Error\*\*\n\n```\nInput 'tags': bad\n```/);
    expect(failed).not.toContain('Skipped');
    const skipped = buildSummary({
      state: { ...newState(), outcome: 'SKIPPED', repository: REPO, tags: ['sha-1'], digest: D },
      repository: 'team/app',
      durationMs: 10
    });
    expect(skipped).toContain('Image already in ECR: build skipped');
    expect(skipped).toContain('| **Skipped** | yes: every tag already pointed to this digest |');
  });

  it("shows the end of a failed build's output as code that it cannot close, and links only plain https URLs", () => {
    const md = buildSummary({
      state: {
        ...newState(),
        repository: REPO,
        buildOutput: ['```', '# Pwned [click](https://evil.example)', '<img src=x onerror=alert(1)>'],
        scan: failedScan({
          id: 'CVE-2',
          severity: 'HIGH',
          uri: 'https://x.example/a) [y](https://evil.example'
        })
      },
      repository: 'team/app',
      durationMs: 10,
      error: 'docker build failed (exit code 1): ```.'
    });
    expect(md).toContain(
      '<details><summary>End of the build output</summary>\n\n````\n```\n# Pwned [click](https://evil.example)\n<img src=x onerror=alert(1)>\n````\n\n</details>'
    );
    expect(md).toContain('| HIGH | CVE-2 |  |');
  });
});
