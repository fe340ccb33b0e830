import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext } from '../../../core/index.js';
import { createdTime, ociLabels } from './labels.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bp-labels-'));
  writeFileSync(
    join(dir, 'push.json'),
    JSON.stringify({ head_commit: { timestamp: '2026-11-20T11:00:00+01:00' } })
  );
  writeFileSync(join(dir, 'dispatch.json'), JSON.stringify({ inputs: {} }));
  writeFileSync(join(dir, 'broken.json'), '{');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = () => new Date('2026-11-22T03:00:00Z');

describe('createdTime', () => {
  it("is the head commit's time, in UTC, so rebuilds of a commit agree", () => {
    expect(createdTime({ GITHUB_EVENT_PATH: join(dir, 'push.json') }, now)).toBe('2026-11-20T10:00:00.000Z');
  });

  it('is the run time without a commit timestamp or a readable payload', () => {
    for (const file of ['dispatch.json', 'broken.json', 'missing.json']) {
      expect(createdTime({ GITHUB_EVENT_PATH: join(dir, file) }, now)).toBe('2026-11-22T03:00:00.000Z');
    }
    expect(createdTime({}, now)).toBe('2026-11-22T03:00:00.000Z');
  });
});

describe('ociLabels', () => {
  const run = {
    repository: 'octo/shop',
    serverUrl: 'https://github.example.com',
    sha: 'abc123'
  } as RunContext;

  it('sets source, revision, created and title from the run; user labels win', () => {
    expect(
      ociLabels(run, '2026-11-20T10:00:00.000Z', 'team/app', [
        { key: 'org.opencontainers.image.title', value: 'Shop' },
        { key: 'team', value: 'pay' }
      ])
    ).toEqual([
      { key: 'org.opencontainers.image.source', value: 'https://github.example.com/octo/shop' },
      { key: 'org.opencontainers.image.revision', value: 'abc123' },
      { key: 'org.opencontainers.image.created', value: '2026-11-20T10:00:00.000Z' },
      { key: 'org.opencontainers.image.title', value: 'Shop' },
      { key: 'team', value: 'pay' }
    ]);
  });

  it('falls back to the repository name for the title outside GitHub', () => {
    const labels = ociLabels({ ...run, repository: '', sha: '' }, 'T', 'team/app', []);
    expect(labels).toEqual([
      { key: 'org.opencontainers.image.created', value: 'T' },
      { key: 'org.opencontainers.image.title', value: 'team/app' }
    ]);
  });
});
