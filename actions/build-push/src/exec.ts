import { runCommand, type CommandOptions } from '../../../core/exec.js';
import type { DockerRunner } from './docker.js';

export interface ExecOptions extends Pick<CommandOptions, 'log' | 'signal'> {
  /** Set for every command, over the step's own environment (the step's DOCKER_CONFIG). */
  env?: Record<string, string>;
  /** The program to run; `docker` on PATH unless a test gives another. */
  program?: string;
}

/**
 * Runs `docker` as core's runCommand runs a program: through no shell, its output printed while it runs as
 * untrusted text, stopped by the step's signal. Never throws on a non-zero exit.
 */
export function dockerRunner(options: ExecOptions): DockerRunner {
  const program = options.program ?? 'docker';
  return (args, run = {}) =>
    runCommand(program, args, { ...options, ...run, env: { ...options.env, ...run.env } });
}
