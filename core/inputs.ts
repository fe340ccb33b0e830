import * as actionsCore from '@actions/core';
import { DockyardError, InputError } from './errors.js';
import { parseDuration } from './duration.js';

/** Where input values come from: `@actions/core` on a runner, a plain record in tests. Unset is ''. */
export type InputSource = (name: string) => string;

export const actionsInputSource: InputSource = name => actionsCore.getInput(name);

export function recordInputSource(values: Record<string, string | undefined>): InputSource {
  return name => (values[name] ?? '').trim();
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
  constructor(private readonly source: InputSource) {}

  raw(name: string): string {
    return this.source(name);
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
        this.fail(
          name,
          `line ${line} ('${text}') is not of the form KEY=VALUE.`,
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
