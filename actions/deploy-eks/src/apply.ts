/**
 * Server-side apply of the rendered manifests: Namespaces and CustomResourceDefinitions first (each CRD
 * waited for until Established, so its kinds can follow), then everything else in manifest order. Each
 * object is compared with what the cluster held to say created, configured or unchanged; a dry run says
 * what would change.
 */
import { DockyardError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { poll, systemClock, type Clock } from '../../../core/poll.js';
import { COMMIT_ANNOTATION, RUN_ANNOTATION } from './labels.js';
import { describeRef, groupOf, isRetryableKube, KubeError, type Kube, type KubeObject } from './kube.js';
import type { Manifest } from './manifests.js';

export type ResourceAction = 'created' | 'configured' | 'unchanged' | 'pruned';

export interface ResourceResult {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  action: ResourceAction;
  /** What changed (`spec.replicas: 2 → 3`); a dry run's diff. */
  changes?: string[];
}

export interface Applied {
  /** The object as sent (namespace filled in). */
  sent: KubeObject;
  /** The object as the cluster answered. */
  live: KubeObject;
  /** Before the apply, when it existed. */
  before?: KubeObject;
  result: ResourceResult;
}

export interface ApplyOptions {
  namespace: string;
  fieldManager: string;
  force: boolean;
  dryRun: boolean;
  log: Logger;
  clock?: Clock;
  signal?: AbortSignal;
  /** How long a CRD may take to become Established. */
  crdTimeoutMs?: number;
}

const VOLATILE_ANNOTATIONS = new Set([RUN_ANNOTATION, COMMIT_ANNOTATION]);

/** The object without what changes on every write (status, resourceVersion, managedFields, our run annotations). */
function comparable(object: KubeObject): unknown {
  const { status: _status, ...rest } = object;
  const meta = { ...object.metadata };
  for (const key of [
    'resourceVersion',
    'managedFields',
    'generation',
    'creationTimestamp',
    'uid',
    'selfLink'
  ])
    delete meta[key];
  const annotations = Object.entries(meta.annotations ?? {}).filter(([k]) => !VOLATILE_ANNOTATIONS.has(k));
  if (annotations.length > 0) meta.annotations = Object.fromEntries(annotations);
  else delete meta.annotations;
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  return { ...rest, metadata: meta };
}

/** Differences between two JSON values, as `path: old → new` lines. */
export function diff(before: unknown, after: unknown, path = '', out: string[] = [], limit = 40): string[] {
  if (out.length >= limit) return out;
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v).slice(0, 120));
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      diff(before[i], after[i], `${path}[${i}]`, out, limit);
    return out;
  }
  if (
    before &&
    after &&
    typeof before === 'object' &&
    typeof after === 'object' &&
    !Array.isArray(before) &&
    !Array.isArray(after)
  ) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys)
      diff(
        (before as Record<string, unknown>)[k],
        (after as Record<string, unknown>)[k],
        path ? `${path}.${k}` : k,
        out,
        limit
      );
    return out;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push(`${path}: ${show(before)} → ${show(after)}`);
  return out;
}

/** A Secret's values never reach the log, the summary or the report: a changed key is named, not shown. */
export function redactSecret(object: KubeObject, changes: string[]): string[] {
  if (object.kind !== 'Secret') return changes;
  return changes.map(c =>
    /^(data|stringData)\./.test(c) ? `${c.slice(0, c.indexOf(': '))}: (value changed)` : c
  );
}

/** Turns an apply failure into a message that names the object and, for a conflict, the other manager and field. */
export function explainApplyError(error: unknown, object: KubeObject, source: string): unknown {
  if (!(error instanceof KubeError)) return error;
  const what = describeRef({
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name
  });
  if (error.status === 409) {
    const causes = (error.body.details?.causes ?? []).filter(
      c => c.type === 'FieldManagerConflict' || c.field
    );
    const parts = causes.map(
      c =>
        `${c.field ?? '?'} is owned by ${/"([^"]+)"/.exec(c.message ?? '')?.[1] ?? c.message ?? 'another manager'}`
    );
    return new DockyardError(
      `${what} (${source}): field-manager conflict: ${parts.length ? parts.join('; ') : (error.body.message ?? 'conflict')}.`,
      {
        input: 'force-conflicts',
        hint: 'Another tool set these fields. Remove them from the manifest, let that tool stop managing them, or set force-conflicts: true to take them over.',
        cause: error
      }
    );
  }
  if (error.status === 403)
    return new DockyardError(`${what}: the cluster forbids it: ${error.body.message ?? 'Forbidden'}`, {
      hint: "Grant the deploying identity's Kubernetes user or group the RBAC the deploy-eks README lists (get, list, patch, create, delete on these kinds).",
      cause: error
    });
  if (error.status === 422 || error.status === 400)
    return new DockyardError(`${what} (${source}) was refused: ${error.body.message ?? error.message}`, {
      input: 'manifests',
      hint: 'Fix the manifest.',
      cause: error
    });
  return error;
}

