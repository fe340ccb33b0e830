/**
 * Label and field selectors as the API server reads them from `labelSelector=` / `fieldSelector=`, and the
 * LabelSelector objects workloads carry (`matchLabels`, `matchExpressions`). Pure.
 */

export type Requirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export class SelectorError extends Error {}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, text: string): string {
  if (!KEY.test(key))
    throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${text}"`);
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value) || value.length > 63)
    throw new SelectorError(`unable to parse requirement: invalid label value: "${value}" in "${text}"`);
  return value;
}

/** Splits on commas that are not inside `( … )`. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p !== '');
}

/** Parses a label selector string (`app=web,tier!=db,env in (a,b),!legacy,track`). */
export function parseLabelSelector(text: string): Requirement[] {
  const result: Requirement[] = [];
  for (const part of splitTop(text)) {
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (set) {
      const values = set[3]
        .split(',')
        .map(v => v.trim())
        .filter(v => v !== '')
        .map(v => checkValue(v, text));
      if (set[2] === 'in' && values.length === 0)
        throw new SelectorError(`unable to parse requirement: for 'in' operator, values set can't be empty`);
      result.push({ key: checkKey(set[1], text), op: set[2] as 'in' | 'notin', values });
      continue;
    }
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (eq) {
      result.push({
        key: checkKey(eq[1], text),
        op: eq[2] === '!=' ? '!=' : '=',
        value: checkValue(eq[3], text)
      });
      continue;
    }
    const neg = /^!\s*(\S+)$/.exec(part);
    if (neg) {
      result.push({ key: checkKey(neg[1], text), op: '!exists' });
      continue;
    }
    if (/^\S+$/.test(part)) {
      result.push({ key: checkKey(part, text), op: 'exists' });
      continue;
    }
    throw new SelectorError(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=`);
  }
  return result;
}

export function matchesRequirements(
  requirements: Requirement[],
  labels: Record<string, string> | undefined
): boolean {
  const l = labels ?? {};
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
    }
  });
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

/** The requirements of a LabelSelector object (a Deployment's `spec.selector`). */
export function selectorRequirements(selector: LabelSelectorObject | undefined): Requirement[] {
  const result: Requirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {}))
    result.push({ key, op: '=', value });
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'Exists') result.push({ key: e.key, op: 'exists' });
    else if (e.operator === 'DoesNotExist') result.push({ key: e.key, op: '!exists' });
    else result.push({ key: e.key, op: e.operator === 'In' ? 'in' : 'notin', values: e.values ?? [] });
  }
  return result;
}

/** A LabelSelector object as the `labelSelector=` text kubectl would send for it. */
export function selectorString(selector: LabelSelectorObject | undefined): string {
  return selectorRequirements(selector)
    .map(r => {
      switch (r.op) {
        case 'exists':
          return r.key;
        case '!exists':
          return `!${r.key}`;
        case '=':
        case '!=':
          return `${r.key}${r.op}${r.value}`;
        default:
          return `${r.key} ${r.op} (${r.values.join(',')})`;
      }
    })
    .join(',');
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parses a field selector (`metadata.name=web,status.phase!=Running`). `fields` are the ones the kind supports. */
export function parseFieldSelector(text: string, fields: readonly string[]): FieldRequirement[] {
  return splitTop(text).map(part => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${part}'; can't understand '${part}'`);
    if (!fields.includes(m[1])) throw new SelectorError(`field label not supported: ${m[1]}`);
    return { field: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] };
  });
}

/** The value at a dotted path (`involvedObject.name`), as a string ('' when absent). */
function fieldValue(object: unknown, path: string): string {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined || current === null ? '' : String(current);
}

export function matchesFields(requirements: FieldRequirement[], object: unknown): boolean {
  return requirements.every(r => (fieldValue(object, r.field) === r.value) === (r.op === '='));
}
