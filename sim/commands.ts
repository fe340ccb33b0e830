/**
 * The workflow commands a GitHub runner would execute from a step's output, parsed as the runner parses them
 * (actions/runner: src/Runner.Common/ActionCommand.cs, src/Runner.Worker/ActionCommandManager.cs,
 * src/Runner.Worker/Handlers/OutputManager.cs, src/Runner.Sdk/ProcessInvoker.cs; facts in sim/README.md), so a
 * test can say what a line printed by Dockyard would have done on a real runner. Where the runner's behaviour
 * depends on timing (the order of stdout and stderr lines), this parser takes the order worst for Dockyard.
 */

export type RunnerStream = 'stdout' | 'stderr';

export interface RunnerCommand {
  /** The registered name in lower case (`set-output` for `Set-Output`); a stop token as written. */
  name: string;
  /** Property names in lower case: the runner looks them up ignoring case. */
  properties: Record<string, string>;
  data: string;
  /** The line it came from (1-based, within its stream). */
  line: number;
  stream: RunnerStream;
  /** The runner's error when this command fails the step (set-env/add-path refused, a missing name...). */
  error?: string;
}

export interface RunnerCommandOptions {
  stream?: RunnerStream;
  /** The step's environment: ACTIONS_ALLOW_UNSECURE_COMMANDS and ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS. */
  env?: Record<string, string | undefined>;
}

/** The command extensions a runner registers (ActionCommandManager.cs), `stop-commands` included. */
const REGISTERED = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning'
];

// Constants.cs, Runner: UnsupportedCommandMessageDisabled and UnsupportedStopCommandTokenDisabled.
const disabledMessage = (name: string) =>
  `The \`${name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`;
export const INVALID_STOP_TOKEN_MESSAGE =
  "You cannot use a endToken that is an empty string, the string 'pause-logging', or another workflow command. For more information see: https://docs.github.com/actions/learn-github-actions/workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt into insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`.";

/** .NET's Char.IsWhiteSpace (String.Trim/TrimStart): JavaScript's \s adds U+FEFF and lacks U+0085. */
const NET_SPACE = '[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const LEADING_SPACE = new RegExp(`^${NET_SPACE}+`);
const TRAILING_SPACE = new RegExp(`${NET_SPACE}+$`);
const netTrim = (s: string) => s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');

/** .NET String.Replace is ordinal and case-sensitive, applied in the runner's order: `%0a` stays as it is. */
const unescapeWith = (pairs: [string, string][]) => (s: string) =>
  pairs.reduce((text, [escaped, token]) => text.replaceAll(escaped, token), s);
const unescapeV2Data = unescapeWith([
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%']
]);
const unescapeV2Property = unescapeWith([
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%']
]);
const unescapeV1 = unescapeWith([
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%']
]);

/** `k=v` as .NET's Split('=', 2, RemoveEmptyEntries) reads it: `==a==b` is a → `b`; `a=` is no pair. */
function pair(text: string): [string, string] | undefined {
  const key = /^=*([^=]+)(?:=+(.*))?$/s.exec(text);
  if (!key || !key[2]) return undefined;
  return [key[1].toLowerCase(), key[2]];
}

function properties(text: string, separator: string, unescape: (s: string) => string) {
  const result: Record<string, string> = {};
  for (const part of text.split(separator)) {
    const kv = part === '' ? undefined : pair(part);
    if (kv) result[kv[0]] = unescape(kv[1]);
  }
  return result;
}

type Parsed = Pick<RunnerCommand, 'name' | 'properties' | 'data'>;

/** Name and properties from `name props`, if the name is registered (ignoring case). */
function commandInfo(info: string, names: Map<string, string>) {
  const space = info.indexOf(' ');
  const name = names.get((space < 0 ? info : info.slice(0, space)).toLowerCase());
  return name === undefined ? undefined : { name, props: space > 0 ? info.slice(space + 1) : undefined };
}

/** `::name props::data` at the start of the line after leading whitespace (ActionCommand.TryParseV2). */
function parseV2(message: string, names: Map<string, string>): Parsed | undefined {
  const text = message.replace(LEADING_SPACE, '');
  if (!text.startsWith('::')) return undefined;
  const end = text.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = commandInfo(text.slice(2, end), names);
  if (!info) return undefined;
  const props = info.props === undefined ? {} : properties(netTrim(info.props), ',', unescapeV2Property);
  return { name: info.name, properties: props, data: unescapeV2Data(text.slice(end + 2)) };
}

