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
  /** A collapsible group in the log, one per phase. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Hides a value from every later log line. */
  mask(secret: string): void;
}

export const actionsLogger: Logger = {
  info: m => actionsCore.info(m),
  debug: m => actionsCore.debug(m),
  notice: (m, p) => actionsCore.notice(m, p),
  warning: (m, p) => actionsCore.warning(m, p),
  error: (m, p) => actionsCore.error(m, p),
  untrusted: text => {
    const lines = untrustedLines(text);
    if (lines.length === 0) return;
    // The runner ignores every command until it reads `::<token>::`; a token nobody can guess cannot be ended
    // from inside the block.
    const token = randomBytes(16).toString('hex');
    actionsCore.info([`::stop-commands::${token}`, ...lines, `::${token}::`].join('\n'));
  },
  group: (name, fn) => actionsCore.group(name, fn),
  mask: secret => {
    if (secret) actionsCore.setSecret(secret);
  }
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
