import * as actionsCore from '@actions/core';

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
  group: (name, fn) => actionsCore.group(name, fn),
  mask: secret => {
    if (secret) actionsCore.setSecret(secret);
  }
};

export interface MemoryLogger extends Logger {
  lines: string[];
  masked: string[];
  text(): string;
}

/** Records every line (with its level) for assertions; masks like the runner does. */
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
