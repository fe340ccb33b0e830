/**
 * kubectl's rollout rules (`kubectl rollout status`), as pure functions of a workload object: done, still
 * going (and why), paused, or failed. Jobs wait for Complete or Failed (or FailureTarget, which Kubernetes 1.31+
 * sets first); CronJobs are not waited for. A paused Deployment is said at once, as Argo CD's health check says
 * it (gitops-engine `health_deployment.go`: Suspended, "Deployment is paused"): it rolls nothing out until it
 * is resumed. The messages are built from counts and names only; a condition's own message is kept apart.
 */
import type { KubeObject } from './kube.js';

export type RolloutState =
  | { state: 'done'; message: string }
  | { state: 'progressing'; message: string }
  | { state: 'paused'; message: string }
  | { state: 'failed'; reason: string; message: string };

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

type Workload = KubeObject & {
  spec?: Record<string, unknown> & {
    replicas?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };
};

export const WAITED_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod']);

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** The workload's condition of this type, if it has one. */
export function conditionOf(w: KubeObject, type: string): Condition | undefined {
  return (w as Workload).status?.conditions?.find(c => c.type === type);
}

/** The Deployment controller's default `progressDeadlineSeconds`. */
export const DEFAULT_PROGRESS_DEADLINE_S = 600;

/** How long a Deployment may go without progress before the controller says ProgressDeadlineExceeded, in ms. */
export function progressDeadlineMs(w: KubeObject): number | undefined {
  if (w.kind !== 'Deployment') return undefined;
  const seconds = (w as Workload).spec?.progressDeadlineSeconds;
  return (typeof seconds === 'number' ? seconds : DEFAULT_PROGRESS_DEADLINE_S) * 1000;
}

/**
 * Why pods cannot be created, as the controller says it: a ReplicaSet's `ReplicaFailure` condition (reason
 * FailedCreate, the admission refusal as message), which the Deployment controller copies onto the Deployment
 * (deployment `sync.go` getReplicaFailures). kstatus reads it on ReplicaSets ("Replica Failure condition").
 */
export function replicaFailure(w: KubeObject): string | undefined {
  const failure = conditionOf(w, 'ReplicaFailure');
  return failure?.status === 'True' ? (failure.message ?? failure.reason ?? 'ReplicaFailure') : undefined;
}

/**
 * True while a StatefulSet, DaemonSet or Job has fewer pods than it wants: the time to look for its
 * controller's FailedCreate events (these kinds have no ReplicaFailure condition).
 */
export function missingPods(w: KubeObject): boolean {
  const { spec, status } = w as Workload;
  switch (w.kind) {
    case 'StatefulSet':
      return num(status?.replicas) < (typeof spec?.replicas === 'number' ? spec.replicas : 1);
    case 'DaemonSet':
      return num(status?.currentNumberScheduled) < num(status?.desiredNumberScheduled);
    case 'Job': {
      if (jobState(w as Workload).state !== 'progressing' || spec?.suspend === true) return false;
      const parallelism = typeof spec?.parallelism === 'number' ? spec.parallelism : 1;
      const completions = typeof spec?.completions === 'number' ? spec.completions : undefined;
      const wanted = Math.min(
        parallelism,
        completions === undefined ? parallelism : completions - num(status?.succeeded)
      );
      return num(status?.active) < wanted;
    }
    default:
      return false;
  }
}

/** Whether the controller has seen the object's current generation (status.observedGeneration). */
export function observed(w: KubeObject): boolean {
  return (w.metadata.generation ?? 0) <= num((w as Workload).status?.observedGeneration);
}

