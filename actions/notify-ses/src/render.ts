/**
 * Turns reports and the run they came from into one email: a subject, an HTML body and a plain-text
 * alternative with the same facts. Pure: no clock, no files, no environment. The same input always
 * gives the same bytes, which the golden-file tests rely on.
 */
import {
  commitUrl,
  formatDuration,
  substitute,
  repositoryUrl,
  runUrl,
  shortSha,
  type Report,
  type ReportStatus,
  type RunContext
} from '../../../core/index.js';

export interface EmailInput {
  reports: Report[];
  /** The workflow run: the notifying job's own context, completed from the reports (see mergeRunContext). */
  run: RunContext;
  status: ReportStatus;
  environment?: string;
  /** The subject template (placeholders: SUBJECT_PLACEHOLDERS). */
  subjectTemplate: string;
  /** A custom HTML template (placeholders: TEMPLATE_PLACEHOLDERS); the built-in layout when absent. */
  htmlTemplate?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export const DEFAULT_SUBJECT =
  '[${var.status}] ${var.repository} · ${var.environment} · ${var.action} ${var.subject}';

export const STATUS_LABEL: Record<ReportStatus, string> = {
  success: 'SUCCEEDED',
  failure: 'FAILED',
  cancelled: 'CANCELLED',
  skipped: 'SKIPPED'
};

const STATUS_COLOR: Record<ReportStatus, string> = {
  success: '#1a7f37',
  failure: '#cf222e',
  cancelled: '#6e7781',
  skipped: '#6e7781'
};

const SEVERITY_COLOR: Record<string, string> = { error: '#cf222e', warning: '#9a6700', info: '#0969da' };

/** Placeholders of the subject template, and what they stand for (documented in the README). */
export const SUBJECT_PLACEHOLDERS = [
  'status',
  'repository',
  'environment',
  'action',
  'subject',
  'summary',
  'ref',
  'sha',
  'actor',
  'event',
  'workflow',
  'duration'
] as const;

/** Placeholders of a custom HTML template: the subject's, plus links and the built-in blocks. */
export const TEMPLATE_PLACEHOLDERS = [
  ...SUBJECT_PLACEHOLDERS,
  'title',
  'commit_message',
  'color',
  'repository_url',
  'commit_url',
  'run_url',
  'facts',
  'reports'
] as const;

/**
 * Checks a subject or template against the placeholder rule (docs/templates.md) with every name it may use, so a
 * forgotten or misspelt placeholder is an input error before anything is sent. Throws a DockyardError for `input`.
 */
export function checkPlaceholders(
  text: string,
  known: readonly string[],
  input: 'subject' | 'template',
  where?: string
): void {
  substitute(text, Object.fromEntries(known.map(n => [n, ''])), input, {
    where,
    missing: (names, count) =>
      `${where ? `${where} uses ` : 'uses '}${count === 1 ? 'an unknown placeholder' : 'unknown placeholders'} ${names}.`,
    hint: () =>
      `Use any of: ${known.map(n => `\${var.${n}}`).join(', ')}; write $\${var.NAME} for the literal text.`
  });
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A link only for http(s) URLs; anything else (javascript:, data:, …) is never made clickable. */
function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : undefined;
}

function link(text: string, url: string | undefined): string {
  const href = safeUrl(url);
  const label = escapeHtml(text);
  return href
    ? `<a href="${escapeHtml(href)}" style="color:#0969da;text-decoration:underline;">${label}</a>`
    : label;
}

/**
 * The run context the email describes: the notifying job's own values, with blanks filled from the
 * reports (the preview script, or a notify step outside the deploying workflow, has only the reports').
 */
export function mergeRunContext(own: RunContext, reports: Report[]): RunContext {
  const merged: RunContext = { ...own };
  const keys = Object.keys(own) as (keyof RunContext)[];
  for (const report of reports) {
    if (!report.run || typeof report.run !== 'object') continue;
    for (const key of new Set([...keys, 'commitMessage' as const])) {
      const value = report.run[key];
      if ((merged[key] === undefined || merged[key] === '') && typeof value === 'string' && value !== '')
        merged[key] = value;
    }
  }
  return merged;
}

/**
 * The report the subject line names: the first one that has the overall status (for a failure, the
 * step that failed first), otherwise the last one (the final stage, usually the deploy).
 */
export function headlineReport(reports: Report[], status: ReportStatus): Report | undefined {
  if (status !== 'success' && status !== 'skipped') {
    const first = reports.find(r => r.status === status);
    if (first) return first;
  }
  return reports.at(-1);
}

/** From the earliest start to the latest finish over all reports. */
export function totalDurationMs(reports: Report[]): number | undefined {
  const starts = reports.map(r => Date.parse(r.startedAt)).filter(Number.isFinite);
  const ends = reports.map(r => Date.parse(r.finishedAt)).filter(Number.isFinite);
  if (starts.length === 0 || ends.length === 0) return undefined;
  return Math.max(0, Math.max(...ends) - Math.min(...starts));
}

function formatTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const time = Date.parse(iso);
  return Number.isFinite(time)
    ? `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`
    : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The text values every placeholder stands for (unescaped). */
export function placeholderValues(input: EmailInput): Record<(typeof SUBJECT_PLACEHOLDERS)[number], string> {
  const head = headlineReport(input.reports, input.status);
  const duration = totalDurationMs(input.reports);
  return {
    status: STATUS_LABEL[input.status],
    repository: input.run.repository,
    environment: input.environment ?? '',
    action: head?.action ?? '',
    subject: head?.subject ?? '',
    summary: head?.summary ?? '',
    ref: input.run.refName,
    sha: shortSha(input.run.sha),
    actor: input.run.actor,
    event: input.run.eventName,
    workflow: input.run.workflow,
    duration: duration === undefined ? '' : formatDuration(duration)
  };
}

/**
 * Fills the subject template. A ` · `-separated part that comes out empty is left out, so a run without
 * an environment reads `[FAILED] owner/repo · deploy-ecs web`, not `… ·  · …`. One line, at most 200 chars.
 */
export function renderSubject(template: string, values: Record<string, string>): string {
  const oneLineValues = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, oneLine(v ?? '')]));
  const filled = substitute(template, oneLineValues, 'subject').text;
  const subject = filled
    .split(' · ')
    .map(oneLine)
    .filter(part => part !== '')
    .join(' · ');
  return subject.length > 200 ? `${subject.slice(0, 199)}…` : subject;
}

