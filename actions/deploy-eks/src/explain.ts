/**
 * The explanation of a failed rollout: one root-cause line, then the evidence — each failing pod's containers,
 * the events of the workload, its ReplicaSet and its pods, and the container's last log lines.
 *
 * The lead problem is the one that failed the workload (diagnose.ts's FailureJudge); at a progress deadline, a
 * Job's failure or the step's timeout, where no pod problem decided it, the most telling one: a doomed or
 * may-heal problem, else a container that exited with an error, else why a running pod is not ready (its
 * readiness probe's `Unhealthy` events, or a readiness gate such as the AWS Load Balancer Controller's target
 * health), else the latest Warning event. The log line of the root cause is core's rule (`rootCauseLine`).
 *
 * Everything quoted here comes from the cluster or the app: callers print it with `log.untrusted` and put it in
 * the summary as code.
 */
import type { Diagnostic } from '../../../core/report.js';
import { oneLine, rootCauseLine } from '../../../core/text.js';
import {
  eventsOf,
  eventTime,
  podProblems,
  type ContainerStatus,
  type Event,
  type Pod,
  type PodProblem
} from './diagnose.js';
import type { Kube, KubeObject } from './kube.js';

export interface Explanation {
  /** The one line: `web: container app CrashLoopBackOff (exit 1): panic: cannot connect to database`. */
  rootCause: string;
  diagnostics: Diagnostic[];
}

export interface ExplainInput {
  workload: KubeObject;
  /** The workload's new pods. */
  pods: Pod[];
  /** Their problems and the workload's own (FailedCreate), as the last poll saw them. */
  problems: PodProblem[];
  /** The problem that failed the workload, when one did. */
  fatal?: PodProblem;
  /** The workload's own verdict, when it gave one: ProgressDeadlineExceeded, a Job's BackoffLimitExceeded. */
  verdict?: { reason: string; message: string };
  /** Related objects whose events matter (the new ReplicaSet). */
  related?: string[];
  /** Log lines kept from pods that are gone (a failed Job's), by `pod/container`. */
  kept?: Map<string, string[]>;
  tailLines?: number;
}

/** Events and log lines are cut to this many characters each. */
const LINE_MAX = 1000;
const EVENT_LINES = 20;
const PODS_SHOWN = 5;
const NOT_READ = '(could not be read: ';

/** Order in which problems lead an explanation that no single problem decided. */
const LEAD_ORDER: ((p: PodProblem) => boolean)[] = [
  p => p.kind === 'doomed',
  p => p.kind === 'may-heal',
  p => p.reason !== 'NotReady' && p.reason !== 'ReadinessGate' && p.exitCode !== undefined,
  p => p.reason === 'NotReady' || p.reason === 'ReadinessGate',
  () => true
];

export async function explain(kube: Kube, input: ExplainInput): Promise<Explanation> {
  const { workload } = input;
  const ns = workload.metadata.namespace ?? 'default';
  const { events, error } = await readEvents(kube, ns);
  const problems = currentProblems(input, events);
  const lead = leadProblem(input, problems);
  const tails = await logTails(kube, ns, lead, problems, input);
  const diagnostics = [
    ...podDiagnostics(input.pods, problems),
    ...eventDiagnostics(events, error, workload, input.pods, input.related ?? []),
    ...tails.diagnostics
  ];
  const rootCause = rootCauseOf(workload.metadata.name, lead, tails.leadLine, input.verdict, events);
  return { rootCause, diagnostics };
}

async function readEvents(kube: Kube, namespace: string): Promise<{ events: Event[]; error?: string }> {
  try {
    return { events: await kube.list<Event>({ apiVersion: 'v1', kind: 'Event', namespace }) };
  } catch (error) {
    return { events: [], error: (error as Error).message };
  }
}

/** The pods' problems again, with the events now at hand; the workload's own; what keeps running pods unready. */
function currentProblems(input: ExplainInput, events: Event[]): PodProblem[] {
  const job = input.workload.kind === 'Job';
  return [
    ...input.problems.filter(p => p.pod === undefined),
    ...input.pods.flatMap(pod => [
      ...podProblems(pod, { job, events }),
      ...exitedProblems(pod),
      ...notReadyProblems(pod, events)
    ])
  ];
}

function leadProblem(input: ExplainInput, problems: PodProblem[]): PodProblem | undefined {
  const { fatal } = input;
  const same = (p: PodProblem) =>
    p.pod === fatal?.pod && p.container === fatal?.container && p.reason === fatal?.reason;
  if (fatal) return problems.find(same) ?? fatal;
  for (const rule of LEAD_ORDER) {
    const found = problems.find(rule);
    if (found) return found;
  }
  return undefined;
}

const allStatuses = (pod: Pod): ContainerStatus[] => [
  ...(pod.status?.initContainerStatuses ?? []),
  ...(pod.status?.containerStatuses ?? [])
];

