import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReports, runContext, type Report, type RunContext } from '../../../core/index.js';
import {
  DEFAULT_SUBJECT,
  checkPlaceholders,
  escapeHtml,
  headlineReport,
  mergeRunContext,
  placeholderValues,
  renderEmail,
  renderSubject,
  SUBJECT_PLACEHOLDERS,
  TEMPLATE_PLACEHOLDERS,
  type EmailInput
} from './render.js';

const root = new URL('../../../', import.meta.url).pathname;
const goldenDir = new URL('./golden/', import.meta.url).pathname;

function example(name: string): Report[] {
  return parseReports(readFileSync(join(root, 'examples', 'reports', `${name}.json`), 'utf8'));
}

/** The context a notify job sees: the runner's variables (here none), completed from the reports. */
function emailFor(reports: Report[], extra: Partial<EmailInput> = {}): EmailInput {
  return {
    reports,
    run: mergeRunContext(runContext({}), reports),
    status: 'success',
    environment: 'production',
    subjectTemplate: DEFAULT_SUBJECT,
    ...extra
  };
}

/**
 * Compares with the committed golden file. UPDATE_GOLDEN=1 rewrites it instead (then review the
 * change with `npm run preview-email` and `git diff` before committing).
 */
function expectGolden(name: string, actual: string): void {
  const path = join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(existsSync(path)).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('golden emails', () => {
  it('renders a success email (build-push + deploy-ecs) exactly as reviewed', () => {
    const email = renderEmail(emailFor([...example('build-push'), ...example('deploy-ecs-success')]));
    expect(email.subject).toBe('[SUCCEEDED] octo/app · production · deploy-ecs web');
    expectGolden('success.html', email.html);
    expectGolden('success.txt', email.text);
  });

  it('renders a failure email (a rolled-back deploy-ecs) exactly as reviewed', () => {
    const reports = example('deploy-ecs-failure');
    const email = renderEmail(emailFor(reports, { status: 'failure' }));
    expect(email.subject).toBe('[FAILED] octo/app · production · deploy-ecs web');
    expectGolden('failure.html', email.html);
    expectGolden('failure.txt', email.text);
  });

  it('is deterministic: the same input gives the same bytes', () => {
    const input = emailFor(example('deploy-ecs-failure'), { status: 'failure' });
    expect(renderEmail(input)).toEqual(renderEmail(structuredClone(input)));
  });
});

describe('both bodies carry the same facts', () => {
  const reports = example('deploy-ecs-failure');
  const email = renderEmail(emailFor(reports, { status: 'failure' }));
  const facts = [
    'FAILED',
    'octo/app',
    'production',
    'main',
    'a94a8fe',
    'https://github.com/octo/app/commit/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    'Payments: read the API endpoint from PAYMENTS_API_URL',
    'hubot',
    'push',
    'https://github.com/octo/app/actions/runs/9876543299/attempts/2',
    '8m 25s',
    'ROLLED_BACK',
    'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:43',
    'ecs-svc/5093344556677889900',
    'Stopped task 8f14e45fceea (container web)',
    '2026-11-21T09:17:03Z ERROR config: PAYMENTS_API_URL is not set',
    'the circuit breaker stopped it after 3 tasks failed to start'
  ];
  it.each(facts)('%s', fact => {
    expect(email.html).toContain(escapeHtml(fact));
    expect(email.text).toContain(fact);
  });

  it('links the commit and the run in the HTML', () => {
    expect(email.html).toContain(
      'href="https://github.com/octo/app/commit/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"'
    );
    expect(email.html).toContain('href="https://github.com/octo/app/actions/runs/9876543299/attempts/2"');
  });

  it('has no scripts, no images and no remote resources', () => {
    expect(email.html).not.toMatch(/<script|<img|<link|<iframe|<style|url\(|src=/i);
  });
});

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
  const hostile = `<script>alert(1)</script><img src=x onerror="alert(2)"> Tom & Jerry's "fix" </td></table><a href="https://evil.example">click</a>`;
  const [report] = example('deploy-ecs-failure');
  const evil: Report = {
    ...report,
    subject: '<b>web</b>',
    summary: hostile,
    error: hostile,
    details: [['<i>label</i>', hostile]],
    diagnostics: [{ title: hostile, severity: 'error', lines: [hostile, '</div>'] }],
    run: { ...report.run, commitMessage: `${hostile}\n\nbody ${hostile}` }
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

  it('leaves the plain text as written (it is not HTML)', () => {
    expect(email.text).toContain(hostile);
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

describe('subject template', () => {
  const values = placeholderValues(
    emailFor([...example('build-push'), ...example('deploy-ecs-failure')], { status: 'failure' })
  );

  it('defaults to [STATUS] repository · environment · action subject', () => {
    expect(renderSubject(DEFAULT_SUBJECT, values)).toBe('[FAILED] octo/app · production · deploy-ecs web');
  });

  it('drops a part that comes out empty, such as a missing environment', () => {
    expect(renderSubject(DEFAULT_SUBJECT, { ...values, environment: '' })).toBe(
      '[FAILED] octo/app · deploy-ecs web'
    );
    expect(renderSubject(DEFAULT_SUBJECT, { ...values, environment: '', action: '', subject: '' })).toBe(
      '[FAILED] octo/app'
    );
  });

  it('fills every documented placeholder', () => {
    const template = SUBJECT_PLACEHOLDERS.map(n => `${n}=\${var.${n}}`).join(';');
    expect(renderSubject(template, { ...values, summary: values.summary.slice(0, 20) })).toBe(
      'status=FAILED;repository=octo/app;environment=production;action=deploy-ecs;subject=web;' +
        'summary=The deployment of we;' +
        'ref=main;sha=1f2e3d4;actor=octocat;event=push;workflow=deploy;duration=19h 21m'
    );
  });

  it('keeps custom text, other ${...} and the $${var.NAME} escape around the placeholders', () => {
    expect(
      renderSubject(
        'Deploy ${var.status} (${var.sha} on ${var.ref}) by ${var.actor} ${{x}} $${var.ref}',
        values
      )
    ).toBe('Deploy FAILED (1f2e3d4 on main) by octocat ${{x}} ${var.ref}');
  });

  it('keeps the subject on one line and at most 200 characters', () => {
    const subject = renderSubject('${var.status} ${var.subject}', {
      ...values,
      subject: `line one\r\nline two ${'x'.repeat(300)}`
    });
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.startsWith('FAILED line one line two xxx')).toBe(true);
    expect(subject).toHaveLength(200);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('labels each status', () => {
    const reports = example('deploy-ecs-success');
    const subject = (status: EmailInput['status']) => renderEmail(emailFor(reports, { status })).subject;
    expect(subject('success')).toBe('[SUCCEEDED] octo/app · production · deploy-ecs web');
    expect(subject('cancelled')).toBe('[CANCELLED] octo/app · production · deploy-ecs web');
    expect(subject('skipped')).toBe('[SKIPPED] octo/app · production · deploy-ecs web');
  });

  it('works without reports when the status is given (a job that failed before writing one)', () => {
    const run = mergeRunContext(runContext({}), example('deploy-ecs-success'));
    const email = renderEmail({
      reports: [],
      run,
      status: 'failure',
      environment: 'staging',
      subjectTemplate: DEFAULT_SUBJECT
    });
    expect(email.subject).toBe('[FAILED] octo/app · staging');
    expect(email.text).toContain('FAILED: octo/app');
  });

  it('refuses the placeholders it does not know and the unmarked form, before sending', () => {
    expect(() =>
      checkPlaceholders('${var.status} ${var.branch} ${var.stauts}', SUBJECT_PLACEHOLDERS, 'subject')
    ).toThrow('uses unknown placeholders ${var.branch}, ${var.stauts}.');
    expect(() => checkPlaceholders('[${status}]', SUBJECT_PLACEHOLDERS, 'subject')).toThrow(
      "${status} names a declared value without the 'var.' marker."
    );
    expect(() =>
      checkPlaceholders(
        '$status {status} ${{ job.status }} ${HOME} $${var.x}',
        SUBJECT_PLACEHOLDERS,
        'subject'
      )
    ).not.toThrow();
    // Every name a template may use, underscores included, is known.
    expect(() =>
      checkPlaceholders(
        TEMPLATE_PLACEHOLDERS.map(n => `\${var.${n}}`).join(''),
        TEMPLATE_PLACEHOLDERS,
        'template'
      )
    ).not.toThrow();
  });
});

describe('headline and context', () => {
  const [build] = example('build-push');
  const [deployOk] = example('deploy-ecs-success');
  const [deployBad] = example('deploy-ecs-failure');

  it('names the first failing report on failure, the last report otherwise', () => {
    const failedBuild = { ...build, status: 'failure' as const };
    expect(headlineReport([failedBuild, deployBad], 'failure')).toBe(failedBuild);
    expect(headlineReport([build, deployOk], 'success')).toBe(deployOk);
    // A status override of failure while every report succeeded (a later step failed): the last stage.
    expect(headlineReport([build, deployOk], 'failure')).toBe(deployOk);
    expect(headlineReport([], 'failure')).toBeUndefined();
  });

  it("prefers the notifying job's own run context and fills its blanks from the reports", () => {
    const own = runContext({ GITHUB_REPOSITORY: 'octo/other', GITHUB_RUN_ID: '1', GITHUB_JOB: 'notify' });
    const merged = mergeRunContext(own, [build]);
    expect(merged.repository).toBe('octo/other');
    expect(merged.runId).toBe('1');
    expect(merged.job).toBe('notify');
    expect(merged.sha).toBe(build.run.sha);
    expect(merged.commitMessage).toBe(build.run.commitMessage);
  });
});

describe('custom template', () => {
  it('fills placeholders with escaped values and the built-in blocks', () => {
    const reports = example('deploy-ecs-failure');
    const email = renderEmail(
      emailFor(reports, {
        status: 'failure',
        htmlTemplate:
          '<html><body style="color:${var.color}"><h1>${var.title}</h1><a href="${var.run_url}">run</a> <a href="${var.commit_url}">${var.sha}</a> <a href="${var.repository_url}">${var.repository}</a> ${var.environment} ${var.duration}${var.facts}${var.reports}</body></html>'
      })
    );
    expect(email.html).toContain(
      '<body style="color:#cf222e"><h1>[FAILED] octo/app · production · deploy-ecs web</h1>'
    );
    expect(email.html).toContain(
      '<a href="https://github.com/octo/app/actions/runs/9876543299/attempts/2">run</a>'
    );
    expect(email.html).toContain(
      '<a href="https://github.com/octo/app/commit/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3">a94a8fe</a>'
    );
    expect(email.html).toContain('production 8m 25s<table');
    expect(email.html).toContain('Stopped task 8f14e45fceea (container web)');
    // The plain-text alternative is always the built-in one.
    expect(email.text).toBe(renderEmail(emailFor(reports, { status: 'failure' })).text);
  });
});
