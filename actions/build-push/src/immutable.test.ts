import { describe, expect, it } from '@jest/globals';
import { DockyardError } from '../../../core/index.js';
import { checkKeptTags, matchesFilter, planPush, tagIsImmutable } from './immutable.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const repo = (mutability: string, exclusions: string[] = []) =>
  ({ name: 'team/app', mutability, exclusions }) as {
    name: string;
    mutability: 'IMMUTABLE';
    exclusions: string[];
  };

describe('tag mutability', () => {
  it('matches ECR wildcard filters', () => {
    expect(matchesFilter('release-1.2', 'release-*')).toBe(true);
    expect(matchesFilter('latest', 'latest')).toBe(true);
    expect(matchesFilter('latest2', 'latest')).toBe(false);
    expect(matchesFilter('v1x2', 'v1.2')).toBe(false);
  });

  it('knows which tags ECR refuses to move', () => {
    expect(tagIsImmutable(repo('IMMUTABLE'), 'x')).toBe(true);
    expect(tagIsImmutable(repo('MUTABLE'), 'x')).toBe(false);
    expect(tagIsImmutable(repo('IMMUTABLE_WITH_EXCLUSION', ['buildcache', 'main']), 'main')).toBe(false);
    expect(tagIsImmutable(repo('IMMUTABLE_WITH_EXCLUSION', ['buildcache']), 'sha-1')).toBe(true);
    expect(tagIsImmutable(repo('MUTABLE_WITH_EXCLUSION', ['v*']), 'v1')).toBe(true);
    expect(tagIsImmutable(repo('MUTABLE_WITH_EXCLUSION', ['v*']), 'main')).toBe(false);
  });
});

describe('planPush', () => {
  it('keeps existing immutable tags out of the push', () => {
    const plan = planPush(repo('IMMUTABLE'), ['sha-1', 'v1'], new Map([['v1', D1]]));
    expect(plan.push).toEqual(['sha-1']);
    expect([...plan.kept]).toEqual([['v1', D1]]);
  });

  it('pushes existing tags of a mutable repository again', () => {
    const plan = planPush(repo('MUTABLE'), ['sha-1', 'main'], new Map([['main', D1]]));
    expect(plan.push).toEqual(['sha-1', 'main']);
    expect(plan.kept.size).toBe(0);
  });
});

describe('checkKeptTags', () => {
  it('succeeds when the existing tag holds the same digest', () => {
    expect(() => checkKeptTags(repo('IMMUTABLE'), new Map([['v1', D1]]), D1)).not.toThrow();
  });

  it('fails naming the tag, both digests and the ways out', () => {
    let error: unknown;
    try {
      checkKeptTags(repo('IMMUTABLE'), new Map([['v1', D1]]), D2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DockyardError);
    const text = (error as DockyardError).describe();
    expect((error as DockyardError).input).toBe('tags');
    expect(text).toContain(`'v1' (points to ${D1})`);
    expect(text).toContain(`(${D2})`);
    expect(text).toMatch(/per-commit tag/);
    expect(text).toMatch(/MUTABLE, or to IMMUTABLE_WITH_EXCLUSION with 'v1' as exclusions/);
  });

  it('can compare by another measure (the image ID for the classic builder)', () => {
    expect(() => checkKeptTags(repo('IMMUTABLE'), new Map([['v1', D1]]), D1, () => false)).toThrow(
      /another image/
    );
    expect(() => checkKeptTags(repo('IMMUTABLE'), new Map([['v1', D1]]), D2, () => true)).not.toThrow();
  });
});
