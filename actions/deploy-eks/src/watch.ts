/**
 * One workload's new pods, looked at poll after poll: which pods are this rollout's (a Deployment's new
 * ReplicaSet, a StatefulSet's update revision, a DaemonSet's current template, a Job's), their problems
 * (diagnose.ts), the workload's own refusal when its pods cannot be created (a Deployment's ReplicaFailure, the
 * FailedCreate events of the other kinds), and whether the FailureJudge fails it now. The events are read only
 * when they can change the verdict. For a Job, the log of each container that crashed is kept as it crashes:
 * the Job controller deletes the pods of a Job that failed (restartPolicy OnFailure), and their logs with them.
 */
import type { Clock } from '../../../core/poll.js';
import {
  failedCreate,
  FailureJudge,
  latestFailedCreate,
  needsEvents,
  podProblems,
  type Event,
  type Grace,
  type Pod,
  type PodProblem
} from './diagnose.js';
import { explain, type Explanation } from './explain.js';
import type { Kube, KubeObject } from './kube.js';
import { currentDaemonPods, missingPods, replicaFailure } from './status.js';

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

/** What one poll saw. */
export interface Look {
  /** The rollout's pods. */
  pods: Pod[];
  problems: PodProblem[];
  /** The problem that fails the workload now. */
  fatal?: PodProblem;
  /** Related objects whose events matter (the new ReplicaSet). */
  related: string[];
}

/** The workload's pods: the rollout's, every pod it owns (to see some going away), related objects. */
interface Pods {
  pods: Pod[];
  all: Pod[];
  related: string[];
}

const NONE: Pods = { pods: [], all: [], related: [] };

export class WorkloadWatch {
  private readonly judge: FailureJudge;
  /** A Deployment revision's ReplicaSet, by `uid/revision` (it does not change). */
  private readonly replicaSets = new Map<string, KubeObject>();
  /** A Job's crashed containers' logs, by `pod/container`, and the restart count they were read at. */
  private readonly kept = new Map<string, string[]>();
  private readonly keptAt = new Map<string, number>();
  /** A Job's pods as last seen, gone ones included. */
  private readonly seen = new Map<string, Pod>();
  private last: Look = { pods: [], problems: [], related: [] };

  constructor(
    private readonly kube: Kube,
    private readonly options: { clock: Clock; grace: Grace }
  ) {
    this.judge = new FailureJudge(options.grace);
  }

  /** One poll's look at the workload (as just read): its pods' problems, and the one that fails it now. */
  async look(live: KubeObject): Promise<Look> {
    const { pods, all, related } = await this.podsOf(live);
    const job = live.kind === 'Job';
    let problems = pods.flatMap(p => podProblems(p, { job }));
    let events: Event[] | undefined;
    if (needsEvents(problems) || missingPods(live)) {
      events = await this.kube.list<Event>({ apiVersion: 'v1', kind: 'Event', namespace: namespaceOf(live) });
      problems = pods.flatMap(p => podProblems(p, { job, events }));
    }
    const refusal = refusalOf(live, all, events);
    if (refusal)
      problems.push(
        failedCreate(
          refusal,
          all.some(p => p.metadata.deletionTimestamp)
        )
      );
    if (job) await this.keepJobLogs(live, pods);
    const fatal = this.judge.fatal(this.options.clock.now(), pods, problems);
    this.last = { pods, problems, fatal, related };
    return this.last;
  }

  /** The explanation of what the last look saw, with the workload's own verdict when it gave one. */
  explain(live: KubeObject, verdict?: { reason: string; message: string }): Promise<Explanation> {
    const pods = live.kind === 'Job' ? [...this.seen.values()] : this.last.pods;
    return explain(this.kube, { workload: live, ...this.last, pods, verdict, kept: this.kept });
  }

  private async podsOf(live: KubeObject): Promise<Pods> {
    const list = (labelSelector: string) =>
      this.kube.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: namespaceOf(live) }, { labelSelector });
    const selector = selectorString(specOf(live).selector);
    switch (live.kind) {
      case 'Deployment':
        return this.deploymentPods(live, list);
      case 'StatefulSet': {
        const revision = (live.status as { updateRevision?: string } | undefined)?.updateRevision;
        const all = (await list(selector)).filter(p => ownedBy(p, live));
        const pods = all.filter(p => p.metadata.labels?.['controller-revision-hash'] === revision);
        return revision ? { pods, all, related: [] } : NONE;
      }
      case 'DaemonSet':
      case 'Job': {
        const all = (await list(selector)).filter(p => ownedBy(p, live));
        return { pods: live.kind === 'DaemonSet' ? currentDaemonPods(live, all) : all, all, related: [] };
      }
      case 'Pod':
        return { pods: [live as Pod], all: [live as Pod], related: [] };
      default:
        return NONE;
    }
  }

  /** The pods of the Deployment's new ReplicaSet (the one of its revision), and all of its pods. */
  private async deploymentPods(live: KubeObject, list: (selector: string) => Promise<Pod[]>): Promise<Pods> {
    const revision = live.metadata.annotations?.[REVISION];
    const key = `${live.metadata.uid}/${revision}`;
    let current = this.replicaSets.get(key);
    if (!current) {
      current = (await replicaSets(this.kube, live)).find(
        s => s.metadata.annotations?.[REVISION] === revision
      );
      if (current) this.replicaSets.set(key, current);
    }
    if (!current) return NONE;
    const all = await list(selectorString(specOf(live).selector));
    return { pods: all.filter(p => ownedBy(p, current)), all, related: [current.metadata.name] };
  }

  /** Reads the log of each Job container that crashed since the last look, while its pod is still there. */
  private async keepJobLogs(live: KubeObject, pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      this.seen.set(pod.metadata.name, pod);
      for (const c of pod.status?.containerStatuses ?? []) {
        const key = `${pod.metadata.name}/${c.name}`;
        const restarts = c.restartCount ?? 0;
        if (restarts === 0 || this.keptAt.get(key) === restarts) continue;
        this.keptAt.set(key, restarts);
        const lines = await this.kube
          .logs(namespaceOf(live), pod.metadata.name, c.name, { previous: true })
          .catch(() => undefined);
        if (lines) this.kept.set(key, lines);
      }
    }
  }
}

const namespaceOf = (o: KubeObject) => o.metadata.namespace ?? 'default';

/** Why the workload's pods cannot be created: a Deployment's ReplicaFailure, else its controller's FailedCreate. */
function refusalOf(live: KubeObject, all: Pod[], events: Event[] | undefined): string | undefined {
  if (live.kind === 'Deployment') return replicaFailure(live);
  if (!events || !missingPods(live)) return undefined;
  return latestFailedCreate(events, live, all);
}
