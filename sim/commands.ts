/**
 * The workflow commands a GitHub runner would execute from a step's stdout, parsed as the runner parses them
 * (actions/runner, src/Runner.Worker/ActionCommandManager.cs and ActionCommand.cs), so that a test can say what
 * a line printed by Dockyard would have done on a real runner:
 *
 * - the runner reads stdout a line at a time, and .NET's ReadLine ends a line at CR, LF or CRLF;
 * - `::name props::data` is a command when the line starts with it after leading whitespace is trimmed
 *   (properties `k=v` separated by `,`);
 * - otherwise the legacy `##[name props]data` is a command wherever it stands in the line (properties
 *   separated by `;`);
 * - only registered names are commands; `stop-commands` with a token stops all processing until a command
 *   whose name is that token (`::token::` or `##[token]`), which resumes it;
 * - `set-env` and `add-path` are refused unless ACTIONS_ALLOW_UNSECURE_COMMANDS is set (we never set it).
 */

export interface RunnerCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
  /** The line it came from (1-based). */
  line: number;
}

const REGISTERED = new Set([
  'add-mask',
  'add-matcher',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-output',
  'stop-commands',
  'warning'
]);

const unescapeData = (s: string) => s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/gi, '%');
const unescapeProperty = (s: string) => unescapeData(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',');

function properties(text: string, separator: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of text.split(separator).filter(p => p !== '')) {
    const eq = part.indexOf('=');
    // .NET's Split('=', 2, RemoveEmptyEntries): a pair needs a name and a non-empty value.
    if (eq > 0 && eq < part.length - 1) result[part.slice(0, eq)] = unescapeProperty(part.slice(eq + 1));
  }
  return result;
}

/** `::name props::data`, after leading whitespace. */
function parseV2(message: string, names: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  const text = message.trimStart();
  if (!text.startsWith('::')) return undefined;
  const end = text.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = text.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!names.has(name)) return undefined;
  return {
    name,
    properties: space > 0 ? properties(info.slice(space + 1).trim(), ',') : {},
    data: unescapeData(text.slice(end + 2))
  };
}

/** `##[name props]data`, anywhere in the line. */
function parseV1(message: string, names: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  const start = message.indexOf('##[');
  if (start < 0) return undefined;
  const close = message.indexOf(']', start);
  if (close < 0) return undefined;
  const info = message.slice(start + 3, close);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!names.has(name)) return undefined;
  return {
    name,
    properties: space > 0 ? properties(info.slice(space + 1), ';') : {},
    data: unescapeData(message.slice(close + 1))
  };
}

/** Every command the runner would execute from `stdout`, in order (stop and resume included). */
export function runnerCommands(stdout: string): RunnerCommand[] {
  const names = new Set(REGISTERED);
  const executed: RunnerCommand[] = [];
  let stopToken: string | undefined;
  stdout.split(/\r\n|\r|\n/).forEach((text, i) => {
    if (text === '') return;
    const parsed = parseV2(text, names) ?? parseV1(text, names);
    if (!parsed) return;
    const command = { ...parsed, line: i + 1 };
    if (stopToken !== undefined) {
      if (command.name.toLowerCase() !== stopToken.toLowerCase()) return;
      names.delete(stopToken);
      stopToken = undefined;
      executed.push(command);
      return;
    }
    if (command.name === 'stop-commands' && command.data !== '') {
      stopToken = command.data;
      names.add(stopToken);
    }
    executed.push(command);
  });
  return executed;
}

/** The outputs `::set-output` commands set (the runner still honours them, with a deprecation warning). */
export function outputsFromCommands(commands: RunnerCommand[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const c of commands)
    if (c.name === 'set-output' && c.properties.name) outputs[c.properties.name] = c.data;
  return outputs;
}
