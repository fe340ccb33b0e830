/**
 * Server-side apply and the other patch types, as pure functions over plain objects.
 *
 * Field ownership is kept as a set of field paths per manager. A path names a field the way Kubernetes
 * prints it in a conflict (`.spec.template.spec.containers[name="app"].image`); lists whose items have a key
 * (containers by name, ports by port and protocol, …) are associative, the others atomic (owned as one field).
 * fieldsV1 is rendered from these paths in the real format (`f:spec`, `k:{"name":"app"}`, `.`).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One step of a field path: a field of an object, or the item of an associative list with that key. */
export type PathElement = { field: string } | { key: JsonObject };
export type FieldPath = PathElement[];

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  /** Path key → path. Item paths (ending in a key element) mark that the manager owns the item's existence. */
  fields: Map<string, FieldPath>;
  subresource?: string;
}

export interface Conflict {
  manager: string;
  field: string;
  /** How the other manager wrote the field, for the message (an Update manager is named with its API version). */
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
}

/** The key fields of associative lists, by the list's field name (and parent, where it matters). */
function listKeys(listField: string, parentPath: FieldPath): string[] | undefined {
  const parent = parentPath.length ? parentPath[parentPath.length - 1] : undefined;
  const parentField = parent && 'field' in parent ? parent.field : undefined;
  switch (listField) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
      return ['name'];
    case 'volumeMounts':
      return ['mountPath'];
    case 'volumeDevices':
      return ['devicePath'];
    case 'conditions':
      return ['type'];
    case 'ports':
      // Container ports are keyed by containerPort+protocol, Service ports by port+protocol.
      return parentField === 'spec' ? ['port', 'protocol'] : ['containerPort', 'protocol'];
    case 'ownerReferences':
      return ['uid'];
    case 'hostAliases':
      return ['ip'];
    case 'topologySpreadConstraints':
      return ['topologyKey', 'whenUnsatisfiable'];
    default:
      return undefined;
  }
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function itemKey(item: Json, keys: string[]): JsonObject | undefined {
  if (!isObject(item)) return undefined;
  const key: JsonObject = {};
  for (const k of keys) {
    if (item[k] !== undefined) key[k] = item[k];
    else if (k === 'protocol') key[k] = 'TCP';
    else return undefined;
  }
  return key;
}

function sameKey(item: Json, key: JsonObject, keys: string[]): boolean {
  const k = itemKey(item, keys);
  return k !== undefined && deepEqual(k, key);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter(k => ao[k] !== undefined);
  const bk = Object.keys(bo).filter(k => bo[k] !== undefined);
  return ak.length === bk.length && ak.every(k => deepEqual(ao[k], bo[k]));
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The path element of an associative list's item (`{ key: { name: "app" } }`), or undefined when the list is atomic. */
export function itemElement(listField: string, parentPath: FieldPath, item: Json): PathElement | undefined {
  const keys = listKeys(listField, parentPath);
  const key = keys && itemKey(item, keys);
  return key ? { key } : undefined;
}

/** The path as Kubernetes prints it: `.spec.template.spec.containers[name="app"].image`. */
export function pathString(path: FieldPath): string {
  return path
    .map(e =>
      'field' in e
        ? `.${e.field}`
        : `[${Object.entries(e.key)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`
    )
    .join('');
}

/** Fields a client does not own: identity, bookkeeping, and status (a subresource). */
const UNOWNED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName'
]);

/** The set of field paths an object (an applied configuration, or a live object) sets. */
export function fieldSet(object: JsonObject): Map<string, FieldPath> {
  const out = new Map<string, FieldPath>();
  const add = (path: FieldPath) => out.set(pathString(path), path);
  const walk = (value: Json, path: FieldPath) => {
    if (isObject(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) add(path);
      for (const [k, v] of entries) {
        if (path.length === 0 && ['apiVersion', 'kind', 'status'].includes(k)) continue;
        if (
          path.length === 1 &&
          'field' in path[0] &&
          path[0].field === 'metadata' &&
          UNOWNED_METADATA.has(k)
        )
          continue;
        walkField(k, v, path);
      }
    } else add(path);
  };
  const walkField = (k: string, v: Json, path: FieldPath) => {
    const here = [...path, { field: k }];
    const keys = Array.isArray(v) ? listKeys(k, path) : undefined;
    if (Array.isArray(v) && keys && v.every(item => itemKey(item, keys))) {
      if (v.length === 0) add(here);
      for (const item of v) {
        const itemPath = [...here, { key: itemKey(item, keys)! }];
        add(itemPath);
        walk(item, itemPath);
      }
    } else if (v !== undefined) walk(v, here);
  };
  walk(object, []);
  return out;
}

