import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import type { Logger } from '../../../core/index.js';
import type { CommandResult, DockerRunner } from './docker.js';

/** How much of each output stream a result keeps: the end, where the error and the digest are. */
const KEPT_CHARS = 1 << 20;
/** How long a command has to end after SIGTERM before it is killed. */
const KILL_AFTER_MS = 5000;

export interface ExecOptions {
  log: Logger;
  /** Set for every command, over the step's own environment (the step's DOCKER_CONFIG). */
  env?: Record<string, string>;
  /** The step's abort signal: a running command gets SIGTERM, then SIGKILL. */
  signal?: AbortSignal;
  /** The program to run; `docker` on PATH unless a test gives another. */
  program?: string;
}

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

function stopped(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('The step was cancelled.');
}

/**
 * Runs `docker` (through no shell) with the step's environment. Unless `silent`, the command line and its output
 * (both streams) are printed while it runs as untrusted text (core's `untrustedStream`): what a build prints, its
 * RUN steps or a base image's scripts, is never read by the runner as a workflow command, and nothing of it goes
 * to stderr, which the runner reads for commands too. Never throws on a non-zero exit; rejects when the program
 * cannot start, or when the step's signal stopped it (once it has ended).
 */
export function dockerRunner(options: ExecOptions): DockerRunner {
  const program = options.program ?? 'docker';
  return (args, run = {}) =>
    new Promise<CommandResult>((resolve, reject) => {
      const { signal, log } = options;
      if (signal?.aborted) return reject(stopped(signal));
      const child = spawn(program, args, {
        env: { ...process.env, ...options.env, ...run.env },
        stdio: [run.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
      });
      const kept = { stdout: tailKeeper(), stderr: tailKeeper() };
      const printers = run.silent ? [] : [log.untrustedStream(), log.untrustedStream()];
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
      // A command that exits before reading its input must not crash the step with EPIPE.
      child.stdin?.on('error', () => undefined).end(run.input);
      child.on('error', error => {
        signal?.removeEventListener('abort', stop);
        reject(error);
      });
      child.on('close', code => {
        signal?.removeEventListener('abort', stop);
        clearTimeout(killer);
        printers.forEach(p => p.end());
        if (signal?.aborted) return reject(stopped(signal));
        resolve({ code: code ?? 1, stdout: kept.stdout.text(), stderr: kept.stderr.text() });
      });
    });
}