/** `##[name props]data` wherever `##[` first stands in the line (ActionCommand.TryParse). */
function parseV1(message: string, names: Map<string, string>): Parsed | undefined {
  const start = message.indexOf('##[');
  if (start < 0) return undefined;
  const close = message.indexOf(']', start);
  if (close < 0) return undefined;
  const info = commandInfo(message.slice(start + 3, close), names);
  if (!info) return undefined;
  const props = info.props === undefined ? {} : properties(info.props, ';', unescapeV1);
  return { name: info.name, properties: props, data: unescapeV1(message.slice(close + 1)) };
}

/** StringUtil.ConvertToBoolean (stop tokens) and bool.TryParse (set-env/add-path) both take `true`. */
const allows = (value: string | undefined, alsoOne: boolean) => {
  const v = netTrim(value ?? '').toLowerCase();
  return v === 'true' || (alsoOne && (v === '1' || v === '$true'));
};

/** The error a command's extension throws (the step fails, processing goes on), if any. */
function extensionError(c: Parsed, env: Record<string, string | undefined>): string | undefined {
  if (c.name === 'set-env' || c.name === 'add-path') {
    if (!allows(env.ACTIONS_ALLOW_UNSECURE_COMMANDS, false)) return disabledMessage(c.name);
  }
  if (['set-env', 'set-output', 'save-state'].includes(c.name) && !c.properties.name)
    return `Required field 'name' is missing in ##[${c.name}] command.`;
  return undefined;
}

/** The runner's command state for one stream (ActionCommandManager.TryProcessCommand). */
class CommandState {
  readonly names = new Map(REGISTERED.map(n => [n, n]));
  /** undefined: processing; '' (allowed empty token): stopped for the rest of the step. */
  stopToken: string | undefined;
  failed = false;

  constructor(readonly env: Record<string, string | undefined>) {}

  /** Whether the parsed command executes; sets `error` where the runner would throw. */
  process(c: RunnerCommand): boolean {
    if (this.stopToken !== undefined) {
      if (this.stopToken === '' || c.name.toLowerCase() !== this.stopToken.toLowerCase()) return false;
      this.names.delete(this.stopToken.toLowerCase());
      this.stopToken = undefined;
      return true;
    }
    if (c.name === 'stop-commands') return this.stop(c);
    const error = extensionError(c, this.env);
    if (error !== undefined) c.error = error;
    return true;
  }

  /** ValidateStopToken: an invalid token throws out of the output handler (the step fails there) unless allowed. */
  private stop(c: RunnerCommand): boolean {
    const token = c.data;
    const invalid =
      token === '' || this.names.has(token.toLowerCase()) || token.toLowerCase() === 'pause-logging';
    if (invalid && !allows(this.env.ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS, true)) {
      c.error = INVALID_STOP_TOKEN_MESSAGE;
      this.failed = true;
      return true;
    }
    this.stopToken = token;
    if (token !== '') this.names.set(token.toLowerCase(), token);
    return true;
  }
}

/**
 * Every command the runner would execute from one stream's text, in order (stop and resume included).
 * A stop-commands with an invalid token fails the step: it is the last command, with `error` set.
 */
export function runnerCommands(text: string, options: RunnerCommandOptions = {}): RunnerCommand[] {
  const state = new CommandState(options.env ?? {});
  const executed: RunnerCommand[] = [];
  // .NET StreamReader.ReadLine ends a line at CR, LF or CRLF.
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length && !state.failed; i++) {
    const parsed =
      lines[i] === '' ? undefined : (parseV2(lines[i], state.names) ?? parseV1(lines[i], state.names));
    if (!parsed) continue;
    const command: RunnerCommand = { ...parsed, line: i + 1, stream: options.stream ?? 'stdout' };
    if (state.process(command)) executed.push(command);
  }
  return executed;
}

/**
 * The commands of a step's stdout and stderr. Each stream has its own reader and the runner hands both to one
 * command manager in batches, stderr's lines of a batch first (ProcessInvoker.ProcessOutput): a stop-commands
 * block on one stream cannot be relied on to cover the other's lines, so each stream is parsed on its own.
 */
export function stepCommands(stdout: string, stderr: string, env: Record<string, string | undefined> = {}) {
  return [...runnerCommands(stdout, { env }), ...runnerCommands(stderr, { env, stream: 'stderr' })];
}

/** The outputs `set-output` commands set (the runner still honours them, with a deprecation warning). */
export function outputsFromCommands(commands: RunnerCommand[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const c of commands)
    if (c.name === 'set-output' && c.properties.name) outputs[c.properties.name] = c.data;
  return outputs;
}
