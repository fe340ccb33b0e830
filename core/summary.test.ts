import { describe, expect, it } from '@jest/globals';
import { mdCode, mdEscape, mdPlain, SummaryBuilder } from './summary.js';
import { commitUrl, runContext, runUrl } from './github.js';

describe('summary builder', () => {
  it('escapes what it is given and leaves out empty facts', () => {
    const md = new SummaryBuilder()
      .heading('Deploy <web>')
      .facts([
        ['Image', mdCode('repo:tag|x')],
        ['Skipped', undefined],
        ['Note', mdEscape('a | b <script>')]
      ])
      .toString();
    expect(md).toContain('## Deploy &lt;web&gt;');
    expect(md).toContain('| **Image** | `repo:tag\\|x` |');
    expect(md).not.toContain('Skipped');
    expect(md).toContain('a &#124; b &lt;script&gt;');
  });

  it('builds tables, lists, code and details', () => {
    const md = new SummaryBuilder()
      .table(['a', 'b'], [['1', '2']])
      .table(['empty'], [])
      .list(['x'])
      .code('line ``` inside')
      .details('More', 'body')
      .toString();
    expect(md).toBe(
      '| a | b |\n| --- | --- |\n| 1 | 2 |\n\n- x\n\n````\nline ``` inside\n````\n\n<details><summary>More</summary>\n\nbody\n\n</details>\n'
    );
  });

  it.each([
    ['no backticks', 'plain', '```'],
    ['a three-backtick fence', 'a\n```\nb', '````'],
    ['a tilde fence and a longer run', '~~~~\n`````js', '``````']
  ])('fences code with %s so that it cannot close the block', (_name, text, fence) => {
    const block = new SummaryBuilder().detailsCode('Log', text.split('\n')).toString();
    expect(block).toBe(`<details><summary>Log</summary>\n\n${fence}\n${text}\n${fence}\n\n</details>\n`);
  });

  it("leaves terminal colours out of code (docker reddens a build steps' stderr; apps colour their logs)", () => {
    const block = new SummaryBuilder()
      .detailsCode('Log', ['\x1b[91mwarn: slow\x1b[0m', '\x1b[0mnpm ERR! missing script'])
      .toString();
    expect(block).toContain('\nwarn: slow\nnpm ERR! missing script\n');
    expect(mdCode('\x1b[1mbold\x1b[22m')).toBe('`bold`');
  });

  it('writes sections and diagnostics only when there is something to show; diagnostics are code', () => {
    const md = new SummaryBuilder()
      .section('Warnings', [])
      .diagnostics([])
      .section('Warnings', ['a', 'b'])
      .diagnostics([{ title: 'Task 1 stopped', severity: 'error', lines: ['::set-output name=x::y', '```'] }])
      .toString();
    expect(md).toBe(
      '### Warnings\n\n- a\n- b\n\n### Diagnostics\n\n<details><summary>Task 1 stopped</summary>\n\n````\n::set-output name=x::y\n```\n````\n\n</details>\n'
    );
  });

  it('leaves out whole parts beyond the size GitHub takes, and says so', () => {
    const s = new SummaryBuilder()
      .heading('Deploy')
      .paragraph('x'.repeat(600))
      .detailsCode('Log', ['y'.repeat(600)]);
    expect(s.toString()).not.toContain('left out');
    const cut = s.toString(1000);
    expect(cut).toContain('## Deploy');
    expect(cut).toContain('x'.repeat(600));
    expect(cut).not.toContain('<details>');
    expect(cut).toContain('_1 more part of this summary left out');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1000);
  });

  it('keeps inline code closed and links inert', () => {
    expect(mdCode('a ``b`` c')).toBe('```a ``b`` c```');
    expect(mdCode('`x`')).toBe('`` `x` ``');
  });
});

/** What GitHub would read as Markdown in escaped text: each pattern names the construct it would start. */
const LIVE = {
  html: /</,
  entity: /&/,
  punctuation: /[\\`*_~#|![\]$]/,
  url: /[a-z]:\/\//i,
  www: /www\./i,
  email: /[\w.+-]@[\w-]/,
  emoji: /:[\w+-]+:/
};

describe('mdEscape: text from apps and clusters renders as the same characters, and as nothing else', () => {
  it.each([
    ['a bare URL', 'see https://evil.example/x?y=1 now'],
    ['a www name', 'visit www.evil.example or WWW.EVIL.EXAMPLE'],
    ['an e-mail address and a mention', 'mail ops@evil.example, ping @octocat'],
    ['an emoji code and a scheme', ':rocket: mailto:x@y.z ftp://a.b'],
    ['emphasis and strikethrough', '*bold* _it_ **b** __b__ ~~gone~~'],
    ['inline code', 'run `rm -rf /` or ``x``'],
    ['HTML', '<img src=x onerror=alert(1)> <script>x</script> &lt; &amp;'],
    ['a heading', '# Deploy succeeded'],
    ['a table', 'a | b |\n|---|---|'],
    ['a link and an image', 'see [docs](https://evil.example) ![x](https://evil.example/p.png)'],
    ['a footnote and math', 'x[^1] $\\sqrt{2}$'],
    ['a backslash escape', '\\*not emphasis\\* C:\\path'],
    ['a list item', '- item'],
    ['an ordered list item', '12. item'],
    ['a quote', '> quoted'],
    ['indented code', '    code'],
    ['a setext underline', '==='],
    ['a thematic break', '- - -'],
    ['an emoji code of digits', 'well done :100:']
  ])('%s', (_, text) => {
    const md = mdEscape(text);
    // What is left for Markdown to read once the character references are set aside.
    const bare = md.replace(/&(amp|lt|gt|#\d+);/g, ' ');
    for (const [construct, pattern] of Object.entries(LIVE))
      expect([construct, pattern.test(bare)]).toEqual([construct, false]);
    // A block marker at the start (list, quote, setext underline, indented code) is a reference, or not there.
    expect(md).not.toMatch(/^( {0,3}([-+=>]|\d+[.)])| {4})/);
    expect(mdPlain(md)).toBe(text.replace(/\n/g, ' '));
  });

  it.each([
    'app exited with code 1 (OutOfMemoryError) in 2.5 s',
    'ROLLED_BACK: DATABASE_URL is not set',
    '+API_KEY -DEBUG 2.5 s',
    'web: pulled 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:4f1c0b9e at 12:30:05'
  ])('leaves ordinary text as it is: %j', text => {
    expect(mdEscape(text)).toBe(text);
  });
});

describe('run context links', () => {
  it('links the commit and the run attempt', () => {
    const ctx = runContext({
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_SHA: 'abc123',
      GITHUB_RUN_ID: '99',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_SERVER_URL: 'https://github.example.com/'
    });
    expect(commitUrl(ctx)).toBe('https://github.example.com/octo/app/commit/abc123');
    expect(runUrl(ctx)).toBe('https://github.example.com/octo/app/actions/runs/99/attempts/2');
    expect(runUrl(runContext({}))).toBeUndefined();
  });
});