// ---------------------------------------------------------------------------------------------------
// The facts both bodies carry.

interface Fact {
  label: string;
  text: string;
  url?: string;
  /** Shown in monospace. */
  code?: boolean;
}

function runFacts(input: EmailInput, values: ReturnType<typeof placeholderValues>): Fact[] {
  const { run } = input;
  const facts: (Fact | undefined)[] = [
    run.repository ? { label: 'Repository', text: run.repository, url: repositoryUrl(run) } : undefined,
    input.environment ? { label: 'Environment', text: input.environment } : undefined,
    run.refName ? { label: 'Ref', text: run.refName, code: true } : undefined,
    run.sha ? { label: 'Commit', text: shortSha(run.sha), url: commitUrl(run), code: true } : undefined,
    run.actor ? { label: 'Actor', text: run.actor } : undefined,
    run.eventName ? { label: 'Event', text: run.eventName } : undefined,
    run.workflow || run.runId
      ? {
          label: 'Workflow run',
          text: `${run.workflow || run.runId}${run.runAttempt && run.runAttempt !== '1' ? ` (attempt ${run.runAttempt})` : ''}`,
          url: runUrl(run)
        }
      : undefined,
    values.duration ? { label: 'Duration', text: values.duration } : undefined
  ];
  return facts.filter((f): f is Fact => f !== undefined);
}

