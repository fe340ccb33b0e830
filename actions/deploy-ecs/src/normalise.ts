/**
 * A task definition as ECS will store it, before anything is sent: empty values removed (templates rendered
 * with empty strings rely on that), every member checked against the ECS API model with its field path,
 * values of an obvious other type converted (YAML's `value: 8080` is a number, ECS wants a string), and the
 * task's cpu and memory in every unit form ECS accepts turned into the integers ECS stores.
 */
import { oneLine } from '../../../core/index.js';
import { LIST_ENUMS, TASK_DEFINITION, type List, type Shape, type Struct } from './model.js';

/** One problem in the task definition, where it is and how to fix it. */
export interface FieldProblem {
  /** `containerDefinitions[0].command` */
  path: string;
  message: string;
  fix: string;
}

export interface Normalised {
  value: Record<string, unknown>;
  /** Paths of the empty values removed. */
  removed: string[];
  /** `path: "8080" → 8080` notes of values converted to the type ECS wants. */
  converted: string[];
  /** Members the model does not know (dropped). */
  unknown: string[];
  problems: FieldProblem[];
}

/** `containerDefinitions[i].member`, the field path of a container's member. */
export const containerPath = (i: number, member: string) => `containerDefinitions[${i}].${member}`;

const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** `""`, null, `[]`, `{}` — and lists and objects holding only those. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.every(isEmpty);
  if (typeof value === 'object') return Object.values(value as object).every(isEmpty);
  return false;
}

/**
 * Removes empty values and lists what it removed. An environment variable's empty `value` is kept when the
 * variable has a name: `FOO=` is a value, not a hole in a template.
 */
export function removeEmpty(value: unknown, path = '', removed: string[] = []): unknown {
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    value.forEach((item, i) => {
      if (isEmpty(item)) removed.push(join(path, i));
      else kept.push(removeEmpty(item, join(path, i), removed));
    });
    return kept;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const environmentEntry = /\.environment\[\d+\]$/.test(path);
    for (const [key, v] of Object.entries(value)) {
      if (environmentEntry && key === 'value' && v === '') {
        out[key] = v;
        continue;
      }
      if (isEmpty(v)) removed.push(join(path, key));
      else out[key] = removeEmpty(v, join(path, key), removed);
    }
    return out;
  }
  return value;
}

const NUMBER = /^\s*-?\d+\s*$/;

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(oneLine(value, { max: 41 }))}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const EXPECTED: Record<string, string> = {
  s: 'a string',
  i: 'a whole number',
  b: 'true or false',
  S: 'a list of strings',
  M: 'a map of names to strings',
  struct: 'an object',
  list: 'a list of objects'
};

const FIX: Record<string, string> = {
  s: 'Write it as a string in quotes.',
  i: 'Write a whole number without quotes or units.',
  b: 'Write true or false.',
  S: 'Write a list: ["a", "b"] (JSON) or one "- a" a line (YAML).',
  M: 'Write an object whose values are strings: {"name": "value"}.',
  struct: 'Write an object: {"member": …}.',
  list: 'Write a list of objects: [{…}, {…}].'
};

/**
 * `path: 8080 → "8080"`; values an app reads (environment, labels, log driver options, which can hold a
 * token) are named by type only, so the log never shows them.
 */
function conversionNote(path: string, from: unknown, to: unknown): string {
  return holdsAppValue(path)
    ? `${path}: ${typeName(from)} → ${typeName(to)}`
    : `${path}: ${JSON.stringify(from)} → ${JSON.stringify(to)}`;
}

const holdsAppValue = (path: string) => /\.(environment|dockerLabels|options|secretOptions)\b/.test(path);

/** A value's type without the value: `a number`, `a string`, … */
function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'boolean' ? 'true or false' : `a ${typeof value}`;
}

