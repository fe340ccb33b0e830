/**
 * Why a workload's new pods are not coming up, seen early: a container in CrashLoopBackOff (it crashed at
 * least twice: a pod that crashes once and then runs is never in back-off), ImagePullBackOff / ErrImagePull,
 * CreateContainerConfigError, InvalidImageName, or a pod unschedulable past a grace period (Fargate pods
 * wait for capacity without being unschedulable, and are left alone). Then the explanation: one root-cause
 * line, each failing pod's containers, the Warning events, and the crashing container's last log lines.
 */
import type { Diagnostic } from '../../../core/report.js';
import type { Kube, KubeObject } from './kube.js';

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

export type Pod = KubeObject & {
  spec?: { containers?: { name: string; image?: string }[]; schedulerName?: string; nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
};

export interface PodProblem {
  pod: string;
  container?: string;
  image?: string;
  reason: string;
  message?: string;
  exitCode?: number;
  restarts: number;
  /** Fatal now: the deploy fails on it. */
  fatal: boolean;
}

/** Waiting reasons that do not heal by waiting. */
export const FATAL_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'CreateContainerConfigError',
  'InvalidImageName',
  'ErrImageNeverPull'
]);

export const UNSCHEDULABLE_GRACE_MS = 45_000;

/** Tracks how long each pod has been unschedulable, by our clock. */
export class UnschedulableTracker {
  private readonly since = new Map<string, number>();
  constructor(private readonly graceMs = UNSCHEDULABLE_GRACE_MS) {}
  /** True when the pod has been unschedulable for longer than the grace period. */
  overdue(pod: string, unschedulable: boolean, now: number): boolean {
    if (!unschedulable) {
      this.since.delete(pod);
      return false;
    }
    const first = this.since.get(pod) ?? now;
    this.since.set(pod, first);
    return now - first >= this.graceMs;
  }
}

/** The problems of one pod; `fatal` ones fail the rollout now. */
export function podProblems(pod: Pod, now: number, tracker: UnschedulableTracker): PodProblem[] {
  const problems: PodProblem[] = [];
  const images = new Map((pod.spec?.containers ?? []).map(c => [c.name, c.image]));
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const c of statuses) {
    const waiting = c.state?.waiting;
    const terminated = c.state?.terminated ?? c.lastState?.terminated;
    if (waiting?.reason && (FATAL_REASONS.has(waiting.reason) || waiting.reason === 'CreateContainerError')) {
      problems.push({
        pod: pod.metadata.name,
        container: c.name,
        image: c.image ?? images.get(c.name),
        reason: waiting.reason,
        message: waiting.message,
        exitCode: waiting.reason === 'CrashLoopBackOff' ? terminated?.exitCode : undefined,
        restarts: c.restartCount ?? 0,
        fatal: FATAL_REASONS.has(waiting.reason)
      });
    }
  }
  const scheduled = pod.status?.conditions?.find(c => c.type === 'PodScheduled');
  const unschedulable = scheduled?.status === 'False' && scheduled.reason === 'Unschedulable';
  const overdue = tracker.overdue(pod.metadata.name, unschedulable, now);
  if (unschedulable)
    problems.push({
      pod: pod.metadata.name,
      reason: 'Unschedulable',
      message: scheduled?.message,
      restarts: 0,
      fatal: overdue
    });
  return problems;
}

export interface Event {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  lastTimestamp?: string;
  eventTime?: string;
}

export interface Explanation {
  /** The one line: `web: container app CrashLoopBackOff (exit 1): panic: cannot connect to database`. */
  rootCause: string;
  diagnostics: Diagnostic[];
}

function problemLine(p: PodProblem): string {
  const who = p.container ? `container ${p.container}` : `pod ${p.pod}`;
  const exit = p.exitCode !== undefined ? ` (exit ${p.exitCode})` : '';
  return `${who} ${p.reason}${exit}`;
}

