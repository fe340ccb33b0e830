/**
 * The controllers of the test cluster, run on a tick: Deployments → ReplicaSets → Pods, StatefulSets,
 * DaemonSets, Jobs, CRDs becoming Established, and the Events they emit; each pod is then looked after by the
 * kubelet (kubelet.ts). Status fields and condition reasons are the ones Kubernetes writes, so a client's
 * rollout logic can be tested against them.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { randomBytes } from 'node:crypto';
import { clone, deepEqual } from './apply.js';
import { AdmissionError, quotaStatus, type Admission } from './admission.js';
import { defaultPod } from './defaults.js';
import { CloudControllers, type LoadBalancerOptions, type VolumeOptions } from './cloud.js';
import { autoscale } from './hpa.js';
import { nodeObject, type LateNode } from './nodes.js';
import type { BehaviourTable, Timing } from './behaviour.js';
import { Kubelet, type EmitEvent, type KubeletHost } from './kubelet.js';
import { crdResources, type ResourceInfo, type ResourceRegistry } from './resources.js';
import { condition, iso, podReady, setCondition } from './status.js';
import { meta, nameOf, namespaceOf, TEMPLATE_GENERATION, uidOf, type Entry, type Store } from './store.js';

type K = Record<string, any>;

const CONTROLLER_MANAGER = 'kube-controller-manager';
const KUBELET = 'kubelet';

export interface ControllerOptions {
  nodes: number;
  speed: number;
  timing: Timing;
  /** CRD applied → Established. */
  crdEstablishMs: number;
  /** Multiplies the kubelet's back-offs (the compressed clock; see the server option). */
  backoffScale: number;
  /** Registry 429s on one node. */
  pullThrottle?: { node: string; failures: number };
  /** A node that arrives late. */
  lateNode?: LateNode;
  readinessGates: 'open' | 'closed';
  /** The AWS Load Balancer Controller: how long a LoadBalancer Service waits for its address, or why never. */
  loadBalancers: LoadBalancerOptions;
  /** The EBS CSI provisioner: how long a claim waits to be Bound, or why never. */
  volumes: VolumeOptions;
}

/** The Progressing condition of a paused Deployment, and of one resumed (deployment util PausedDeployReason). */
const PAUSED = {
  type: 'Progressing',
  status: 'Unknown',
  reason: 'DeploymentPaused',
  message: 'Deployment is paused'
};
const RESUMED = {
  type: 'Progressing',
  status: 'Unknown',
  reason: 'DeploymentResumed',
  message: 'Deployment is resumed'
};

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod-template-hash like the controller's: fnv32a of the template, in the safe alphabet. */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(JSON.stringify(sortKeys(template)))) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = '';
  let n = h;
  do {
    out += HASH_ALPHABET[n % HASH_ALPHABET.length];
    n = Math.floor(n / HASH_ALPHABET.length);
  } while (n > 0);
  return out.slice(0, 10);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(k => [k, sortKeys((value as Record<string, unknown>)[k])])
    );
  return value;
}

const randomSuffix = (n = 5) =>
  [...randomBytes(n)].map(b => HASH_ALPHABET[b % HASH_ALPHABET.length]).join('');

