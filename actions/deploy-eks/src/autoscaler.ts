/**
 * A workload a HorizontalPodAutoscaler scales: its `spec.replicas` belongs to the autoscaler, which writes it
 * through the scale subresource (as kube-controller-manager). We neither send it nor take it over, whatever the
 * manifest says, so a deploy never meets a 409 over it and never resets the count.
 *
 * Giving the field up is done the way the Kubernetes documentation shows for this very case (Server-Side Apply,
 * "Transferring ownership"): leaving `replicas` out of an apply while we are its only owner would reset it to
 * the default (1), so first a private field manager applies the live count alone, sharing the field; then our
 * apply without it lets go, and the count stays. The private manager loses the field the next time the
 * autoscaler writes it, and with it its entry. A conflict on that apply means the autoscaler owns the field
 * already: nothing to do.
 */
import { describeError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { describeRef, groupOf, KubeError, refKey, type Kube, type KubeObject } from './kube.js';
import { ownersOf } from './ownership.js';

const HPA_API = 'autoscaling/v2';
const REPLICAS = ['spec', 'replicas'];
/** Kinds with a scale subresource among the built-in ones; a custom kind counts when its manifest sets replicas. */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

interface ScaleTargetRef {
  apiVersion?: string;
  kind?: string;
  name?: string;
}

/** The key of a scale target: group, kind, namespace, name (any version of the group). */
function targetKey(namespace: string | undefined, ref: ScaleTargetRef): string {
  return refKey({
    apiVersion: ref.apiVersion ?? '',
    kind: ref.kind ?? '',
    namespace,
    name: ref.name ?? ''
  });
}

export function scalable(object: KubeObject): boolean {
  return SCALABLE.has(object.kind) || typeof (object.spec as { replicas?: unknown })?.replicas === 'number';
}

/**
 * The autoscalers of these objects, by the object's refKey: HorizontalPodAutoscalers among the objects, and
 * those in the cluster in the namespaces of scalable objects. A cluster that does not serve autoscaling/v2, or
 * forbids listing, is said once and counts as having none.
 */
export async function findAutoscalers(
  kube: Kube,
  objects: KubeObject[],
  options: { log: Logger; skip?: Set<string> }
): Promise<Map<string, string>> {
  const hpas = objects.filter(
    o => o.kind === 'HorizontalPodAutoscaler' && groupOf(o.apiVersion) === 'autoscaling'
  );
  const namespaces = new Set(
    objects
      .filter(scalable)
      .map(o => o.metadata.namespace ?? '')
      .filter(ns => ns && !options.skip?.has(ns))
  );
  for (const namespace of namespaces) hpas.push(...(await listAutoscalers(kube, namespace, options.log)));
  const found = new Map<string, string>();
  for (const hpa of hpas) {
    const ref = (hpa.spec as { scaleTargetRef?: ScaleTargetRef } | undefined)?.scaleTargetRef ?? {};
    const namespace = hpa.metadata.namespace;
    found.set(
      targetKey(namespace, ref),
      describeRef({ kind: 'HorizontalPodAutoscaler', namespace, name: hpa.metadata.name })
    );
  }
  return found;
}

async function listAutoscalers(kube: Kube, namespace: string, log: Logger): Promise<KubeObject[]> {
  try {
    await kube.resource(HPA_API, 'HorizontalPodAutoscaler');
  } catch {
    log.debug(`The cluster does not serve ${HPA_API} HorizontalPodAutoscalers: no autoscaler is looked for.`);
    return [];
  }
  try {
    const items = await kube.list({ apiVersion: HPA_API, kind: 'HorizontalPodAutoscaler', namespace });
    return items.map(i => ({ ...i, metadata: { ...i.metadata, namespace } }));
  } catch (error) {
    if (!(error instanceof KubeError)) throw error;
    log.warning(
      `Could not list the HorizontalPodAutoscalers in ${namespace} (${describeError(error)}): spec.replicas is applied as the manifests say. Grant list on horizontalpodautoscalers so a deploy leaves an autoscaler's count alone.`
    );
    return [];
  }
}

/** The object without `spec.replicas`. */
export function withoutReplicas(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  const spec = copy.spec as { replicas?: unknown } | undefined;
  if (spec) delete spec.replicas;
  return copy;
}

export function replicasOf(object: KubeObject | undefined): number | undefined {
  const replicas = (object?.spec as { replicas?: unknown } | undefined)?.replicas;
  return typeof replicas === 'number' ? replicas : undefined;
}

/** True when `fieldManager` (applying) is the only owner of the live object's `spec.replicas`. */
export function ownsReplicasAlone(live: KubeObject | undefined, fieldManager: string): boolean {
  const owners = ownersOf(live, REPLICAS);
  return owners.length > 0 && owners.every(e => e.manager === fieldManager && e.operation === 'Apply');
}

/** The private field manager that holds the count while our manager lets go of it. */
export function handoverManager(fieldManager: string): string {
  return `${fieldManager}-handover-to-hpa`.slice(0, 128);
}

/**
 * Has the private manager apply the live count alone (see the top of this file), so our next apply without
 * `replicas` keeps it. A 409 means the autoscaler owns the field already.
 */
export async function handOverReplicas(kube: Kube, live: KubeObject, fieldManager: string): Promise<void> {
  const replicas = replicasOf(live);
  if (replicas === undefined) return;
  const { apiVersion, kind } = live;
  const { name, namespace } = live.metadata;
  try {
    await kube.apply(
      { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { replicas } },
      { fieldManager: handoverManager(fieldManager) }
    );
  } catch (error) {
    if (!(error instanceof KubeError && error.status === 409)) throw error;
  }
}