function reportFacts(report: Report): Fact[] {
  const facts: Fact[] = [];
  const add = (label: string, text: string | number | undefined, code = false) => {
    if (text !== undefined && text !== '') facts.push({ label, text: String(text), code });
  };
  add('Outcome', report.outcome);
  add('Region', report.region);
  if (report.image) {
    add('Image', report.image.uri ?? report.image.repository, true);
    add('Digest', report.image.digest, true);
    if (Array.isArray(report.image.tags)) add('Tags', report.image.tags.join(', '), true);
  }
  if (report.ecs) {
    add('Cluster', report.ecs.cluster);
    add('Service', report.ecs.service);
    add('Task definition', report.ecs.taskDefinitionArn, true);
    add('Previous task definition', report.ecs.previousTaskDefinitionArn, true);
    add('Deployment', report.ecs.deploymentId, true);
  }
  if (report.eks) {
    add('Cluster', report.eks.cluster);
    add('Namespace', report.eks.namespace);
    if (Array.isArray(report.eks.resources)) add('Resources', report.eks.resources.join(', '), true);
  }
  for (const pair of report.details) {
    if (Array.isArray(pair) && pair.length >= 2) add(String(pair[0]), String(pair[1]));
  }
  add('Started', formatTime(report.startedAt));
  add('Finished', formatTime(report.finishedAt));
  if (Number.isFinite(report.durationMs)) add('Duration', formatDuration(report.durationMs));
  return facts;
}

/** Diagnostics can be long (log tails); the email keeps the last lines of each. */
const MAX_DIAGNOSTIC_LINES = 40;
const MAX_COMMIT_MESSAGE = 2000;

function clipLines(lines: unknown[]): string[] {
  const text = lines.map(l => String(l));
  if (text.length <= MAX_DIAGNOSTIC_LINES) return text;
  return [
    `… ${text.length - MAX_DIAGNOSTIC_LINES} earlier lines left out`,
    ...text.slice(-MAX_DIAGNOSTIC_LINES)
  ];
}

function commitMessage(run: RunContext): string | undefined {
  const message = run.commitMessage?.replace(/\r\n/g, '\n').trim();
  if (!message) return undefined;
  return message.length > MAX_COMMIT_MESSAGE ? `${message.slice(0, MAX_COMMIT_MESSAGE)}…` : message;
}

function reportTitle(report: Report): string {
  return [report.action, report.subject].filter(Boolean).join(' · ');
}

// ---------------------------------------------------------------------------------------------------
// HTML: nested tables, inline styles, no scripts, no images; every value escaped.

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;";
const MONO = "font-family:SFMono-Regular,Consolas,'Liberation Mono',Menlo,monospace;";

function factRows(facts: Fact[]): string {
  return facts
    .map(f => {
      const value = link(f.text, f.url);
      const style = f.code
        ? `${MONO}font-size:13px;word-break:break-all;`
        : 'font-size:14px;word-break:break-word;overflow-wrap:anywhere;';
      return (
        `<tr><td valign="top" width="1%" style="${FONT}font-size:13px;color:#57606a;padding:4px 16px 4px 0;white-space:nowrap;">${escapeHtml(f.label)}</td>` +
        `<td valign="top" style="${FONT}${style}color:#1f2328;padding:4px 0;">${value}</td></tr>`
      );
    })
    .join('\n');
}

function factsTable(facts: Fact[]): string {
  if (facts.length === 0) return '';
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%">\n${factRows(facts)}\n</table>`;
}

function pill(status: ReportStatus): string {
  return `<span style="${FONT}display:inline-block;font-size:11px;font-weight:600;color:#ffffff;background:${STATUS_COLOR[status] ?? '#6e7781'};border-radius:10px;padding:2px 8px;">${STATUS_LABEL[status] ?? escapeHtml(String(status))}</span>`;
}

function preBlock(lines: string[], border: string): string {
  return `<div style="${MONO}font-size:12px;line-height:1.45;color:#1f2328;background:#f6f8fa;border-left:3px solid ${border};padding:8px 10px;white-space:pre-wrap;word-break:break-word;overflow-wrap:anywhere;">${escapeHtml(lines.join('\n'))}</div>`;
}

