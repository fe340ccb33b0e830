/**
 * Why a workload's new pods are not coming up, and when that is certain enough to fail the deploy.
 *
 * Each poll, every new pod's problems are read from its status (and, when the status alone cannot tell, from
 * its events) and sorted into three kinds:
 * - doomed: this pod will not come up as it is: a container in CrashLoopBackOff (it crashed at least twice: the
 *   kubelet restarts a first crash at once), an image that is not found (the kubelet's message says `not found`
 *   or `manifest unknown`) or not a valid name, pods the API server's admission refuses (FailedCreate);
 * - may heal: a pull error that is not a missing image (a registry's 429, a timeout), a ConfigMap or Secret
 *   that is not there yet (an ExternalSecret makes it seconds later), pods refused by a quota while old pods
 *   are still going, a pod Unschedulable with no node on its way;
 * - waiting: not a failure by itself: a node being provisioned for the pod (Karpenter / EKS Auto Mode's
 *   `Nominated` event, the Cluster Autoscaler's `TriggeredScaleUp`, a preemption's nominated node), a Job's
 *   crash loop (its backoffLimit decides), a waiting reason this code does not know.
 *
 * The FailureJudge fails a workload at once when a problem dooms every pod of the template (the same image,
 * the same admission), or when every new pod is doomed; otherwise only when the same problem stays on a pod
 * past its grace period. Then `explain` words the root cause (core's one rule picks the log line) and gathers
 * the evidence: each failing pod's containers, the events of the workload, its ReplicaSet and its pods, and the
 * container's last log lines. All of that text comes from the cluster and the app: callers print it as data.
 */
import type { KubeObject } from './kube.js';

export interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { reason?: string; message?: string; exitCode?: number };
  };
  lastState?: { terminated?: { reason?: string; message?: string; exitCode?: number } };
}

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export type Pod = KubeObject & {
  spec?: {
    containers?: { name: string; image?: string }[];
    schedulerName?: string;
    nodeName?: string;
    readinessGates?: { conditionType: string }[];
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    nominatedNodeName?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
};

/** doomed: will not come up as it is; may-heal: can clear by itself; waiting: not a failure by itself. */
export type ProblemKind = 'doomed' | 'may-heal' | 'waiting';

export interface PodProblem {
  /** The pod; none for the workload's own problem (its pods cannot be created). */
  pod?: string;
  container?: string;
  image?: string;
  reason: string;
  message?: string;
  exitCode?: number;
  restarts: number;
  kind: ProblemKind;
  /** Doomed for every pod of the template: the image is missing or not a name, or admission refuses the pod. */
  everyPod?: boolean;
  /** Which instance of the container's log tells: the one that crashed (`previous`), or the one there now. */
  instance?: 'previous' | 'current';
}

export interface Event {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  series?: { count?: number; lastObservedTime?: string };
  metadata?: { creationTimestamp?: string };
}

/** How long problems that may heal are given, in ms. */
export interface Grace {
  /** The same may-heal problem on one pod (or the workload's pods refused), or a crash loop on some but not all pods. */
  failureMs: number;
  /** A pod Unschedulable with no node on its way. */
  unschedulableMs: number;
}

/** The kubelet's pull error when the image (or its tag) does not exist: containerd `not found`, a registry's `manifest unknown`. */
const IMAGE_NOT_FOUND = /\bnot found\b|manifest unknown/i;
/** A quota refusal depends on what else runs: pods going away free it. */
const QUOTA_EXCEEDED = /exceeded quota/i;
/** Events that say a node is being made for a pod: Karpenter / EKS Auto Mode, the Cluster Autoscaler. */
const PROVISIONING = new Set(['Nominated', 'TriggeredScaleUp']);
const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff']);
/** Waiting reasons of a container on its normal way up. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);
/** Waiting reasons the kubelet retries by itself, and which can clear (the object or the runtime comes back). */
const MAY_HEAL = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreStartHookError',
  'PostStartHookError',
  'ImageInspectError',
  'RegistryUnavailable'
]);
/** The image reference itself is wrong: the same for every pod. */
const BAD_IMAGE = new Set(['InvalidImageName', 'ErrImageNeverPull']);

export interface ProblemContext {
  /** A Job's pod: its crash loop is the Job's to judge (backoffLimit). */
  job?: boolean;
  /** The namespace's events, when read: the reason of an ImagePullBackOff, a node on its way. */
  events?: Event[];
}

