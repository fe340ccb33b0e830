import { describe, expect, it } from '@jest/globals';
import { computeTags, sanitizeTag } from './tags.js';
import { runContextFor } from './testing/fixtures.js';

const run = runContextFor;

describe('computeTags', () => {
  it('tags a branch build with the short commit only', () => {
    expect(computeTags(run({}), { extra: [], branchTag: false })).toEqual({
      tags: ['sha-0123456'],
      sources: { 'sha-0123456': 'commit' }
    });
  });

  it('adds the git tag name for a tag run', () => {
    const plan = computeTags(run({ ref: 'refs/tags/v1.2.0', refName: 'v1.2.0', refType: 'tag' }), {
      extra: [],
      branchTag: true
    });
    expect(plan.tags).toEqual(['sha-0123456', 'v1.2.0']);
    expect(plan.sources['v1.2.0']).toBe('git tag');
  });

  it("tags a pull request's branch by its head, not by the `<n>/merge` ref", () => {
    const r = run({
      eventName: 'pull_request',
      ref: 'refs/pull/123/merge',
      refName: '123/merge',
      headRef: 'feature/x'
    });
    expect(computeTags(r, { extra: [], branchTag: true }).tags).toEqual(['sha-0123456', 'feature-x']);
  });

  it('adds the branch name only when asked, made a valid tag', () => {
    const r = run({ refName: 'feature/login', ref: 'refs/heads/feature/login' });
    expect(computeTags(r, { extra: [], branchTag: false }).tags).toEqual(['sha-0123456']);
    expect(computeTags(r, { extra: [], branchTag: true }).tags).toEqual(['sha-0123456', 'feature-login']);
  });

  it('appends extra tags in order without duplicates', () => {
    expect(
      computeTags(run({}), { extra: ['latest', 'sha-0123456', 'latest', 'stable'], branchTag: true }).tags
    ).toEqual(['sha-0123456', 'main', 'latest', 'stable']);
  });

  it('has only the extra tags when there is no commit', () => {
    expect(
      computeTags(run({ sha: '', refType: '', refName: '' }), { extra: ['dev'], branchTag: true }).tags
    ).toEqual(['dev']);
    expect(computeTags(run({ sha: '' }), { extra: [], branchTag: false }).tags).toEqual([]);
  });

  it('lower-cases the SHA', () => {
    expect(computeTags(run({ sha: 'ABCDEF0123' }), { extra: [], branchTag: false }).tags).toEqual([
      'sha-abcdef0'
    ]);
  });
});

describe('sanitizeTag', () => {
  it('replaces characters docker tags do not allow and trims leading separators', () => {
    expect(sanitizeTag('v1.0.0+build.5')).toBe('v1.0.0-build.5');
    expect(sanitizeTag('.hidden')).toBe('hidden');
    expect(sanitizeTag('x'.repeat(200))).toHaveLength(128);
  });
});