function reportHtml(report: Report): string {
  const parts: string[] = [];
  parts.push(
    `<tr><td style="${FONT}font-size:16px;font-weight:600;color:#1f2328;padding:0 0 4px 0;">${escapeHtml(reportTitle(report))} ${pill(report.status)}</td></tr>`
  );
  if (report.summary)
    parts.push(
      `<tr><td style="${FONT}font-size:14px;color:#1f2328;padding:0 0 8px 0;">${escapeHtml(report.summary)}</td></tr>`
    );
  if (report.error) {
    parts.push(`<tr><td style="padding:4px 0 8px 0;">${preBlock([report.error], '#cf222e')}</td></tr>`);
  }
  parts.push(`<tr><td style="padding:0 0 8px 0;">${factsTable(reportFacts(report))}</td></tr>`);
  for (const d of report.diagnostics) {
    const color = SEVERITY_COLOR[d.severity] ?? '#57606a';
    const lines = Array.isArray(d.lines) ? clipLines(d.lines) : [];
    parts.push(
      `<tr><td style="${FONT}font-size:13px;font-weight:600;color:${color};padding:8px 0 4px 0;">${escapeHtml(String(d.severity ?? '').toUpperCase())} · ${escapeHtml(String(d.title ?? ''))}</td></tr>`
    );
    if (lines.length > 0)
      parts.push(`<tr><td style="padding:0 0 4px 0;">${preBlock(lines, color)}</td></tr>`);
  }
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="border-top:1px solid #d0d7de;">\n<tr><td style="padding:16px 24px;">\n<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%">\n${parts.join('\n')}\n</table>\n</td></tr>\n</table>`;
}

function reportsHtml(reports: Report[]): string {
  return reports.map(reportHtml).join('\n');
}

function commitMessageHtml(message: string): string {
  const [first, ...rest] = message.split('\n');
  const body = rest.join('\n').trim();
  return (
    `<div style="${FONT}font-size:14px;font-weight:600;color:#1f2328;">${escapeHtml(first)}</div>` +
    (body
      ? `<div style="${FONT}font-size:13px;color:#57606a;white-space:pre-wrap;padding-top:4px;">${escapeHtml(body)}</div>`
      : '')
  );
}

function defaultHtml(
  input: EmailInput,
  subject: string,
  values: ReturnType<typeof placeholderValues>
): string {
  const color = STATUS_COLOR[input.status];
  const head = headlineReport(input.reports, input.status);
  const headline = head ? reportTitle(head) : input.run.repository || 'Dockyard';
  const message = commitMessage(input.run);
  const run = safeUrl(runUrl(input.run));
  const preheader = head?.summary || `${STATUS_LABEL[input.status]} ${headline}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f6f8fa;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${escapeHtml(preheader)}</div>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="background:#f6f8fa;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="640" style="width:100%;max-width:640px;table-layout:fixed;background:#ffffff;border:1px solid #d0d7de;border-radius:6px;">
<tr><td style="background:${color};padding:16px 24px;border-radius:6px 6px 0 0;">
<div style="${FONT}font-size:12px;font-weight:600;letter-spacing:1px;color:#ffffff;">${STATUS_LABEL[input.status]}</div>
<div style="${FONT}font-size:20px;font-weight:600;color:#ffffff;padding-top:4px;">${escapeHtml(headline)}</div>
${head?.summary ? `<div style="${FONT}font-size:14px;color:#ffffff;padding-top:4px;">${escapeHtml(head.summary)}</div>\n` : ''}</td></tr>
<tr><td style="padding:16px 24px;">
${message ? `${commitMessageHtml(message)}\n<div style="height:12px;line-height:12px;font-size:12px;">&nbsp;</div>\n` : ''}${factsTable(runFacts(input, values))}
${run ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin-top:16px;"><tr><td style="background:${color};border-radius:6px;"><a href="${escapeHtml(run)}" style="${FONT}display:inline-block;font-size:14px;font-weight:600;color:#ffffff;text-decoration:none;padding:8px 16px;">View the workflow run</a></td></tr></table>\n` : ''}</td></tr>
${input.reports.length > 0 ? `<tr><td>\n${reportsHtml(input.reports)}\n</td></tr>\n` : ''}<tr><td style="${FONT}font-size:12px;color:#57606a;padding:12px 24px;border-top:1px solid #d0d7de;">Sent by Dockyard notify-ses${input.run.repository ? ` for ${escapeHtml(input.run.repository)}` : ''}.</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

