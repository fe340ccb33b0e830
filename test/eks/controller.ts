/**
 * The controllers of the test cluster, run on a tick: Deployments → ReplicaSets → Pods, StatefulSets,
 * DaemonSets, Jobs, the kubelet's view of each pod (its containers' states, restarts, readiness, logs per
 * container instance) by the behaviour its image is given, Events as the components emit them, and CRDs
 * becoming Established. Status fields and condition reasons are the ones Kubernetes writes, so a client's
 * rollout logic can be tested against them.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { randomBytes } from 'node:crypto';
import { clone, deepEqual } from './apply.js';
import { defaultPod } from './defaults.js';
import { CRASH_LOGS, RUN_LOGS, type Behaviour, type BehaviourTable, type Timing } from './behaviour.js';
import { crdResources, type ResourceInfo, type ResourceRegistry } from './resources.js';
import { meta, nameOf, namespaceOf, uidOf, type Entry, type Store } from './store.js';

type K = Record<string, any>;

const CONTROLLER_MANAGER = 'kube-controller-manager';
const KUBELET = 'kubelet';

export interface ControllerOptions {
  nodes: number;
  speed: number;
  timing: Timing;
  /** CRD applied → Established. */
  crdEstablishMs: number;
}

interface ContainerSim {
  name: string;
  /** The container as the pod spec declares it (env, envFrom). */
  spec: K;
  image: string;
  init: boolean;
  behaviour: Behaviour;
  timing: Timing;
  /** waiting | running | terminated, with the moment it began and when the next step is due. */
  state: K;
  since: number;
  next: number;
  ready: boolean;
  started: boolean;
  restartCount: number;
  crashes: number;
  pulls: number;
  lastState: K;
  /** Log lines per instance of the container, oldest first. */
  instances: string[][];
  containerId: string;
}

interface PodSim {
  uid: string;
  /** When a Terminating pod is gone. */
  terminateAt?: number;
  created: number;
  scheduled: boolean;
  node?: string;
  job: boolean;
  restartPolicy: string;
  containers: ContainerSim[];
  lastSchedulingEvent?: number;
  lastUnhealthy?: number;
  ip: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
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

export function condition(o: K, type: string): K | undefined {
  return (o.status?.conditions ?? []).find((c: K) => c.type === type);
}

/** Sets a condition the way controllers do: lastTransitionTime moves only when the status changes. */
function setCondition(status: K, cond: K, now: number, withUpdateTime: boolean): void {
  status.conditions ??= [];
  const old = status.conditions.find((c: K) => c.type === cond.type);
  const next: K = { type: cond.type, status: cond.status };
  if (withUpdateTime)
    next.lastUpdateTime =
      old && deepEqual(old.reason, cond.reason) && old.status === cond.status && !cond.touch
        ? old.lastUpdateTime
        : iso(now);
  next.lastTransitionTime = old && old.status === cond.status ? old.lastTransitionTime : iso(now);
  if (cond.reason) next.reason = cond.reason;
  if (cond.message) next.message = cond.message;
  if (old) status.conditions[status.conditions.indexOf(old)] = next;
  else status.conditions.push(next);
}

function podReady(pod: K): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

export class Controller {
  private readonly sims = new Map<string, PodSim>();
  /** Deployment uid → the last moment it made progress (ms), for progressDeadlineSeconds. */
  private readonly progressAt = new Map<string, number>();
  private readonly crdSeen = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private ipCounter = 10;
  private now = Date.now();

  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly behaviours: BehaviourTable,
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
    this.sims.clear();
    this.progressAt.clear();
    this.crdSeen.clear();
  }

  private info(apiVersion: string, kind: string): ResourceInfo {
    return this.registry.byKind(apiVersion, kind)!;
  }

  private ms(value: number): number {
    return value / this.options.speed;
  }

  nodeNames(): string[] {
    return Array.from({ length: this.options.nodes }, (_, i) => `node-${i + 1}`);
  }

