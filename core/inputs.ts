import * as actionsCore from '@actions/core';
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { REGION_HINT, REGION_PATTERN, resolveRegion } from './aws.js';
import { collectProblem, DockyardError, InputError } from './errors.js';
import { parseDuration } from './duration.js';

/**
 * Where input values come from: `@actions/core` on a runner, a plain record in tests. Unset is ''.
 * `mask` hides a secret value from the log; without one, the runner's `setSecret` is used.
 */
export type InputSource = ((name: string) => string) & { mask?: (value: string) => void };

export const actionsInputSource: InputSource = name => actionsCore.getInput(name);

/** Values from a record; masked values are collected in `masked` instead of being sent to the runner. */
export function recordInputSource(
  values: Record<string, string | undefined>,
  masked: string[] = []
): InputSource {
  return Object.assign((name: string) => (values[name] ?? '').trim(), {
    mask: (value: string) => void masked.push(value)
  });
}

/** The directory path inputs are relative to: GITHUB_WORKSPACE on a runner, else the working directory. */
export function workspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GITHUB_WORKSPACE || process.cwd();
}

export type PathKind = 'file' | 'dir' | 'any';

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves a path input against the workspace, following symlinks, and refuses what is not inside it or
 * is not of the expected kind. The errors name `input` (and the line, for one path of a multi-line input).
 * A path that a file names (a kustomization's entry) is resolved from `base`, named in errors by `where`, and
 * `hint` says how to fix it.
 */
export function resolveInsideWorkspace(
  input: string,
  value: string,
  options: {
    kind?: PathKind;
    workspace?: string;
    line?: number;
    base?: string;
    where?: string;
    hint?: string;
  } = {}
): string {
  const workspace = options.workspace ?? workspaceDir();
  const where =
    options.where ?? (options.line === undefined ? `'${value}'` : `line ${options.line}: '${value}'`);
  const hint =
    options.hint ??
    'Give a path inside the workspace (the repository checkout), relative to it; write files that earlier steps produce into the workspace.';
  const root = resolve(workspace);
  const lexical = resolve(options.base ?? root, value);
  if (!isInside(lexical, root)) {
    throw new DockyardError(`${where} is outside the workspace (${root}).`, { input, hint });
  }
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    throw new DockyardError(`${where} does not exist (looked for ${lexical}).`, {
      input,
      hint: 'Check the path, relative to the workspace; check out the repository (actions/checkout) or create the file in an earlier step.'
    });
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = root;
  }
  if (!isInside(real, realRoot)) {
    throw new DockyardError(`${where} leads outside the workspace through a symbolic link (to ${real}).`, {
      input,
      hint
    });
  }
  const kind = options.kind ?? 'any';
  const stats = statSync(real);
  if (kind === 'file' && !stats.isFile())
    throw new DockyardError(`${where} is not a file.`, { input, hint: 'Give the path of a file.' });
  if (kind === 'dir' && !stats.isDirectory())
    throw new DockyardError(`${where} is not a directory.`, { input, hint: 'Give the path of a directory.' });
  return real;
}

export interface KeyValue {
  key: string;
  value: string;
  /** 1-based line number within the input, for error messages. */
  line: number;
}

const TRUE = new Set(['true', 'True', 'TRUE', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'no', 'off', '0']);

/**
 * Reads and validates every input of an action together. Problems are collected rather than thrown, so
 * `done()` reports them all at once, each naming its input and the fix, before any AWS call is made.
 */
export class InputReader {
  readonly problems: DockyardError[] = [];
  /** Where path inputs are resolved; see resolveInsideWorkspace. */
  readonly workspace: string;
  private readonly env: NodeJS.ProcessEnv;
  constructor(
    private readonly source: InputSource,
    options: { workspace?: string; env?: NodeJS.ProcessEnv } = {}
  ) {
    this.env = options.env ?? process.env;
    this.workspace = options.workspace ?? workspaceDir(this.env);
  }

  raw(name: string): string {
    return this.source(name);
  }

