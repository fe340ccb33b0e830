import { describe, expect, it } from '@jest/globals';
import { runContext, type Report, type RunContext } from '../../../core/index.js';
import { mergeRunContext, type EmailInput } from './facts.js';
import { renderEmail } from './render.js';
import { HOSTILE, LONG_TOKEN, emailFor, example, longReport } from './testing/fixtures.js';

/** Every element name in the HTML. */
function tags(html: string): Set<string> {
  return new Set([...html.matchAll(/<\/?([A-Za-z!][A-Za-z0-9]*)/g)].map(m => m[1].toLowerCase()));
}
const LAYOUT_TAGS = [
  '!doctype',
  'html',
  'head',
  'meta',
  'title',
  'body',
  'div',
  'table',
  'tr',
  'td',
  'a',
  'span'
];

describe('HTML escaping', () => {
  const [report] = example('deploy-ecs-failure');
  const evil: Report = {
    ...report,
    subject: '<b>web</b>',
    summary: HOSTILE,
    error: HOSTILE,
    details: [['<i>label</i>', HOSTILE]],
    diagnostics: [{ title: HOSTILE, severity: 'error', lines: [HOSTILE, '</div>'] }],
    run: { ...report.run, commitMessage: `${HOSTILE}\n\nbody ${HOSTILE}` }
  };
  const run: RunContext = {
    ...mergeRunContext(runContext({}), [evil]),
    repository: 'octo/<app>',
    refName: '"><script>x</script>',
    actor: '<svg onload=alert(3)>',
    serverUrl: 'javascript:alert(4)//'
  };
  const input: EmailInput = { ...emailFor([evil], { status: 'failure' }), run, environment: '<prod>' };
  const email = renderEmail(input);

  it('escapes a hostile commit message, and everything else from the repository, its commits and the reports', () => {
    expect(email.html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt; Tom &amp; Jerry&#39;s &quot;fix&quot; &lt;/td&gt;&lt;/table&gt;&lt;a href=&quot;https://evil.example&quot;&gt;click&lt;/a&gt;'
    );
    expect([...tags(email.html)].filter(t => !LAYOUT_TAGS.includes(t))).toEqual([]);
    expect(email.html).not.toContain('evil.example">');
    expect(email.html).toContain('octo/&lt;app&gt;');
    expect(email.html).toContain('&lt;prod&gt;');
    expect(email.html).toContain('&lt;svg onload=alert(3)&gt;');
  });

  it('never makes a link out of a non-http URL', () => {
    expect(email.html).not.toMatch(/href="javascript/i);
    expect(email.html).not.toContain('href="&quot;');
    expect([...email.html.matchAll(/href="([^"]*)"/g)].map(m => m[1])).toEqual([]);
  });

  it('escapes the values a custom template receives', () => {
    const custom = renderEmail({
      ...input,
      htmlTemplate:
        '<p>${var.commit_message}</p><p>${var.repository} ${var.ref} ${var.summary} ${var.title}</p>${var.reports}'
    });
    expect(custom.html.startsWith('<p>&lt;script&gt;alert(1)&lt;/script&gt;')).toBe(true);
    expect([...tags(custom.html)].filter(t => ![...LAYOUT_TAGS, 'p'].includes(t))).toEqual([]);
  });
});

interface TextRun {
  text: string;
  /** The style of each open element, outermost first. */
  styles: string[];
}

/** The text of the HTML with the styles it sits in; our own markup, so a tag at a time is enough to read it. */
function textRuns(html: string): TextRun[] {
  const open: { name: string; style: string }[] = [];
  const runs: TextRun[] = [];
  for (const m of html.matchAll(/<(\/?)([A-Za-z!][A-Za-z0-9]*)([^>]*)>|([^<]+)/g)) {
    const [, closing, name, attributes, text] = m;
    if (text !== undefined) runs.push({ text, styles: open.map(e => e.style) });
    else if (closing) open.splice(open.map(e => e.name).lastIndexOf(name.toLowerCase()));
    else if (!['meta', '!doctype', 'br'].includes(name.toLowerCase()))
      open.push({ name: name.toLowerCase(), style: /style="([^"]*)"/.exec(attributes)?.[1] ?? '' });
  }
  return runs;
}

/** A word longer than this is wider than a phone's screen in some font: it must be allowed to break. */
const LONG_WORD = 40;

describe('long words wrap inside the card', () => {
  const email = renderEmail(emailFor([...example('build-push'), longReport()], { status: 'failure' }));
  const visible = textRuns(email.html).filter(
    r => !r.styles.some(s => s.includes('display:none')) && !email.html.includes(`<title>${r.text}</title>`)
  );
  const longWords = visible.flatMap(r =>
    r.text
      .split(/\s+/)
      .filter(word => word.length > LONG_WORD)
      .map(word => ({ word, styles: r.styles }))
  );

  it('is checked on every text a report carries: title, summary, error, facts, labels, log lines, commit', () => {
    const checked = longWords.map(w => w.word).join('\n');
    for (const part of [
      `web-${LONG_TOKEN.slice(0, 100)}`,
      `web@${LONG_TOKEN}`,
      `Label-${LONG_TOKEN.slice(0, 30)}`,
      `value-${LONG_TOKEN}`,
      'task-definition/a-very-long-family-name',
      '.gr7.eu-west-1.eks.amazonaws.com',
      '{&quot;level&quot;:&quot;error&quot;'
    ])
      expect(checked).toContain(part);
  });

  it('puts every long word in an element that may break it', () => {
    const unbreakable = longWords.filter(
      w => !w.styles.some(s => /overflow-wrap:anywhere|word-break:break-all/.test(s))
    );
    expect(unbreakable.map(w => w.word.slice(0, 60))).toEqual([]);
  });

  it('keeps short labels on one line, and lets a long one wrap', () => {
    expect(email.html).toMatch(/width="1%" style="white-space:nowrap;[^"]*">Previous task definition</);
    expect(email.html).not.toMatch(/white-space:nowrap;[^"]*">Label-/);
  });
});