/** The value at a path, or undefined. */
export function valueAt(object: Json | undefined, path: FieldPath): Json | undefined {
  let current: Json | undefined = object;
  for (const e of path) {
    if ('field' in e) {
      if (!isObject(current)) return undefined;
      current = current[e.field];
    } else {
      if (!Array.isArray(current)) return undefined;
      const keys = Object.keys(e.key);
      current = current.find(item => sameKey(item, e.key, keys));
    }
  }
  return current;
}

/** Removes the field or list item at a path (no-op when absent). */
function deleteAt(object: JsonObject, path: FieldPath): void {
  const parent = valueAt(object, path.slice(0, -1));
  const last = path[path.length - 1];
  if ('field' in last) {
    if (isObject(parent)) delete parent[last.field];
  } else if (Array.isArray(parent)) {
    const keys = Object.keys(last.key);
    const index = parent.findIndex(item => sameKey(item, last.key, keys));
    if (index >= 0) parent.splice(index, 1);
  }
}

/** Merges an applied configuration into a live object: maps by key, associative lists by item key, the rest replaced. */
function mergeApplied(live: Json | undefined, applied: Json, path: FieldPath = []): Json {
  if (isObject(applied)) {
    const result: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      const here = [...path, { field: k }];
      const keys = Array.isArray(v) ? listKeys(k, path) : undefined;
      if (Array.isArray(v) && keys && Array.isArray(result[k])) {
        const existing = result[k] as Json[];
        const merged: Json[] = [];
        for (const item of v) {
          const key = itemKey(item, keys);
          const old = key ? existing.find(e => sameKey(e, key, keys)) : undefined;
          merged.push(mergeApplied(old, item, [...here, { key: key ?? {} }]));
        }
        for (const old of existing) {
          const key = itemKey(old, keys);
          if (!key || !v.some(item => sameKey(item, key, keys))) merged.push(old);
        }
        result[k] = merged;
      } else result[k] = mergeApplied(result[k], v, here);
    }
    return result;
  }
  return clone(applied);
}

export interface ApplyInput {
  live: JsonObject | undefined;
  managers: ManagerEntry[];
  applied: JsonObject;
  manager: string;
  force: boolean;
  now: string;
}

export type ApplyResult =
  { ok: true; object: JsonObject; managers: ManagerEntry[] } | { ok: false; conflicts: Conflict[] };

/** Server-side apply of `applied` by `manager` onto `live`. */
export function serverSideApply(input: ApplyInput): ApplyResult {
  const { live, applied, manager, force } = input;
  const applying = fieldSet(applied);
  const conflicts: Conflict[] = [];
  const forced = new Map<string, Set<string>>();
  for (const entry of input.managers) {
    if (entry.manager === manager && entry.operation === 'Apply') continue;
    for (const [key, path] of applying) {
      if (!entry.fields.has(key)) continue;
      const last = path[path.length - 1];
      // Owning an item of a list (or an empty map) together never conflicts: only values do.
      if ('key' in last) continue;
      if (deepEqual(valueAt(live, path), valueAt(applied, path))) continue;
      const { operation, apiVersion, subresource } = entry;
      conflicts.push({ manager: entry.manager, field: key, operation, apiVersion, subresource });
      if (!forced.has(entry.manager)) forced.set(entry.manager, new Set());
      forced.get(entry.manager)!.add(key);
    }
  }
  if (conflicts.length && !force) return { ok: false, conflicts };

  const previous = input.managers.find(e => e.manager === manager && e.operation === 'Apply');
  const entry: ManagerEntry = {
    manager,
    operation: 'Apply',
    apiVersion: String(applied.apiVersion ?? ''),
    time: input.now,
    fields: applying
  };
  const managers = input.managers.flatMap(e => {
    if (e === previous) return [entry];
    const lost = force ? forced.get(e.manager) : undefined;
    const fields = lost ? new Map([...e.fields].filter(([k]) => !lost.has(k))) : e.fields;
    return fields.size ? [{ ...e, fields }] : [];
  });
  if (!previous) managers.push(entry);
  const others = managers.filter(e => e !== entry);

  let object: JsonObject = clone(live) ?? {};
  if (previous) {
    // Fields this manager set before and no longer sets, and that nobody else owns, are removed.
    const ownedByOthers = (key: string) =>
      others.some(e =>
        [...e.fields.keys()].some(k => k === key || k.startsWith(key + '.') || k.startsWith(key + '['))
      );
    const dropped = [...previous.fields].filter(([key]) => !applying.has(key) && !ownedByOthers(key));
    dropped.sort((a, b) => b[1].length - a[1].length);
    for (const [, path] of dropped) deleteAt(object, path);
  }
  object = mergeApplied(object, applied) as JsonObject;
  return { ok: true, object, managers };
}

