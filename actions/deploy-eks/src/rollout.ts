/**
 * Waits for every workload at once, each through the core poller: kubectl's rollout rules decide done, paused
 * or failed, and the rollout's pods are looked at on every poll (watch.ts) so a failure that is certain (a
 * crash loop on every new pod, an image that does not exist, pods admission refuses) fails the workload in
 * seconds rather than at its progress deadline, and one that may heal is given its grace.
 */
import type { Logger } from '../../../core/log.js';
import { poll, systemClock, type Clock, type PollOutcome, type PollStep } from '../../../core/poll.js';
import type { Grace } from './diagnose.js';
import type { Explanation } from './explain.js';
import { describeRef, isRetryableKube, type Kube, type KubeObject, type ObjectRef } from './kube.js';
import { observed, rolloutState, WAITED_KINDS } from './status.js';
import { WorkloadWatch } from './watch.js';

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
  /** How long problems that may heal are given (the `failure-grace` and `unschedulable-grace` inputs). */
  grace: Grace;
}

/** What the polls of one workload saw last. */
interface Seen {
  message: string;
  live?: KubeObject;
}

/** A paused Deployment: said at once, with what resumes it. */
function pausedExplanation(live: KubeObject): Explanation {
  const { name, namespace } = live.metadata;
  return {
    rootCause: `${describeRef({ kind: live.kind, namespace, name })} is paused (spec.paused): its new pod template is not rolled out until it is resumed (kubectl rollout resume deployment/${name}${namespace ? ` -n ${namespace}` : ''})`,
    diagnostics: []
  };
}

/** One poll: the workload's rollout state, then its pods (once the controller has seen this generation). */
async function checkOnce(
  kube: Kube,
  ref: ObjectRef,
  watch: WorkloadWatch,
  seen: Seen,
  options: WaitOptions & { clock: Clock }
): Promise<PollStep<WorkloadOutcome>> {
  const live = (seen.live = await kube.get(ref));
  if (!live) {
    seen.message = 'not found';
    return { done: false };
  }
  const state = rolloutState(live);
  // The state's message may quote the controller's conditions: printed as data.
  if (state.message !== seen.message) options.log.untrusted(`${describeRef(ref)}: ${state.message}`);
  const message = (seen.message = state.message);
  if (state.state === 'done') return { done: true, value: { ref, outcome: 'ready', message, live } };
  const detectedAt = options.clock.now();
  if (state.state === 'paused')
    return {
      done: true,
      value: { ref, outcome: 'failed', message, explanation: pausedExplanation(live), detectedAt, live }
    };
  // Until the controller has seen this generation, the "new" pods are those of the revision before.
  if (GENERATION_KINDS.has(live.kind) && !observed(live)) return { done: false };
  const look = await watch.look(live);
  if (state.state !== 'failed' && !look.fatal) return { done: false };
  const explanation = await watch.explain(live, state.state === 'failed' ? state : undefined);
  return { done: true, value: { ref, outcome: 'failed', message, explanation, detectedAt, live } };
}

/**
 * Waits for one workload: its rollout rules, and its new pods' problems on every poll. A wait whose time ran out
 * is explained from what its last poll saw (a readiness probe that never passed, a pod still unschedulable).
 */
export async function waitForWorkload(
  kube: Kube,
  ref: ObjectRef,
  options: WaitOptions
): Promise<WorkloadOutcome> {
  const clock = options.clock ?? systemClock;
  const watch = new WorkloadWatch(kube, { clock, grace: options.grace });
  const seen: Seen = { message: 'not seen yet' };
  let outcome: PollOutcome<WorkloadOutcome>;
  try {
    outcome = await poll<WorkloadOutcome>({
      check: () => checkOnce(kube, ref, watch, seen, { ...options, clock }),
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      clock,
      signal: options.signal,
      isRetryable: isRetryableKube,
      onRetry: (error, _attempt, delay) =>
        options.log.debug(`${describeRef(ref)}: ${(error as Error).message}; again in ${delay} ms`)
    });
  } catch (error) {
    // A request cut by the cancel: the wait was cancelled, not failed.
    if (options.signal?.aborted) return { ref, outcome: 'cancelled', message: seen.message, live: seen.live };
    throw error;
  }
  if (outcome.kind === 'done') return outcome.value;
  const { message, live } = seen;
  if (outcome.kind === 'cancelled' || !live) return { ref, outcome: outcome.kind, message, live };
  return { ref, outcome: 'timeout', message, live, explanation: await timeoutExplanation(watch, live) };
}

/** Why a wait ran out of time, as far as the cluster says; its own failure to say so is not the deploy's. */
async function timeoutExplanation(watch: WorkloadWatch, live: KubeObject): Promise<Explanation | undefined> {
  return watch.explain(live).catch(() => undefined);
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
