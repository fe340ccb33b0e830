import { describe, expect, it } from '@jest/globals';
import { DockyardError, REPORT_SHORTENED, validateReport } from '../../../core/index.js';
import type { Inputs } from './inputs.js';
import { renderEmail } from './render.js';
import * as summary from './summary.js';
import { emailFor, example } from './testing/fixtures.js';

const { describeReports, errorReport, errorSummary, notifyReport, summaryMarkdown } = summary;
const reports = example('deploy-ecs-failure');
const input = emailFor(reports, { status: 'failure' });
const run = input.run;
const inputs: Inputs = {
  from: 'Deploys <deploys@example.com>',
  to: ['a@example.com', 'b@example.com'],
  cc: ['c@example.com'],
  bcc: ['secret1@example.com', 'secret2@example.com'],
  replyTo: [],
  subjectTemplate: input.subjectTemplate,
  reports,
  environment: 'production',
  failOnError: false,
  region: 'eu-west-1',
  timeoutMs: 120_000
};
const email = renderEmail(input);
const started = new Date('2026-11-21T09:25:00.000Z');
const now = () => new Date('2026-11-21T09:25:02.000Z');

const sent: summary.Outcome = {
  inputs,
  email,
  status: 'failure',
  result: { sent: true, messageId: 'msg-1' }
};
const failed: summary.Outcome = {
  inputs,
  email,
  status: 'failure',
  result: {
    sent: false,
    error: new DockyardError('SES refused the message.', { input: 'from', hint: 'Verify it.' })
  }
};

describe('summaryMarkdown', () => {
  it('shows what was sent, to whom, and the message id, but not the Bcc addresses', () => {
    const md = summaryMarkdown(sent);
    expect(md).toContain('## Email sent');
    expect(md).toContain('| **Subject** | &#91;FAILED&#93; octo/app · production · deploy-ecs web |');
    expect(md).toContain('| **To** | a@\u2060example.com, b@\u2060example.com |');
    expect(md).toContain('| **Bcc** | 2 address(es) |');
    expect(md).not.toContain('secret1');
    expect(md).toContain('| **Reports** | deploy-ecs web (failure) |');
    expect(md).toContain('| **Message ID** | `msg-1` |');
    expect(md).toContain('<details><summary>Plain-text body</summary>');
    expect(md).toContain('FAILED: deploy-ecs · web');
  });

  it('says why nothing was sent', () => {
    const md = summaryMarkdown(failed);
    expect(md).toContain('## Email not sent');
    expect(md).toContain("> Input 'from': SES refused the message. Verify it.");
    expect(md).not.toContain('Message ID');
  });
});

describe('summaryMarkdown and untrusted text', () => {
  it('keeps the plain-text body in a code block that its text cannot close', () => {
    const text = 'FAILED: web\n```\n## Not a heading\n[a link](https://evil.example)\n````\n';
    const md = summaryMarkdown({ ...sent, email: { ...email, text } });
    expect(md).toContain(
      `<details><summary>Plain-text body</summary>\n\n\`\`\`\`\`\n${text}\`\`\`\`\`\n\n</details>`
    );
  });

  it('shows the start of a very long plain-text body and says the rest is in the email', () => {
    const md = summaryMarkdown({ ...sent, email: { ...email, text: 'x'.repeat(2_000_000) } });
    expect(md.length).toBeLessThan(200_000);
    expect(md).toContain('… (the rest is in the email)');
  });

  it('names a report that was shortened to fit', () => {
    const shortened = {
      ...reports[0],
      diagnostics: [{ title: REPORT_SHORTENED, severity: 'warning' as const, lines: [] }]
    };
    expect(describeReports([shortened])).toBe('deploy-ecs web (failure, shortened)');
    expect(describeReports([])).toBe('none');
  });
});

describe('notifyReport', () => {
  it('is a valid report of the send', () => {
    const report = validateReport(notifyReport(sent, run, started, now));
    expect(report).toMatchObject({
      action: 'notify-ses',
      status: 'success',
      outcome: 'SENT',
      subject: 'a@example.com +4',
      summary: 'Emailed "[FAILED] octo/app · production · deploy-ecs web" to 5 recipient(s).',
      startedAt: '2026-11-21T09:25:00.000Z',
      finishedAt: '2026-11-21T09:25:02.000Z',
      durationMs: 2000,
      region: 'eu-west-1'
    });
    expect(report.details).toContainEqual(['Message ID', 'msg-1']);
  });

  it('records a failed send with its explanation', () => {
    const report = notifyReport(failed, run, started, now);
    expect(report).toMatchObject({
      status: 'failure',
      outcome: 'NOT_SENT',
      error: "Input 'from': SES refused the message. Verify it."
    });
  });

  it('records invalid inputs', () => {
    const report = validateReport(
      errorReport(new DockyardError('bad'), run, started, { invalidInput: true, cancelled: false }, now)
    );
    expect(report).toMatchObject({ status: 'failure', outcome: 'INVALID_INPUT', error: 'bad' });
    expect(errorSummary(report)).toContain('the inputs need fixing');
  });

  it('reports a cancel before sending as cancelled, not as bad input', () => {
    const report = errorReport(undefined, run, started, { invalidInput: false, cancelled: true }, now);
    expect(report).toMatchObject({ status: 'cancelled', outcome: 'CANCELLED' });
    expect(report.error).toBeUndefined();
  });
});
