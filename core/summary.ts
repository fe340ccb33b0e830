import * as actionsCore from '@actions/core';
import type { Logger } from './log.js';

/** Escapes text for a Markdown table cell or line: no markup, no broken tables. */
export function mdEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

export function mdCode(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const fence = clean.includes('`') ? '``' : '`';
  return `${fence}${clean.replace(/\|/g, '\\|')}${fence}`;
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
    const fence = text.includes('```') ? '~~~~' : '```';
    this.parts.push(`${fence}${language}\n${text.replace(/\n+$/, '')}\n${fence}`);
    return this;
  }

  details(title: string, body: string): this {
    this.parts.push(`<details><summary>${mdEscape(title)}</summary>\n\n${body}\n\n</details>`);
    return this;
  }

  toString(): string {
    return `${this.parts.join('\n\n')}\n`;
  }
}

/** Appends to the job summary; off a runner (no GITHUB_STEP_SUMMARY) it goes to the log instead. */
export async function writeSummary(markdown: string, log?: Logger): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    log?.debug(`Job summary (no GITHUB_STEP_SUMMARY):\n${markdown}`);
    return;
  }
  await actionsCore.summary.addRaw(markdown).write();
}
