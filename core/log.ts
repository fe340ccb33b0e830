import * as actionsCore from '@actions/core';
import { randomBytes } from 'node:crypto';

export interface AnnotationProps {
  title?: string;
  file?: string;
  startLine?: number;
}

/** How Dockyard's functions print. Actions use `actionsLogger`; tests use `memoryLogger()`. */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, props?: AnnotationProps): void;
  warning(message: string, props?: AnnotationProps): void;
  error(message: string, props?: AnnotationProps): void;
  /**
   * Prints text that an app, a cluster or a build controls (log lines, events, stopped reasons, build output)
   * as data: inside a `::stop-commands::` block with a fresh random token, so that no line of it runs as a
   * workflow command (`::set-output`, `##[add-mask]`, `::stop-commands::`, …). Never put such text in
   * info(), or in an annotation's title.
   */
  untrusted(text: string | string[]): void;
  /**
   * Untrusted text that comes a piece at a time, such as a running command's output: each whole line is printed
   * as it comes, in a stop-commands block that stays open between pieces and is closed before this logger prints
   * anything else (a line, an annotation, a group, a mask) and by `end()`. A line still open waits for its end.
   */
  untrustedStream(): UntrustedStream;
  /** A collapsible group in the log, one per phase. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Hides a value from every later log line. */
  mask(secret: string): void;
}

export interface UntrustedStream {
  /** The next piece of the text, as it came (it may end inside a line). */
  write(text: string): void;
  /** Prints a last line that had no line break, and closes the block. */
  end(): void;
}

/** A line longer than this (a progress bar redrawn with CR only) is printed without waiting for its end. */
const HELD_CHARS = 16 << 10;

/** Cuts pieces of text into whole lines for `print`, holding a line that has not ended yet. */
function lineStream(print: (lines: string[]) => void, close: () => void): UntrustedStream {
  let held = '';
  return {
    write(text) {
      const all = held + text;
      const end = all.lastIndexOf('\n');
      if (end < 0 && all.length < HELD_CHARS) {
        held = all;
        return;
      }
      const cut = end < 0 ? all.length : end;
      held = all.slice(cut + 1);
      print(untrustedLines(all.slice(0, cut)));
    },
    end() {
      if (held !== '') print(untrustedLines(held));
      held = '';
      close();
    }
  };
}

/**
 * The runner ignores every command until it reads `::<token>::`; a token nobody can guess cannot be ended from
 * inside the block. `open` is the token of the block a stream holds open, if any.
 */
let open: string | undefined;

function closeOpenBlock(): void {
  if (open !== undefined) actionsCore.info(`::${open}::`);
  open = undefined;
}

/** Prints lines inside the open block, opening one first when none is. */
function printInBlock(lines: string[]): void {
  if (lines.length === 0) return;
  if (open === undefined) {
    open = randomBytes(16).toString('hex');
    actionsCore.info(`::stop-commands::${open}`);
  }
  actionsCore.info(lines.join('\n'));
}

/** Every print of Dockyard's own closes a block an untrusted stream left open. */
const closingFirst =
  <A extends unknown[], R>(print: (...args: A) => R) =>
  (...args: A): R => {
    closeOpenBlock();
    return print(...args);
  };

export const actionsLogger: Logger = {
  info: closingFirst(m => actionsCore.info(m)),
  debug: closingFirst(m => actionsCore.debug(m)),
  notice: closingFirst((m, p) => actionsCore.notice(m, p)),
  warning: closingFirst((m, p) => actionsCore.warning(m, p)),
  error: closingFirst((m, p) => actionsCore.error(m, p)),
  untrusted: closingFirst(text => {
    printInBlock(untrustedLines(text));
    closeOpenBlock();
  }),
  untrustedStream: () => lineStream(printInBlock, closeOpenBlock),
  group: closingFirst((name, fn) =>
    actionsCore.group(name, async () => {
      try {
        return await fn();
      } finally {
        closeOpenBlock();
      }
    })
  ),
  mask: closingFirst(secret => {
    if (secret) actionsCore.setSecret(secret);
  })
};

/** Untrusted text as the lines to print: split on line breaks (a lone CR too), trailing blank lines dropped. */
export function untrustedLines(text: string | string[]): string[] {
  const lines = (Array.isArray(text) ? text : [text]).flatMap(t => t.split(/\r\n|\r|\n/));
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

export interface MemoryLogger extends Logger {
  lines: string[];
  masked: string[];
  text(): string;
}

/**
 * Records every line (with its level) for assertions; masks like the runner does. Untrusted text is recorded
 * a line at a time as `untrusted: <line>`.
 */
export function memoryLogger(): MemoryLogger {
  const lines: string[] = [];
  const masked: string[] = [];
  const hide = (m: string) => masked.reduce((text, s) => text.split(s).join('***'), m);
  const push = (level: string, m: string) => lines.push(level ? `${level}: ${hide(m)}` : hide(m));
  return {
    lines,
    masked,
    text: () => lines.join('\n'),
    info: m => push('', m),
    debug: m => push('debug', m),
    notice: m => push('notice', m),
    warning: m => push('warning', m),
    error: m => push('error', m),
    untrusted: text => untrustedLines(text).forEach(line => push('untrusted', line)),
    untrustedStream: () =>
      lineStream(
        lines => lines.forEach(line => push('untrusted', line)),
        () => undefined
      ),
    group: async (name, fn) => {
      push('group', name);
      try {
        return await fn();
      } finally {
        push('endgroup', name);
      }
    },
    mask: s => {
      if (s) masked.push(s);
    }
  };
}

/**
 * A logger whose own lines start with `[label] `, for work that runs beside other work in one log group (several
 * services followed at once): each line says whose it is. Untrusted text keeps its block, each line labelled;
 * a group is not opened again inside the one it runs in.
 */
export function labelledLogger(log: Logger, label: string): Logger {
  const tag = (m: string) => `[${label}] ${m}`;
  return {
    info: m => log.info(tag(m)),
    debug: m => log.debug(tag(m)),
    notice: (m, p) => log.notice(tag(m), p),
    warning: (m, p) => log.warning(tag(m), p),
    error: (m, p) => log.error(tag(m), p),
    untrusted: text => log.untrusted(untrustedLines(text).map(tag)),
    untrustedStream: () => log.untrustedStream(),
    group: (_name, fn) => fn(),
    mask: secret => log.mask(secret)
  };
}