/** Gathers the events and log lines behind the problems and words the root cause. */
export async function explain(
  kube: Kube,
  workload: KubeObject,
  pods: Pod[],
  problems: PodProblem[],
  options: { related?: string[]; tailLines?: number } = {}
): Promise<Explanation> {
  const ns = workload.metadata.namespace ?? 'default';
  const name = workload.metadata.name;
  const first = problems.find(p => p.fatal) ?? problems[0];
  const diagnostics: Diagnostic[] = [];

  // Per pod: each container's state, restarts and message.
  const failingPods = [...new Set(problems.map(p => p.pod))].slice(0, 5);
  for (const podName of failingPods) {
    const pod = pods.find(p => p.metadata.name === podName);
    const lines: string[] = [];
    for (const c of [
      ...(pod?.status?.initContainerStatuses ?? []),
      ...(pod?.status?.containerStatuses ?? [])
    ]) {
      const w = c.state?.waiting;
      const t = c.state?.terminated;
      const last = c.lastState?.terminated;
      const state = w
        ? `waiting: ${w.reason ?? ''}${w.message ? ` — ${w.message}` : ''}`
        : t
          ? `terminated: ${t.reason ?? ''} (exit ${t.exitCode ?? '?'})${t.message ? ` — ${t.message}` : ''}`
          : c.state?.running
            ? 'running'
            : 'unknown';
      const lastText = last ? `; last exit ${last.exitCode ?? '?'} (${last.reason ?? ''})` : '';
      lines.push(`${c.name} (${c.image ?? '?'}): ${state}; restarts ${c.restartCount ?? 0}${lastText}`);
    }
    for (const p of problems.filter(x => x.pod === podName && !x.container))
      lines.push(`${p.reason}: ${p.message ?? ''}`);
    diagnostics.push({ title: `Pod ${podName}`, severity: 'error', lines });
  }

  // Warning events of the workload, its ReplicaSets and its pods: one list of the namespace's events.
  const names = new Set([name, ...(options.related ?? []), ...pods.map(p => p.metadata.name)]);
  let warnings: string[] = [];
  let pullEvent: string | undefined;
  try {
    const events = await kube.list<Event>({ apiVersion: 'v1', kind: 'Event', namespace: ns });
    // "Back-off pulling image" says little; the kubelet's Failed event says why the pull failed.
    pullEvent = events.find(
      e =>
        e.type === 'Warning' &&
        e.involvedObject?.name === first.pod &&
        /^Failed to pull image/.test(e.message ?? '')
    )?.message;
    warnings = events
      .filter(e => e.type === 'Warning' && names.has(e.involvedObject?.name ?? ''))
      .slice(-20)
      .map(
        e =>
          `${e.involvedObject?.kind ?? ''} ${e.involvedObject?.name ?? ''}: ${e.reason ?? ''}: ${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}`
      );
  } catch (error) {
    warnings = [`(events could not be read: ${(error as Error).message})`];
  }
  if (warnings.length > 0)
    diagnostics.push({ title: 'Warning events', severity: 'warning', lines: warnings });

  // The crashing container's last lines, from its previous instance (the one that crashed).
  let lastLine: string | undefined;
  const crashing = problems
    .filter(p => p.container && (p.reason === 'CrashLoopBackOff' || p.restarts > 0))
    .slice(0, 2);
  for (const p of crashing) {
    let lines: string[] = [];
    try {
      lines = await kube.logs(ns, p.pod, p.container!, {
        previous: true,
        tailLines: options.tailLines ?? 30
      });
    } catch {
      try {
        lines = await kube.logs(ns, p.pod, p.container!, { tailLines: options.tailLines ?? 30 });
      } catch (error) {
        lines = [`(logs could not be read: ${(error as Error).message})`];
      }
    }
    if (p === first)
      lastLine = [...lines].reverse().find(l => l.trim() !== '' && !l.startsWith('(logs could not'));
    diagnostics.push({
      title: `Last log lines of ${p.pod}/${p.container} (previous instance)`,
      severity: 'info',
      lines
    });
  }

  const detail =
    first.reason === 'CrashLoopBackOff'
      ? (lastLine ?? first.message)
      : ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName'].includes(first.reason)
        ? `${first.image ? `image ${first.image}: ` : ''}${(first.reason === 'ImagePullBackOff' && pullEvent) || first.message || ''}`
        : first.message;
  const rootCause = `${name}: ${problemLine(first)}${detail ? `: ${detail.trim()}` : ''}`;
  return { rootCause, diagnostics };
}
