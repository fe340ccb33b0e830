/**
 * Why tasks stopped, as data and in one line, pure: the rules diagnose.ts (a failed rollout) and runtask.ts
 * (a failed one-off task) share.
 *
 * A stopped task's cause is a `StopCause`: its text (an error that kept the task from starting, a container out
 * of memory, failed health checks, or an exit code), and, when a container's exit is the cause, which container
 * exited with which code. Only that container's own log may add its error line to the cause.
 */
import type { Container, ContainerDefinition, Task } from '@aws-sdk/client-ecs';
import { oneLine, rootCauseLine, type Diagnostic } from '../../../core/index.js';

export interface StopCause {
  /** The cause in one line: `app exited with code 1`, `CannotPullContainerError: …`. */
  text: string;
  /** Set when a container's non-zero exit is the cause: the container whose log says why. */
  exited?: { container: string; code: number };
}

/** The last lines a container logged, and which container that is. */
export interface ContainerLog {
  container: string;
  lines: string[];
}

/** A stopped reason or container reason is shown up to this length; a log line up to oneLine's default. */
const REASON_MAX = 500;

const INIT_ERRORS =
  /(CannotPullContainerError|ResourceInitializationError|CannotStartContainerError|CannotCreateVolumeError|ContainerRuntimeError|CannotInspectContainerError|InternalError|SpotInterruption)[^]*/;

export function taskId(taskArn: string | undefined): string {
  return (taskArn ?? '').split('/').pop() ?? '';
}

/**
 * Tasks that show the failure first: a container that exited non-zero or a task that failed to start, then an
 * essential container that exited, then tasks stopped by the scheduler or a person (scaling in, replacement).
 */
export function failureRank(task: Task): number {
  // Stopped by the scheduler for failing health checks: a failure, whatever the stop code says.
  if (/failed (ELB|container) health checks/i.test(task.stoppedReason ?? '')) return 1;
  // The scheduler stops healthy old tasks with SIGTERM (exit 143): that is no failure.
  if (task.stopCode === 'ServiceSchedulerInitiated' || task.stopCode === 'UserInitiated') return 2;
  if ((task.containers ?? []).some(c => c.exitCode !== undefined && c.exitCode !== 0)) return 0;
  if (task.stopCode === 'TaskFailedToStart') return 0;
  if (task.stopCode === 'EssentialContainerExited') return 1;
  return 2;
}

/** A task's stop as lines: its reason and code, and each container's status, exit code and reason. */
export function describeStoppedTask(task: Task): string[] {
  const lines: string[] = [];
  if (task.stoppedReason) lines.push(`stoppedReason: ${task.stoppedReason}`);
  if (task.stopCode) lines.push(`stopCode: ${task.stopCode}`);
  for (const c of task.containers ?? []) {
    const exit = c.exitCode !== undefined ? `exit code ${c.exitCode}` : 'no exit code';
    const line = `container ${c.name}: ${c.lastStatus ?? ''} ${exit}${c.reason ? ` (${c.reason})` : ''}`;
    lines.push(oneLine(line, { max: REASON_MAX }));
  }
  return lines;
}

/**
 * The container whose exit stopped the task: one that exited non-zero, preferring a code other than 143, which
 * is what the others show when ECS stops them with SIGTERM after an essential container exited.
 */
function exitedContainer(task: Task): Container | undefined {
  const exited = (task.containers ?? []).filter(c => c.exitCode !== undefined && c.exitCode !== 0);
  return exited.find(c => c.exitCode !== 143) ?? exited[0];
}

/** The container to read logs of: the one that exited, else one with a reason, else the first essential. */
export function failingContainer(task: Task, definitions: ContainerDefinition[]): string | undefined {
  const containers = task.containers ?? [];
  const bad = exitedContainer(task) ?? containers.find(c => c.reason);
  if (bad?.name) return bad.name;
  return definitions.find(d => d.essential !== false)?.name ?? containers[0]?.name;
}

/**
 * One task's reason for stopping: an error that kept it from starting, a container out of memory, failed
 * health checks, or the exit code of the container that exited.
 */
export function taskCause(task: Task, definitions: ContainerDefinition[] = []): StopCause {
  const reason = task.stoppedReason ?? '';
  const containers = task.containers ?? [];
  for (const text of [reason, ...containers.map(c => c.reason ?? '')]) {
    const init = INIT_ERRORS.exec(text);
    if (init) return { text: oneLine(init[0], { max: REASON_MAX }) };
  }
  const oom = containers.find(
    c => /OutOfMemory/i.test(c.reason ?? '') || (c.exitCode === 137 && /memory/i.test(reason))
  );
  if (oom) {
    const limit = definitions.find(d => d.name === oom.name)?.memory;
    const text = `${oom.name} ran out of memory (exit code ${oom.exitCode ?? 137}${limit ? `, limit ${limit} MiB` : ''}): ${oom.reason ?? reason}`;
    return { text: oneLine(text, { max: REASON_MAX }) };
  }
  if (/failed ELB health checks/i.test(reason)) return { text: oneLine(reason, { max: REASON_MAX }) };
  if (/failed container health checks/i.test(reason)) {
    const unhealthy = containers.find(c => c.healthStatus === 'UNHEALTHY') ?? containers[0];
    const check = definitions.find(d => d.name === unhealthy?.name)?.healthCheck?.command;
    const text = `${unhealthy?.name ?? 'a container'} never became healthy: ${reason}${check ? ` (health check: ${check.join(' ')})` : ''}`;
    return { text: oneLine(text, { max: REASON_MAX }) };
  }
  // A task the scheduler or a person stopped exits 143 (SIGTERM): its reason says why, not the code.
  const exited = failureRank(task) < 2 ? exitedContainer(task) : undefined;
  if (exited?.name !== undefined && exited.exitCode !== undefined)
    return {
      text: `${exited.name} exited with code ${exited.exitCode}`,
      exited: { container: exited.name, code: exited.exitCode }
    };
  return { text: oneLine(reason || task.stopCode || 'stopped without a reason', { max: REASON_MAX }) };
}

