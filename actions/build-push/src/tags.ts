import { shortSha, type RunContext } from '../../../core/index.js';

/** Turns a git ref name into a valid docker tag: `feature/login` → `feature-login`, `v1.2+3` → `v1.2-3`. */
export function sanitizeTag(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

export interface TagPlan {
  /** Every tag, first the primary one (the per-commit `sha-<7>` when there is a commit). */
  tags: string[];
  /** Where each tag came from, for the log. */
  sources: Record<string, 'commit' | 'git tag' | 'branch' | 'input'>;
}

/**
 * The tags an image gets: `sha-<7>` for the commit, the git tag name when the run is for a tag, the branch
 * name only when asked (it moves with every commit), then the extra tags. Duplicates are dropped.
 */
export function computeTags(run: RunContext, options: { extra: string[]; branchTag: boolean }): TagPlan {
  const tags: string[] = [];
  const sources: TagPlan['sources'] = {};
  const add = (tag: string, source: TagPlan['sources'][string]) => {
    if (tag !== '' && !tags.includes(tag)) {
      tags.push(tag);
      sources[tag] = source;
    }
  };
  if (/^[0-9a-f]{7,40}$/i.test(run.sha)) add(`sha-${shortSha(run.sha.toLowerCase())}`, 'commit');
  if (run.refType === 'tag' && run.refName) add(sanitizeTag(run.refName), 'git tag');
  // On pull_request events the ref is `<n>/merge`; the branch is the pull request's head.
  const branch = run.headRef || run.refName;
  if (options.branchTag && run.refType === 'branch' && branch) add(sanitizeTag(branch), 'branch');
  for (const tag of options.extra) add(tag, 'input');
  return { tags, sources };
}
