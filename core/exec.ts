/**
 * Running a program the way Dockyard runs every command it did not write (docker for build-push, a smoke test for
 * deploy-ecs): through no shell, with the step's environment, its output printed while it runs as untrusted text
 * (the log's `untrustedStream`), so that nothing a command prints is read by the runner as a workflow command, and
 * nothing of it reaches stderr, which the runner reads for commands too. The step's abort signal stops it: SIGTERM,
 * then SIGKILL.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import type { Logger } from './log.js';

/** What a command returned: its exit code and the end of each output stream. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set (with `keepWhenStopped`) when the signal stopped the command: its reason. */
  stopped?: unknown;
}

export interface CommandOptions {
  log: Logger;
  /** Set for the command, over the step's own environment. */
  env?: Record<string, string>;
  /** The step's abort signal: a running command gets SIGTERM, then SIGKILL. */
  signal?: AbortSignal;
  /** Written to the command's standard input (for `--password-stdin`). */
  input?: string;
  /** Do not print the command or its output (it is still returned). */
  silent?: boolean;
  /** The working directory; the step's own by default. */
  cwd?: string;
  /** When the signal stops the command, resolve with what it printed (and `stopped`) instead of rejecting. */
  keepWhenStopped?: boolean;
  /**
   * Leave the step's `INPUT_*` variables out of the command's environment: they hold the step's inputs (a token
   * among them), which a command of the user's, such as a smoke test, has no use for.
   */
  withoutInputs?: boolean;
}

/** How much of each output stream a result keeps: the end, where the error is. */
const KEPT_CHARS = 1 << 20;
/** How long a command has to end after SIGTERM before it is killed. */
const KILL_AFTER_MS = 5000;

/** Keeps the last KEPT_CHARS characters of a stream. */
function tailKeeper() {
  let text = '';
  return {
    add(chunk: string) {
      text += chunk;
      if (text.length > 2 * KEPT_CHARS) text = text.slice(-KEPT_CHARS);
    },
    text: () => text.slice(-KEPT_CHARS)
  };
}

function withoutInputs(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INPUT_')));
}

function stopped(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('The step was cancelled.');
}

/**
 * Runs `program args` and resolves with its exit code and output; never throws on a non-zero exit. Rejects when
 * the program cannot start (ENOENT, …), or when the signal stopped it (once it has ended), with the signal's reason,
 * unless `keepWhenStopped`.
 */
export function runCommand(program: string, args: string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    const { signal, log } = options;
    if (signal?.aborted) return reject(stopped(signal));
    const child = spawn(program, args, {
      env: { ...(options.withoutInputs ? withoutInputs(process.env) : process.env), ...options.env },
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    });
    const kept = { stdout: tailKeeper(), stderr: tailKeeper() };
    const printers = options.silent ? [] : [log.untrustedStream(), log.untrustedStream()];
    printers[0]?.write(`[command]${basename(program)} ${args.join(' ')}\n`);
    (['stdout', 'stderr'] as const).forEach((name, i) =>
      child[name]?.setEncoding('utf8').on('data', (chunk: string) => {
        kept[name].add(chunk);
        printers[i]?.write(chunk);
      })
    );
    let killer: NodeJS.Timeout | undefined;
    const stop = () => {
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      killer.unref();
    };
    signal?.addEventListener('abort', stop, { once: true });
    // Aborted while it was starting (a listener added since would never be called).
    if (signal?.aborted) stop();
    // A command that exits before reading its input must not crash the step with EPIPE.
    child.stdin?.on('error', () => undefined).end(options.input);
    child.on('error', error => {
      signal?.removeEventListener('abort', stop);
      reject(error);
    });
    child.on('close', code => {
      signal?.removeEventListener('abort', stop);
      clearTimeout(killer);
      printers.forEach(p => p.end());
      const result = { code: code ?? 1, stdout: kept.stdout.text(), stderr: kept.stderr.text() };
      if (signal?.aborted && !options.keepWhenStopped) return reject(stopped(signal));
      resolve(signal?.aborted ? { ...result, stopped: signal.reason } : result);
    });
  });
}

/** The end of what a command printed, its standard output then its errors. */
export function lastLines(result: CommandResult, count = 30): string[] {
  const lines = (text: string) => text.split(/\r\n|\r|\n/).filter(l => l.trim() !== '');
  return [...lines(result.stdout), ...lines(result.stderr)].slice(-count);
}
