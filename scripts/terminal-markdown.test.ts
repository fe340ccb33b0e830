import { describe, expect, it } from '@jest/globals';
import { SummaryBuilder, mdCode, mdEscape } from '../core/summary.js';
import { htmlToText, plainInline, renderForTerminal } from './terminal-markdown.js';

describe('renderForTerminal', () => {
  it('renders what SummaryBuilder writes: headings, facts, tables, lists, code and details', () => {
    const markdown = new SummaryBuilder()
      .heading('deploy-ecs: ROLLED_BACK')
      .facts([
        ['Service', mdCode('dockyard-demo/hello')],
        ['Reason', mdEscape('exit 1 | <boom> & more')],
        ['Skipped', undefined]
      ])
      .table(
        ['Task', 'Stopped reason'],
        [
          [mdCode('0a1b'), 'Essential container in task exited'],
          [mdCode('2c3d4e5f'), 'exit code 1']
        ]
      )
      .list(['one **bold** thing', 'a [link](https://example.com/x)'])
      .details('Last log lines of `hello`', '```\nline 1\nline 2\n```')
      .toString();
    expect(renderForTerminal(markdown)).toBe(
      [
        'deploy-ecs: ROLLED_BACK',
        '═══════════════════════',
        '',
        '  Service  dockyard-demo/hello',
        '  Reason   exit 1 | <boom> & more',
        '',
        '  Task      Stopped reason',
        '  0a1b      Essential container in task exited',
        '  2c3d4e5f  exit code 1',
        '',
        '  • one bold thing',
        '  • a link (https://example.com/x)',
        '',
        '▸ Last log lines of `hello`',
        '',
        '    line 1',
        '    line 2'
      ].join('\n')
    );
  });

  it('makes headings and table headers bold only when asked', () => {
    const markdown = '### Steps\n\n| A | B |\n| --- | --- |\n| 1 | 2 |\n';
    expect(renderForTerminal(markdown, { color: true })).toBe(
      '\x1b[1mSteps\x1b[22m\n─────\n\n  \x1b[1mA  B\x1b[22m\n  1  2'
    );
    expect(renderForTerminal(markdown)).not.toContain('\x1b');
  });

  it('drops inline markup and the entities mdEscape writes', () => {
    expect(plainInline('**a** `b|c` [d](https://e) &lt;f&gt; &amp; g\\|h')).toBe(
      'a b|c d (https://e) <f> & g|h'
    );
    expect(plainInline('``a`b``')).toBe('a`b');
  });
});

describe('htmlToText', () => {
  it('keeps the text of an email: headings and rows on lines, links with their URL, entities decoded', () => {
    const html =
      '<html><head><style>h1{color:red}</style></head><body><div style="display:none">preheader</div>\n' +
      '<h1>FAILED   deploy-ecs\n hello</h1>' +
      '<p>Fix &lt;it&gt; &amp; ship</p><a href="https://github.com/o/r/actions/runs/1">View the run</a>' +
      '<table><tr><td>Status</td><td>ROLLED_BACK</td></tr><tr><td>Image</td><td>hello:crash</td></tr></table>' +
      '<ul><li>one</li><li>two</li></ul><pre>  kept\n    as is</pre>' +
      '<div style="font-family:monospace;white-space:pre-wrap;">log line 1\nlog line 2</div></body></html>';
    expect(htmlToText(html)).toBe(
      [
        'FAILED deploy-ecs hello',
        'Fix <it> & ship',
        'View the run (https://github.com/o/r/actions/runs/1)',
        'Status  ROLLED_BACK',
        'Image  hello:crash',
        '  • one',
        '  • two',
        '  kept',
        '    as is',
        'log line 1',
        'log line 2'
      ].join('\n')
    );
  });
});