export function deploymentState(w: Workload): RolloutState {
  if (w.spec?.paused === true)
    return { state: 'paused', message: 'paused (spec.paused): no new pods until it is resumed' };
  if (!observed(w))
    return { state: 'progressing', message: 'waiting for the deployment spec update to be observed' };
  const s = w.status ?? {};
  const progressing = s.conditions?.find(c => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return {
      state: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message: progressing.message ?? `deployment "${w.metadata.name}" exceeded its progress deadline`
    };
  const replicas = typeof w.spec?.replicas === 'number' ? w.spec.replicas : 1;
  const updated = num(s.updatedReplicas);
  if (updated < replicas)
    return { state: 'progressing', message: `${updated} of ${replicas} updated replicas` };
  if (num(s.replicas) > updated)
    return { state: 'progressing', message: `${num(s.replicas) - updated} old replicas pending termination` };
  if (num(s.availableReplicas) < updated)
    return {
      state: 'progressing',
      message: `${num(s.availableReplicas)} of ${updated} updated replicas available`
    };
  return { state: 'done', message: `${updated} of ${replicas} replicas updated and available` };
}

export function statefulSetState(w: Workload): RolloutState {
  if (w.spec?.updateStrategy?.type && w.spec.updateStrategy.type !== 'RollingUpdate')
    return { state: 'done', message: `updateStrategy ${w.spec.updateStrategy.type}: not waited for` };
  if (!observed(w))
    return { state: 'progressing', message: 'waiting for the statefulset spec update to be observed' };
  const s = w.status ?? {};
  const replicas = typeof w.spec?.replicas === 'number' ? w.spec.replicas : 1;
  if (num(s.readyReplicas) < replicas)
    return { state: 'progressing', message: `${num(s.readyReplicas)} of ${replicas} pods ready` };
  const partition = w.spec?.updateStrategy?.rollingUpdate?.partition;
  if (typeof partition === 'number' && partition > 0) {
    if (num(s.updatedReplicas) < replicas - partition)
      return {
        state: 'progressing',
        message: `${num(s.updatedReplicas)} of ${replicas - partition} pods updated (partition ${partition})`
      };
    return { state: 'done', message: `partitioned rollout complete: ${num(s.updatedReplicas)} new pods` };
  }
  if (s.updateRevision !== s.currentRevision)
    return {
      state: 'progressing',
      message: `${num(s.updatedReplicas)} of ${replicas} pods at revision ${String(s.updateRevision)}`
    };
  return { state: 'done', message: `${replicas} pods at revision ${String(s.currentRevision)}` };
}

/** The annotation apps/v1 keeps a DaemonSet's template generation in (the API server bumps it per template). */
export const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

/**
 * The pods of a DaemonSet's current template, by the rule its controller uses (daemon `util.IsPodUpdated`): the
 * pod's `pod-template-generation` is the DaemonSet's template generation, or its `controller-revision-hash` is
 * the revision of such a pod (a rollback brings an old revision back under a new generation, and its pods
 * count as current without a restart).
 */
export function currentDaemonPods<P extends KubeObject>(ds: KubeObject, pods: P[]): P[] {
  const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION];
  const label = (p: KubeObject, key: string) => p.metadata.labels?.[key];
  const hashes = new Set(
    pods
      .filter(p => generation && label(p, 'pod-template-generation') === generation)
      .map(p => label(p, 'controller-revision-hash'))
  );
  return pods.filter(
    p =>
      (generation && label(p, 'pod-template-generation') === generation) ||
      hashes.has(label(p, 'controller-revision-hash'))
  );
}

export function daemonSetState(w: Workload): RolloutState {
  if (w.spec?.updateStrategy?.type && w.spec.updateStrategy.type !== 'RollingUpdate')
    return { state: 'done', message: `updateStrategy ${w.spec.updateStrategy.type}: not waited for` };
  if (!observed(w))
    return { state: 'progressing', message: 'waiting for the daemon set spec update to be observed' };
  const s = w.status ?? {};
  const desired = num(s.desiredNumberScheduled);
  if (num(s.updatedNumberScheduled) < desired)
    return {
      state: 'progressing',
      message: `${num(s.updatedNumberScheduled)} of ${desired} updated pods scheduled`
    };
  if (num(s.numberAvailable) < desired)
    return {
      state: 'progressing',
      message: `${num(s.numberAvailable)} of ${desired} updated pods available`
    };
  return { state: 'done', message: `${desired} pods updated and available` };
}

export function jobState(w: Workload): RolloutState {
  const conditions = w.status?.conditions ?? [];
  // FailureTarget comes first (1.31+): the Job has failed, its pods are being stopped.
  const failed =
    conditions.find(c => c.type === 'Failed' && c.status === 'True') ??
    conditions.find(c => c.type === 'FailureTarget' && c.status === 'True');
  if (failed)
    return {
      state: 'failed',
      reason: failed.reason ?? 'Failed',
      message: failed.message ?? 'the job failed'
    };
  if (conditions.some(c => c.type === 'Complete' && c.status === 'True'))
    return { state: 'done', message: `complete (${num(w.status?.succeeded)} succeeded)` };
  return {
    state: 'progressing',
    message: `${num(w.status?.active)} active, ${num(w.status?.succeeded)} succeeded, ${num(w.status?.failed)} failed`
  };
}

export function podState(w: Workload): RolloutState {
  const phase = w.status?.phase as string | undefined;
  if (phase === 'Succeeded') return { state: 'done', message: 'succeeded' };
  if (phase === 'Failed')
    return { state: 'failed', reason: 'PodFailed', message: String(w.status?.message ?? 'the pod failed') };
  if (w.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True'))
    return { state: 'done', message: 'ready' };
  return { state: 'progressing', message: `phase ${phase ?? 'Pending'}` };
}

export function rolloutState(w: KubeObject): RolloutState {
  switch (w.kind) {
    case 'Deployment':
      return deploymentState(w);
    case 'StatefulSet':
      return statefulSetState(w);
    case 'DaemonSet':
      return daemonSetState(w);
    case 'Job':
      return jobState(w);
    case 'Pod':
      return podState(w);
    default:
      return { state: 'done', message: 'not a workload' };
  }
}
