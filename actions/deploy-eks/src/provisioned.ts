/**
 * What the cloud provisions for the manifests, waited for when `wait-for` asks: a LoadBalancer Service's address
 * and a PersistentVolumeClaim Bound. kstatus calls a LoadBalancer Service current once it has a cluster IP, and
 * never waits for its address; Helm's `--wait` (pkg/kube/ready.go `serviceReady`) and Argo CD wait until
 * `status.loadBalancer.ingress` has an entry, and so does this, taking the hostname or the IP as the address that a
 * following step can use. A Service with `spec.externalIPs` is not waited for (Helm's rule).
 *
 * A claim is ready once `status.phase` is Bound (kstatus `pvcConditions`, Helm `volumeReady`); Lost fails it. A
 * claim of a StorageClass with `volumeBindingMode: WaitForFirstConsumer` stays Pending until a pod that uses it
 * is scheduled (the PV controller says so with its `WaitForFirstConsumer` event): kstatus and Helm wait for it
 * until they time out (helm/helm#10196, #10733), which is a false alarm. Here it counts as ready: the pods that
 * will use it are the workloads' and are waited for there; once the scheduler picked a node for it (the
 * `volume.kubernetes.io/selected-node` annotation), the claim is waited for until Bound.
 *
 * Neither carries a condition that says it failed: the controllers say so in events, retrying all the while
 * (AWS Load Balancer Controller `FailedBuildModel` / `FailedDeployModel`, the cloud provider's
 * `SyncLoadBalancerFailed`; the PV controller's `FailedBinding`, a provisioner's `ProvisioningFailed`). Such an event
 * that is still the object's latest after `failure-grace` fails it, with the event as the root cause.
 */
import { poll, systemClock, type Clock, type PollStep } from '../../../core/poll.js';
import { oneLine } from '../../../core/text.js';
import { eventsOf, type Event } from './diagnose.js';
import type { Explanation } from './explain.js';
import type { WaitFor } from './inputs.js';
import { describeRef, isRetryableKube, type Kube, type KubeObject, type ObjectRef } from './kube.js';
import type { WaitOptions, WorkloadOutcome } from './rollout.js';

/** The annotation the scheduler sets on a WaitForFirstConsumer claim once a pod using it has a node. */
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

/** Event reasons that say a load balancer or a volume cannot be made (the controllers retry them). */
const FAILURE_REASONS = new Set([
  'FailedBuildModel',
  'FailedDeployModel',
  'SyncLoadBalancerFailed',
  'FailedBinding',
  'ProvisioningFailed'
]);

const EVENT_MAX = 1000;

export type ProvisionState =
  | { state: 'done'; message: string; addresses?: string[] }
  | { state: 'progressing'; message: string }
  | { state: 'failed'; reason: string; message: string };

type Service = KubeObject & {
  spec?: { type?: string; externalIPs?: string[] };
  status?: { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } };
};

type Claim = KubeObject & {
  spec?: { storageClassName?: string; volumeName?: string };
  status?: { phase?: string };
};

export const isLoadBalancer = (o: KubeObject) =>
  o.kind === 'Service' && o.apiVersion === 'v1' && (o as Service).spec?.type === 'LoadBalancer';

export const isClaim = (o: KubeObject) => o.kind === 'PersistentVolumeClaim' && o.apiVersion === 'v1';

/** The objects `wait-for` asks to wait for. */
export function provisionedObjects(objects: KubeObject[], waitFor: WaitFor): KubeObject[] {
  return objects.filter(o => (waitFor.loadBalancers && isLoadBalancer(o)) || (waitFor.volumes && isClaim(o)));
}

/** A LoadBalancer Service: its address (hostname or IP), or still waiting for one. */
export function loadBalancerState(service: KubeObject): ProvisionState {
  const { spec, status } = service as Service;
  if ((spec?.externalIPs ?? []).length > 0)
    return { state: 'done', message: 'has external IPs (spec.externalIPs): not waited for' };
  const addresses = (status?.loadBalancer?.ingress ?? [])
    .map(i => i.hostname || i.ip)
    .filter((a): a is string => typeof a === 'string' && a !== '');
  if (addresses.length > 0)
    return { state: 'done', message: `load balancer ${addresses.join(', ')}`, addresses };
  return { state: 'progressing', message: 'waiting for its load balancer address' };
}

/** A claim: Bound, Lost, waiting for its first consumer (ready), or Pending. `events` are the claim's. */
export function claimState(claim: KubeObject, events: Event[]): ProvisionState {
  const { spec, status } = claim as Claim;
  const phase = status?.phase ?? 'Pending';
  if (phase === 'Bound') return { state: 'done', message: `Bound to ${spec?.volumeName ?? 'its volume'}` };
  if (phase === 'Lost')
    return {
      state: 'failed',
      reason: 'ClaimLost',
      message: `Lost: its volume ${spec?.volumeName ?? ''} is gone (the data may be lost with it)`
    };
  const last = events.at(-1);
  if (!claim.metadata.annotations?.[SELECTED_NODE] && last?.reason === 'WaitForFirstConsumer')
    return {
      state: 'done',
      message: `Pending until a pod that uses it is scheduled (StorageClass ${spec?.storageClassName ?? '?'}: WaitForFirstConsumer)`
    };
  return { state: 'progressing', message: `${phase}: waiting for it to be Bound` };
}

