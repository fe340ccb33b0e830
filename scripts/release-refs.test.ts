/**
 * What a release must get right before it moves its major tag: every reference to Dockyard matches it, the versions
 * carry it, its commit is on main and it is above every other release of its major.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkReleaseHistory, checkReleaseRefs, readHistory } from './release-refs.js';
import { root } from './workflows.js';

const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('release references', () => {
  const pkg = JSON.parse(read('package.json')) as { version: string };

  it('this tree matches a release of its own version', () => {
    expect(checkReleaseRefs(`v${pkg.version}`)).toEqual([]);
  });

  function tree(files: Record<string, string>): string {
    const base = mkdtempSync(join(tmpdir(), 'release-'));
    const all = {
      'package.json': JSON.stringify({ version: '1.2.3' }),
      'core/version.ts': "export const VERSION = '1.2.3';\n",
      ...files
    };
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(dirname(join(base, path)), { recursive: true });
      writeFileSync(join(base, path), text);
    }
    return base;
  }
  const step = (uses: string) => `jobs:\n  a:\n    steps:\n      - uses: ${uses}\n`;

  it('passes $/ internal references, the major tag, the release and a SHA pinned with its version', () => {
    const base = tree({
      '.github/workflows/deploy.yml':
        step('$/actions/deploy-ecs') + '      - uses: my-org/dockyard/actions/notify-ses@v1.2.3\n',
      'examples/a.yml': step('my-org/dockyard/.github/workflows/deploy-ecs.yml@v1'),
      'docs/b.md':
        '```yaml\n' +
        step(`my-org/dockyard/.github/workflows/deploy-ecs.yml@${'0'.repeat(40)} # v1.1.0`) +
        '```\n'
    });
    expect(checkReleaseRefs('v1.2.3', base)).toEqual([]);
  });

  it('fails a release whose internal references or examples do not match it', () => {
    const base = tree({
      '.github/workflows/deploy.yml':
        step('my-org/dockyard/actions/deploy-ecs@v1.2.2') + '      - uses: ./actions/notify-ses\n',
      'examples/a.yml': step('my-org/dockyard/.github/workflows/deploy-ecs.yml@v2'),
      'README.md': step(`my-org/dockyard/actions/build-push@${'0'.repeat(40)} # v0.9.0`)
    });
    expect(checkReleaseRefs('v1.2.3', base)).toEqual([
      expect.stringMatching(/^\.github\/workflows\/deploy\.yml:4: .*@v1\.2\.2' is not this release/),
      expect.stringMatching(
        /^\.github\/workflows\/deploy\.yml:5: '\.\/actions\/notify-ses' runs the caller's workspace copy/
      ),
      expect.stringMatching(/^examples\/a\.yml:4: .*@v2' does not match v1\.2\.3/),
      expect.stringMatching(/^README\.md:4: .* # v0\.9\.0 does not match v1\.2\.3/)
    ]);
  });

  it('fails a tag that is not a version, and versions that were not bumped', () => {
    expect(checkReleaseRefs('latest', tree({}))).toEqual([expect.stringContaining('is not a release tag')]);
    expect(checkReleaseRefs('v1.3.0', tree({}))).toEqual([
      'package.json: version 1.2.3 is not 1.3.0',
      "core/version.ts: VERSION is not '1.3.0'"
    ]);
  });
});

describe('release history (release.yml moves the major tag only forward, and only to a commit of main)', () => {
  const tags = ['v1.0.0', 'v1.2.0', 'v1.10.1', 'v2.0.0', 'v1', 'v2', 'v1.3.0-rc.1'];

  it('lets a release on main above every other release of its major through', () => {
    expect(checkReleaseHistory('v1.10.2', { onMain: true, tags: [...tags, 'v1.10.2'] })).toEqual([]);
    expect(checkReleaseHistory('v1.11.0', { onMain: true, tags })).toEqual([]);
    // A major of its own starts anywhere; another major's releases do not count.
    expect(checkReleaseHistory('v3.0.0', { onMain: true, tags })).toEqual([]);
  });

  it('refuses a commit that main does not contain', () => {
    expect(checkReleaseHistory('v1.11.0', { onMain: false, tags })).toEqual([
      expect.stringMatching(/^v1\.11\.0: its commit is not on main\./)
    ]);
  });

  it('refuses a version at or below a release of its major, naming the highest (numbers, not text, compared)', () => {
    expect(checkReleaseHistory('v1.9.0', { onMain: true, tags })).toEqual([
      expect.stringContaining('v1.10.1 is already released')
    ]);
    expect(checkReleaseHistory('v1.2.0', { onMain: true, tags: [...tags, 'v1.02.0'] })).toEqual([
      expect.stringContaining('v1.10.1 is already released')
    ]);
    expect(checkReleaseHistory('v1.2', { onMain: true, tags })).toEqual([
      expect.stringContaining('is not a release tag')
    ]);
  });

  it('reads the tag, its ancestry and the tags from git', () => {
    const repo = mkdtempSync(join(tmpdir(), 'release-git-'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: repo,
        encoding: 'utf8'
      }).trim();
    git('init', '-q', '-b', 'main');
    git('commit', '-q', '--allow-empty', '-m', 'one');
    git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0');
    git('checkout', '-q', '-b', 'side');
    git('commit', '-q', '--allow-empty', '-m', 'not reviewed');
    git('tag', 'v1.0.1');
    git('checkout', '-q', 'main');
    const main = git('rev-parse', 'HEAD');
    expect(readHistory('v1.0.0', 'refs/heads/main', repo)).toEqual({
      commit: main,
      onMain: true,
      tags: ['v1.0.0', 'v1.0.1']
    });
    expect(readHistory('v1.0.1', 'refs/heads/main', repo).onMain).toBe(false);
    expect(() => readHistory('v9.9.9', 'refs/heads/main', repo)).toThrow(/fetch-depth: 0/);
    expect(() => readHistory('v1.0.0', 'refs/remotes/origin/main', repo)).toThrow(
      /refs\/remotes\/origin\/main\^\{commit\} is not in this checkout/
    );
  });
});
