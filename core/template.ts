/**
 * The one placeholder rule of every Dockyard action (docs/templates.md):
 * - `${var.NAME}` is replaced by the value declared for NAME; an undeclared NAME is an error.
 * - `$${var.NAME}` is the escape: it becomes the literal text `${var.NAME}`.
 * - Every other `${...}`, `$(...)` or `{{ ... }}` passes through untouched: the platform fills it at run time
 *   (FireLens `${AWS_REGION}`, Kubernetes `$(POD_NAME)`, a shell's `${HOME}`).
 * - A plain `${NAME}` whose NAME is declared is an error: the marker was forgotten.
 * Every problem of a text (or of every string of a document) is reported in one error, before anything is written.
 */
import { DockyardError } from './errors.js';

export const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `$${var.X}` (escape), `${var.X}` (marker), `${var.<anything>}` (a marker with a bad name), `${NAME}`. */
const TOKEN = /(\$?)\$\{var\.([^}]*)\}|(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface TemplateOptions {
  /** What holds the text, for messages: `'taskdef.json'`. Defaults to the input's value. */
  where?: string;
  /** The sentence for undeclared names (listed as `${var.NAME}`, ...); defaults to "... has no value". */
  missing?: (list: string, count: number) => string;
  /** How to declare a missing name; defaults to adding it to the `vars` input. */
  hint?: (missing: string[]) => string;
}

interface Problems {
  missing: Set<string>;
  unmarked: Set<string>;
  malformed: Set<string>;
  used: Set<string>;
}

function replace(text: string, vars: Record<string, string>, found: Problems): string {
  return text.replace(
    TOKEN,
    (match, escape: string, marked: string | undefined, plainEscape: string, plain: string | undefined) => {
      if (marked !== undefined) {
        if (escape) return match.slice(1);
        if (!PLACEHOLDER_NAME.test(marked)) {
          found.malformed.add(match);
          return match;
        }
        if (!Object.hasOwn(vars, marked)) {
          found.missing.add(marked);
          return match;
        }
        found.used.add(marked);
        return vars[marked];
      }
      if (!plainEscape && plain !== undefined && Object.hasOwn(vars, plain)) found.unmarked.add(plain);
      return match;
    }
  );
}

function check(found: Problems, input: string, options: TemplateOptions): void {
  const sentences: string[] = [];
  const hints: string[] = [];
  const where = options.where ? ` in ${options.where}` : '';
  const list = (names: Iterable<string>, format: (n: string) => string) => [...names].map(format).join(', ');
  if (found.missing.size > 0) {
    const missing = [...found.missing];
    const names = list(missing, n => `\${var.${n}}`);
    sentences.push(
      options.missing?.(names, missing.length) ??
        `${names}${where} ${missing.length === 1 ? 'has no value' : 'have no values'}.`
    );
    hints.push(
      options.hint?.(missing) ??
        `Declare ${missing.length === 1 ? 'it' : 'them'} in 'vars' (${missing.map(n => `${n}=<value>`).join(', ')}), or write $\${var.NAME} for the literal text.`
    );
  }
  if (found.unmarked.size > 0) {
    const one = found.unmarked.size === 1;
    sentences.push(
      `${list(found.unmarked, n => `\${${n}}`)}${where} ${one ? 'names a declared value' : 'name declared values'} without the 'var.' marker.`
    );
    hints.push(
      `Write ${list(found.unmarked, n => `\${var.${n}}`)} to fill ${one ? 'it' : 'them'} in; a plain \${...} is left for the platform to fill at run time, so it must not share a name with a declared value.`
    );
  }
  if (found.malformed.size > 0) {
    sentences.push(
      `${list(found.malformed, m => m)}${where} ${found.malformed.size === 1 ? 'is not a valid placeholder' : 'are not valid placeholders'}.`
    );
    hints.push('A name is letters, digits and _, not starting with a digit: ${var.IMAGE_TAG}.');
  }
  if (sentences.length > 0) {
    throw new DockyardError(sentences.join(' '), { input, hint: hints.join(' ') });
  }
}

function newProblems(): Problems {
  return { missing: new Set(), unmarked: new Set(), malformed: new Set(), used: new Set() };
}

/** Fills the `${var.NAME}` placeholders of one text. Throws a DockyardError naming `input` and every problem. */
export function substitute(
  text: string,
  vars: Record<string, string>,
  input: string,
  options: TemplateOptions = {}
): { text: string; used: Set<string> } {
  const found = newProblems();
  const result = replace(text, vars, found);
  check(found, input, options);
  return { text: result, used: found.used };
}

/**
 * Fills placeholders in every string of a parsed document (JSON or YAML), never in keys. Substituting after
 * parsing means a value with quotes or newlines cannot break the document's syntax.
 */
export function substituteInValue(
  value: unknown,
  vars: Record<string, string>,
  input: string,
  options: TemplateOptions = {}
): { value: unknown; used: Set<string> } {
  const found = newProblems();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return replace(v, vars, found);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const result = walk(value);
  check(found, input, options);
  return { value: result, used: found.used };
}