/**
 * Containers that exited with an error: ended (a Job's, a failed pod's: their current instance tells), or
 * restarted and not ready (the instance before tells).
 */
function exitedProblems(pod: Pod): PodProblem[] {
  return allStatuses(pod).flatMap(c => {
    const now = c.state?.terminated;
    const ended = now ?? (c.ready ? undefined : c.lastState?.terminated);
    if (!ended?.exitCode) return [];
    return [
      {
        instance: now ? ('current' as const) : ('previous' as const),
        pod: pod.metadata.name,
        container: c.name,
        image: c.image,
        reason: ended.reason ?? 'Error',
        message: ended.message,
        exitCode: ended.exitCode,
        restarts: c.restartCount ?? 0,
        kind: 'waiting' as const
      }
    ];
  });
}

/** Why a running pod is not Ready: a readiness gate that is not True, or containers whose readiness probe fails. */
function notReadyProblems(pod: Pod, events: Event[]): PodProblem[] {
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.find(c => c.type === 'Ready');
  if (pod.status?.phase !== 'Running' || ready?.status === 'True') return [];
  const gates = (pod.spec?.readinessGates ?? []).flatMap(g => {
    const c = conditions.find(x => x.type === g.conditionType);
    if (c?.status === 'True') return [];
    const why = c
      ? `${c.status}${c.reason ? `: ${c.reason}` : ''}${c.message ? ` (${c.message})` : ''}`
      : 'not set';
    return [gateProblem(pod, `readiness gate ${g.conditionType} is ${why}`)];
  });
  const unhealthy = eventsOf(events, 'Pod', pod).filter(e => e.reason === 'Unhealthy');
  const containers = (pod.status?.containerStatuses ?? []).filter(c => c.state?.running && !c.ready);
  return [
    ...gates,
    ...containers.map(c => {
      const probe = unhealthy
        .filter(
          e =>
            !e.involvedObject?.fieldPath?.includes('{') || e.involvedObject.fieldPath.includes(`{${c.name}}`)
        )
        .at(-1);
      return {
        pod: pod.metadata.name,
        container: c.name,
        image: c.image,
        reason: 'NotReady',
        message: probe?.message ?? 'its readiness probe has not passed',
        restarts: c.restartCount ?? 0,
        kind: 'waiting' as const
      };
    })
  ];
}

function gateProblem(pod: Pod, message: string): PodProblem {
  return { pod: pod.metadata.name, reason: 'ReadinessGate', message, restarts: 0, kind: 'waiting' };
}

function stateText(c: ContainerStatus): string {
  const w = c.state?.waiting;
  const t = c.state?.terminated;
  if (w) return `waiting: ${w.reason ?? ''}${w.message ? ` — ${w.message}` : ''}`;
  if (t)
    return `terminated: ${t.reason ?? ''} (exit ${t.exitCode ?? '?'})${t.message ? ` — ${t.message}` : ''}`;
  if (c.state?.running) return c.ready ? 'running, ready' : 'running, not ready';
  return 'unknown';
}

/** Per failing pod: each container's state, restarts and last exit; the pod's own problems. */
function podDiagnostics(pods: Pod[], problems: PodProblem[]): Diagnostic[] {
  const failing = [...new Set(problems.map(p => p.pod).filter((p): p is string => !!p))].slice(0, PODS_SHOWN);
  return failing.map(name => {
    const pod = pods.find(p => p.metadata.name === name);
    const lines = (pod ? allStatuses(pod) : []).map(c => {
      const last = c.lastState?.terminated;
      const lastText = last
        ? `; last exit ${last.exitCode ?? '?'} (${last.reason ?? ''}${last.message ? `: ${last.message}` : ''})`
        : '';
      return oneLine(
        `${c.name} (${c.image ?? '?'}): ${stateText(c)}; restarts ${c.restartCount ?? 0}${lastText}`,
        {
          max: LINE_MAX
        }
      );
    });
    for (const p of problems.filter(x => x.pod === name && !x.container))
      lines.push(oneLine(`${p.reason}: ${p.message ?? ''}`, { max: LINE_MAX }));
    return { title: `Pod ${name}`, severity: 'error' as const, lines };
  });
}

/** Warning events (and a provisioner's) of the workload, the related objects and the pods, oldest first. */
function eventDiagnostics(
  events: Event[],
  error: string | undefined,
  workload: KubeObject,
  pods: Pod[],
  related: string[]
): Diagnostic[] {
  if (error) return [{ title: 'Events', severity: 'warning', lines: [`${NOT_READ}${error})`] }];
  const relatedEvents = events.filter(
    e => e.involvedObject?.kind === 'ReplicaSet' && related.includes(e.involvedObject.name ?? '')
  );
  const shown = [
    ...eventsOf(events, workload.kind, workload),
    ...pods.flatMap(p => eventsOf(events, 'Pod', p)),
    ...relatedEvents
  ]
    .filter(e => e.type === 'Warning' || e.reason === 'Nominated' || e.reason === 'TriggeredScaleUp')
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .slice(-EVENT_LINES);
  if (shown.length === 0) return [];
  return [{ title: 'Events', severity: 'warning', lines: shown.map(eventLine) }];
}