/** Checks one value against its shape: returns the value to keep (converted), or undefined to drop it. */
function check(value: unknown, shape: Shape, path: string, out: Normalised, key = ''): unknown {
  const kind = typeof shape === 'string' ? shape : shape.kind;
  const wrong = (): undefined => {
    out.problems.push({
      path,
      message: `expected ${EXPECTED[kind]}, found ${holdsAppValue(path) ? typeName(value) : describeType(value)}.`,
      fix: FIX[kind]
    });
    return undefined;
  };
  const convert = (to: unknown) => {
    out.converted.push(conversionNote(path, value, to));
    return to;
  };
  switch (kind) {
    case 's':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return convert(String(value));
      return wrong();
    case 'i':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && NUMBER.test(value)) return convert(Number(value));
      return wrong();
    case 'b':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return convert(value === 'true');
      return wrong();
    case 'S': {
      if (!Array.isArray(value)) return wrong();
      const items = value.map((item, i) => check(item, 's', join(path, i), out) as string | undefined);
      const allowed = LIST_ENUMS[key];
      items.forEach((item, i) => {
        if (allowed && item !== undefined && !allowed.includes(item))
          out.problems.push({
            path: join(path, i),
            message: `'${item}' is not one of ${allowed.join(', ')}.`,
            fix: `Use one of ${allowed.join(', ')} (upper case).`
          });
      });
      return items.filter(i => i !== undefined);
    }
    case 'M': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return wrong();
      const map: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) {
        const item = check(v, 's', join(path, k), out) as string | undefined;
        if (item !== undefined) map[k] = item;
      }
      return map;
    }
    case 'list': {
      if (!Array.isArray(value)) return wrong();
      const of = (shape as { of: Struct }).of;
      return value.map((item, i) => check(item, of, join(path, i), out)).filter(item => item !== undefined);
    }
    case 'struct':
      return checkStruct(value, shape as Struct, path, out);
  }
  return undefined;
}

function checkStruct(value: unknown, shape: Struct, path: string, out: Normalised): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    out.problems.push({
      path,
      message: `expected an object, found ${describeType(value)}.`,
      fix: FIX.struct
    });
    return undefined;
  }
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const where = join(path, key);
    const member = shape.members[key];
    if (!member) {
      out.unknown.push(where);
      continue;
    }
    const checked = check(v, member, where, out, key);
    if (checked === undefined) continue;
    const allowed = shape.enums?.[key];
    if (allowed && typeof checked === 'string' && !allowed.includes(checked)) {
      const match = allowed.find(a => a.toLowerCase() === checked.toLowerCase());
      if (match) {
        result[key] = match;
        out.converted.push(conversionNote(where, checked, match));
        continue;
      }
      out.problems.push({
        path: where,
        message: `'${checked}' is not one of ${allowed.join(', ')}.`,
        fix: `Use one of ${allowed.join(', ')}.`
      });
      continue;
    }
    result[key] = checked;
  }
  return result;
}

/** How to add a required member: in the file, or with the input that gives it (a container's image, a secret). */
function addMember(path: string, key: string): string {
  if (key === 'image' && /^containerDefinitions\[\d+\]$/.test(path))
    return "Add 'image', or give it with the 'images' input (container=image).";
  if (key === 'valueFrom' && /^containerDefinitions\[\d+\]\.secrets\[\d+\]$/.test(path))
    return "Add 'valueFrom', or give it with the 'secrets' input (NAME=ARN).";
  return `Add '${key}'.`;
}

/**
 * Required members the request lacks, by the ECS API model. Judged on the rendered request, after the step's
 * inputs are applied: a file may leave a container's `image` to the `images` input, as render steps do.
 */
export function missingMembers(value: unknown, shape: Struct = TASK_DEFINITION, path = ''): FieldProblem[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const record = value as Record<string, unknown>;
  const missing: FieldProblem[] = [];
  for (const [key, member] of Object.entries(shape.members)) {
    const v = record[key];
    if (v === undefined || typeof member === 'string') continue;
    if (member.kind === 'struct') missing.push(...missingMembers(v, member, join(path, key)));
    else if (Array.isArray(v))
      v.forEach((item, i) => missing.push(...missingMembers(item, member.of, join(join(path, key), i))));
  }
  for (const key of shape.required ?? [])
    if (record[key] === undefined)
      missing.push({
        path: join(path, key),
        message: 'is required and missing.',
        fix: addMember(path, key)
      });
  return missing;
}

