/**
 * What notify-ses leaves behind: a job summary and its own report record. Pure functions of the
 * inputs, the rendered email and the send result.
 */
import {
  REPORT_SHORTENED,
  SummaryBuilder,
  createReport,
  describeError,
  mdCode,
  mdEscape,
  type Report,
  type RunContext
} from '../../../core/index.js';
import type { Inputs } from './inputs.js';
import { STATUS_LABEL } from './facts.js';
import type { RenderedEmail } from './render.js';
import type { SendResult } from './send.js';

export interface Outcome {
  inputs: Inputs;
  email: RenderedEmail;
  result: SendResult;
  status: Report['status'];
}

/** The most of the plain-text body the job summary shows (GitHub takes at most 1 MiB a step). */
const SUMMARY_BODY_CHARS = 100_000;

/** `build-push web (success), deploy-ecs web (failure, shortened)`, or `none`. */
export function describeReports(reports: Report[]): string {
  if (reports.length === 0) return 'none';
  return reports
    .map(r => {
      const shortened = r.diagnostics.some(d => d?.title === REPORT_SHORTENED) ? ', shortened' : '';
      return `${[r.action, r.subject].filter(Boolean).join(' ')} (${r.status}${shortened})`;
    })
    .join(', ');
}

export function summaryMarkdown({ inputs, email, result, status }: Outcome): string {
  const s = new SummaryBuilder();
  s.heading(result.sent ? 'Email sent' : 'Email not sent');
  if (!result.sent) s.paragraph(`> ${mdEscape(describeError(result.error))}`);
  s.facts([
    ['Subject', mdEscape(email.subject)],
    ['Status', STATUS_LABEL[status]],
    ['From', mdEscape(inputs.from)],
    ['To', mdEscape(inputs.to.join(', '))],
    ['Cc', inputs.cc.length > 0 ? mdEscape(inputs.cc.join(', ')) : undefined],
    // Bcc recipients stay private: the summary is visible to everyone who can read the run.
    ['Bcc', inputs.bcc.length > 0 ? `${inputs.bcc.length} address(es)` : undefined],
    ['Reply-To', inputs.replyTo.length > 0 ? mdEscape(inputs.replyTo.join(', ')) : undefined],
    ['Reports', mdEscape(describeReports(inputs.reports))],
    ['Configuration set', inputs.configurationSet ? mdCode(inputs.configurationSet) : undefined],
    ['Region', inputs.region],
    ['Message ID', result.sent ? mdCode(result.messageId) : undefined]
  ]);
  const body =
    email.text.length > SUMMARY_BODY_CHARS
      ? `${email.text.slice(0, SUMMARY_BODY_CHARS)}\n… (the rest is in the email)`
      : email.text;
  s.detailsCode('Plain-text body', [body]);
  return s.toString();
}

export function notifyReport(
  { inputs, email, result }: Outcome,
  run: RunContext,
  startedAt: Date,
  now: () => Date = () => new Date()
): Report {
  const recipients = inputs.to.length + inputs.cc.length + inputs.bcc.length;
  return createReport(
    {
      action: 'notify-ses',
      status: result.sent ? 'success' : 'failure',
      outcome: result.sent ? 'SENT' : 'NOT_SENT',
      subject: inputs.to[0] ? `${inputs.to[0]}${recipients > 1 ? ` +${recipients - 1}` : ''}` : '',
      summary: result.sent
        ? `Emailed "${email.subject}" to ${recipients} recipient(s).`
        : `The email "${email.subject}" was not sent.`,
      startedAt: startedAt.toISOString(),
      region: inputs.region,
      details: [
        ['Subject', email.subject],
        ['From', inputs.from],
        ...(result.sent ? [['Message ID', result.messageId] as [string, string]] : [])
      ],
      error: result.sent ? undefined : describeError(result.error),
      run
    },
    now
  );
}

/** The report when nothing was sent because of bad inputs, an error before sending, a cancel or the timeout. */
export function errorReport(
  error: unknown,
  run: RunContext,
  startedAt: Date,
  how: { invalidInput: boolean; cancelled: boolean },
  now: () => Date = () => new Date()
): Report {
  return createReport(
    {
      action: 'notify-ses',
      status: how.cancelled ? 'cancelled' : 'failure',
      outcome: how.invalidInput ? 'INVALID_INPUT' : how.cancelled ? 'CANCELLED' : 'NOT_SENT',
      subject: '',
      summary: how.invalidInput
        ? 'The email was not sent: the inputs need fixing.'
        : `The email was not sent${how.cancelled ? ': the run was cancelled' : ''}.`,
      startedAt: startedAt.toISOString(),
      error: error === undefined ? undefined : describeError(error),
      run
    },
    now
  );
}

/** The job summary when nothing was sent before SES was asked. */
export function errorSummary(report: Report): string {
  const s = new SummaryBuilder().heading('Email not sent').paragraph(mdEscape(report.summary));
  if (report.error) s.code(report.error);
  return s.toString();
}
