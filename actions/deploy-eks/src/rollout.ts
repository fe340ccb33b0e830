/**
 * Waits for every workload at once, each through the core poller: kubectl's rollout rules decide done or
 * failed, and the new pods are looked at on every poll so a crash loop or a pull failure fails the
 * workload in seconds rather than at its progress deadline.
 */
import type { Logger } from '../../../core/log.js';
import { poll, systemClock, type Clock, type PollOutcome } from '../../../core/poll.js';
import { explain, podProblems, UnschedulableTracker, type Explanation, type Pod } from './diagnose.js';
import { describeRef, isRetryableKube, type Kube, type KubeObject, type ObjectRef } from './kube.js';
import { observed, rolloutState, WAITED_KINDS } from './status.js';

/** Kinds whose status says which generation the controller has seen. */
const GENERATION_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export interface WorkloadOutcome {
  ref: ObjectRef;
  /** `abandoned`: no longer waited for, because another workload failed. */
  outcome: 'ready' | 'failed' | 'timeout' | 'cancelled' | 'abandoned';
  /** The last rollout state seen. */
  message: string;
  explanation?: Explanation;
  /** The clock's time when the failure was seen. */
  detectedAt?: number;
  live?: KubeObject;
}

export interface WaitOptions {
  timeoutMs: number;
  /** The `poll-interval` input. */
  intervalMs: number;
  clock?: Clock;
  signal?: AbortSignal;
  log: Logger;
  unschedulableGraceMs?: number;
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A label selector object as the `labelSelector` query string. */
export function selectorString(selector: Selector | undefined, extra: Record<string, string> = {}): string {
  const parts = Object.entries({ ...(selector?.matchLabels ?? {}), ...extra }).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export const REVISION = 'deployment.kubernetes.io/revision';

type Spec = { selector?: Selector; template?: unknown };
const specOf = (o: KubeObject) => (o.spec ?? {}) as Spec;

export function ownedBy(object: KubeObject, owner: KubeObject): boolean {
  return (
    !!owner.metadata.uid && (object.metadata.ownerReferences ?? []).some(r => r.uid === owner.metadata.uid)
  );
}

/** The ReplicaSets of a Deployment, newest revision first. */
export async function replicaSets(kube: Kube, deployment: KubeObject): Promise<KubeObject[]> {
  const sets = await kube.list(
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: deployment.metadata.namespace },
    { labelSelector: selectorString(specOf(deployment).selector) }
  );
  const rev = (o: KubeObject) => Number(o.metadata.annotations?.[REVISION] ?? 0);
  return sets.filter(s => ownedBy(s, deployment)).sort((a, b) => rev(b) - rev(a));
}

/** The pods of the workload's new revision, and the names of related objects whose events matter. */
export async function newPods(
  kube: Kube,
  live: KubeObject,
  /** The new ReplicaSet of a Deployment revision, kept between polls (it does not change). */
  cache: Map<string, KubeObject> = new Map()
): Promise<{ pods: Pod[]; related: string[] }> {
  const ns = live.metadata.namespace;
  const podsOf = (labelSelector: string) =>
    kube.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: ns }, { labelSelector });
  const status = (live.status ?? {}) as Record<string, unknown>;
  switch (live.kind) {
    case 'Deployment': {
      const revision = live.metadata.annotations?.[REVISION];
      const key = `${live.metadata.uid}/${revision}`;
      let current = cache.get(key);
      if (!current) {
        current = (await replicaSets(kube, live)).find(s => s.metadata.annotations?.[REVISION] === revision);
        if (current) cache.set(key, current);
      }
      const hash = current?.metadata.labels?.['pod-template-hash'];
      if (!current || !hash) return { pods: [], related: [] };
      const pods = await podsOf(selectorString(specOf(live).selector, { 'pod-template-hash': hash }));
      return { pods: pods.filter(p => ownedBy(p, current)), related: [current.metadata.name] };
    }
    case 'StatefulSet': {
      const revision = status.updateRevision as string | undefined;
      if (!revision) return { pods: [], related: [] };
      return {
        pods: await podsOf(selectorString(specOf(live).selector, { 'controller-revision-hash': revision })),
        related: []
      };
    }
    case 'DaemonSet':
    case 'Job': {
      const pods = await podsOf(selectorString(specOf(live).selector));
      return { pods: pods.filter(p => ownedBy(p, live)), related: [] };
    }
    case 'Pod':
      return { pods: [live as Pod], related: [] };
    default:
      return { pods: [], related: [] };
  }
}