function eventLine(e: Event): string {
  const count = e.series?.count ?? e.count ?? 1;
  const times = count > 1 ? ` (×${count})` : '';
  return oneLine(
    `${e.involvedObject?.kind ?? ''} ${e.involvedObject?.name ?? ''}: ${e.reason ?? ''}: ${e.message ?? ''}${times}`,
    { max: LINE_MAX }
  );
}

/** The containers whose logs tell: the lead's, and one more that crashed. */
function logSubjects(lead: PodProblem | undefined, problems: PodProblem[]): PodProblem[] {
  const tells = (p: PodProblem) =>
    !!p.container &&
    (p.reason === 'CrashLoopBackOff' ||
      p.reason === 'NotReady' ||
      p.exitCode !== undefined ||
      p.restarts > 0);
  const where = (p: PodProblem) => `${p.pod}/${p.container}`;
  const others = problems.filter(p => p.reason === 'CrashLoopBackOff' && (!lead || where(p) !== where(lead)));
  return [...(lead && tells(lead) ? [lead] : []), ...others].slice(0, 2);
}

/**
 * The last log lines of each telling container: the instance that crashed (`previous`) for a restarted one, the
 * current one for a container that is running or has ended; kept lines for a pod that is gone.
 */
async function logTails(
  kube: Kube,
  namespace: string,
  lead: PodProblem | undefined,
  problems: PodProblem[],
  input: ExplainInput
): Promise<{ leadLine?: string; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  let leadLine: string | undefined;
  for (const p of logSubjects(lead, problems)) {
    const previous =
      (p.instance ?? (p.reason === 'CrashLoopBackOff' ? 'previous' : 'current')) === 'previous';
    const lines = await tail(kube, namespace, p, previous, input);
    if (p === lead) leadLine = rootCauseLine(lines.filter(l => !l.startsWith(NOT_READ)));
    diagnostics.push({
      title: `Last log lines of ${p.pod}/${p.container}${previous ? ' (previous instance)' : ''}`,
      severity: 'info',
      lines: lines.map(l => oneLine(l, { max: LINE_MAX }))
    });
  }
  return { leadLine, diagnostics };
}

async function tail(
  kube: Kube,
  namespace: string,
  p: PodProblem,
  previous: boolean,
  input: ExplainInput
): Promise<string[]> {
  const tailLines = input.tailLines ?? 30;
  const kept = input.kept?.get(`${p.pod}/${p.container}`);
  const read = (prev: boolean) => kube.logs(namespace, p.pod!, p.container!, { previous: prev, tailLines });
  try {
    return await read(previous);
  } catch (error) {
    if (kept) return kept.slice(-tailLines);
    // No previous instance (it has not restarted yet): the current one.
    if (previous) return read(false).catch((e: unknown) => [`${NOT_READ}${(e as Error).message})`]);
    return [`${NOT_READ}${(error as Error).message})`];
  }
}

/** The one line: the workload, the lead problem in a few words, and why (the log line, the message). */
function rootCauseOf(
  name: string,
  lead: PodProblem | undefined,
  logLine: string | undefined,
  verdict: ExplainInput['verdict'],
  events: Event[]
): string {
  const suffix = verdict ? ` (${verdict.reason})` : '';
  if (!lead) {
    const warning = events
      .filter(e => e.type === 'Warning')
      .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
      .at(-1);
    const base = verdict
      ? `${name}: ${verdict.reason}: ${verdict.message}`
      : `${name}: no pod problem was seen`;
    return warning ? `${base}; last warning: ${eventLine(warning)}` : base;
  }
  return `${name}: ${problemText(lead, logLine)}${suffix}`;
}

function problemText(p: PodProblem, logLine: string | undefined): string {
  const detail = (text: string | undefined) => (text ? `: ${oneLine(text, { max: LINE_MAX })}` : '');
  const exit = p.exitCode !== undefined ? ` (exit ${p.exitCode})` : '';
  switch (p.reason) {
    case 'FailedCreate':
      return `pods cannot be created (FailedCreate)${detail(p.message)}`;
    case 'Unschedulable':
      return `pod ${p.pod} Unschedulable${detail(p.message)}`;
    case 'ReadinessGate':
      return `pod ${p.pod} is not ready${detail(p.message)}`;
    case 'NotReady':
      return `container ${p.container} is running but not ready${detail(p.message)}`;
    case 'ErrImagePull':
    case 'ImagePullBackOff':
      return `container ${p.container} ${p.reason}${detail(`${p.image ? `image ${p.image}: ` : ''}${p.message ?? ''}`)}`;
    default:
      return `container ${p.container} ${p.reason}${exit}${detail(logLine ?? p.message)}`;
  }
}
