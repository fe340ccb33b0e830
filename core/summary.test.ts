import { describe, expect, it } from '@jest/globals';
import { mdCode, mdEscape, SummaryBuilder } from './summary.js';
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
    expect(md).toContain('a \\| b &lt;script&gt;');
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
    expect(mdEscape('see [docs](https://evil.example) ![x](y)')).toBe(
      'see \\[docs\\](https://evil.example) !\\[x\\](y)'
    );
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
