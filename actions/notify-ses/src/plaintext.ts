/**
 * The plain-text alternative: the same view as the HTML, aligned, with the links written out. Text from a report
 * keeps its place: a line of a log, a commit message or a value that spans lines is indented under its heading, so
 * nothing in it can pass for a heading, a fact or the signature.
 */
import { STATUS_LABEL, type EmailView, type Fact, type ReportView } from './facts.js';

/** `text`'s lines after the first, indented by `indent`. */
function continued(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}

function textFacts(facts: Fact[], indent = ''): string[] {
  const width = Math.max(0, ...facts.map(f => f.label.length)) + 2;
  return facts.map(f => {
    const value = f.url && f.url !== f.text ? `${f.text} <${f.url}>` : f.text;
    return `${indent}${`${f.label}:`.padEnd(width)}${continued(value, `${indent}${' '.repeat(width)}`)}`;
  });
}

function reportText(report: ReportView): string[] {
  const lines = [`== ${report.title} — ${STATUS_LABEL[report.status]} ==`];
  if (report.summary) lines.push(report.summary);
  if (report.error) lines.push('', `Error: ${continued(report.error, '       ')}`);
  lines.push('', ...textFacts(report.facts, '  '));
  for (const d of report.diagnostics) {
    lines.push('', `  ${d.severity.toUpperCase()} · ${d.title}`);
    lines.push(...d.lines.map(l => `    ${l}`));
  }
  return lines;
}

export function plainText(view: EmailView): string {
  const lines = [`${STATUS_LABEL[view.status]}: ${view.headline}`];
  if (view.summary) lines.push(view.summary);
  if (view.commitMessage) lines.push('', ...view.commitMessage.split('\n').map(l => `> ${l}`.trimEnd()));
  lines.push('', ...textFacts(view.runFacts));
  if (view.noReports) lines.push('', view.noReports);
  for (const report of view.reports) lines.push('', ...reportText(report));
  lines.push('', '-- ', `Sent by Dockyard notify-ses${view.repository ? ` for ${view.repository}` : ''}.`);
  return `${lines.join('\n')}\n`;
}