/**
 * Ownership after a non-apply write (create, update, merge/strategic/JSON patch): `manager` takes every field
 * whose value changed or appeared; fields that disappeared leave every manager.
 */
export function updateOwnership(
  before: JsonObject | undefined,
  after: JsonObject,
  managers: ManagerEntry[],
  manager: string,
  apiVersion: string,
  now: string,
  subresource?: string
): ManagerEntry[] {
  const oldFields = before ? fieldSet(before) : new Map<string, FieldPath>();
  const newFields = fieldSet(after);
  const changed = new Map<string, FieldPath>();
  for (const [key, path] of newFields) {
    if (!oldFields.has(key) || !deepEqual(valueAt(before, path), valueAt(after, path)))
      changed.set(key, path);
  }
  const result: ManagerEntry[] = [];
  for (const e of managers) {
    const isMine = e.manager === manager && e.operation === 'Update' && e.subresource === subresource;
    const fields = new Map(
      [...e.fields].filter(
        ([k]) => newFields.has(k) && (isMine || !changed.has(k) || 'key' in e.fields.get(k)!.at(-1)!)
      )
    );
    if (isMine) continue;
    if (fields.size) result.push({ ...e, fields });
  }
  const mine = managers.find(
    e => e.manager === manager && e.operation === 'Update' && e.subresource === subresource
  );
  const fields = new Map<string, FieldPath>([
    ...[...(mine?.fields ?? new Map<string, FieldPath>())].filter(([k]) => newFields.has(k)),
    ...changed
  ]);
  if (fields.size) result.push({ manager, operation: 'Update', apiVersion, time: now, fields, subresource });
  return result;
}

/** fieldsV1 in the real format, from a set of paths. */
export function fieldsV1(fields: Map<string, FieldPath>): JsonObject {
  const root: JsonObject = {};
  for (const path of fields.values()) {
    let node = root;
    for (const e of path) {
      const name = 'field' in e ? `f:${e.field}` : `k:${JSON.stringify(e.key)}`;
      node[name] = isObject(node[name]) ? node[name] : {};
      node = node[name] as JsonObject;
      if ('key' in e) node['.'] = {};
    }
  }
  return root;
}

/** The field paths of a fieldsV1 trie (`f:` fields, `k:` list items by key; `.` marks an item itself). */
export function parseFieldsV1(trie: JsonObject, path: FieldPath = [], out = new Map<string, FieldPath>()) {
  const children = Object.entries(trie).filter(([name]) => name !== '.');
  if (path.length > 0 && ('.' in trie || children.length === 0)) out.set(pathString(path), path);
  for (const [name, child] of children) {
    const element: PathElement | undefined = name.startsWith('f:')
      ? { field: name.slice(2) }
      : name.startsWith('k:')
        ? { key: JSON.parse(name.slice(2)) as JsonObject }
        : undefined;
    // `v:` (set items) and `i:` (indexes) do not occur in what this server renders: such a list is owned whole.
    if (!element) {
      if (path.length > 0) out.set(pathString(path), path);
    } else parseFieldsV1(isObject(child) ? child : {}, [...path, element], out);
  }
  return out;
}

/**
 * The managers a client wrote in `metadata.managedFields` with an update or a non-apply patch: the API server
 * takes them as the object's ownership before it records the write itself (managedfields `FieldManager.Update`:
 * "This is necessary to allow directly updating managed fields", which client-go's csaupgrade relies on). An
 * absent or empty list keeps the live ownership.
 */
export function writtenManagers(written: Json | undefined): ManagerEntry[] | undefined {
  if (!Array.isArray(written) || written.length === 0) return undefined;
  // An entry that owns nothing is dropped, as the server drops managers whose field set is empty.
  return written.filter(isObject).flatMap(e =>
    typeof e.manager === 'string' && e.manager !== ''
      ? [
          {
            manager: e.manager,
            operation: e.operation === 'Apply' ? ('Apply' as const) : ('Update' as const),
            apiVersion: String(e.apiVersion ?? ''),
            time: String(e.time ?? ''),
            fields: parseFieldsV1(isObject(e.fieldsV1) ? e.fieldsV1 : {}),
            ...(typeof e.subresource === 'string' && e.subresource ? { subresource: e.subresource } : {})
          }
        ].filter(entry => entry.fields.size > 0)
      : []
  );
}

