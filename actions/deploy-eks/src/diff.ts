/**
 * What an apply changed (or, in a dry run, would change), as `path: old → new` lines, and the rule that keeps a
 * Secret's values out of them and out of the log: a Secret's data is named by key, never shown, whatever the
 * object held before, and every value it holds (in the manifest or in the cluster, plain or base64) is masked.
 */
import type { Logger } from '../../../core/log.js';
import type { KubeObject } from './kube.js';
import { COMMIT_ANNOTATION, RUN_ANNOTATION } from './labels.js';

/** kubectl's client-side apply copy of the object: for a Secret, its values in plain JSON. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const VOLATILE_ANNOTATIONS = new Set([RUN_ANNOTATION, COMMIT_ANNOTATION]);
const BOOKKEEPING = [
  'resourceVersion',
  'managedFields',
  'generation',
  'creationTimestamp',
  'uid',
  'selfLink'
];

/** The object without what changes on every write (status, resourceVersion, managedFields, our run annotations). */
export function comparable(object: KubeObject): unknown {
  const { status: _status, ...rest } = object;
  const meta = { ...object.metadata };
  for (const key of BOOKKEEPING) delete meta[key];
  const annotations = Object.entries(meta.annotations ?? {}).filter(([k]) => !VOLATILE_ANNOTATIONS.has(k));
  if (annotations.length > 0) meta.annotations = Object.fromEntries(annotations);
  else delete meta.annotations;
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  return { ...rest, metadata: meta };
}

type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface DiffOptions {
  /** A path whose values must not be shown: its line says added, removed or changed. */
  hidden?: (path: string) => boolean;
  /** At most this many lines. */
  limit?: number;
}

/**
 * Differences between two JSON values, as `path: old → new` lines. A map that is new or gone is walked key by
 * key (`data.a: (none) → "1"`), so a line never holds a whole subtree of maps.
 */
export function diff(before: unknown, after: unknown, options: DiffOptions = {}): string[] {
  const out: string[] = [];
  walk(before, after, '', out, { limit: 40, ...options });
  return out;
}

function walk(before: unknown, after: unknown, path: string, out: string[], o: DiffOptions): void {
  if (out.length >= o.limit!) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      walk(before[i], after[i], `${path}[${i}]`, out, o);
    return;
  }
  const maps = (isMap(before) || before === undefined) && (isMap(after) || after === undefined);
  if (maps && (before !== undefined || after !== undefined)) {
    const b = (before ?? {}) as Json;
    const a = (after ?? {}) as Json;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    // An empty map that appeared or went (`resources: {}`); two empty maps are the same.
    if (keys.length === 0 && (before === undefined) !== (after === undefined))
      return emit(before, after, path, out, o);
    for (const k of keys) walk(b[k], a[k], path ? `${path}.${k}` : k, out, o);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) emit(before, after, path, out, o);
}

function emit(before: unknown, after: unknown, path: string, out: string[], o: DiffOptions): void {
  if (o.hidden?.(path)) {
    const what = before === undefined ? 'added' : after === undefined ? 'removed' : 'value changed';
    out.push(`${path}: (${what})`);
    return;
  }
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v).slice(0, 120));
  out.push(`${path}: ${show(before)} → ${show(after)}`);
}

/** The paths of a Secret whose values are never shown: its data, and kubectl's copy of it. */
export function secretPath(path: string): boolean {
  return /^(data|stringData)(\.|\[|$)/.test(path) || path === `metadata.annotations.${LAST_APPLIED}`;
}

/** What changed between two states of an object; a Secret's values are named, never shown. */
export function changes(before: KubeObject, after: KubeObject): string[] {
  const hidden = after.kind === 'Secret' ? secretPath : undefined;
  return diff(comparable(before), comparable(after), { hidden });
}

/**
 * Shorter values are not masked: the runner would hide every `1` or `yes` in the log, and such a value hides
 * nothing worth hiding.
 */
const MIN_MASKED = 4;

/**
 * Masks every value of a Secret (from the manifests or read from the cluster): each plain value and its base64
 * form, since the API server answers `stringData` as base64 `data`, and kubectl's last-applied copy.
 */
export function maskSecret(object: KubeObject | undefined, log: Logger): void {
  if (object?.kind !== 'Secret') return;
  const values = (field: string) =>
    Object.values((object[field] ?? {}) as Record<string, unknown>).map(String);
  const forms = [
    ...values('stringData').map(plain => [plain, Buffer.from(plain).toString('base64')]),
    ...values('data').map(encoded => [Buffer.from(encoded, 'base64').toString('utf8'), encoded])
  ];
  const masked = new Set<string>();
  for (const [plain, encoded] of forms) {
    if (plain.trim().length < MIN_MASKED) continue;
    for (const form of [plain, encoded, ...plain.split(/\r?\n/)])
      if (form.trim().length >= MIN_MASKED) masked.add(form.trim());
  }
  for (const form of masked) log.mask(form);
  const copy = object.metadata.annotations?.[LAST_APPLIED];
  if (copy) log.mask(copy);
}
