/**
 * Renders a job summary (the GitHub-flavoured Markdown core/summary.ts writes) for a terminal: headings
 * underlined, tables in aligned columns, code blocks indented, `<details>` opened, inline markup dropped.
 */

import { mdPlain } from '../core/summary.js';

export interface TerminalOptions {
  /** ANSI bold for headings and table headers. */
  color?: boolean;
}

/**
 * The entities mdEscape and the email's HTML write, as characters: the email's named ones first, then mdEscape's
 * (mdPlain, `&amp;` last, so `&amp;lt;` stays `&lt;`).
 */
function decodeEntities(text: string): string {
  return mdPlain(
    text
      .replace(/&nbsp;/g, ' ')
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
  );
}

const bold = (text: string, color: boolean) => (color ? `\x1b[1m${text}\x1b[22m` : text);

/** Inline Markdown and the entities mdEscape writes, as plain text. */
export function plainInline(text: string): string {
  const inline = text
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/\[([^\]]*)\]\(([^)]+)\)/g, (_, label: string, url: string) =>
      label === url ? url : `${label} (${url})`
    )
    .replace(/(`+)(.+?)\1/g, (_, _fence: string, code: string) => code)
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/(^|\W)_(\S.*?\S|\S)_(?=\W|$)/g, '$1$2')
    .replace(/\\\|/g, '|');
  return decodeEntities(inline);
}

function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map(cell => plainInline(cell.trim()));
}

const width = (text: string) => [...text].length;

function renderTable(lines: string[], color: boolean): string[] {
  const [header, , ...body] = lines.map(splitRow);
  const rows = header.every(h => h === '') ? body : [header, ...body];
  const columns = Math.max(...rows.map(r => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map(r => width(r[i] ?? ''))));
  return rows.map((row, index) => {
    const text = row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - width(cell))))
      .join('  ')
      .trimEnd();
    return `  ${index === 0 && rows !== body ? bold(text, color) : text}`;
  });
}

export function renderForTerminal(markdown: string, options: TerminalOptions = {}): string {
  const color = options.color ?? false;
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^(```+|~~~+)/.exec(line);
    if (fence) {
      for (i++; i < lines.length && !lines[i].startsWith(fence[1]); i++) out.push(`    ${lines[i]}`);
      continue;
    }
    if (/^\s*\|/.test(line) && /^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) {
      const table: string[] = [];
      for (; i < lines.length && /^\s*\|/.test(lines[i]); i++) table.push(lines[i]);
      i--;
      out.push(...renderTable(table, color));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const text = plainInline(heading[2]);
      out.push(bold(text, color), (heading[1].length <= 2 ? '═' : '─').repeat(width(text)));
      continue;
    }
    const details = /^<details>(?:<summary>(.*?)<\/summary>)?\s*$/i.exec(line.trim());
    if (details) {
      if (details[1] !== undefined) out.push(`▸ ${plainInline(details[1])}`);
      continue;
    }
    if (/^<\/details>\s*$/i.test(line.trim())) continue;
    const item = /^(\s*)[-*]\s+(.*)$/.exec(line);
    if (item) {
      out.push(`${item[1]}  • ${plainInline(item[2])}`);
      continue;
    }
    out.push(plainInline(line));
  }
  // At most one blank line in a row, none at the ends.
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}

/** The text of an HTML email for a terminal: blocks and table rows on their own lines, cells spaced, tags dropped. */
export function htmlToText(html: string): string {
  const blocks = html
    .replace(/<(head|style|script)\b[\s\S]*?<\/\1>/gi, '')
    // Hidden text (an email's preheader) is not shown.
    .replace(/<(div|span)\b[^>]*display:\s*none[^>]*>[\s\S]*?<\/\1>/gi, '')
    // Whitespace in the source means nothing, except inside <pre> or an element styled white-space: pre(-wrap).
    .split(/(<pre\b[\s\S]*?<\/pre>|<(?:div|td|span)\b[^>]*white-space:\s*pre[^>]*>[^<]*)/i)
    .map((part, i) => (i % 2 === 1 ? `\n${part}\n` : part.replace(/\s+/g, ' ')))
    .join('')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n  • ')
    .replace(/<\/?(p|div|h[1-6]|table|pre|ul|ol|tr)\b[^>]*>/gi, '\n')
    .replace(/<\/t[dh]>/gi, '  ')
    .replace(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_, url: string, label: string) =>
      label.replace(/<[^>]+>/g, '').trim() === url ? url : `${label} (${url})`
    )
    .replace(/<[^>]+>/g, '');
  return (
    decodeEntities(blocks)
      .split('\n')
      // Collapsed source whitespace leaves at most one space at a line's start; <pre> lines keep their indent.
      .map(line => line.trimEnd().replace(/^ (?=\S)/, ''))
      .map(line => (line.startsWith('•') ? `  ${line}` : line))
      .filter(line => line.trim() !== '')
      .join('\n')
      .trim()
  );
}