  /** Hides a value from the log from now on. */
  mask(value: string): void {
    if (value === '') return;
    if (this.source.mask) this.source.mask(value);
    else actionsCore.setSecret(value);
  }

  /** A secret value, masked as soon as it is read (each line too, for a multi-line value). */
  secret(name: string, options: { required?: boolean; hint?: string } = {}): string | undefined {
    const value = this.source(name);
    this.mask(value);
    for (const line of value.split(/\r?\n/)) if (line.trim() !== value) this.mask(line.trim());
    return this.string(name, options);
  }

  /**
   * `ID=VALUE` lines whose values are secrets: every value is masked before anything is checked, and a
   * malformed line is reported by its number and id only, never by its text.
   */
  secretEntries(name: string, options: { example?: string } = {}): KeyValue[] {
    const text = this.source(name);
    this.mask(text.trim());
    const result: KeyValue[] = [];
    for (const { text: lineText, line } of splitLines(text)) {
      const eq = lineText.indexOf('=');
      const key = eq > 0 ? lineText.slice(0, eq).trim() : '';
      const value = eq > 0 ? lineText.slice(eq + 1).trim() : '';
      // Whatever follows the id is the value, however it was separated: mask it before any check.
      const id = /^[A-Za-z0-9_.-]+/.exec(lineText)?.[0];
      this.mask(value);
      this.mask(
        id === undefined
          ? lineText
          : lineText
              .slice(id.length)
              .replace(/^[\s=:]+/, '')
              .trim()
      );
      if (eq <= 0 || key === '' || /\s/.test(key) || value === '') {
        this.fail(
          name,
          `line ${line}${id ? ` (id '${id}')` : ''} is not of the form ID=VALUE (the line is not shown: it holds a secret).`,
          `Write one entry a line: the id, '=' and the value${options.example ? `, such as '${options.example}'` : ''}.`
        );
        continue;
      }
      result.push({ key, value, line });
    }
    return result;
  }

  /** A path input resolved inside the workspace (symlinks followed); undefined when unset or refused. */
  path(
    name: string,
    options: { required?: boolean; kind?: PathKind; default?: string; hint?: string } = {}
  ): string | undefined {
    const value = this.string(name, options);
    if (value === undefined) return undefined;
    return this.pathValue(name, value, options);
  }

  /** One path given inside an input (a line of a list), resolved like `path`. */
  pathValue(
    name: string,
    value: string,
    options: { kind?: PathKind; line?: number } = {}
  ): string | undefined {
    return this.collect(() => resolveInsideWorkspace(name, value, { ...options, workspace: this.workspace }));
  }

  /**
   * Runs a check that throws a DockyardError (a template rule, a file's parse) and collects that error with the
   * others; returns the check's value, or undefined when it threw. Any other error is a bug and propagates.
   */
  collect<T>(check: () => T): T | undefined {
    return collectProblem(this.problems, check);
  }

  /**
   * The AWS region: the input, else AWS_REGION / AWS_DEFAULT_REGION (or `fallback` before the environment).
   * With `required: false` (an action that needs a region only in some modes) an unset region is undefined,
   * not a problem; a region that is set is checked the same way.
   */
  region(name?: string, options?: { fallback?: string; required?: true }): string;
  region(name: string, options: { fallback?: string; required: boolean }): string | undefined;
  region(name = 'region', options: { fallback?: string; required?: boolean } = {}): string | undefined {
    const region = resolveRegion(this.source(name) || options.fallback, this.env);
    if (!region) {
      if (options.required === false) return undefined;
      this.fail(name, 'no AWS region is set.', REGION_HINT);
      return '';
    }
    if (!REGION_PATTERN.test(region)) {
      this.fail(name, `'${region}' is not an AWS region.`, "Use a region code such as 'eu-west-1'.");
      return '';
    }
    return region;
  }

  fail(name: string, message: string, hint?: string): void {
    this.problems.push(new DockyardError(message, { input: name, hint }));
  }

