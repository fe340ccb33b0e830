/**
 * An in-memory Kube for unit tests: discovery of the common kinds, apply that stores the object (spec
 * changes bump generation), get/list with equality label selectors, delete, logs; tests set statuses and
 * pods themselves. The end-to-end tests use the real client against the test API server (sim/eks).
 */
import { apiBase } from '../kube-refs.js';
import { DockyardError } from '../../../../core/errors.js';
import {
  KubeError,
  refKey,
  type ApplyOptions,
  type DeleteOptions,
  type Kube,
  type KubeObject,
  type LogOptions,
  type ObjectRef,
  type Resource
} from '../kube.js';

const KINDS: [string, string, string, boolean][] = [
  ['v1', 'Namespace', 'namespaces', false],
  ['v1', 'ConfigMap', 'configmaps', true],
  ['v1', 'Secret', 'secrets', true],
  ['v1', 'Service', 'services', true],
  ['v1', 'Pod', 'pods', true],
  ['v1', 'Event', 'events', true],
  ['apps/v1', 'Deployment', 'deployments', true],
  ['apps/v1', 'ReplicaSet', 'replicasets', true],
  ['apps/v1', 'StatefulSet', 'statefulsets', true],
  ['apps/v1', 'DaemonSet', 'daemonsets', true],
  ['batch/v1', 'Job', 'jobs', true],
  ['batch/v1', 'CronJob', 'cronjobs', true],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true],
  ['v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false]
];

export interface ApplyCall {
  object: KubeObject;
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
}

export class FakeKube implements Kube {
  readonly objects = new Map<string, KubeObject>();
  readonly resources: Resource[] = KINDS.map(([apiVersion, kind, name, namespaced]) => ({
    name,
    kind,
    namespaced,
    base: apiBase(apiVersion)
  }));
  readonly applies: ApplyCall[] = [];
  readonly deletes: (ObjectRef & DeleteOptions)[] = [];
  readonly patches: { ref: ObjectRef; operations: unknown[] }[] = [];
  readonly logLines = new Map<string, string[]>();
  /** What each list asked for, in order. */
  readonly lists: Omit<ObjectRef, 'name'>[] = [];
  /** How many log reads were made. */
  logReads = 0;
  /** Called after each apply, to play a controller. */
  onApply?: (object: KubeObject) => void;
  /** Throws for an apply, to simulate conflicts. */
  failApply?: (object: KubeObject, options: ApplyOptions) => KubeError | undefined;
  /** The `Warning:` headers an apply gets. */
  warnApply?: (object: KubeObject) => string[];
  private version = 1;

  async resource(apiVersion: string, kind: string): Promise<Resource> {
    const r = this.resources.find(x => x.kind === kind && x.base === apiBase(apiVersion));
    if (!r)
      throw new DockyardError(`the cluster does not serve kind ${kind} in ${apiVersion}.`, {
        input: 'manifests'
      });
    return r;
  }

  key(ref: ObjectRef): string {
    return refKey(ref);
  }

  /** Stores an object as it is (a test's seed or a controller's write). */
  put(object: KubeObject): KubeObject {
    const copy = structuredClone(object);
    copy.metadata.uid ??= `uid-${object.kind}-${object.metadata.name}`;
    copy.metadata.resourceVersion = String(this.version++);
    this.objects.set(
      this.key({ ...copy, namespace: copy.metadata.namespace, name: copy.metadata.name }),
      copy
    );
    return copy;
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const { onWarning, ...rest } = options;
    this.applies.push({ object: structuredClone(object), ...rest });
    const error = this.failApply?.(object, options);
    if (error) throw error;
    for (const text of this.warnApply?.(object) ?? []) onWarning?.(text);
    const ref = { ...object, namespace: object.metadata.namespace, name: object.metadata.name };
    const before = this.objects.get(this.key(ref));
    const next = structuredClone(object);
    next.metadata = {
      ...next.metadata,
      uid: before?.metadata.uid,
      generation: before?.metadata.generation ?? 1
    };
    if (before && JSON.stringify(before.spec) !== JSON.stringify(next.spec))
      next.metadata.generation = (before.metadata.generation ?? 1) + 1;
    if (before?.status) next.status = before.status;
    if (options.dryRun)
      return { ...next, metadata: { ...next.metadata, resourceVersion: before?.metadata.resourceVersion } };
    const stored = this.put(next);
    this.onApply?.(stored);
    return structuredClone(stored);
  }

  async get<T = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const o = this.objects.get(this.key(ref));
    return o ? (structuredClone(o) as T) : undefined;
  }

  async list<T = KubeObject>(
    ref: Omit<ObjectRef, 'name'>,
    selectors: { labelSelector?: string } = {}
  ): Promise<T[]> {
    this.lists.push(ref);
    const want = (selectors.labelSelector ?? '')
      .split(',')
      .filter(Boolean)
      .map(p => p.split('='));
    return [...this.objects.values()]
      .filter(
        o =>
          o.kind === ref.kind &&
          o.apiVersion === ref.apiVersion &&
          (!ref.namespace || o.metadata.namespace === ref.namespace) &&
          want.every(([k, v]) => o.metadata.labels?.[k] === v)
      )
      .map(o => {
        // The API server encodes the items of a built-in kind's list without apiVersion and kind.
        const { apiVersion: _apiVersion, kind: _kind, ...item } = structuredClone(o);
        return item as T;
      });
  }

  /** JSON patch `replace` operations; a resourceVersion that is not the live one is a 409, as on a server. */
  async patch(ref: ObjectRef, operations: unknown[]): Promise<KubeObject> {
    this.patches.push({ ref, operations: structuredClone(operations) });
    const live = this.objects.get(this.key(ref));
    if (!live) throw new KubeError(404, 'PATCH', ref.name, { message: 'not found' });
    const next = structuredClone(live);
    for (const op of operations as { op: string; path: string; value: unknown }[]) {
      const [, top, field] = op.path.split('/');
      (next[top] as Record<string, unknown>)[field] = op.value;
    }
    if (next.metadata.resourceVersion !== live.metadata.resourceVersion)
      throw new KubeError(409, 'PATCH', ref.name, {
        message: 'the object has been modified',
        reason: 'Conflict'
      });
    return structuredClone(this.put(next));
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    this.deletes.push({ ...ref, ...options });
    if (options.dryRun) return this.objects.has(this.key(ref));
    return this.objects.delete(this.key(ref));
  }

  async logs(namespace: string, pod: string, container: string, options: LogOptions = {}): Promise<string[]> {
    this.logReads += 1;
    const lines = this.logLines.get(`${namespace}/${pod}/${container}${options.previous ? '/previous' : ''}`);
    if (!lines)
      throw new KubeError(400, 'GET', `/api/v1/namespaces/${namespace}/pods/${pod}/log`, {
        message: 'no previous instance'
      });
    return lines.slice(-(options.tailLines ?? 30));
  }

  close(): void {}
}
