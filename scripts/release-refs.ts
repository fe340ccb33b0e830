/**
 * Checks, for a release tag, that every reference Dockyard makes to itself matches that release:
 *
 *   npx tsx scripts/release-refs.ts v1.2.3            # the references and versions in this tree
 *   npx tsx scripts/release-refs.ts v1.2.3 --history  # and, from git: the tag's commit is on origin/main, and the
 *                                                     # release is newer than every other release of its major
 *
 * - In .github/workflows and .github/actions, our own actions and workflows are referenced as `$/<path>`, which GitHub resolves to the
 *   commit the caller pinned (tag, branch or SHA): nothing to rewrite at release time, and nothing can drift. A
 *   `<owner>/dockyard/...@<ref>` there must name this release (`@v1.2.3`) or its major tag (`@v1`), and `./<path>` is
 *   refused (it would run whatever the caller's workspace holds).
 * - In examples/, README.md and docs/, what people copy names the major tag (`@v1`), the release (`@v1.2.3`), or a
 *   full commit SHA with the version in a comment (`@<sha> # v1.2.3`, which Dependabot keeps current) of the same major.
 * - package.json and core/version.ts carry the release's version.
 *
 * - With --history: moving the major tag (`v1`) hands the release to every caller of `@v1`, so only a commit that
 *   main contains (reviewed, not one pushed to a side branch or present only in a fork's pull request) and only a
 *   version above every other `v1.x.y` may take it. The tag's commit is written to $GITHUB_OUTPUT as `commit`.
 *
 * The release workflow (.github/workflows/release.yml) runs it before it moves the major tag.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { actionFiles, docFiles, filesUnder, root, usesLines } from './workflows.js';

const OWN = /^(\$\/|\.\/|[^/\s]+\/dockyard\/)/;

const RELEASE = /^v(\d+)\.(\d+)\.(\d+)$/;

/** A release tag's numbers, or undefined for anything else. */
function versionOf(tag: string): [number, number, number] | undefined {
  const m = RELEASE.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

const NOT_A_RELEASE = (tag: string) =>
  `'${tag}' is not a release tag: use vMAJOR.MINOR.PATCH, such as v1.2.3`;

/** The problems of a release, one line each; empty when every reference matches `tag`. */
export function checkReleaseRefs(tag: string, base = root): string[] {
  const version = versionOf(tag);
  if (!version) return [NOT_A_RELEASE(tag)];
  const major = `v${version[0]}`;
  const problems: string[] = [];

  for (const file of [...filesUnder('.github/workflows', /\.ya?ml$/, base), ...actionFiles(base)]) {
    for (const { line, uses } of usesLines(readFileSync(join(base, file), 'utf8'))) {
      if (!OWN.test(uses) || uses.startsWith('$/')) continue;
      if (uses.startsWith('./')) {
        problems.push(
          `${file}:${line}: '${uses}' runs the caller's workspace copy; use '$/${uses.slice(2)}'`
        );
        continue;
      }
      const ref = uses.split('@')[1];
      if (ref !== major && ref !== tag) {
        problems.push(
          `${file}:${line}: '${uses}' is not this release (${tag}); use '$/' for our own actions and workflows`
        );
      }
    }
  }

  const copied = [...filesUnder('examples', /\.ya?ml$/, base), ...docFiles(base)];
  for (const file of copied) {
    for (const { line, uses, comment } of usesLines(readFileSync(join(base, file), 'utf8'))) {
      if (!OWN.test(uses) || uses.startsWith('$/') || uses.startsWith('./')) continue;
      const ref = uses.split('@')[1] ?? '';
      const sameMajor = (v: string | undefined) =>
        v !== undefined && (v === major || v.startsWith(`${major}.`));
      const ok = ref === major || ref === tag || (/^[0-9a-f]{40}$/.test(ref) && sameMajor(comment));
      if (!ok) {
        problems.push(
          `${file}:${line}: '${uses}'${comment ? ` # ${comment}` : ''} does not match ${tag}: name @${major}, @${tag}, or a full SHA with '# ${major}.x.y'`
        );
      }
    }
  }

  const pkg = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')) as { version?: string };
  if (pkg.version !== tag.slice(1))
    problems.push(`package.json: version ${pkg.version} is not ${tag.slice(1)}`);
  const core = existsSync(join(base, 'core/version.ts'))
    ? readFileSync(join(base, 'core/version.ts'), 'utf8')
    : '';
  if (!core.includes(`'${tag.slice(1)}'`)) problems.push(`core/version.ts: VERSION is not '${tag.slice(1)}'`);
  return problems;
}

/** Where a release tag stands in the repository's history. */
export interface ReleaseHistory {
  /** The tag's commit is an ancestor of (or is) the main branch. */
  onMain: boolean;
  /** Every tag of the repository. */
  tags: string[];
}

/**
 * What stops `tag` from taking its major tag: a commit main does not contain, or a version that is not above every
 * other release of the same major (the major tag would go backwards, or two tags would claim one version).
 */
export function checkReleaseHistory(tag: string, history: ReleaseHistory): string[] {
  const version = versionOf(tag);
  if (!version) return [NOT_A_RELEASE(tag)];
  const problems: string[] = [];
  if (!history.onMain)
    problems.push(
      `${tag}: its commit is not on main. Merge the change into main first, then tag a commit of main.`
    );
  const compare = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const notBelow = history.tags
    .filter(t => t !== tag)
    .flatMap(t => {
      const v = versionOf(t);
      return v && v[0] === version[0] && compare(v, version) >= 0 ? [{ t, v }] : [];
    })
    .sort((a, b) => compare(b.v, a.v));
  if (notBelow.length > 0)
    problems.push(
      `${tag}: ${notBelow[0].t} is already released, so v${version[0]} would not move forward. Tag a version above ${notBelow[0].t}.`
    );
  return problems;
}

/**
 * The tag's commit and its history, read from git in `cwd` (a checkout with every tag and `mainRef`, such as
 * actions/checkout with `fetch-depth: 0`). Throws, saying what is missing, when the tag or `mainRef` is not there.
 */
export function readHistory(tag: string, mainRef: string, cwd = root): ReleaseHistory & { commit: string } {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const found = (ref: string) => {
    try {
      return git('rev-parse', '--verify', '--quiet', ref);
    } catch {
      throw new Error(
        `${ref} is not in this checkout: fetch every tag and branch (actions/checkout fetch-depth: 0).`
      );
    }
  };
  const commit = found(`refs/tags/${tag}^{commit}`);
  const main = found(`${mainRef}^{commit}`);
  let onMain = true;
  try {
    git('merge-base', '--is-ancestor', commit, main);
  } catch (error) {
    if ((error as { status?: number }).status !== 1) throw error;
    onMain = false;
  }
  return { commit, onMain, tags: git('tag', '--list').split('\n').filter(Boolean) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [tag = '', ...flags] = process.argv.slice(2);
  const history = flags.includes('--history');
  const problems = checkReleaseRefs(tag);
  if (history && versionOf(tag)) {
    try {
      const found = readHistory(tag, 'refs/remotes/origin/main');
      problems.push(...checkReleaseHistory(tag, found));
      if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `commit=${found.commit}\n`);
    } catch (error) {
      problems.push(`${tag}: ${(error as Error).message}`);
    }
  }
  for (const p of problems) console.log(p);
  const checked = history
    ? 'every reference matches, on main, above every release of its major'
    : 'every reference matches';
  console.log(
    problems.length ? `release ${tag}: ${problems.length} problem(s)` : `release ${tag}: ${checked}`
  );
  process.exit(problems.length ? 1 : 0);
}
