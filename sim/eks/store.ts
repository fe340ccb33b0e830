/**
 * The test API server's object store: one map of objects with the bookkeeping the API server does on each
 * write (uid, creationTimestamp, resourceVersion from one counter, generation bumped when anything outside
 * metadata and status changes, managedFields), a history of changes for watches, and owner-reference cascade.
 */
import { randomUUID } from 'node:crypto';
import {
  clone,
  deepEqual,
  renderManagedFields,
  updateOwnership,
  type JsonObject,
  type ManagerEntry
} from './apply.js';
import { apiVersionOf, type ResourceInfo } from './resources.js';

export interface Entry {
  info: ResourceInfo;
  object: JsonObject;
  managers: ManagerEntry[];
}

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  type: WatchType;
  info: ResourceInfo;
  namespace: string;
  object: JsonObject;
  /** The object before a MODIFIED. */
  old?: JsonObject;
}

export const meta = (o: JsonObject): JsonObject => (o.metadata ??= {}) as JsonObject;
export const nameOf = (o: JsonObject): string => String(meta(o).name ?? '');
export const namespaceOf = (o: JsonObject): string => String(meta(o).namespace ?? '');
export const uidOf = (o: JsonObject): string => String(meta(o).uid ?? '');

const keyOf = (info: ResourceInfo, namespace: string, name: string) =>
  `${info.group}/${info.resource}/${info.namespaced ? namespace : ''}/${name}`;