/** Waits for one workload: its rollout rules, and its new pods' problems on every poll. */
export async function waitForWorkload(
  kube: Kube,
  ref: ObjectRef,
  options: WaitOptions
): Promise<WorkloadOutcome> {
  const clock = options.clock ?? systemClock;
  const tracker = new UnschedulableTracker(options.unschedulableGraceMs);
  const replicaSetCache = new Map<string, KubeObject>();
  let message = 'not seen yet';
  let live: KubeObject | undefined;
  const name = describeRef(ref);
  let outcome: PollOutcome<WorkloadOutcome>;
  try {
    outcome = await poll<WorkloadOutcome>({
      check: async () => {
        live = await kube.get(ref);
        if (!live) {
          message = 'not found';
          return { done: false };
        }
        const state = rolloutState(live);
        // The state's message may quote the controller's conditions: printed as data.
        if (state.message !== message) options.log.untrusted(`${name}: ${state.message}`);
        message = state.message;
        if (state.state === 'done') return { done: true, value: { ref, outcome: 'ready', message, live } };
        // Until the controller has seen this generation, the "new" pods are those of the revision before.
        const { pods, related } =
          !GENERATION_KINDS.has(live.kind) || observed(live)
            ? await newPods(kube, live, replicaSetCache)
            : { pods: [], related: [] };
        const problems = pods.flatMap(p => podProblems(p, clock.now(), tracker));
        const fatal = problems.some(p => p.fatal);
        if (state.state === 'failed' || fatal) {
          const detectedAt = clock.now();
          const explanation =
            problems.length > 0
              ? await explain(kube, live, pods, problems, { related })
              : {
                  rootCause: `${ref.name}: ${state.state === 'failed' ? `${state.reason}: ${state.message}` : message}`,
                  diagnostics: []
                };
          return { done: true, value: { ref, outcome: 'failed', message, explanation, detectedAt, live } };
        }
        return { done: false };
      },
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      clock,
      signal: options.signal,
      isRetryable: isRetryableKube,
      onRetry: (error, _attempt, delay) =>
        options.log.debug(`${name}: ${(error as Error).message}; again in ${delay} ms`)
    });
  } catch (error) {
    // A request cut by the cancel: the wait was cancelled, not failed.
    if (options.signal?.aborted) return { ref, outcome: 'cancelled', message, live };
    throw error;
  }
  if (outcome.kind === 'done') return outcome.value;
  return { ref, outcome: outcome.kind, message, live };
}

/**
 * Waits for every workload among the objects in parallel. CronJobs and non-workloads are not waited for.
 * The first failure stops the other waits (they are `abandoned`), so the step reports it at once.
 */
export async function waitForWorkloads(
  kube: Kube,
  objects: KubeObject[],
  options: WaitOptions
): Promise<WorkloadOutcome[]> {
  const workloads = objects.filter(o => WAITED_KINDS.has(o.kind));
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  return Promise.all(
    workloads.map(async o => {
      const result = await waitForWorkload(
        kube,
        { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name },
        { ...options, signal }
      );
      if (result.outcome === 'failed') stop.abort();
      if (result.outcome === 'cancelled' && !options.signal?.aborted)
        return { ...result, outcome: 'abandoned' as const };
      return result;
    })
  );
}