/**
 * The cause in one line with the error line of the exited container's own log (`app exited with code 1:
 * Error: DATABASE_URL is not set`); a log of another container, or a cause that is no exit, adds nothing.
 */
export function causeWithLogLine(cause: StopCause, log: ContainerLog | undefined): string {
  const own = cause.exited !== undefined && log !== undefined && log.container === cause.exited.container;
  const line = own ? rootCauseLine(log.lines) : undefined;
  return line ? `${cause.text}: ${oneLine(line)}` : cause.text;
}

export interface TaskGroup {
  cause: StopCause;
  tasks: Task[];
}

/** Stopped tasks grouped by cause, the largest group of failures first. */
export function groupByCause(tasks: Task[], definitions: ContainerDefinition[] = []): TaskGroup[] {
  const groups = new Map<string, TaskGroup>();
  for (const task of tasks) {
    const cause = taskCause(task, definitions);
    const group = groups.get(cause.text) ?? { cause, tasks: [] };
    group.tasks.push(task);
    groups.set(cause.text, group);
  }
  return [...groups.values()].sort(
    (a, b) => failureRank(a.tasks[0]) - failureRank(b.tasks[0]) || b.tasks.length - a.tasks.length
  );
}

/** `3 tasks stopped: …` or `Task 1b1b stopped: …`. */
export function groupTitle(group: TaskGroup): string {
  return group.tasks.length === 1
    ? `Task ${taskId(group.tasks[0].taskArn)} stopped: ${group.cause.text}`
    : `${group.tasks.length} tasks stopped: ${group.cause.text}`;
}

/** An unhealthy load-balancer target: where it is (`10.0.1.17:8080`) and its health description. */
export interface UnhealthyTarget {
  where: string;
  text: string;
}

/** Unhealthy targets with the same description, as one line: `target 10.0.1.17:8080 unhealthy: …`. */
export function targetCause(targets: UnhealthyTarget[]): string | undefined {
  if (targets.length === 0) return undefined;
  const byText = new Map<string, string[]>();
  for (const t of targets) byText.set(t.text, [...(byText.get(t.text) ?? []), t.where]);
  const [text, where] = [...byText.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  const line = oneLine(text, { max: REASON_MAX });
  return where.length === 1
    ? `target ${where[0]} unhealthy: ${line}`
    : `${where.length} targets unhealthy (${where.slice(0, 3).join(', ')}${where.length > 3 ? ', …' : ''}): ${line}`;
}

/** A task ECS could not place, from the service events: `ECS was unable to place a task: …`. */
export function placementCause(events: string[]): string | undefined {
  const event = [...events].reverse().find(e => /unable to place a task/i.test(e));
  if (!event) return undefined;
  return oneLine(`ECS was ${event.slice(event.search(/unable to place a task/i))}`, { max: REASON_MAX });
}

/** What a failed rollout showed, for choosing its root cause. */
export interface Evidence {
  groups: TaskGroup[];
  /** How many stopped tasks show the failure (failureRank below 2). */
  failing: number;
  targets?: string;
  placement?: string;
  log?: ContainerLog;
}

/**
 * The one line: tasks that failed (an exit with the exited container's error line), unless they were stopped
 * for failing the load balancer's health checks and the targets say why; then unhealthy targets; then a task
 * ECS could not place.
 */
export function rootCause(evidence: Evidence): string | undefined {
  const { groups, failing, targets, placement, log } = evidence;
  const top = failing > 0 ? groups[0] : undefined;
  if (top && !(targets && /ELB health checks/i.test(top.cause.text))) {
    const cause = causeWithLogLine(top.cause, log);
    return top.tasks.length > 1 ? `${top.tasks.length} tasks stopped: ${cause}` : cause;
  }
  return targets ?? placement;
}

/** Each group of stopped tasks as a diagnostic (the first `max` groups; a line says how many more there are). */
export function groupDiagnostics(groups: TaskGroup[], max: number): Diagnostic[] {
  const diagnostics: Diagnostic[] = groups.slice(0, max).map(group => {
    const sample = group.tasks[0];
    const several = group.tasks.length > 1;
    return {
      title: groupTitle(group),
      severity: failureRank(sample) < 2 ? 'error' : 'info',
      lines: [
        ...(several ? [`tasks: ${group.tasks.map(t => taskId(t.taskArn)).join(', ')}`] : []),
        ...(several ? [`task ${taskId(sample.taskArn)}:`] : []),
        ...describeStoppedTask(sample)
      ]
    };
  });
  if (groups.length > max)
    diagnostics.push({
      title: 'Stopped tasks',
      severity: 'info',
      lines: [`${groups.length - max} more groups of stopped tasks are not shown.`]
    });
  return diagnostics;
}
