/**
 * The HTML body: nested tables and inline styles (what mail clients render alike), no scripts, no images, every
 * value escaped. Every element that holds text from a report may break it anywhere, so a digest, an ARN or a log
 * line without spaces wraps inside the card instead of pushing it wider than a phone's screen.
 */
import { substitute, type ReportStatus } from '../../../core/index.js';
import { STATUS_LABEL, type EmailView, type Fact, type ReportView } from './facts.js';
import type { PlaceholderValues, TEMPLATE_PLACEHOLDERS } from './placeholders.js';

const STATUS_COLOR: Record<ReportStatus, string> = {
  success: '#1a7f37',
  failure: '#cf222e',
  cancelled: '#6e7781',
  skipped: '#6e7781'
};

const SEVERITY_COLOR: Record<ReportView['diagnostics'][number]['severity'], string> = {
  error: '#cf222e',
  warning: '#9a6700',
  info: '#0969da'
};

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;";
const MONO = "font-family:SFMono-Regular,Consolas,'Liberation Mono',Menlo,monospace;";
/** Prose that may hold a long token (a URL, a digest): broken at a word if it can, anywhere if it must. */
const WRAP = 'word-break:break-word;overflow-wrap:anywhere;';
/** Identifiers (digests, ARNs, tags): broken anywhere, as they have no words. */
const WRAP_CODE = 'word-break:break-all;overflow-wrap:anywhere;';
/** The longest label kept on one line: "Previous task definition". */
const SHORT_LABEL = 24;
/** A table as wide as its cell and never wider, whatever it holds. */
const TABLE = 'role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%"';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `url` is a safe http(s) URL already (facts.ts's safeUrl). */
function link(text: string, url: string | undefined): string {
  const label = escapeHtml(text);
  return url
    ? `<a href="${escapeHtml(url)}" style="color:#0969da;text-decoration:underline;">${label}</a>`
    : label;
}

function factsTable(facts: Fact[]): string {
  if (facts.length === 0) return '';
  const rows = facts.map(f => {
    const value = f.code ? `${MONO}font-size:13px;${WRAP_CODE}` : `font-size:14px;${WRAP}`;
    // A label of a few words stays on one line; a long one (a report's own detail) may wrap.
    const label =
      f.label.length <= SHORT_LABEL ? 'width="1%" style="white-space:nowrap;' : `width="30%" style="${WRAP}`;
    return (
      `<tr><td valign="top" ${label}${FONT}font-size:13px;color:#57606a;padding:4px 16px 4px 0;">${escapeHtml(f.label)}</td>` +
      `<td valign="top" style="${FONT}${value}color:#1f2328;padding:4px 0;">${link(f.text, f.url)}</td></tr>`
    );
  });
  return `<table ${TABLE}>\n${rows.join('\n')}\n</table>`;
}

function pill(status: ReportStatus): string {
  return `<span style="${FONT}display:inline-block;font-size:11px;font-weight:600;color:#ffffff;background:${STATUS_COLOR[status]};border-radius:10px;padding:2px 8px;">${STATUS_LABEL[status]}</span>`;
}

function preBlock(lines: string[], border: string): string {
  return `<div style="${MONO}font-size:12px;line-height:1.45;color:#1f2328;background:#f6f8fa;border-left:3px solid ${border};padding:8px 10px;white-space:pre-wrap;${WRAP}">${escapeHtml(lines.join('\n'))}</div>`;
}

/** One row of a report's section. */
const row = (style: string, content: string) => `<tr><td style="${style}">${content}</td></tr>`;

function reportHtml(report: ReportView): string {
  const parts = [
    row(
      `${FONT}font-size:16px;font-weight:600;color:#1f2328;padding:0 0 4px 0;${WRAP}`,
      `${escapeHtml(report.title)} ${pill(report.status)}`
    )
  ];
  if (report.summary)
    parts.push(
      row(`${FONT}font-size:14px;color:#1f2328;padding:0 0 8px 0;${WRAP}`, escapeHtml(report.summary))
    );
  if (report.error) parts.push(row('padding:4px 0 8px 0;', preBlock([report.error], STATUS_COLOR.failure)));
  parts.push(row('padding:0 0 8px 0;', factsTable(report.facts)));
  for (const d of report.diagnostics) {
    const color = SEVERITY_COLOR[d.severity];
    parts.push(
      row(
        `${FONT}font-size:13px;font-weight:600;color:${color};padding:8px 0 4px 0;${WRAP}`,
        `${d.severity.toUpperCase()} · ${escapeHtml(d.title)}`
      )
    );
    if (d.lines.length > 0) parts.push(row('padding:0 0 4px 0;', preBlock(d.lines, color)));
  }
  // Fixed layout: the divider above the section is the card's width, even if a cell could not wrap.
  return `<table ${TABLE} style="table-layout:fixed;border-top:1px solid #d0d7de;">\n<tr><td style="padding:16px 24px;">\n<table ${TABLE} style="table-layout:fixed;">\n${parts.join('\n')}\n</table>\n</td></tr>\n</table>`;
}

function reportsHtml(view: EmailView): string {
  if (view.noReports)
    return `<table ${TABLE} style="table-layout:fixed;border-top:1px solid #d0d7de;"><tr><td style="${FONT}font-size:14px;color:#57606a;padding:16px 24px;${WRAP}">${escapeHtml(view.noReports)}</td></tr></table>`;
  return view.reports.map(reportHtml).join('\n');
}

function commitMessageHtml(message: string): string {
  const [first, ...rest] = message.split('\n');
  const body = rest.join('\n').trim();
  return (
    `<div style="${FONT}font-size:14px;font-weight:600;color:#1f2328;${WRAP}">${escapeHtml(first)}</div>` +
    (body
      ? `<div style="${FONT}font-size:13px;color:#57606a;white-space:pre-wrap;padding-top:4px;${WRAP}">${escapeHtml(body)}</div>`
      : '')
  );
}

/** The coloured band: status, headline, summary. */
function headerHtml(view: EmailView, color: string): string {
  return `<tr><td style="background:${color};padding:16px 24px;border-radius:6px 6px 0 0;">
<div style="${FONT}font-size:12px;font-weight:600;letter-spacing:1px;color:#ffffff;">${STATUS_LABEL[view.status]}</div>
<div style="${FONT}font-size:20px;font-weight:600;color:#ffffff;padding-top:4px;${WRAP}">${escapeHtml(view.headline || 'Dockyard')}</div>
${view.summary ? `<div style="${FONT}font-size:14px;color:#ffffff;padding-top:4px;${WRAP}">${escapeHtml(view.summary)}</div>\n` : ''}</td></tr>`;
}

/** The commit, the run's facts and the button to the run. */
function runHtml(view: EmailView, color: string): string {
  const message = view.commitMessage
    ? `${commitMessageHtml(view.commitMessage)}\n<div style="height:12px;line-height:12px;font-size:12px;">&nbsp;</div>\n`
    : '';
  const button = view.links.run
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin-top:16px;"><tr><td style="background:${color};border-radius:6px;"><a href="${escapeHtml(view.links.run)}" style="${FONT}display:inline-block;font-size:14px;font-weight:600;color:#ffffff;text-decoration:none;padding:8px 16px;">View the workflow run</a></td></tr></table>\n`
    : '';
  return `<tr><td style="padding:16px 24px;">\n${message}${factsTable(view.runFacts)}\n${button}</td></tr>`;
}

export function defaultHtml(view: EmailView, subject: string): string {
  const color = STATUS_COLOR[view.status];
  const preheader = view.summary || `${STATUS_LABEL[view.status]} ${view.headline}`;
  const footer = `Sent by Dockyard notify-ses${view.repository ? ` for ${escapeHtml(view.repository)}` : ''}.`;
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
<table ${TABLE} style="background:#f6f8fa;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="640" style="width:100%;max-width:640px;table-layout:fixed;background:#ffffff;border:1px solid #d0d7de;border-radius:6px;">
${headerHtml(view, color)}
${runHtml(view, color)}
<tr><td>
${reportsHtml(view)}
</td></tr>
<tr><td style="${FONT}font-size:12px;color:#57606a;padding:12px 24px;border-top:1px solid #d0d7de;${WRAP}">${footer}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

/** Fills a custom template: every placeholder becomes escaped text, or a block Dockyard built from escaped text. */
export function customHtml(
  template: string,
  view: EmailView,
  subject: string,
  values: PlaceholderValues
): string {
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeHtml(v)]));
  const html: Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> = {
    ...(escaped as PlaceholderValues),
    title: escapeHtml(subject),
    commit_message: escapeHtml(view.commitMessage ?? ''),
    color: STATUS_COLOR[view.status],
    repository_url: escapeHtml(view.links.repository ?? ''),
    commit_url: escapeHtml(view.links.commit ?? ''),
    run_url: escapeHtml(view.links.run ?? ''),
    facts: factsTable(view.runFacts),
    reports: reportsHtml(view)
  };
  return substitute(template, html, 'template').text;
}