/**
 * The task definition (RegisterTaskDefinition members only) as ECS will store it. Never throws: what is
 * wrong is in `problems`, each with its field path, and left out of `value`. Required members are not judged
 * here but on the rendered request (missingMembers), since the step's inputs may give them.
 */
export function normaliseTaskDefinition(body: Record<string, unknown>): Normalised {
  const out: Normalised = { value: {}, removed: [], converted: [], unknown: [], problems: [] };
  const cleaned = removeEmpty(body, '', out.removed) as Record<string, unknown>;
  const value = (checkStruct(cleaned, TASK_DEFINITION, '', out) ?? {}) as Record<string, unknown>;
  for (const [key, parse, example] of [
    ['cpu', taskCpu, "'256' or '.25 vCPU'"],
    ['memory', taskMemory, "'512' or '1 GB'"]
  ] as const) {
    if (value[key] === undefined) continue;
    const units = parse(String(value[key]));
    if (units === undefined) {
      out.problems.push({
        path: key,
        message: `'${String(value[key])}' is not a task ${key} size ECS accepts.`,
        fix: `Write ${key === 'cpu' ? 'CPU units' : 'MiB'} as a number, or ${example}.`
      });
      delete value[key];
    } else if (units !== value[key]) {
      out.converted.push(`${key}: ${JSON.stringify(value[key])} → ${JSON.stringify(units)}`);
      value[key] = units;
    }
  }
  out.value = value;
  return out;
}

/**
 * Another member of a request (UpdateService's `volumeConfigurations`, say) checked against its shape in the model
 * as the task definition is: types, enums, conversions and required members, each problem with its field path.
 */
export function checkMember(
  value: unknown,
  shape: Shape,
  path: string
): Pick<Normalised, 'converted' | 'unknown' | 'problems'> & { value: unknown } {
  const out: Normalised = { value: {}, removed: [], converted: [], unknown: [], problems: [] };
  const checked = check(value, shape, path, out);
  const items = typeof shape !== 'string' && shape.kind === 'list' && Array.isArray(checked) ? checked : [];
  items.forEach((item, i) => out.problems.push(...missingMembers(item, (shape as List).of, join(path, i))));
  if (typeof shape !== 'string' && shape.kind === 'struct')
    out.problems.push(...missingMembers(checked, shape, path));
  return { value: checked, converted: out.converted, unknown: out.unknown, problems: out.problems };
}

/**
 * Task CPU as ECS stores it (CPU units): `1024`, `"1024"`, `"1 vCPU"`, `"1 vcpu"`, `".25 vcpu"`, `"0.5vCPU"`.
 * ECS converts vCPU strings to units when it registers the task definition (RegisterTaskDefinition `cpu`).
 */
export function taskCpu(text: string): string | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return String(Number(t));
  const m = /^(\d+(?:\.\d*)?|\.\d+)\s*vcpus?$/i.exec(t);
  return m ? String(Math.round(Number(m[1]) * 1024)) : undefined;
}

/**
 * Task memory as ECS stores it (MiB): `512`, `"512"`, `"1GB"`, `"1 GB"`, `".5 gb"`. ECS converts GB strings
 * to MiB (× 1024) when it registers the task definition (RegisterTaskDefinition `memory`).
 */
export function taskMemory(text: string): string | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return String(Number(t));
  const m = /^(\d+(?:\.\d*)?|\.\d+)\s*gb$/i.exec(t);
  return m ? String(Math.round(Number(m[1]) * 1024)) : undefined;
}

export function describeProblems(problems: FieldProblem[]): string[] {
  return problems.map(p => `${p.path}: ${p.message} ${p.fix}`);
}
