import * as actionsCore from '@actions/core';
import { stripVTControlCharacters } from 'node:util';
import type { Logger } from './log.js';
import type { Diagnostic } from './report.js';

/** U+2060 WORD JOINER: invisible and never a line break, it only keeps two characters from forming a pattern. */
const JOINER = '\u2060';

/**
 * Markdown punctuation GitHub would read as a construct (emphasis, strikethrough, code, headings, tables, links,
 * images, math, backslash escapes; `_` inside a word never is), written as numeric character references: the reader sees the character, and
 * references work in a table cell, a paragraph and an HTML block (`<summary>`) alike, where a backslash escape
 * shows its backslash.
 */
const CONSTRUCTS = /[\\`*~#|![\]$]|_(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])_/gu;

/**
 * Where GitHub would start a link or an emoji: a scheme's `:` (`https://`, `mailto:`), an emoji code's first
 * `:`, the `@` of an e-mail address or a mention (not of `image@sha256:…`), the `www` of `www.`.
 */
const LINKABLE =
  /:(?=\/\/|(?:[a-z][\w+-]*|[+-]1|100|1234):)|(?<=\b(?:mailto|xmpp|tel)):|@(?=[\w-]+(?:\.[\w-]+)+)|(?<![\w.+-])@(?=[\w-])|\bwww(?=\.)/gi;

/** A line start GitHub would read as a block: a list item, a thematic break or a setext underline. */
const BLOCK_START = /^([ \t]*)((?:[-+]|\d{1,9}[.)])(?=[ \t]|$)|[-=](?=[-= \t]*$))/;

/**
 * Escapes text for a Markdown table cell, heading, paragraph or `<summary>`: it renders as the same characters,
 * with no HTML, no broken table, no emphasis, code, heading, list, link or image. URLs, `www.` names, e-mail
 * addresses, @-mentions and `:emoji:` codes stay text: GitHub links them both when it parses and, on the decoded
 * text, after (micromark-extension-gfm-autolink-literal describes both), so a character reference alone is not
 * enough; an invisible WORD JOINER at each place such a pattern would start breaks them in both.
 */
export function mdEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(CONSTRUCTS, c => `&#${c.charCodeAt(0)};`)
    .replace(LINKABLE, `$&${JOINER}`)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(
      BLOCK_START,
      (_, space: string, mark: string) => `${space}${mark.slice(0, -1)}&#${mark.charCodeAt(mark.length - 1)};`
    )
    .replace(/^[ \t]/, '&#32;');
}

/** What a reader sees of mdEscape's text: its character references decoded and its word joiners gone. */
export function mdPlain(markdown: string): string {
  return markdown
    .replaceAll(JOINER, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The longest run of backticks in `text`. */
function longestBackticks(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map(run => run.length));
}

/** Inline code that its text cannot end: the fence is longer than any run of backticks inside. */
export function mdCode(text: string): string {
  const clean = stripVTControlCharacters(text)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/\|/g, '\\|');
  const fence = '`'.repeat(longestBackticks(clean) + 1);
  // A code span that starts or ends with a backtick needs a space between it and the fence.
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/**
 * A fenced code block that its text cannot close: the fence is longer than any run of backticks inside. Terminal
 * colours are left out (a log's, docker's red around a build's stderr): a summary shows them as stray characters.
 */
export function mdCodeBlock(text: string, language = ''): string {
  const clean = stripVTControlCharacters(text);
  const fence = '`'.repeat(Math.max(3, longestBackticks(clean) + 1));
  return `${fence}${language}\n${clean.replace(/\n+$/, '')}\n${fence}`;
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