  /** One pass of every controller. */
  tick(): void {
    this.now = this.clock();
    try {
      this.crds();
      for (const e of this.store.list(this.info('apps/v1', 'Deployment'))) this.deployment(e);
      for (const e of this.store.list(this.info('apps/v1', 'ReplicaSet'))) this.replicaSet(e);
      for (const e of this.store.list(this.info('apps/v1', 'StatefulSet'))) this.statefulSet(e);
      for (const e of this.store.list(this.info('apps/v1', 'DaemonSet'))) this.daemonSet(e);
      for (const e of this.store.list(this.info('batch/v1', 'Job'))) this.job(e);
      const pods = this.store.list(this.info('v1', 'Pod'));
      for (const e of pods) this.pod(e);
      const live = new Set(pods.map(e => uidOf(e.object)));
      for (const uid of this.sims.keys()) if (!live.has(uid)) this.sims.delete(uid);
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

  private putStatus(e: Entry, status: K): void {
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
  event(
    involved: K,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
    extra: K = {}
  ): void {
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
  }

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
    if (!newRs) return;
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
    if (progressing) setCondition(next, progressing, this.now, true);
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
  ): K {
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
    const created = this.put(this.info('v1', 'Pod'), pod);
    this.event(
      owner.object,
      'Normal',
      'SuccessfulCreate',
      `Created pod: ${name}`,
      `${String(owner.object.kind).toLowerCase()}-controller`
    );
    return created.object;
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
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++)
        this.createPod(e, rs.spec.template, `${nameOf(rs)}-${randomSuffix()}`);
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
        const created = this.createPod(e, s.spec.template, name, {
          labels: {
            'controller-revision-hash': updateRevision,
            'statefulset.kubernetes.io/pod-name': name,
            'apps.kubernetes.io/pod-index': String(i)
          },
          hostname: name
        });
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
      if (byNode.has(node)) continue;
      const created = this.createPod(e, ds.spec.template, `${nameOf(ds)}-${randomSuffix()}`, {
        labels: {
          'controller-revision-hash': hash,
          'pod-template-generation': String(ds.metadata.generation)
        },
        nodeName: node
      });
      byNode.set(node, { info: this.info('v1', 'Pod'), object: created, managers: [] });
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
        for (let i = active.length; i < want; i++) {
          const created = this.createPod(e, j.spec.template, `${nameOf(j)}-${randomSuffix()}`, {
            labels: {
              'batch.kubernetes.io/controller-uid': uidOf(j),
              'batch.kubernetes.io/job-name': nameOf(j),
              'controller-uid': uidOf(j),
              'job-name': nameOf(j)
            }
          });
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

  // ---- Pods: scheduler and kubelet -----------------------------------------------------------------------

  private simFor(pod: K): PodSim {
    const uid = uidOf(pod);
    let sim = this.sims.get(uid);
    if (sim) return sim;
    const job = (pod.metadata.ownerReferences ?? []).some((r: K) => r.kind === 'Job');
    const containers = [
      ...(pod.spec.initContainers ?? []).map((c: K) => ({ c, init: true })),
      ...(pod.spec.containers ?? []).map((c: K) => ({ c, init: false }))
    ].map(({ c, init }): ContainerSim => {
      const behaviour = this.behaviours.resolve(String(c.image ?? ''));
      return {
        name: c.name,
        spec: c,
        image: c.image,
        init,
        behaviour,
        timing: { ...this.options.timing, ...(behaviour.timing ?? {}) },
        state: { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } },
        since: this.now,
        next: 0,
        ready: false,
        started: false,
        restartCount: 0,
        crashes: 0,
        pulls: 0,
        lastState: {},
        instances: [],
        containerId: ''
      };
    });
    sim = {
      uid,
      created: this.now,
      scheduled: false,
      node: pod.spec.nodeName,
      job,
      restartPolicy: pod.spec.restartPolicy ?? 'Always',
      containers,
      ip: `10.0.${Math.floor(this.ipCounter / 250) % 250}.${(this.ipCounter++ % 250) + 2}`
    };
    this.sims.set(uid, sim);
    return sim;
  }

  /** The instance lines a container logs, for `pods/log`. `previous`: the instance before the current one. */
  logs(podUid: string, container: string): { instances: string[][]; state: K } | undefined {
    const c = this.sims.get(podUid)?.containers.find(x => x.name === container);
    return c ? { instances: c.instances, state: c.state } : undefined;
  }

  private pod(e: Entry): void {
    const pod = e.object as K;
    const sim = this.simFor(pod);
    if (pod.metadata.deletionTimestamp) {
      if (sim.terminateAt === undefined) {
        sim.terminateAt = this.now + this.ms(this.options.timing.terminateMs);
        for (const c of sim.node ? sim.containers.filter(x => x.state.running) : [])
          this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, KUBELET, {
            fieldPath: `spec.containers{${c.name}}`,
            host: sim.node
          });
      }
      if (this.now >= sim.terminateAt) this.store.remove(e.info, namespaceOf(pod), nameOf(pod));
      return;
    }
    const status = clone(pod.status ?? {});
    const t = this.options.timing;
    if (!sim.scheduled) {
      // A rule may make scheduling slow (e.g. a Fargate pod waits about a minute for its node).
      const scheduleMs = Math.max(t.scheduleMs, ...sim.containers.map(c => c.timing.scheduleMs));
      const unschedulable = sim.containers.find(c => c.behaviour.behaviour === 'unschedulable');
      if (unschedulable) {
        const n = this.options.nodes;
        const message =
          unschedulable.behaviour.message ??
          `0/${n} nodes are available: ${n} Insufficient cpu. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`;
        setCondition(
          status,
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message },
          this.now,
          false
        );
        status.phase = 'Pending';
        if (
          this.now - sim.created >= this.ms(scheduleMs) &&
          (sim.lastSchedulingEvent === undefined ||
            this.now - sim.lastSchedulingEvent >= this.ms(t.backoffMs))
        ) {
          sim.lastSchedulingEvent = this.now;
          this.event(pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
        }
        this.putStatus(e, this.podStatus(status, pod, sim));
        return;
      }
      if (this.now - sim.created < this.ms(scheduleMs)) {
        status.phase = 'Pending';
        this.putStatus(e, this.podStatus(status, pod, sim));
        return;
      }
      sim.scheduled = true;
      if (!sim.node) {
        const nodes = this.nodeNames();
        sim.node = nodes[Math.abs(hashCode(sim.uid)) % nodes.length];
        const o = clone(pod);
        o.spec.nodeName = sim.node;
        this.store.write(e.info, o, { manager: 'default-scheduler' });
        e = this.store.entry(e.info, namespaceOf(pod), nameOf(pod))!;
      }
      this.event(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespaceOf(pod)}/${nameOf(pod)} to ${sim.node}`,
        'default-scheduler'
      );
      setCondition(status, { type: 'PodScheduled', status: 'True' }, this.now, false);
      status.startTime = iso(this.now);
      for (const c of sim.containers) {
        c.since = this.now;
        c.next = this.now + this.ms(c.timing.startMs);
      }
    }
    const inits = sim.containers.filter(c => c.init);
    const initsDone = inits.every(c => c.state.terminated?.exitCode === 0);
    const current = initsDone
      ? sim.containers.filter(c => !c.init)
      : [inits.find(c => c.state.terminated?.exitCode !== 0)!];
    for (const c of current) this.container(pod, sim, c);
    this.putStatus(e, this.podStatus(status, pod, sim));
  }

  private container(pod: K, sim: PodSim, c: ContainerSim): void {
    if (this.now < c.next) return;
    const b = c.behaviour.behaviour;
    const fieldPath = `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`;
    const kubelet = (type: 'Normal' | 'Warning', reason: string, message: string) =>
      this.event(pod, type, reason, message, KUBELET, { fieldPath, host: sim.node });
    const backoff = (n: number) =>
      Math.min(this.ms(c.timing.backoffMs) * 2 ** Math.max(0, n), this.ms(300_000));
    const runsToEnd = c.init || sim.job || b === 'fails';
    const waiting = c.state.waiting?.reason;
    if (STARTING.includes(waiting)) {
      const invalid = imageReferenceError(c.image);
      if (invalid) {
        // The kubelet cannot even parse the image: it stays there until the pod spec changes.
        const message = `Failed to apply default image tag "${c.image}": couldn't parse image name "${c.image}": ${invalid}`;
        c.state = { waiting: { reason: 'InvalidImageName', message } };
        c.next = Infinity;
        kubelet('Warning', 'InspectFailed', message);
        kubelet('Warning', 'Failed', 'Error: InvalidImageName');
        return;
      }
      if (b === 'pull-fail') {
        if (waiting === 'ErrImagePull') {
          const wait = backoff(c.pulls - 1);
          c.state = {
            waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` }
          };
          c.next = this.now + wait;
          kubelet('Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
          kubelet('Warning', 'Failed', 'Error: ImagePullBackOff');
        } else {
          c.pulls++;
          const error =
            c.behaviour.message ??
            `rpc error: code = NotFound desc = failed to pull and unpack image "${qualified(c.image)}": failed to resolve reference "${qualified(c.image)}": ${qualified(c.image)}: not found`;
          c.state = { waiting: { reason: 'ErrImagePull', message: error } };
          c.next = this.now + this.ms(c.timing.startMs);
          kubelet('Normal', 'Pulling', `Pulling image "${c.image}"`);
          kubelet('Warning', 'Failed', `Failed to pull image "${c.image}": ${error}`);
          kubelet('Warning', 'Failed', 'Error: ErrImagePull');
        }
        return;
      }
      const missing = this.missingConfig(namespaceOf(pod), c.spec);
      if (missing) {
        // The image is there but the container cannot be made: retried until the ConfigMap/Secret appears.
        if (waiting !== 'CreateContainerConfigError')
          kubelet('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
        c.state = { waiting: { reason: 'CreateContainerConfigError', message: missing } };
        c.next = this.now + this.ms(c.timing.startMs);
        kubelet('Warning', 'Failed', `Error: ${missing}`);
        return;
      }
      this.startInstance(c, sim, kubelet, waiting !== 'ErrImagePull' && waiting !== 'ImagePullBackOff');
      return;
    }
    if (waiting === 'CrashLoopBackOff') {
      this.startInstance(c, sim, kubelet, false);
      return;
    }
    if (c.state.running) {
      const crashes =
        b === 'crashloop' || (b === 'crash-once' && c.crashes === 0) || (b === 'fails' && !runsToEnd);
      const ends = runsToEnd && !crashes;
      if (crashes || ends) {
        const exitCode = ends
          ? b === 'fails'
            ? (c.behaviour.exitCode ?? 1)
            : 0
          : (c.behaviour.exitCode ?? 1);
        c.state = {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            startedAt: c.state.running.startedAt,
            finishedAt: iso(this.now),
            containerID: c.containerId
          }
        };
        c.ready = false;
        if (exitCode !== 0) c.crashes++;
        if (exitCode === 0 || sim.restartPolicy === 'Never') {
          c.next = Infinity;
          return;
        }
        // Restarted at once after the first crash; from the second on, a back-off (CrashLoopBackOff).
        if (c.crashes === 1) {
          c.next = this.now + this.ms(50);
        } else {
          const wait = backoff(c.crashes - 2);
          c.lastState = c.state;
          c.state = {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off ${Math.round((wait * this.options.speed) / 1000)}s restarting failed container=${c.name} pod=${nameOf(pod)}_${namespaceOf(pod)}(${uidOf(pod)})`
            }
          };
          c.next = this.now + wait;
          kubelet(
            'Warning',
            'BackOff',
            `Back-off restarting failed container ${c.name} in pod ${nameOf(pod)}_${namespaceOf(pod)}(${uidOf(pod)})`
          );
        }
        return;
      }
      if (!c.ready && b !== 'never-ready' && !c.init) {
        c.ready = true;
        c.next = Infinity;
      }
      if (b === 'never-ready') {
        kubelet('Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503');
        c.next = this.now + this.ms(c.timing.readyMs * 2);
      }
      return;
    }
    if (c.state.terminated && c.next !== Infinity) {
      // The immediate restart after a first crash.
      c.lastState = c.state;
      this.startInstance(c, sim, kubelet, false);
    }
  }

  /** What the kubelet says when a container's env names a ConfigMap or Secret (or key) that is not there. */
  private missingConfig(namespace: string, spec: K): string | undefined {
    const lookup = (kind: 'ConfigMap' | 'Secret', name: string) =>
      this.store.get(this.info('v1', kind), namespace, name) as K | undefined;
    const check = (kind: 'ConfigMap' | 'Secret', ref: K | undefined, key?: string): string | undefined => {
      if (!ref || ref.optional) return undefined;
      const object = lookup(kind, String(ref.name));
      if (!object) return `${kind.toLowerCase()} "${ref.name}" not found`;
      if (key !== undefined && !(key in (object.data ?? {})) && !(key in (object.binaryData ?? {})))
        return `couldn't find key ${key} in ${kind} ${namespace}/${ref.name}`;
      return undefined;
    };
    for (const e of spec.env ?? []) {
      const from = e.valueFrom ?? {};
      const problem =
        check('ConfigMap', from.configMapKeyRef, from.configMapKeyRef?.key) ??
        check('Secret', from.secretKeyRef, from.secretKeyRef?.key);
      if (problem) return problem;
    }
    for (const e of spec.envFrom ?? []) {
      const problem = check('ConfigMap', e.configMapRef) ?? check('Secret', e.secretRef);
      if (problem) return problem;
    }
    return undefined;
  }

  private startInstance(
    c: ContainerSim,
    sim: PodSim,
    kubelet: (type: 'Normal' | 'Warning', reason: string, message: string) => void,
    first: boolean
  ): void {
    const b = c.behaviour.behaviour;
    if (first) {
      kubelet('Normal', 'Pulling', `Pulling image "${c.image}"`);
      kubelet(
        'Normal',
        'Pulled',
        `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 12345678 bytes.`
      );
    } else {
      kubelet('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
      c.restartCount++;
    }
    kubelet('Normal', 'Created', `Created container: ${c.name}`);
    kubelet('Normal', 'Started', `Started container ${c.name}`);
    c.containerId = `containerd://${randomBytes(32).toString('hex')}`;
    c.started = true;
    c.state = { running: { startedAt: iso(this.now) } };
    const crashing = b === 'crashloop' || (b === 'crash-once' && c.crashes === 0);
    const jobLike = c.init || b === 'fails' || (b !== 'never-ready' && sim.job);
    c.instances.push(
      c.behaviour.logs ?? (crashing || b === 'fails' ? CRASH_LOGS : jobLike ? ['starting', 'done'] : RUN_LOGS)
    );
    c.next =
      this.now + this.ms(crashing ? c.timing.crashAfterMs : jobLike ? c.timing.jobRunMs : c.timing.readyMs);
  }

  private podStatus(status: K, pod: K, sim: PodSim): K {
    const toStatus = (c: ContainerSim): K => ({
      name: c.name,
      image: c.image,
      imageID: c.started ? `${qualified(c.image).replace(/:[^:/@]+$/, '')}@sha256:${hashHex(c.image)}` : '',
      ...(c.started ? { containerID: c.containerId } : {}),
      ready: c.ready,
      started: Boolean(c.state.running),
      restartCount: c.restartCount,
      state: c.state,
      lastState: c.lastState
    });
    const apps = sim.containers.filter(c => !c.init);
    const inits = sim.containers.filter(c => c.init);
    if (sim.scheduled) {
      status.hostIP = '192.168.1.' + (Number(/\d+$/.exec(sim.node ?? '1')?.[0] ?? 1) + 10);
      status.hostIPs = [{ ip: status.hostIP }];
      status.podIP = sim.ip;
      status.podIPs = [{ ip: sim.ip }];
      status.containerStatuses = apps.map(toStatus);
      if (inits.length) status.initContainerStatuses = inits.map(toStatus);
      const initialized = inits.every(c => c.state.terminated?.exitCode === 0);
      const ready = initialized && apps.every(c => c.ready);
      const completed = apps.every(c => c.state.terminated && c.next === Infinity);
      const notReady = apps.filter(c => !c.ready).map(c => c.name);
      setCondition(status, { type: 'PodReadyToStartContainers', status: 'True' }, this.now, false);
      setCondition(
        status,
        initialized
          ? { type: 'Initialized', status: 'True' }
          : {
              type: 'Initialized',
              status: 'False',
              reason: 'ContainersNotInitialized',
              message: `containers with incomplete status: [${inits
                .filter(c => c.state.terminated?.exitCode !== 0)
                .map(c => c.name)
                .join(' ')}]`
            },
        this.now,
        false
      );
      // A pod whose containers all ended is not ready because it completed, not because a container is unready.
      const unready = completed
        ? { status: 'False', reason: 'PodCompleted' }
        : {
            status: 'False',
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${notReady.join(' ')}]`
          };
      setCondition(
        status,
        ready ? { type: 'ContainersReady', status: 'True' } : { type: 'ContainersReady', ...unready },
        this.now,
        false
      );
      setCondition(
        status,
        ready ? { type: 'Ready', status: 'True' } : { type: 'Ready', ...unready },
        this.now,
        false
      );
      setCondition(status, { type: 'PodScheduled', status: 'True' }, this.now, false);
      const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
      status.conditions.sort((a: K, b: K) => order.indexOf(a.type) - order.indexOf(b.type));
      if (completed)
        status.phase = apps.every(c => c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
      else status.phase = apps.some(c => c.started) && initialized ? 'Running' : 'Pending';
    }
    status.qosClass ??= 'BestEffort';
    return status;
  }
}

function hashCode(text: string): number {
  let h = 0;
  for (const ch of text) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

function hashHex(text: string): string {
  let out = '';
  for (let i = 0; out.length < 64; i++) out += (hashCode(`${text}/${i}`) >>> 0).toString(16).padStart(8, '0');
  return out.slice(0, 64);
}

const STARTING: (string | undefined)[] = [
  'ContainerCreating',
  'PodInitializing',
  'ErrImagePull',
  'ImagePullBackOff',
  'CreateContainerConfigError'
];

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Why an image reference does not parse (the distribution reference grammar), or undefined when it does. */
export function imageReferenceError(image: string): string | undefined {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  let name = at >= 0 ? image.slice(0, at) : image;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) return 'invalid reference format';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    if (!/^[\w][\w.-]{0,127}$/.test(name.slice(colon + 1))) return 'invalid reference format';
    name = name.slice(0, colon);
  }
  const parts = name.split('/');
  const hasDomain = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]);
  if (hasDomain && !/^[a-zA-Z0-9.-]+(:\d+)?$/.test(parts[0])) return 'invalid reference format';
  const path = hasDomain ? parts.slice(1) : parts;
  if (!path.length || path.some(p => p === '')) return 'invalid reference format';
  if (path.some(p => !PATH_COMPONENT.test(p))) {
    if (path.every(p => PATH_COMPONENT.test(p.toLowerCase())))
      return `invalid reference format: repository name (${hasDomain ? path.join('/') : (path.length === 1 ? 'library/' : '') + path.join('/')}) must be lowercase`;
    return 'invalid reference format';
  }
  return undefined;
}

/** `nginx:1` → `docker.io/library/nginx:1`, as containerd names an image. */
export function qualified(image: string): string {
  const first = image.split('/')[0];
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost'))
    return image;
  return `docker.io/${image.includes('/') ? '' : 'library/'}${image}`;
}