/** maxSurge / maxUnavailable: an int or a percent of replicas (surge rounds up, unavailable down). */
export function resolveIntOrPercent(
  value: unknown,
  replicas: number,
  roundUp: boolean,
  fallback: string
): number {
  const v = value === undefined || value === null ? fallback : value;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * replicas) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function withoutHash(template: K | undefined): K {
  const t = clone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels['pod-template-hash'];
  if (t.metadata?.labels && !Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  return t;
}

export class Controller implements KubeletHost {
  private readonly kubelet = new Kubelet(this);
  private readonly cloud = new CloudControllers(this);
  /** Deployment uid → the last moment it made progress (ms), for progressDeadlineSeconds. */
  private readonly progressAt = new Map<string, number>();
  private readonly crdSeen = new Map<string, number>();
  /** Owner uid → its pod creation was refused: the error and when it may try again (the workqueue's back-off). */
  private readonly refused = new Map<string, { message: string; retryAt: number; failures: number }>();
  private timer?: NodeJS.Timeout;
  now = Date.now();
  /** The API server's admission chain, which pods the controllers create go through (none in unit tests). */
  admission?: Admission;

  constructor(
    readonly store: Store,
    private readonly registry: ResourceRegistry,
    readonly behaviours: BehaviourTable,
    public options: ControllerOptions,
    /** The controllers' clock (tests step it instead of sleeping). */
    private readonly clock: () => number = Date.now
  ) {}

  start(tickMs: number): void {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  reset(): void {
    this.kubelet.reset();
    this.cloud.reset();
    this.joined.length = 0;
    this.progressAt.clear();
    this.crdSeen.clear();
    this.refused.clear();
  }

  info(apiVersion: string, kind: string): ResourceInfo {
    return this.registry.byKind(apiVersion, kind)!;
  }

  ms(value: number): number {
    return value / this.options.speed;
  }

  /** Nodes that joined after the start (a late node). */
  readonly joined: string[] = [];

  nodeNames(): string[] {
    return [...Array.from({ length: this.options.nodes }, (_, i) => `node-${i + 1}`), ...this.joined];
  }

  /** A node joins the cluster (the provisioner's NodeClaim became a Node). */
  join(name: string, labels: Record<string, string>): void {
    this.joined.push(name);
    this.store.write(this.info('v1', 'Node'), nodeObject(name, this.nodeNames().length - 1, labels));
  }

  /** The instance lines a container logs, for `pods/log`. */
  logs(podUid: string, container: string): { instances: string[][]; state: K } | undefined {
    return this.kubelet.logs(podUid, container);
  }

  /** One pass of every controller. */
  tick(): void {
    this.now = this.clock();
    try {
      this.serviceAccounts();
      this.crds();
      for (const e of this.store.list(this.info('autoscaling/v2', 'HorizontalPodAutoscaler')))
        autoscale(this, e);
      for (const e of this.store.list(this.info('apps/v1', 'Deployment'))) this.deployment(e);
      for (const e of this.store.list(this.info('apps/v1', 'ReplicaSet'))) this.replicaSet(e);
      for (const e of this.store.list(this.info('apps/v1', 'StatefulSet'))) this.statefulSet(e);
      for (const e of this.store.list(this.info('apps/v1', 'DaemonSet'))) this.daemonSet(e);
      for (const e of this.store.list(this.info('batch/v1', 'Job'))) this.job(e);
      const pods = this.store.list(this.info('v1', 'Pod'));
      for (const e of pods) this.kubelet.pod(e);
      this.quotas();
      this.cloud.tick(this.options.loadBalancers, this.options.volumes);
      this.kubelet.forget(new Set(pods.map(e => uidOf(e.object))));
      // Status changes of pods feed the workloads' status in the same tick.
      for (const e of this.store.list(this.info('apps/v1', 'ReplicaSet'))) this.replicaSet(e);
      for (const e of this.store.list(this.info('apps/v1', 'Deployment'))) this.deployment(e);
    } catch (error) {
      console.error('test cluster controller:', error);
    }
  }

  // ---- writes -------------------------------------------------------------------------------------------

  private put(info: ResourceInfo, object: K): Entry {
    return this.store.write(info, object, { manager: CONTROLLER_MANAGER }).entry;
  }

  putStatus(e: Entry, status: K): void {
    if (deepEqual(e.object.status, status)) return;
    const o = clone(e.object) as K;
    o.status = status;
    this.store.write(e.info, o, { manager: CONTROLLER_MANAGER, subresource: 'status' });
  }

  private owned(owner: K, info: ResourceInfo): Entry[] {
    return this.store
      .list(info, namespaceOf(owner))
      .filter(e =>
        (meta(e.object).ownerReferences as K[] | undefined)?.some(r => r.uid === uidOf(owner) && r.controller)
      );
  }

  private ownerRef(owner: Entry): K {
    return {
      apiVersion: owner.object.apiVersion,
      kind: owner.object.kind,
      name: nameOf(owner.object),
      uid: uidOf(owner.object),
      controller: true,
      blockOwnerDeletion: true
    };
  }

  /** Records an Event as the component would: the same reason and message on the same object counts up. */
  readonly event: EmitEvent = (involved, type, reason, message, component, extra = {}) => {
    const info = this.info('v1', 'Event');
    const namespace = involved.metadata?.namespace || 'default';
    const existing = this.store
      .list(info, namespace)
      .find(
        e =>
          (e.object as K).involvedObject?.uid === involved.metadata?.uid &&
          (e.object as K).reason === reason &&
          (e.object as K).message === message &&
          (e.object as K).involvedObject?.fieldPath === extra.fieldPath
      );
    if (existing) {
      const o = clone(existing.object) as K;
      o.count = (o.count ?? 1) + 1;
      o.lastTimestamp = iso(this.now);
      this.store.write(info, o);
      return;
    }
    const object: K = {
      metadata: { name: `${involved.metadata?.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        kind: involved.kind,
        namespace: involved.metadata?.namespace,
        name: involved.metadata?.name,
        uid: involved.metadata?.uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata?.resourceVersion,
        ...(extra.fieldPath ? { fieldPath: extra.fieldPath } : {})
      },
      reason,
      message,
      source: { component, ...(extra.host ? { host: extra.host } : {}) },
      firstTimestamp: iso(this.now),
      lastTimestamp: iso(this.now),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component === KUBELET ? 'kubelet' : component,
      reportingInstance: extra.host ?? ''
    };
    this.store.write(info, object);
  };

  // ---- CRDs ---------------------------------------------------------------------------------------------

  private crds(): void {
    const info = this.info('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    for (const e of this.store.list(info)) {
      const o = e.object as K;
      if (o.metadata.deletionTimestamp) continue;
      const key = `${uidOf(o)}/${o.metadata.generation}`;
      if (!this.crdSeen.has(key)) this.crdSeen.set(key, this.now);
      if (this.now - this.crdSeen.get(key)! < this.ms(this.options.crdEstablishMs)) continue;
      const status = clone(o.status ?? {});
      setCondition(
        status,
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        this.now,
        false
      );
      setCondition(
        status,
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted'
        },
        this.now,
        false
      );
      status.acceptedNames = clone(o.spec?.names ?? {});
      status.storedVersions = (o.spec?.versions ?? []).filter((v: K) => v.storage).map((v: K) => v.name);
      this.registry.setCrd(nameOf(o), crdResources(o));
      this.putStatus(e, status);
    }
  }

  // ---- Deployments ---------------------------------------------------------------------------------------

  private deployment(e: Entry): void {
    const d = e.object as K;
    if (d.metadata.deletionTimestamp) return;
    const rsInfo = this.info('apps/v1', 'ReplicaSet');
    const replicas: number = d.spec.replicas ?? 1;
    let all = this.owned(d, rsInfo);
    const revisionOf = (rs: Entry) =>
      Number((rs.object as K).metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    const maxRevision = Math.max(0, ...all.map(revisionOf));
    let newRs = all.find(rs =>
      deepEqual(withoutHash((rs.object as K).spec.template), withoutHash(d.spec.template))
    );
    const status = clone(d.status ?? {});
    let progressed = false;
    let progressing: K | undefined;
    if (!newRs && !d.spec.paused) {
      const hash = templateHash(withoutHash(d.spec.template));
      const template = clone(d.spec.template);
      template.metadata ??= {};
      template.metadata.labels = { ...(template.metadata.labels ?? {}), 'pod-template-hash': hash };
      const selector = clone(d.spec.selector ?? {});
      selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
      newRs = this.put(rsInfo, {
        metadata: {
          name: `${nameOf(d)}-${hash}`,
          namespace: namespaceOf(d),
          labels: template.metadata.labels,
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(replicas),
            'deployment.kubernetes.io/max-replicas': String(replicas + this.surge(d)),
            'deployment.kubernetes.io/revision': String(maxRevision + 1)
          },
          ownerReferences: [this.ownerRef(e)]
        },
        spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template }
      });
      all = [...all, newRs];
      progressing = {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "${nameOf(newRs.object)}"`,
        touch: true
      };
      progressed = true;
    } else if (newRs && revisionOf(newRs) < maxRevision) {
      // An old template again (a rollback): its ReplicaSet becomes the newest revision.
      const o = clone(newRs.object) as K;
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        'deployment.kubernetes.io/revision': String(maxRevision + 1)
      };
      newRs = this.put(rsInfo, o);
      all = all.map(rs => (uidOf(rs.object) === uidOf(newRs!.object) ? newRs! : rs));
      progressing = {
        type: 'Progressing',
        status: 'True',
        reason: 'FoundNewReplicaSet',
        message: `Found new replica set "${nameOf(newRs.object)}"`,
        touch: true
      };
      progressed = true;
    }
    if (!newRs) {
      // Paused before its new template got a ReplicaSet: the status still follows the old ones.
      this.pausedStatus(e, all);
      return;
    }
    const newName = nameOf(newRs.object);
    const revision = String(revisionOf(newRs));
    if (d.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revision) {
      const o = clone(d);
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        'deployment.kubernetes.io/revision': revision
      };
      this.put(e.info, o);
      return;
    }
    const old = all.filter(rs => rs !== newRs);
    const specReplicas = (rs: Entry) => Number((rs.object as K).spec.replicas ?? 0);
    const available = (rs: Entry) => Number((rs.object as K).status?.availableReplicas ?? 0);
    const scale = (rs: Entry, to: number) => {
      const from = specReplicas(rs);
      if (from === to) return;
      const o = clone(rs.object) as K;
      o.spec.replicas = to;
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        'deployment.kubernetes.io/desired-replicas': String(replicas)
      };
      this.put(rsInfo, o);
      rs.object = o;
      this.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${to > from ? 'up' : 'down'} replica set ${nameOf(o)} from ${from} to ${to}`,
        'deployment-controller'
      );
      progressed = true;
    };
    if (!d.spec.paused) {
      if (d.spec.strategy?.type === 'Recreate') {
        for (const rs of old) scale(rs, 0);
        const oldPods = old.some(rs => Number((rs.object as K).status?.replicas ?? 0) > 0);
        if (!oldPods) scale(newRs, replicas);
      } else {
        const surge = this.surge(d);
        let unavailable = resolveIntOrPercent(
          d.spec.strategy?.rollingUpdate?.maxUnavailable,
          replicas,
          false,
          '25%'
        );
        if (surge === 0 && unavailable === 0) unavailable = 1;
        const total = () => all.reduce((n, rs) => n + specReplicas(rs), 0);
        if (specReplicas(newRs) > replicas) scale(newRs, replicas);
        else if (specReplicas(newRs) < replicas) {
          const room = replicas + surge - total();
          if (room > 0) scale(newRs, specReplicas(newRs) + Math.min(room, replicas - specReplicas(newRs)));
        }
        const minAvailable = replicas - unavailable;
        const newUnavailable = specReplicas(newRs) - available(newRs);
        let maxScaledDown = total() - minAvailable - newUnavailable;
        const oldest = [...old].sort((a, b) => revisionOf(a) - revisionOf(b));
        // Old replicas that are not available go first: they cost no availability.
        for (const rs of oldest) {
          if (maxScaledDown <= 0) break;
          const unhealthy = specReplicas(rs) - available(rs);
          const down = Math.min(maxScaledDown, unhealthy);
          if (down > 0) {
            scale(rs, specReplicas(rs) - down);
            maxScaledDown -= down;
          }
        }
        const availableNow = all.reduce((n, rs) => n + Math.min(available(rs), specReplicas(rs)), 0);
        let downBy = Math.min(availableNow - minAvailable, maxScaledDown);
        for (const rs of oldest) {
          if (downBy <= 0) break;
          const down = Math.min(specReplicas(rs), downBy);
          if (down > 0) {
            scale(rs, specReplicas(rs) - down);
            downBy -= down;
          }
        }
      }
      // Old ReplicaSets beyond revisionHistoryLimit, scaled to zero, are deleted.
      const limit = d.spec.revisionHistoryLimit ?? 10;
      const idle = old
        .filter(rs => specReplicas(rs) === 0 && Number((rs.object as K).status?.replicas ?? 0) === 0)
        .sort((a, b) => revisionOf(a) - revisionOf(b));
      for (const rs of idle.slice(0, Math.max(0, idle.length - limit)))
        this.store.remove(rsInfo, namespaceOf(rs.object), nameOf(rs.object));
    }
    const sum = (f: (rs: K) => number) => all.reduce((n, rs) => n + f(rs.object as K), 0);
    const next: K = { ...status };
    next.observedGeneration = d.metadata.generation;
    next.replicas = sum(rs => rs.status?.replicas ?? 0);
    next.updatedReplicas = Number((newRs.object as K).status?.replicas ?? 0);
    next.readyReplicas = sum(rs => rs.status?.readyReplicas ?? 0);
    next.availableReplicas = sum(rs => rs.status?.availableReplicas ?? 0);
    next.unavailableReplicas = Math.max(0, sum(rs => rs.spec.replicas ?? 0) - next.availableReplicas);
    for (const k of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas'
    ])
      if (next[k] === 0 && k !== 'replicas') delete next[k];
    if (next.replicas === 0) delete next.replicas;
    const unavailableAllowed =
      d.spec.strategy?.type === 'Recreate'
        ? replicas
        : resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxUnavailable, replicas, false, '25%');
    const isAvailable = (next.availableReplicas ?? 0) >= replicas - unavailableAllowed;
    setCondition(
      next,
      isAvailable
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.'
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.'
          },
      this.now,
      true
    );
    const before = d.status ?? {};
    const complete =
      (next.updatedReplicas ?? 0) === replicas &&
      (next.replicas ?? 0) === replicas &&
      (next.availableReplicas ?? 0) === replicas;
    const moved =
      progressed ||
      (next.updatedReplicas ?? 0) > (before.updatedReplicas ?? 0) ||
      (next.readyReplicas ?? 0) > (before.readyReplicas ?? 0) ||
      (next.availableReplicas ?? 0) > (before.availableReplicas ?? 0) ||
      (next.replicas ?? 0) < (before.replicas ?? 0) ||
      d.metadata.generation !== before.observedGeneration;
    const uid = uidOf(d);
    if (moved || !this.progressAt.has(uid)) this.progressAt.set(uid, this.now);
    const current = condition({ status: next }, 'Progressing');
    const deadline = d.spec.progressDeadlineSeconds ?? 600;
    this.replicaFailure(next, newRs.object as K);
    if (d.spec.paused) setCondition(next, PAUSED, this.now, true);
    else if (condition({ status: next }, 'Progressing')?.reason === 'DeploymentPaused')
      setCondition(next, RESUMED, this.now, true);
    else if (progressing) setCondition(next, progressing, this.now, true);
    else if (complete) {
      setCondition(
        next,
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${newName}" has successfully progressed.`,
          touch: current?.reason !== 'NewReplicaSetAvailable'
        },
        this.now,
        true
      );
    } else if (moved) {
      setCondition(
        next,
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${newName}" is progressing.`,
          touch: true
        },
        this.now,
        true
      );
    } else if (
      current?.reason !== 'ProgressDeadlineExceeded' &&
      this.now - this.progressAt.get(uid)! > this.ms(deadline * 1000)
    ) {
      setCondition(
        next,
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${newName}" has timed out progressing.`,
          touch: true
        },
        this.now,
        true
      );
    }
    next.conditions = [...next.conditions].sort((a: K, b: K) =>
      a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0
    );
    this.putStatus(e, next);
  }

  /** The new ReplicaSet's ReplicaFailure, copied onto the Deployment (deployment sync.go getReplicaFailures). */
  private replicaFailure(status: K, rs: K): void {
    const failure = condition(rs, 'ReplicaFailure');
    if (failure) {
      const { type, status: s, reason, message } = failure;
      setCondition(status, { type, status: s, reason, message }, this.now, true);
    } else status.conditions = (status.conditions ?? []).filter((c: K) => c.type !== 'ReplicaFailure');
  }

  /** A paused Deployment with no ReplicaSet for its template: observed, counted from the old ReplicaSets, Progressing Unknown. */
  private pausedStatus(e: Entry, all: Entry[]): void {
    const d = e.object as K;
    const sum = (f: (rs: K) => number) => all.reduce((n, rs) => n + f(rs.object as K), 0);
    const next: K = clone(d.status ?? {});
    next.observedGeneration = d.metadata.generation;
    next.replicas = sum(rs => rs.status?.replicas ?? 0);
    next.readyReplicas = sum(rs => rs.status?.readyReplicas ?? 0);
    next.availableReplicas = sum(rs => rs.status?.availableReplicas ?? 0);
    delete next.updatedReplicas;
    for (const k of ['replicas', 'readyReplicas', 'availableReplicas']) if (next[k] === 0) delete next[k];
    setCondition(next, PAUSED, this.now, true);
    this.putStatus(e, next);
  }

  private surge(d: K): number {
    if (d.spec.strategy?.type === 'Recreate') return 0;
    return resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.replicas ?? 1, true, '25%');
  }

  // ---- ReplicaSets ---------------------------------------------------------------------------------------

  private podsOf(owner: K): Entry[] {
    return this.owned(owner, this.info('v1', 'Pod'));
  }

  /** The owner's pods that are not Terminating (what its controller counts). */
  private activePodsOf(owner: K): Entry[] {
    return this.podsOf(owner).filter(p => !(p.object as K).metadata.deletionTimestamp);
  }

  private available(pod: K, minReadySeconds: number): boolean {
    const ready = condition(pod, 'Ready');
    if (ready?.status !== 'True') return false;
    return this.now - Date.parse(ready.lastTransitionTime) >= this.ms(minReadySeconds * 1000);
  }

  private createPod(
    owner: Entry,
    template: K,
    name: string,
    extra: { labels?: K; nodeName?: string; hostname?: string } = {}
  ): K | undefined {
    const t = clone(template ?? {});
    const pod: K = {
      metadata: {
        name,
        ...(name.endsWith('-') ? { generateName: name } : {}),
        namespace: namespaceOf(owner.object),
        labels: { ...(t.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
        ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
        ownerReferences: [this.ownerRef(owner)]
      },
      spec: {
        ...t.spec,
        ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
        ...(extra.hostname ? { hostname: extra.hostname } : {})
      }
    };
    defaultPod(pod);
    if (!this.admitted(owner, pod)) return undefined;
    const created = this.put(this.info('v1', 'Pod'), pod);
    this.refused.delete(uidOf(owner.object));
    this.event(
      owner.object,
      'Normal',
      'SuccessfulCreate',
      `Created pod: ${name}`,
      `${String(owner.object.kind).toLowerCase()}-controller`
    );
    return created.object;
  }

  /**
   * The pod through the admission chain. A refusal is the owner's FailedCreate event in its controller's words,
   * and the owner waits before it tries again (5 ms doubling, the controllers' workqueue back-off).
   */
  private admitted(owner: Entry, pod: K): boolean {
    if (!this.admission) return true;
    try {
      this.admission.admit({
        operation: 'CREATE',
        resource: 'pods',
        group: '',
        kind: 'Pod',
        namespace: namespaceOf(pod),
        name: nameOf(pod),
        object: pod
      });
      return true;
    } catch (error) {
      if (!(error instanceof AdmissionError)) throw error;
      const kind = String(owner.object.kind);
      const message =
        kind === 'StatefulSet'
          ? `create Pod ${nameOf(pod)} in StatefulSet ${nameOf(owner.object)} failed error: ${error.message}`
          : `Error creating: ${error.message}`;
      this.event(owner.object, 'Warning', 'FailedCreate', message, `${kind.toLowerCase()}-controller`);
      const uid = uidOf(owner.object);
      const failures = (this.refused.get(uid)?.failures ?? 0) + 1;
      const delay = Math.min(5 * 2 ** (failures - 1), 1_000_000);
      this.refused.set(uid, { message: error.message, retryAt: this.now + delay, failures });
      return false;
    }
  }

  /** Whether an owner whose pod was refused is still waiting out its back-off. */
  private backingOff(owner: K): boolean {
    const refusal = this.refused.get(uidOf(owner));
    return refusal !== undefined && this.now < refusal.retryAt;
  }

  /** Every namespace gets its `default` ServiceAccount, as the service account controller makes it. */
  private serviceAccounts(): void {
    const sa = this.info('v1', 'ServiceAccount');
    for (const e of this.store.list(this.info('v1', 'Namespace'))) {
      const ns = e.object as K;
      if (ns.metadata.deletionTimestamp || this.store.entry(sa, nameOf(ns), 'default')) continue;
      this.store.write(sa, { metadata: { name: 'default', namespace: nameOf(ns) } });
    }
  }

  /** ResourceQuota status: `hard` and `used`, as the quota controller keeps them. */
  private quotas(): void {
    const pods = this.info('v1', 'Pod');
    for (const e of this.store.list(this.info('v1', 'ResourceQuota'))) {
      const live = this.store.list(pods, namespaceOf(e.object)).map(p => p.object as K);
      this.putStatus(e, quotaStatus(e.object as K, live));
    }
  }

  private deletePod(owner: K, pod: K, component: string): void {
    this.terminate(pod);
    this.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${nameOf(pod)}`, component);
  }

  /**
   * Deletes a pod as the API server does with a grace period: it gets a deletionTimestamp and stays (Terminating)
   * for `terminateMs` before it is gone; with 0 (or `graceSeconds: 0`) it goes at once.
   */
  terminate(pod: K, graceSeconds = 30): void {
    const info = this.info('v1', 'Pod');
    const entry = this.store.entry(info, namespaceOf(pod), nameOf(pod));
    if (!entry) return;
    if (this.options.timing.terminateMs <= 0 || graceSeconds === 0) {
      this.store.remove(info, namespaceOf(pod), nameOf(pod));
      return;
    }
    const o = clone(entry.object) as K;
    if (o.metadata.deletionTimestamp) return;
    o.metadata.deletionTimestamp = iso(Date.now() + graceSeconds * 1000);
    o.metadata.deletionGracePeriodSeconds = graceSeconds;
    this.store.write(info, o, { managers: entry.managers });
  }

  private replicaSet(e: Entry): void {
    const rs = e.object as K;
    if (rs.metadata.deletionTimestamp) return;
    let pods = this.activePodsOf(rs);
    const want: number = rs.spec.replicas ?? 1;
    if (pods.length < want && !this.backingOff(rs)) {
      // One at a time, stopping at the first refusal (the controller's slow-start batches stop there too).
      for (let i = pods.length; i < want; i++)
        if (!this.createPod(e, rs.spec.template, `${nameOf(rs)}-${randomSuffix()}`)) break;
      pods = this.activePodsOf(rs);
    } else if (pods.length > want) {
      const rank = (p: K) =>
        !p.spec.nodeName ? 0 : p.status?.phase === 'Pending' ? 1 : !podReady(p) ? 2 : 3;
      const victims = [...pods].sort(
        (a, b) =>
          rank(a.object as K) - rank(b.object as K) ||
          String(b.object.metadata && (b.object as K).metadata.creationTimestamp).localeCompare(
            String((a.object as K).metadata.creationTimestamp)
          )
      );
      for (const p of victims.slice(0, pods.length - want))
        this.deletePod(rs, p.object, 'replicaset-controller');
      pods = this.activePodsOf(rs);
    }
    const minReady = rs.spec.minReadySeconds ?? 0;
    const status: K = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: pods.filter(p => podReady(p.object)).length,
      availableReplicas: pods.filter(p => this.available(p.object, minReady)).length,
      observedGeneration: rs.metadata.generation
    };
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'])
      if (status[k] === 0) delete status[k];
    // ReplicaFailure while pods it wants cannot be made (replica_set_utils.go calculateStatus).
    const refusal = this.refused.get(uidOf(rs));
    const failure = condition(rs, 'ReplicaFailure');
    if (refusal && pods.length < want)
      status.conditions = [
        failure?.message === refusal.message
          ? failure
          : {
              type: 'ReplicaFailure',
              status: 'True',
              lastTransitionTime: iso(this.now),
              reason: 'FailedCreate',
              message: refusal.message
            }
      ];
    this.putStatus(e, status);
  }

  // ---- StatefulSets --------------------------------------------------------------------------------------

  private statefulSet(e: Entry): void {
    const s = e.object as K;
    if (s.metadata.deletionTimestamp) return;
    const replicas: number = s.spec.replicas ?? 1;
    const updateRevision = `${nameOf(s)}-${templateHash(s.spec.template)}`;
    const revisionOf = (p: Entry) => (p.object as K).metadata.labels?.['controller-revision-hash'];
    const byOrdinal = new Map<number, Entry>();
    for (const p of this.podsOf(s)) {
      const ordinal = Number(/-(\d+)$/.exec(nameOf(p.object))?.[1]);
      byOrdinal.set(ordinal, p);
    }
    const parallel = s.spec.podManagementPolicy === 'Parallel';
    // A Terminating pod holds its ordinal and counts as not ready: the set waits for it to go.
    const allReady = () =>
      [...byOrdinal.values()].every(p => podReady(p.object) && !(p.object as K).metadata.deletionTimestamp);
    let acted = false;
    for (let i = 0; i < replicas && !acted; i++) {
      const p = byOrdinal.get(i);
      if (!p) {
        const name = `${nameOf(s)}-${i}`;
        if (this.backingOff(s)) {
          acted = true;
          break;
        }
        const created = this.createPod(e, s.spec.template, name, {
          labels: {
            'controller-revision-hash': updateRevision,
            'statefulset.kubernetes.io/pod-name': name,
            'apps.kubernetes.io/pod-index': String(i)
          },
          hostname: name
        });
        if (!created) {
          acted = true;
          break;
        }
        byOrdinal.set(i, { info: this.info('v1', 'Pod'), object: created, managers: [] });
        if (!parallel) acted = true;
      } else if (!parallel && !podReady(p.object)) acted = true;
    }
    if (!acted) {
      const extra = [...byOrdinal.keys()].filter(i => i >= replicas).sort((a, b) => b - a);
      if (extra.length && (parallel || allReady())) {
        for (const i of parallel ? extra : extra.slice(0, 1)) {
          this.deletePod(s, byOrdinal.get(i)!.object, 'statefulset-controller');
          byOrdinal.delete(i);
        }
      } else if (s.spec.updateStrategy?.type !== 'OnDelete' && allReady()) {
        const partition = s.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
        const stale = [...byOrdinal.keys()]
          .filter(i => i >= partition && revisionOf(byOrdinal.get(i)!) !== updateRevision)
          .sort((a, b) => b - a);
        if (stale.length) {
          this.deletePod(s, byOrdinal.get(stale[0])!.object, 'statefulset-controller');
          byOrdinal.delete(stale[0]);
        }
      }
    }
    const pods = [...byOrdinal.values()];
    const status = clone(s.status ?? {});
    const updated = pods.filter(p => revisionOf(p) === updateRevision).length;
    status.observedGeneration = s.metadata.generation;
    status.replicas = pods.length;
    status.readyReplicas = pods.filter(p => podReady(p.object)).length;
    status.availableReplicas = pods.filter(p => this.available(p.object, s.spec.minReadySeconds ?? 0)).length;
    status.updatedReplicas = updated;
    status.updateRevision = updateRevision;
    status.currentRevision ??= updateRevision;
    if (updated === replicas && pods.length === replicas && status.readyReplicas === replicas)
      status.currentRevision = updateRevision;
    status.currentReplicas = pods.filter(p => revisionOf(p) === status.currentRevision).length;
    status.collisionCount ??= 0;
    for (const k of ['readyReplicas', 'availableReplicas', 'updatedReplicas', 'currentReplicas'])
      if (status[k] === 0) delete status[k];
    this.putStatus(e, status);
  }

  // ---- DaemonSets ----------------------------------------------------------------------------------------

  private daemonSet(e: Entry): void {
    const ds = e.object as K;
    if (ds.metadata.deletionTimestamp) return;
    const hash = templateHash(ds.spec.template);
    const nodes = this.nodeNames();
    const byNode = new Map<string, Entry>();
    for (const p of this.podsOf(ds)) byNode.set((p.object as K).spec.nodeName, p);
    for (const node of nodes) {
      if (byNode.has(node) || this.backingOff(ds)) continue;
      const created = this.createPod(e, ds.spec.template, `${nameOf(ds)}-${randomSuffix()}`, {
        labels: {
          'controller-revision-hash': hash,
          'pod-template-generation': String(ds.metadata.annotations?.[TEMPLATE_GENERATION] ?? 1)
        },
        nodeName: node
      });
      if (created) byNode.set(node, { info: this.info('v1', 'Pod'), object: created, managers: [] });
    }
    const minReady = ds.spec.minReadySeconds ?? 0;
    const pods = [...byNode.values()];
    const isAvailable = (p: Entry) =>
      !(p.object as K).metadata.deletionTimestamp && this.available(p.object, minReady);
    if (ds.spec.updateStrategy?.type !== 'OnDelete') {
      const maxUnavailable =
        resolveIntOrPercent(
          ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable,
          nodes.length,
          false,
          '1'
        ) || 1;
      let budget = maxUnavailable - pods.filter(p => !isAvailable(p)).length;
      for (const p of pods) {
        if ((p.object as K).metadata.labels?.['controller-revision-hash'] === hash) continue;
        if ((p.object as K).metadata.deletionTimestamp) continue;
        // An old pod that is not available can go at once; an available one only within the budget.
        if (!isAvailable(p) || budget > 0) {
          if (isAvailable(p)) budget--;
          this.deletePod(ds, p.object, 'daemonset-controller');
          byNode.delete((p.object as K).spec.nodeName);
        }
      }
    }
    const current = [...byNode.values()];
    const status: K = {
      currentNumberScheduled: current.length,
      desiredNumberScheduled: nodes.length,
      numberMisscheduled: 0,
      numberReady: current.filter(p => podReady(p.object)).length,
      numberAvailable: current.filter(isAvailable).length,
      updatedNumberScheduled: current.filter(
        p => (p.object as K).metadata.labels?.['controller-revision-hash'] === hash
      ).length,
      observedGeneration: ds.metadata.generation
    };
    status.numberUnavailable = nodes.length - status.numberAvailable;
    for (const k of ['numberAvailable', 'numberUnavailable', 'updatedNumberScheduled'])
      if (status[k] === 0) delete status[k];
    this.putStatus(e, status);
  }

  // ---- Jobs ----------------------------------------------------------------------------------------------

  private job(e: Entry): void {
    const j = e.object as K;
    if (j.metadata.deletionTimestamp || j.spec.suspend) return;
    const status = clone(j.status ?? {});
    const finished = (status.conditions ?? []).some(
      (c: K) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True'
    );
    const pods = this.activePodsOf(j);
    const phase = (p: Entry) => (p.object as K).status?.phase;
    const succeeded = pods.filter(p => phase(p) === 'Succeeded').length;
    const restarts = pods.reduce(
      (n, p) =>
        n +
        ((p.object as K).status?.containerStatuses ?? []).reduce(
          (m: number, c: K) => m + (c.restartCount ?? 0),
          0
        ),
      0
    );
    const failed =
      pods.filter(p => phase(p) === 'Failed').length +
      (j.spec.template?.spec?.restartPolicy === 'OnFailure' ? restarts : 0);
    let active = pods.filter(p => phase(p) !== 'Succeeded' && phase(p) !== 'Failed');
    const completions: number = j.spec.completions ?? 1;
    const parallelism: number = j.spec.parallelism ?? 1;
    status.startTime ??= iso(this.now);
    if (!finished) {
      if (failed > (j.spec.backoffLimit ?? 6)) {
        for (const p of active) this.deletePod(j, p.object, 'job-controller');
        active = [];
        setCondition(
          status,
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit'
          },
          this.now,
          false
        );
        setCondition(
          status,
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit'
          },
          this.now,
          false
        );
        this.event(
          j,
          'Warning',
          'BackoffLimitExceeded',
          'Job has reached the specified backoff limit',
          'job-controller'
        );
      } else if (succeeded >= completions) {
        setCondition(
          status,
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods'
          },
          this.now,
          false
        );
        setCondition(
          status,
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods'
          },
          this.now,
          false
        );
        status.completionTime = iso(this.now);
        this.event(j, 'Normal', 'Completed', 'Job completed', 'job-controller');
      } else {
        const want = Math.min(parallelism, completions - succeeded);
        for (let i = active.length; i < want && !this.backingOff(j); i++) {
          const created = this.createPod(e, j.spec.template, `${nameOf(j)}-${randomSuffix()}`, {
            labels: {
              'batch.kubernetes.io/controller-uid': uidOf(j),
              'batch.kubernetes.io/job-name': nameOf(j),
              'controller-uid': uidOf(j),
              'job-name': nameOf(j)
            }
          });
          if (!created) break;
          active.push({ info: this.info('v1', 'Pod'), object: created, managers: [] });
        }
      }
    }
    status.active = active.length;
    status.succeeded = succeeded;
    status.failed = failed;
    status.ready = active.filter(p => podReady(p.object)).length;
    status.terminating = 0;
    status.uncountedTerminatedPods = {};
    for (const k of ['active', 'succeeded', 'failed']) if (status[k] === 0) delete status[k];
    this.putStatus(e, status);
  }
}