/** When an event last happened (the newest of the times the two event APIs write). */
export const eventTime = (e: Event): string =>
  e.series?.lastObservedTime ??
  e.lastTimestamp ??
  e.eventTime ??
  e.firstTimestamp ??
  e.metadata?.creationTimestamp ??
  '';

/**
 * The events about one object, oldest first. Its kind is given: the items of a list carry none (the API server
 * encodes typed lists so). Matched by uid when the event names one: a StatefulSet's pod names come back.
 */
export function eventsOf(events: Event[], kind: string, object: KubeObject): Event[] {
  return events
    .filter(
      e =>
        e.involvedObject?.kind === kind &&
        e.involvedObject.name === object.metadata.name &&
        (!e.involvedObject.uid || !object.metadata.uid || e.involvedObject.uid === object.metadata.uid)
    )
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
}

/** Why the kubelet could not pull: its waiting message, or for a back-off (which says only that) its last Failed event. */
function pullMessage(pod: Pod, c: ContainerStatus, events: Event[] | undefined): string | undefined {
  const message = c.state?.waiting?.message;
  if (c.state?.waiting?.reason === 'ErrImagePull' || !events) return message;
  const image = c.image ?? '';
  const failed = eventsOf(events, 'Pod', pod)
    .filter(e => e.type === 'Warning' && (e.message ?? '').startsWith(`Failed to pull image "${image}"`))
    .at(-1);
  return failed?.message ?? message;
}

/** The kind of a container's waiting reason; undefined for a container on its normal way up. */
function waitingKind(reason: string, message: string | undefined, context: ProblemContext) {
  if (STARTING.has(reason)) return undefined;
  if (reason === 'CrashLoopBackOff') return { kind: context.job ? 'waiting' : 'doomed' } as const;
  if (BAD_IMAGE.has(reason)) return { kind: 'doomed', everyPod: true } as const;
  if (PULL_REASONS.has(reason))
    return IMAGE_NOT_FOUND.test(message ?? '')
      ? ({ kind: 'doomed', everyPod: true } as const)
      : ({ kind: 'may-heal' } as const);
  return { kind: MAY_HEAL.has(reason) ? 'may-heal' : 'waiting' } as const;
}

function containerProblems(pod: Pod, context: ProblemContext): PodProblem[] {
  const images = new Map((pod.spec?.containers ?? []).map(c => [c.name, c.image]));
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const problems: PodProblem[] = [];
  for (const c of statuses) {
    const reason = c.state?.waiting?.reason;
    if (!reason) continue;
    const message = PULL_REASONS.has(reason)
      ? pullMessage(pod, c, context.events)
      : c.state?.waiting?.message;
    const kind = waitingKind(reason, message, context);
    if (!kind) continue;
    const last = c.lastState?.terminated ?? c.state?.terminated;
    problems.push({
      pod: pod.metadata.name,
      container: c.name,
      image: c.image ?? images.get(c.name),
      reason,
      message,
      exitCode: reason === 'CrashLoopBackOff' ? last?.exitCode : undefined,
      restarts: c.restartCount ?? 0,
      ...kind
    });
  }
  return problems;
}

/** A node on its way for the pod: a preemption's nominated node, or a provisioner's event. */
function nodeOnItsWay(pod: Pod, events: Event[] | undefined): string | undefined {
  if (pod.status?.nominatedNodeName) return `nominated node ${pod.status.nominatedNodeName}`;
  const event = eventsOf(events ?? [], 'Pod', pod)
    .filter(e => PROVISIONING.has(e.reason ?? ''))
    .at(-1);
  return event ? `${event.reason}: ${event.message ?? ''}` : undefined;
}

/** The problems of one new pod, each with its kind (see the top of this file). */
export function podProblems(pod: Pod, context: ProblemContext = {}): PodProblem[] {
  const problems = containerProblems(pod, context);
  const scheduled = pod.status?.conditions?.find(c => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const provisioning = nodeOnItsWay(pod, context.events);
    problems.push({
      pod: pod.metadata.name,
      reason: 'Unschedulable',
      message: provisioning
        ? `${scheduled.message ?? ''} (a node is on its way: ${provisioning})`
        : scheduled.message,
      restarts: 0,
      kind: provisioning ? 'waiting' : 'may-heal'
    });
  }
  return problems;
}