/** What a generation counts: everything but metadata and status. */
function specOf(o: JsonObject): JsonObject {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/**
 * A DaemonSet's template generation, as apps/v1 shows it: an annotation the API server sets to 1 on create and
 * bumps when the pod template changes (daemonset strategy `PrepareForUpdate`, `spec.templateGeneration` of the
 * internal type); the controller labels each pod with it (`pod-template-generation`).
 */
export const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function templateGeneration(old: JsonObject | undefined, o: JsonObject): string {
  if (!old) return '1';
  const was = Number((meta(old).annotations as JsonObject | undefined)?.[TEMPLATE_GENERATION] ?? 1);
  const template = (x: JsonObject) => (x.spec as JsonObject | undefined)?.template;
  return String(deepEqual(template(old), template(o)) ? was : was + 1);
}

const HISTORY = 50_000;

export class Store {
  private readonly objects = new Map<string, Entry>();
  private history: Change[] = [];
  private readonly watchers = new Set<(change: Change) => void>();
  rv = 1;
  /** Changes up to this resourceVersion are no longer kept. */
  private compacted = 0;

  reset(): void {
    this.objects.clear();
    this.history = [];
    this.rv += 1000;
    this.compacted = this.rv;
  }

  entry(info: ResourceInfo, namespace: string, name: string): Entry | undefined {
    return this.objects.get(keyOf(info, namespace, name));
  }

  /** The object as a client sees it (a copy, with managedFields), or undefined. */
  get(info: ResourceInfo, namespace: string, name: string): JsonObject | undefined {
    const e = this.entry(info, namespace, name);
    return e ? this.render(e) : undefined;
  }

  render(e: Entry): JsonObject {
    const o = clone(e.object);
    if (e.managers.length) meta(o).managedFields = renderManagedFields(e.managers);
    return o;
  }

  /** Entries of a kind, in one namespace or all, in name order. */
  list(info: ResourceInfo, namespace?: string): Entry[] {
    const out: Entry[] = [];
    for (const e of this.objects.values()) {
      if (e.info.group !== info.group || e.info.resource !== info.resource) continue;
      if (namespace && info.namespaced && namespaceOf(e.object) !== namespace) continue;
      out.push(e);
    }
    return out.sort((a, b) =>
      `${namespaceOf(a.object)}/${nameOf(a.object)}`.localeCompare(
        `${namespaceOf(b.object)}/${nameOf(b.object)}`
      )
    );
  }

  /** Every entry (any kind) that names `uid` in its ownerReferences. */
  ownedBy(uid: string): Entry[] {
    return [...this.objects.values()].filter(e =>
      ((meta(e.object).ownerReferences ?? []) as JsonObject[]).some(r => r.uid === uid)
    );
  }

  /**
   * Writes an object: creates it when absent (uid, creationTimestamp, generation 1), otherwise replaces it,
   * bumping generation when its spec changed. `managers` replaces the field ownership when given; otherwise
   * `manager` takes what changed (an Update). Returns the stored entry, or the old one when nothing changed.
   */
  write(
    info: ResourceInfo,
    object: JsonObject,
    options: {
      managers?: ManagerEntry[];
      manager?: string;
      /** The ownership the write starts from when the client wrote managedFields (else the live one). */
      base?: ManagerEntry[];
      subresource?: string;
      dryRun?: boolean;
      /** The uid a new object gets (defaults that name it, like a Job's selector, are made before the write). */
      uid?: string;
    } = {}
  ): { entry: Entry; created: boolean; changed: boolean } {
    const o = clone(object);
    const m = meta(o);
    delete m.managedFields;
    o.apiVersion = apiVersionOf(info);
    o.kind = info.kind;
    if (!info.namespaced) delete m.namespace;
    const key = keyOf(info, namespaceOf(o), nameOf(o));
    const old = this.objects.get(key);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    let managers = options.managers;
    if (!managers && options.manager)
      managers = updateOwnership(
        old?.object,
        o,
        options.base ?? old?.managers ?? [],
        options.manager,
        apiVersionOf(info),
        now,
        options.subresource
      );
    managers ??= old?.managers ?? [];
    if (info.kind === 'DaemonSet')
      m.annotations = {
        ...((m.annotations as JsonObject) ?? {}),
        [TEMPLATE_GENERATION]: templateGeneration(old?.object, o)
      };
    if (old) {
      const om = meta(old.object);
      m.uid = om.uid;
      m.creationTimestamp = om.creationTimestamp;
      if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp;
      const generation = Number(om.generation ?? 1);
      m.generation = deepEqual(specOf(old.object), specOf(o)) ? generation : generation + 1;
      m.resourceVersion = om.resourceVersion;
      if (deepEqual(old.object, o) && sameManagers(old.managers, managers))
        return { entry: old, created: false, changed: false };
    } else {
      m.uid = options.uid ?? randomUUID();
      m.creationTimestamp = now;
      m.generation = 1;
    }
    const entry: Entry = { info, object: o, managers };
    if (options.dryRun) {
      // Nothing is stored: an update keeps the current resourceVersion, a create has none yet.
      if (!old) delete m.resourceVersion;
      return { entry, created: !old, changed: true };
    }
    m.resourceVersion = String(++this.rv);
    this.objects.set(key, entry);
    this.emit({
      rv: this.rv,
      type: old ? 'MODIFIED' : 'ADDED',
      info,
      namespace: namespaceOf(o),
      object: this.render(entry),
      old: old ? this.render(old) : undefined
    });
    return { entry, created: !old, changed: true };
  }

  /** Removes an object (no cascade: see the server's delete). */
  remove(info: ResourceInfo, namespace: string, name: string): Entry | undefined {
    const key = keyOf(info, namespace, name);
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.objects.delete(key);
    const o = this.render(old);
    meta(o).resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, type: 'DELETED', info, namespace: namespaceOf(o), object: o });
    return old;
  }

  /** Changes after `rv`, or undefined when they are no longer all kept (a watch answers 410 Gone). */
  since(rv: number): Change[] | undefined {
    if (rv < this.compacted) return undefined;
    return this.history.filter(c => c.rv > rv);
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  private emit(change: Change): void {
    this.history.push(change);
    if (this.history.length > HISTORY) {
      const dropped = this.history.splice(0, this.history.length - HISTORY);
      this.compacted = dropped[dropped.length - 1].rv;
    }
    for (const w of [...this.watchers]) w(change);
  }
}

function sameManagers(a: ManagerEntry[], b: ManagerEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (e, i) =>
        e.manager === b[i].manager &&
        e.operation === b[i].operation &&
        e.fields.size === b[i].fields.size &&
        [...e.fields.keys()].every(k => b[i].fields.has(k))
    )
  );
}
