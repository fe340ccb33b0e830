/**
 * Prune: delete what this deployment applied before and is no longer in the manifests. Objects are found by
 * the set label, in the kinds and namespaces recorded on a ConfigMap at the last apply (as Kubernetes
 * ApplySets keep them on their parent object), so a kind that has left the manifests is still looked at.
 * Never a Namespace, an object without this set's label, one a controller owns, or one annotated
 * `dockyard.dev/prune: "false"`; CustomResourceDefinitions (their deletion deletes every object of the kind)
 * and PersistentVolumeClaims (their volume, and its data, may go with them) only when the inputs say so.
 * Called after the workloads are healthy: a failed rollout prunes nothing.
 */
import { splitList } from '../../../core/inputs.js';
import type { Logger } from '../../../core/log.js';
import { SET_LABEL, MANAGED_BY, PRUNE_ANNOTATION } from './labels.js';
import { describeRef, KubeError, refKey, type Kube, type KubeObject } from './kube.js';
import type { Applied, ResourceResult } from './apply.js';

export interface SetRecord {
  /** `apiVersion kind` of every kind applied. */
  kinds: string[];
  namespaces: string[];
}

export const RECORD_PREFIX = 'dockyard-set.';

/** The record's ConfigMap name: a DNS subdomain (each dot-separated part starts and ends with a letter or digit). */
export function recordName(set: string): string {
  const parts = `${RECORD_PREFIX}${set}`
    .toLowerCase()
    .split('.')
    .map(part => part.replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean);
  return parts
    .join('.')
    .slice(0, 253)
    .replace(/[^a-z0-9]+$/, '');
}

export async function readRecord(kube: Kube, set: string, namespace: string): Promise<SetRecord | undefined> {
  const cm = await kube.get<KubeObject & { data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace,
    name: recordName(set)
  });
  if (!cm) return undefined;
  return { kinds: splitList(cm.data?.kinds ?? ''), namespaces: splitList(cm.data?.namespaces ?? '') };
}

export async function writeRecord(
  kube: Kube,
  set: string,
  namespace: string,
  record: SetRecord,
  fieldManager: string
): Promise<void> {
  await kube.apply(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: recordName(set),
        namespace,
        labels: { [MANAGED_BY]: 'dockyard' },
        annotations: { 'dockyard.dev/record-of': set }
      },
      data: {
        kinds: [...record.kinds].sort().join('\n'),
        namespaces: [...record.namespaces].sort().join('\n')
      }
    },
    { fieldManager, force: true }
  );
}

export function recordOf(applied: Applied[], namespace: string): SetRecord {
  const kinds = new Set<string>();
  const namespaces = new Set<string>([namespace]);
  for (const a of applied) {
    kinds.add(`${a.sent.apiVersion} ${a.sent.kind}`);
    if (a.sent.metadata.namespace) namespaces.add(a.sent.metadata.namespace);
  }
  return { kinds: [...kinds], namespaces: [...namespaces] };
}

export interface PruneOptions {
  set: string;
  namespace: string;
  dryRun: boolean;
  log: Logger;
  /** CustomResourceDefinitions may be deleted (input prune-crds). */
  crds?: boolean;
  /** PersistentVolumeClaims may be deleted (input prune-pvcs). */
  pvcs?: boolean;
}

/** Kinds kept unless an input allows them, with that input. */
const GUARDED: Record<string, { input: string; allowed: (o: PruneOptions) => boolean; why: string }> = {
  CustomResourceDefinition: {
    input: 'prune-crds',
    allowed: o => !!o.crds,
    why: 'deleting it deletes every object of its kind'
  },
  PersistentVolumeClaim: {
    input: 'prune-pvcs',
    allowed: o => !!o.pvcs,
    why: 'its volume, and the data on it, may be deleted with it'
  }
};

/** Why an object of the set that left the manifests is kept, or undefined when it may be deleted. */
export function keptBecause(object: KubeObject, kind: string, options: PruneOptions): string | undefined {
  if (object.metadata.annotations?.[PRUNE_ANNOTATION] === 'false')
    return `it is annotated ${PRUNE_ANNOTATION}: "false"`;
  const guard = GUARDED[kind];
  if (guard && !guard.allowed(options)) return `${guard.why}; set ${guard.input}: true to prune it`;
  return undefined;
}

/**
 * Deletes the set's objects that were not applied this time, in the recorded and current kinds and
 * namespaces. Returns what was (or, in a dry run, would be) pruned.
 */
export async function prune(
  kube: Kube,
  applied: Applied[],
  previous: SetRecord | undefined,
  options: PruneOptions
): Promise<ResourceResult[]> {
  const current = recordOf(applied, options.namespace);
  const kinds = [...new Set([...(previous?.kinds ?? []), ...current.kinds])];
  const namespaces = [...new Set([...(previous?.namespaces ?? []), ...current.namespaces])];
  const keep = new Set(
    applied.map(a => refKey({ ...a.sent, namespace: a.sent.metadata.namespace, name: a.sent.metadata.name }))
  );
  const record = recordName(options.set);
  const pruned: ResourceResult[] = [];
  const selector = `${SET_LABEL}=${options.set}`;
  for (const entry of kinds) {
    const [apiVersion, kind] = entry.split(' ');
    if (!apiVersion || !kind || kind === 'Namespace') continue;
    let namespaced: boolean;
    try {
      namespaced = (await kube.resource(apiVersion, kind)).namespaced;
    } catch {
      options.log.debug(`prune: ${kind} (${apiVersion}) is no longer served; nothing to look at.`);
      continue;
    }
    const found: KubeObject[] = [];
    for (const ns of namespaced ? namespaces : [undefined]) {
      try {
        found.push(...(await kube.list({ apiVersion, kind, namespace: ns }, { labelSelector: selector })));
      } catch (error) {
        if (error instanceof KubeError && error.status === 404) continue;
        throw error;
      }
    }
    for (const object of found) {
      const ref = { apiVersion, kind, namespace: object.metadata.namespace, name: object.metadata.name };
      // Belt and braces: the selector already asked for the label, but only an object that carries it is deleted.
      if (object.metadata.labels?.[SET_LABEL] !== options.set) continue;
      if (keep.has(refKey(ref)) || (kind === 'ConfigMap' && ref.name === record)) continue;
      if (object.metadata.ownerReferences?.some(o => o.controller)) continue;
      const kept = keptBecause(object, kind, options);
      if (kept) {
        options.log.info(`${describeRef(ref)} left the manifests and is kept: ${kept}.`);
        continue;
      }
      const deleted = await kube.delete(ref, { dryRun: options.dryRun });
      if (!deleted) continue;
      options.log.info(`${describeRef(ref)} pruned${options.dryRun ? ' (dry run)' : ''}`);
      const result: ResourceResult = { ...ref, action: 'pruned' };
      if (!ref.namespace) delete result.namespace;
      pruned.push(result);
    }
  }
  return pruned;
}