/** The object's latest event, when it says the thing cannot be made. */
export function failureEvent(events: Event[]): Event | undefined {
  const last = events.at(-1);
  return last && FAILURE_REASONS.has(last.reason ?? '') ? last : undefined;
}

const eventText = (e: Event) => oneLine(`${e.reason ?? ''}: ${e.message ?? ''}`, { max: EVENT_MAX });

/** Why it is not there yet, in one line, from its latest event; or that no controller said anything. */
export function explainProvision(object: KubeObject, events: Event[], message: string): Explanation {
  const ref = describeRef(refOf(object));
  const last = events.at(-1);
  const lines = events.slice(-10).map(eventText);
  const what = isLoadBalancer(object) ? 'has no load balancer address' : 'is not Bound';
  const why = last
    ? eventText(last)
    : isLoadBalancer(object)
      ? 'no controller reported on it (no events): is a load balancer controller running (the AWS Load Balancer Controller for loadBalancerClass service.k8s.aws/nlb)?'
      : message;
  return {
    rootCause: `${ref} ${what}: ${why}`,
    diagnostics: lines.length > 0 ? [{ title: `Events of ${ref}`, severity: 'warning', lines }] : []
  };
}

const refOf = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata.namespace,
  name: o.metadata.name
});

/** One look: the object, its events, its state; a failure event past its grace fails it. */
async function lookOnce(
  kube: Kube,
  ref: ObjectRef,
  seen: { message: string; live?: KubeObject; events: Event[]; failingSince?: number; reason?: string },
  options: WaitOptions & { clock: Clock }
): Promise<PollStep<WorkloadOutcome>> {
  const live = (seen.live = await kube.get(ref));
  if (!live) return { done: false };
  const all = await kube.list<Event>({ apiVersion: 'v1', kind: 'Event', namespace: ref.namespace });
  const events = (seen.events = eventsOf(all, live.kind, live));
  const state = isLoadBalancer(live) ? loadBalancerState(live) : claimState(live, events);
  if (state.message !== seen.message) options.log.untrusted(`${describeRef(ref)}: ${state.message}`);
  const message = (seen.message = state.message);
  if (state.state === 'done') return { done: true, value: { ref, outcome: 'ready', message, live } };
  const now = options.clock.now();
  const failure = state.state === 'failed' ? undefined : failureEvent(events);
  if (failure?.reason !== seen.reason) seen.failingSince = failure ? now : undefined;
  seen.reason = failure?.reason;
  const due = seen.failingSince !== undefined && now - seen.failingSince >= options.grace.failureMs;
  if (state.state !== 'failed' && !due) return { done: false };
  const explanation =
    state.state === 'failed'
      ? { rootCause: `${describeRef(ref)}: ${state.message}`, diagnostics: [] }
      : explainProvision(live, events, message);
  return { done: true, value: { ref, outcome: 'failed', message, explanation, detectedAt: now, live } };
}

/** Waits for one LoadBalancer Service or claim; a wait that runs out of time says what its last look saw. */
export async function waitForProvisioned(
  kube: Kube,
  ref: ObjectRef,
  options: WaitOptions
): Promise<WorkloadOutcome> {
  const clock = options.clock ?? systemClock;
  const seen = { message: 'not seen yet', events: [] as Event[] } as Parameters<typeof lookOnce>[2];
  try {
    const outcome = await poll<WorkloadOutcome>({
      check: () => lookOnce(kube, ref, seen, { ...options, clock }),
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      clock,
      signal: options.signal,
      isRetryable: isRetryableKube
    });
    if (outcome.kind === 'done') return outcome.value;
    const { message, live } = seen;
    if (outcome.kind === 'cancelled' || !live) return { ref, outcome: outcome.kind, message, live };
    return {
      ref,
      outcome: 'timeout',
      message,
      live,
      explanation: explainProvision(live, seen.events, message)
    };
  } catch (error) {
    if (options.signal?.aborted) return { ref, outcome: 'cancelled', message: seen.message, live: seen.live };
    throw error;
  }
}

/** Waits for every object `wait-for` asks for, in parallel; `onFailed` is told of the first failure at once. */
export function waitForAllProvisioned(
  kube: Kube,
  objects: KubeObject[],
  waitFor: WaitFor,
  options: WaitOptions,
  onFailed: () => void
): Promise<WorkloadOutcome[]> {
  return Promise.all(
    provisionedObjects(objects, waitFor).map(async o => {
      const outcome = await waitForProvisioned(kube, refOf(o), options);
      if (outcome.outcome === 'failed') onFailed();
      return outcome;
    })
  );
}

/** The addresses of the LoadBalancer Services that got one. */
export function loadBalancerAddresses(
  outcomes: WorkloadOutcome[]
): { namespace?: string; name: string; addresses: string[] }[] {
  return outcomes.flatMap(w => {
    if (w.outcome !== 'ready' || !w.live || !isLoadBalancer(w.live)) return [];
    const state = loadBalancerState(w.live);
    const addresses = state.state === 'done' ? (state.addresses ?? []) : [];
    return addresses.length ? [{ namespace: w.ref.namespace, name: w.ref.name, addresses }] : [];
  });
}