  string(
    name: string,
    options: { required?: boolean; default?: string; hint?: string } = {}
  ): string | undefined {
    const value = this.source(name);
    if (value !== '') return value;
    if (options.required) {
      this.fail(name, 'is required.', options.hint ?? `Set '${name}' in the step's 'with:' block.`);
      return undefined;
    }
    return options.default;
  }

  required(name: string, hint?: string): string {
    return this.string(name, { required: true, hint }) ?? '';
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.source(name);
    if (value === '') return fallback;
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    this.fail(name, `'${value}' is not a boolean.`, `Use 'true' or 'false'.`);
    return fallback;
  }

  integer(name: string, options: { min?: number; max?: number } = {}): number | undefined {
    const value = this.source(name);
    if (value === '') return undefined;
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      const range =
        options.max !== undefined
          ? `from ${min} to ${max}`
          : options.min !== undefined
            ? `of at least ${min}`
            : '';
      this.fail(
        name,
        `'${value}' is not a whole number${range ? ` ${range}` : ''}.`,
        `Give a whole number ${range}.`
      );
      return undefined;
    }
    return Number(value);
  }

  /** A duration such as `15m` or `30s`, in milliseconds. */
  duration(name: string, fallback: string, options: { min?: number } = {}): number {
    const text = this.source(name) || fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms < (options.min ?? 0)) {
      this.fail(
        name,
        `'${text}' is not a duration.`,
        `Use a number with a unit, such as '30s', '15m' or '1h'.`
      );
      return parseDuration(fallback) ?? 0;
    }
    return ms;
  }

  choice<T extends string>(
    name: string,
    choices: readonly T[],
    fallback: T,
    options: { ignoreCase?: boolean } = {}
  ): T {
    const value = this.source(name);
    if (value === '') return fallback;
    const found = choices.find(c =>
      options.ignoreCase ? c.toLowerCase() === value.toLowerCase() : c === value
    );
    if (found === undefined) {
      this.fail(name, `'${value}' is not one of the accepted values.`, `Use one of: ${choices.join(', ')}.`);
      return fallback;
    }
    return found;
  }

  /** A list separated by commas and/or newlines; blanks dropped. */
  list(name: string): string[] {
    return splitList(this.source(name));
  }

  /** Non-empty lines; lines starting with `#` are comments. */
  lines(name: string): string[] {
    return splitLines(this.source(name)).map(l => l.text);
  }

  /** `KEY=VALUE` lines. The value keeps everything after the first `=`, including further `=`, spaces and quotes. */
  keyValues(name: string, options: { allowEmptyValue?: boolean; example?: string } = {}): KeyValue[] {
    const result: KeyValue[] = [];
    for (const { text, line } of splitLines(this.source(name))) {
      const eq = text.indexOf('=');
      const key = eq > 0 ? text.slice(0, eq).trim() : '';
      // `KEY = value` is formatting; `KEY=  value` keeps its spaces.
      const rawValue = eq > 0 ? text.slice(eq + 1) : '';
      const value = eq > 0 && /\s/.test(text[eq - 1]) ? rawValue.trimStart() : rawValue;
      if (eq <= 0 || key === '' || (!options.allowEmptyValue && value === '')) {
        // The line is not quoted: it may be a value (an environment entry, a pasted secret) without its key.
        const what = eq < 0 ? "has no '='" : key === '' ? "has no key before '='" : `('${key}') has no value`;
        this.fail(
          name,
          `line ${line} ${what}: it is not of the form KEY=VALUE.`,
          options.example
            ? `Write one entry a line, such as '${options.example}'.`
            : 'Write one KEY=VALUE a line.'
        );
        continue;
      }
      result.push({ key, value, line });
    }
    return result;
  }

  /** Throws one InputError naming every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new InputError(this.problems);
  }
}

export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(s => s !== '');
}

export function splitLines(text: string): { text: string; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((raw, i) => ({ text: raw.trim(), line: i + 1 }))
    .filter(l => l.text !== '' && !l.text.startsWith('#'));
}