export function renderManagedFields(managers: ManagerEntry[]): JsonObject[] {
  return managers.map(e => {
    const out: JsonObject = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsV1(e.fields)
    };
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/**
 * A manager as a conflict names it (managedfields conflict.go printManager): `"kubectl"` for an applier;
 * `"kube-controller-manager" with subresource "scale" using apps/v1` for an Update manager.
 */
export function printManager(c: Conflict): string {
  const name = `${JSON.stringify(c.manager)}${c.subresource ? ` with subresource ${JSON.stringify(c.subresource)}` : ''}`;
  return c.operation === 'Update' ? `${name} using ${c.apiVersion}` : name;
}

/** The message the API server gives a conflicting apply (what kubectl prints), managers in sorted order. */
export function conflictMessage(conflicts: Conflict[]): string {
  const byManager = new Map<string, string[]>();
  for (const c of conflicts)
    byManager.set(printManager(c), [...(byManager.get(printManager(c)) ?? []), c.field]);
  const n = conflicts.length;
  if (n === 1)
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0])}: ${conflicts[0].field}`;
  return `Apply failed with ${n} conflicts: ${[...byManager]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([m, fields]) => `conflicts with ${m}:\n${fields.map(f => `- ${f}`).join('\n')}`)
    .join('\n')}`;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

/** Strategic merge patch, as far as workloads need it: associative lists merge by key, `$patch: delete|replace`. */
export function strategicMergePatch(target: Json | undefined, patch: Json, path: FieldPath = []): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const here = [...path, { field: k }];
    if (v === null) {
      delete result[k];
      continue;
    }
    const keys = Array.isArray(v) ? listKeys(k, path) : undefined;
    if (Array.isArray(v) && keys && Array.isArray(result[k])) {
      const merged = [...(result[k] as Json[])];
      for (const item of v) {
        const key = itemKey(item, keys);
        const index = key ? merged.findIndex(e => sameKey(e, key, keys)) : -1;
        if (isObject(item) && item.$patch === 'delete') {
          if (index >= 0) merged.splice(index, 1);
        } else if (index >= 0) merged[index] = strategicMergePatch(merged[index], item, here);
        else merged.push(strategicMergePatch(undefined, item, here));
      }
      result[k] = merged;
    } else result[k] = strategicMergePatch(result[k], v, here);
  }
  return result;
}

export class PatchError extends Error {}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 JSON patch (add, remove, replace, test, copy, move). */
export function jsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch is a list of operations');
  let doc = clone(target);
  const parentOf = (parts: string[]): [Json, string] => {
    let node: Json = doc;
    for (const p of parts.slice(0, -1)) {
      const next: Json | undefined = Array.isArray(node)
        ? node[Number(p)]
        : isObject(node)
          ? node[p]
          : undefined;
      if (next === undefined) throw new PatchError(`doc is missing path: /${parts.join('/')}`);
      node = next;
    }
    return [node, parts[parts.length - 1]];
  };
  const readIndexed = (node: Json, parts: string[]): Json | undefined => {
    let n: Json | undefined = node;
    for (const p of parts) n = Array.isArray(n) ? n[Number(p)] : isObject(n) ? n[p] : undefined;
    return n;
  };
  const remove = (parts: string[]) => {
    const [parent, last] = parentOf(parts);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else if (isObject(parent) && last in parent) delete parent[last];
    else throw new PatchError(`unable to remove nonexistent key: ${last}`);
  };
  const add = (parts: string[], value: Json, replace: boolean) => {
    if (parts.length === 0) {
      doc = clone(value);
      return;
    }
    const [parent, last] = parentOf(parts);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (replace) parent[index] = clone(value);
      else parent.splice(index, 0, clone(value));
    } else if (isObject(parent)) {
      if (replace && !(last in parent))
        throw new PatchError(`replace operation does not apply: doc is missing key: /${parts.join('/')}`);
      parent[last] = clone(value);
    } else throw new PatchError(`doc is missing path: /${parts.join('/')}`);
  };
  for (const op of operations) {
    if (!isObject(op)) throw new PatchError('a JSON patch operation is an object');
    const parts = pointer(String(op.path ?? ''));
    switch (op.op) {
      case 'add':
        add(parts, op.value ?? null, false);
        break;
      case 'replace':
        add(parts, op.value ?? null, true);
        break;
      case 'remove':
        remove(parts);
        break;
      case 'test':
        if (!deepEqual(readIndexed(doc, parts), op.value))
          throw new PatchError(`testing value /${parts.join('/')} failed`);
        break;
      case 'copy':
      case 'move': {
        const from = pointer(String(op.from ?? ''));
        const value = readIndexed(doc, from);
        if (value === undefined) throw new PatchError(`doc is missing from path: ${String(op.from)}`);
        if (op.op === 'move') remove(from);
        add(parts, value, false);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}
