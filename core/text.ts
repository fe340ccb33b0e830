/**
 * Text rules every action shares: one line of text for a heading or an output, a sentence joined to another,
 * and the one rule that picks the line of a log that says why something failed.
 */
import { stripVTControlCharacters } from 'node:util';

export interface OneLineOptions {
  /** At most this many characters; a longer line ends with `…`. Default 200. */
  max?: number;
  /** Keep only the first non-empty line instead of joining every line with spaces. */
  firstLine?: boolean;
}

/** `text` as one line: whitespace runs collapsed, cut to `max` characters with `…`. */
export function oneLine(text: string, options: OneLineOptions = {}): string {
  const max = options.max ?? 200;
  const source = options.firstLine ? (text.split(/\r?\n/).find(l => l.trim() !== '') ?? '') : text;
  const line = source.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, Math.max(0, max - 1)).trimEnd()}…` : line;
}

/** `cause` and `more` as sentences: `cause. more`, without doubling a full stop. `more` may be empty. */
export function sentence(cause: string, more = ''): string {
  const first = cause.trim();
  const end = first === '' || /[.!?…]$/.test(first) ? '' : '.';
  return more.trim() === '' ? `${first}${end}` : `${first}${end} ${more.trim()}`;
}

/** Words that make a log line read like the reason a program stopped. */
const ERROR_WORDS =
  /\b(error|exception|fatal|panic|traceback|failed|failure|refused|denied|not set|missing|cannot|unable|invalid|no such)\b/i;
/** A stack frame or a continuation line: it says where, not why. */
const FRAME = /^(at\s|\.\.\.\s*\d+\s+more|File\s+"|goroutine\s+\d+|\s*\^)/;

/**
 * The line of a log tail that says why the program failed, the one rule of every deploy action: the last line
 * that reads like an error and is not a stack frame, else the last line that is not a frame, else the last line.
 * Terminal colours and cursor moves (apps colour their logs; docker's builder resets colours) are left out: the
 * line becomes an annotation and a title, where they would show as raw escapes. Undefined for an empty log.
 */
export function rootCauseLine(lines: string[]): string | undefined {
  const text = lines.map(l => stripVTControlCharacters(l).trim()).filter(l => l !== '');
  const meaningful = text.filter(l => !FRAME.test(l));
  return (
    [...meaningful].reverse().find(l => ERROR_WORDS.test(l)) ??
    meaningful[meaningful.length - 1] ??
    text.at(-1)
  );
}