/**
 * Whether the events would change what the pods' problems say: an ImagePullBackOff (whose message does not
 * say why the pull failed) or an Unschedulable pod (a node may be on its way).
 */
export function needsEvents(problems: PodProblem[]): boolean {
  return problems.some(
    p =>
      (p.reason === 'ImagePullBackOff' && p.kind !== 'doomed') ||
      (p.reason === 'Unschedulable' && p.kind === 'may-heal')
  );
}

/**
 * The workload's own problem when its controller cannot create pods (admission refused them: a quota,
 * PodSecurity, a webhook, a missing ServiceAccount). Certain for every pod, except a quota exceeded while
 * pods of the workload are still going away (they free it).
 */
export function failedCreate(message: string, podsTerminating: boolean): PodProblem {
  const mayHeal = QUOTA_EXCEEDED.test(message) && podsTerminating;
  return {
    reason: 'FailedCreate',
    message,
    restarts: 0,
    kind: mayHeal ? 'may-heal' : 'doomed',
    everyPod: !mayHeal
  };
}

/**
 * The controller's latest FailedCreate event for a StatefulSet, DaemonSet or Job, when it is newer than the
 * newest of its pods (an older one was followed by a pod that could be made). Its message without the
 * controller's prefix (`Error creating: `).
 */
export function latestFailedCreate(events: Event[], workload: KubeObject, pods: Pod[]): string | undefined {
  const event = eventsOf(events, workload.kind, workload)
    .filter(e => e.type === 'Warning' && e.reason === 'FailedCreate')
    .at(-1);
  if (!event) return undefined;
  const newestPod =
    pods
      .map(p => p.metadata.creationTimestamp ?? '')
      .sort()
      .at(-1) ?? '';
  if (eventTime(event) < newestPod) return undefined;
  return (event.message ?? '').replace(/^Error creating: /, '');
}

/** Which problems are the same problem over time: a pull error alternates ErrImagePull and ImagePullBackOff. */
function problemKey(p: PodProblem): string {
  const family = PULL_REASONS.has(p.reason) ? 'pull' : p.reason;
  return `${p.pod ?? ''}/${p.container ?? ''}/${family}`;
}

function containerReady(pods: Pod[], pod: string, container: string): boolean {
  const p = pods.find(x => x.metadata.name === pod);
  if (!p) return true;
  const all = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  const c = all.find(x => x.name === container);
  return c?.ready === true || c?.state?.terminated?.exitCode === 0;
}

/**
 * Decides, poll by poll, whether a workload's problems fail it now: at once when a problem dooms every pod of
 * the template or every new pod is doomed; else when the same problem has stayed on a pod past its grace.
 */
export class FailureJudge {
  /** When each problem was first seen (by problemKey), on the caller's clock. */
  private readonly since = new Map<string, number>();

  constructor(private readonly grace: Grace) {}

  /** The problem that fails the workload now, if any. `pods`: the new pods; `problems`: theirs and the workload's. */
  fatal(now: number, pods: Pod[], problems: PodProblem[]): PodProblem | undefined {
    this.remember(now, pods, problems);
    const everyPod = problems.find(p => p.everyPod);
    if (everyPod) return everyPod;
    const live = pods.filter(p => !p.metadata.deletionTimestamp);
    const doomed = (pod: Pod) => problems.some(p => p.pod === pod.metadata.name && p.kind === 'doomed');
    if (live.length > 0 && live.every(doomed)) return problems.find(p => p.kind === 'doomed');
    return problems.find(
      p => p.kind !== 'waiting' && now - (this.since.get(problemKey(p)) ?? now) >= this.boundOf(p)
    );
  }

  private boundOf(p: PodProblem): number {
    return p.reason === 'Unschedulable' ? this.grace.unschedulableMs : this.grace.failureMs;
  }

  /**
   * Keeps the first sighting of each problem still there. A crash loop is the same problem between its
   * restarts (the container runs a moment, then crashes again) until the container is ready or its pod gone.
   */
  private remember(now: number, pods: Pod[], problems: PodProblem[]): void {
    const seen = new Set(problems.filter(p => p.kind !== 'waiting').map(problemKey));
    for (const key of this.since.keys()) {
      if (seen.has(key)) continue;
      const [pod, container, family] = key.split('/');
      if (family === 'CrashLoopBackOff' && !containerReady(pods, pod, container)) continue;
      this.since.delete(key);
    }
    for (const key of seen) if (!this.since.has(key)) this.since.set(key, now);
  }
}