function rank(object: KubeObject): number {
  if (object.kind === 'Namespace') return 0;
  if (object.kind === 'CustomResourceDefinition') return 1;
  return 2;
}

async function waitEstablished(kube: Kube, crd: KubeObject, options: ApplyOptions): Promise<void> {
  const outcome = await poll({
    check: async () => {
      const live = await kube.get<
        KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
      >({
        apiVersion: crd.apiVersion,
        kind: crd.kind,
        name: crd.metadata.name
      });
      const ok = live?.status?.conditions?.some(c => c.type === 'Established' && c.status === 'True');
      return ok ? { done: true, value: true } : { done: false };
    },
    intervalMs: 500,
    timeoutMs: options.crdTimeoutMs ?? 60_000,
    clock: options.clock ?? systemClock,
    signal: options.signal,
    isRetryable: isRetryableKube
  });
  if (outcome.kind === 'timeout')
    throw new DockyardError(
      `CustomResourceDefinition ${crd.metadata.name} did not become Established within ${Math.round((options.crdTimeoutMs ?? 60_000) / 1000)} s.`,
      {
        input: 'manifests',
        hint: 'Check the CRD with kubectl describe crd; its kinds cannot be applied before it is Established.'
      }
    );
}

/** True when a CustomResourceDefinition among the manifests defines the object's kind. */
function definedHere(manifests: Manifest[], object: KubeObject): boolean {
  const group = groupOf(object.apiVersion);
  return manifests.some(m => {
    const spec = m.object.spec as { group?: string; names?: { kind?: string } } | undefined;
    return (
      m.object.kind === 'CustomResourceDefinition' &&
      spec?.group === group &&
      spec?.names?.kind === object.kind
    );
  });
}

/** Applies every manifest in order (Namespaces, CRDs, the rest); stops at the first failure. */
export async function applyAll(kube: Kube, manifests: Manifest[], options: ApplyOptions): Promise<Applied[]> {
  const ordered = manifests
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m.object) - rank(b.m.object) || a.i - b.i);
  const applied: Applied[] = [];
  const newNamespaces = new Set<string>();
  for (const { m } of ordered) {
    if (options.signal?.aborted) break;
    const object = structuredClone(m.object);
    // A dry run applies nothing, so what these manifests would create first (a CRD's kind, a new namespace)
    // is not there for the server to check against: such objects are listed as created, unchecked.
    const unchecked = (why: string) => {
      const result: ResourceResult = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        action: 'created'
      };
      if (object.metadata.namespace) result.namespace = object.metadata.namespace;
      options.log.info(`${describeRef(result)} created (dry run; not checked: ${why})`);
      applied.push({ sent: object, live: object, result });
    };
    let resource;
    try {
      resource = await kube.resource(object.apiVersion, object.kind);
    } catch (error) {
      if (!options.dryRun || !definedHere(manifests, object)) throw error;
      unchecked('its CustomResourceDefinition is not installed yet');
      continue;
    }
    if (resource.namespaced) object.metadata.namespace ??= options.namespace;
    else delete object.metadata.namespace;
    if (options.dryRun && resource.namespaced && newNamespaces.has(object.metadata.namespace!)) {
      unchecked(`namespace ${object.metadata.namespace} does not exist yet`);
      continue;
    }
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name
    };
    const before = await kube.get(ref);
    let live: KubeObject;
    try {
      live = await kube.apply(object, {
        fieldManager: options.fieldManager,
        force: options.force,
        dryRun: options.dryRun
      });
    } catch (error) {
      throw explainApplyError(error, object, m.source);
    }
    const changes = before ? redactSecret(object, diff(comparable(before), comparable(live))) : [];
    const action: ResourceAction = !before ? 'created' : changes.length === 0 ? 'unchanged' : 'configured';
    const result: ResourceResult = { ...ref, action, ...(changes.length ? { changes } : {}) };
    if (!ref.namespace) delete result.namespace;
    applied.push({ sent: object, live, before, result });
    if (options.dryRun && object.kind === 'Namespace' && !before) newNamespaces.add(object.metadata.name);
    const verb = options.dryRun ? `${action} (dry run)` : action;
    options.log.info(`${describeRef(ref)} ${verb}`);
    if (options.dryRun) for (const c of changes) options.log.info(`    ${c}`);
    if (object.kind === 'CustomResourceDefinition' && !options.dryRun)
      await waitEstablished(kube, object, options);
  }
  return applied;
}
