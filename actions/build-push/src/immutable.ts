import { DockyardError } from '../../../core/index.js';
import type { RepositoryInfo } from './ecr.js';

/** ECR's wildcard filters: `*` matches any run of characters, everything else is literal. */
export function matchesFilter(tag: string, filter: string): boolean {
  const re = new RegExp(
    `^${filter
      .split('*')
      .map(s => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*')}$`
  );
  return re.test(tag);
}

/** Whether ECR refuses to move `tag` in this repository. */
export function tagIsImmutable(
  repo: Pick<RepositoryInfo, 'mutability' | 'exclusions'>,
  tag: string
): boolean {
  const excluded = repo.exclusions.some(f => matchesFilter(tag, f));
  switch (repo.mutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded;
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded;
    default:
      return false;
  }
}

export interface PushPlan {
  /** Tags to push (new tags, and existing tags that may move). */
  push: string[];
  /** Immutable tags that already exist, with their digest: not pushed (ECR would refuse), compared after the build. */
  kept: Map<string, string>;
}

export function planPush(
  repo: Pick<RepositoryInfo, 'mutability' | 'exclusions'>,
  tags: string[],
  existing: Map<string, string>
): PushPlan {
  const push: string[] = [];
  const kept = new Map<string, string>();
  for (const tag of tags) {
    const digest = existing.get(tag);
    if (digest !== undefined && tagIsImmutable(repo, tag)) kept.set(tag, digest);
    else push.push(tag);
  }
  return { push, kept };
}

/**
 * Existing immutable tags must already point at what was built: same digest is success, another digest
 * fails naming the tag and the ways out. `same` compares one kept tag with the build.
 */
export function checkKeptTags(
  repo: Pick<RepositoryInfo, 'name' | 'mutability'>,
  kept: Map<string, string>,
  built: string,
  same: (tag: string, digest: string) => boolean = (_tag, digest) => digest === built
): void {
  const moved = [...kept].filter(([tag, digest]) => !same(tag, digest));
  if (moved.length === 0) return;
  const list = moved.map(([tag, digest]) => `'${tag}' (points to ${digest})`).join(', ');
  const tags = moved.map(([tag]) => tag);
  throw new DockyardError(
    `${moved.length === 1 ? 'Tag' : 'Tags'} ${list} already ${moved.length === 1 ? 'exists' : 'exist'} in the ${repo.mutability} repository '${repo.name}' with another image than this build (${built}); ECR will not move ${moved.length === 1 ? 'it' : 'them'}.`,
    {
      input: 'tags',
      hint:
        `Ways out: tag each build with a per-commit tag (the default sha-<7> tag) instead of ${tags.map(t => `'${t}'`).join(', ')}; ` +
        `or, for tags that are meant to move, set the repository's tag mutability to MUTABLE, or to IMMUTABLE_WITH_EXCLUSION with ` +
        `${tags.map(t => `'${t}'`).join(', ')} as exclusions (aws ecr put-image-tag-mutability).`
    }
  );
}
