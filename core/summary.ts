import * as actionsCore from '@actions/core';
import type { Logger } from './log.js';
import type { Diagnostic } from './report.js';

/**
 * Escapes text for a Markdown table cell or line: no HTML, no broken tables, and no link or image (a log line
 * reading `[details](https://…)` stays text).
 */
export function mdEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/[[\]]/g, m => `\\${m}`)
    .replace(/\r\n|\r|\n/g, ' ');
}

/** The longest run of backticks in `text`. */
function longestBackticks(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map(run => run.length));
}

/** Inline code that its text cannot end: the fence is longer than any run of backticks inside. */
export function mdCode(text: string): string {
  const clean = text.replace(/\r\n|\r|\n/g, ' ').replace(/\|/g, '\\|');
  const fence = '`'.repeat(longestBackticks(clean) + 1);
  // A code span that starts or ends with a backtick needs a space between it and the fence.
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A fenced code block that its text cannot close: the fence is longer than any run of backticks inside. */
export function mdCodeBlock(text: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBackticks(text) + 1));
  return `${fence}${language}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

/** Builds a job summary in GitHub-flavoured Markdown. Everything given as text is escaped. */
export class SummaryBuilder {
  private readonly parts: string[] = [];

  heading(text: string, level = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${mdEscape(text)}`);
    return this;
  }

  paragraph(markdown: string): this {
    this.parts.push(markdown);
    return this;
  }

  /** Rows of cells; each cell is raw Markdown (use mdEscape/mdCode for values). */
  table(headers: string[], rows: string[][]): this {
    if (rows.length === 0) return this;
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    this.parts.push([line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n'));
    return this;
  }

  /** A two-column key/value table; undefined values are left out. */
  facts(rows: [string, string | undefined][]): this {
    return this.table(
      ['', ''],
      rows
        .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
        .map(([k, v]) => [`**${mdEscape(k)}**`, v])
    );
  }

  list(items: string[]): this {
    if (items.length > 0) this.parts.push(items.map(i => `- ${i}`).join('\n'));
    return this;
  }

  code(text: string, language = ''): this {
    this.parts.push(mdCodeBlock(text, language));
    return this;
  }

  details(title: string, body: string): this {
    this.parts.push(`<details><summary>${mdEscape(title)}</summary>\n\n${body}\n\n</details>`);
    return this;
  }

  /** A folded section of lines shown as code (log lines, events): nothing in them is Markdown. */
  detailsCode(title: string, lines: string[]): this {
    return this.details(title, mdCodeBlock(lines.join('\n')));
  }

  /** A level-3 heading over a list of Markdown items (escape text with mdEscape/mdCode); nothing when empty. */
  section(title: string, items: string[]): this {
    if (items.length === 0) return this;
    return this.heading(title, 3).list(items);
  }

  /** The diagnostics, each folded with its lines as code: they hold app logs and events. */
  diagnostics(diagnostics: Diagnostic[]): this {
    if (diagnostics.length === 0) return this;
    this.heading('Diagnostics', 3);
    for (const d of diagnostics) this.detailsCode(d.title, d.lines);
    return this;
  }

  /**
   * The Markdown, whole parts only, within `maxBytes`: GitHub refuses a step's summary over 1 MiB outright, so the
   * parts that do not fit (from the first that would overflow) are left out and counted in a closing note.
   */
  toString(maxBytes = SUMMARY_MAX_BYTES): string {
    const kept: string[] = [];
    let size = 0;
    for (const part of this.parts) {
      const cost = Buffer.byteLength(part) + 2;
      if (size + cost > maxBytes - LEFT_OUT_NOTE_BYTES) break;
      kept.push(part);
      size += cost;
    }
    const left = this.parts.length - kept.length;
    if (left > 0)
      kept.push(
        `_${left} more part${left === 1 ? '' : 's'} of this summary left out: GitHub takes at most 1 MiB a step. The log and the \`report\` output have the rest._`
      );
    return `${kept.join('\n\n')}\n`;
  }
}

/** What a step's summary may take: GitHub aborts the upload of one over 1024 KiB. */
export const SUMMARY_MAX_BYTES = 1_000_000;
const LEFT_OUT_NOTE_BYTES = 200;

/** Appends to the job summary; off a runner (no GITHUB_STEP_SUMMARY) it goes to the log instead. */
export async function writeSummary(markdown: string, log?: Logger): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    log?.debug(`Job summary (no GITHUB_STEP_SUMMARY):\n${markdown}`);
    return;
  }
  await actionsCore.summary.addRaw(markdown).write();
}
