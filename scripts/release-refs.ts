/**
 * Checks, for a release tag, that every reference Dockyard makes to itself matches that release:
 *
 *   npx tsx scripts/release-refs.ts v1.2.3
 *
 * - In .github/workflows, our own actions and workflows are referenced as `$/<path>`, which GitHub resolves to the
 *   commit the caller pinned (tag, branch or SHA): nothing to rewrite at release time, and nothing can drift. A
 *   `<owner>/dockyard/...@<ref>` there must name this release (`@v1.2.3`) or its major tag (`@v1`), and `./<path>` is
 *   refused (it would run whatever the caller's workspace holds).
 * - In examples/, README.md and docs/, what people copy names the major tag (`@v1`), the release (`@v1.2.3`), or a
 *   full commit SHA with the version in a comment (`@<sha> # v1.2.3`, which Dependabot keeps current) of the same major.
 * - package.json and core/version.ts carry the release's version.
 *
 * The release workflow (.github/workflows/release.yml) runs it before it moves the major tag.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { docFiles, filesUnder, root } from './workflows.js';

const USES = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(?:#\s*(\S+))?/;

/** Every `uses:` line of a text, with its line number and trailing comment. */
function usesLines(text: string): { line: number; uses: string; comment?: string }[] {
  return text.split('\n').flatMap((l, i) => {
    const m = USES.exec(l);
    return m ? [{ line: i + 1, uses: m[1], comment: m[2] }] : [];
  });
}

const OWN = /^(\$\/|\.\/|[^/\s]+\/dockyard\/)/;

/** The problems of a release, one line each; empty when every reference matches `tag`. */
export function checkReleaseRefs(tag: string, base = root): string[] {
  const version = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!version) return [`'${tag}' is not a release tag: use vMAJOR.MINOR.PATCH, such as v1.2.3`];
  const major = `v${version[1]}`;
  const problems: string[] = [];

  for (const file of filesUnder('.github/workflows', /\.ya?ml$/, base)) {
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

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const tag = process.argv[2] ?? '';
  const problems = checkReleaseRefs(tag);
  for (const p of problems) console.log(p);
  console.log(
    problems.length
      ? `release ${tag}: ${problems.length} problem(s)`
      : `release ${tag}: every reference matches`
  );
  process.exit(problems.length ? 1 : 0);
}