/** Fills a custom template: every placeholder becomes escaped text, or a block Dockyard built from escaped text. */
function customHtml(
  template: string,
  input: EmailInput,
  subject: string,
  values: ReturnType<typeof placeholderValues>
): string {
  const run = input.run;
  const html: Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> = {
    ...(Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, escapeHtml(v ?? '')])
    ) as typeof values),
    title: escapeHtml(subject),
    commit_message: escapeHtml(commitMessage(run) ?? ''),
    color: STATUS_COLOR[input.status],
    repository_url: escapeHtml(safeUrl(repositoryUrl(run)) ?? ''),
    commit_url: escapeHtml(safeUrl(commitUrl(run)) ?? ''),
    run_url: escapeHtml(safeUrl(runUrl(run)) ?? ''),
    facts: factsTable(runFacts(input, values)),
    reports: reportsHtml(input.reports)
  };
  return substitute(template, html, 'template').text;
}

// ---------------------------------------------------------------------------------------------------
// Plain text: the same facts, aligned, with the links written out.

function textFacts(facts: Fact[], indent = ''): string[] {
  const width = Math.max(0, ...facts.map(f => f.label.length)) + 2;
  return facts.map(f => {
    const url = safeUrl(f.url);
    const value = url && url !== f.text ? `${f.text} <${url}>` : f.text;
    return `${indent}${`${f.label}:`.padEnd(width)}${value.replace(/\n/g, `\n${indent}${' '.repeat(width)}`)}`;
  });
}

function reportText(report: Report): string[] {
  const lines = [`== ${reportTitle(report)} — ${STATUS_LABEL[report.status] ?? report.status} ==`];
  if (report.summary) lines.push(report.summary);
  if (report.error) lines.push('', `Error: ${report.error}`);
  lines.push('', ...textFacts(reportFacts(report), '  '));
  for (const d of report.diagnostics) {
    lines.push('', `  ${String(d.severity ?? '').toUpperCase()} · ${d.title}`);
    if (Array.isArray(d.lines)) lines.push(...clipLines(d.lines).map(l => `    ${l}`));
  }
  return lines;
}

function defaultText(input: EmailInput, values: ReturnType<typeof placeholderValues>): string {
  const head = headlineReport(input.reports, input.status);
  const headline = head ? reportTitle(head) : input.run.repository;
  const lines = [`${STATUS_LABEL[input.status]}: ${headline}`];
  if (head?.summary) lines.push(head.summary);
  const message = commitMessage(input.run);
  if (message) lines.push('', ...message.split('\n').map(l => `> ${l}`.trimEnd()));
  lines.push('', ...textFacts(runFacts(input, values)));
  for (const report of input.reports) lines.push('', ...reportText(report));
  lines.push(
    '',
    '-- ',
    `Sent by Dockyard notify-ses${input.run.repository ? ` for ${input.run.repository}` : ''}.`
  );
  return `${lines.join('\n')}\n`;
}

export function renderEmail(input: EmailInput): RenderedEmail {
  const values = placeholderValues(input);
  const subject = renderSubject(input.subjectTemplate, values);
  const html =
    input.htmlTemplate === undefined
      ? defaultHtml(input, subject, values)
      : customHtml(input.htmlTemplate, input, subject, values);
  return { subject, html, text: defaultText(input, values) };
}
