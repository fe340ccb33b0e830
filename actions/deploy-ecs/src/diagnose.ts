/**
 * Why a deployment failed, in words: the stopped tasks of the deployment (stoppedReason, stopCode, each
 * container's exit code and reason), the unhealthy load-balancer targets with their reason codes, and the last
 * log lines of the failing container when it logs through awslogs. A look that fails (a missing permission,
 * say) becomes a line in the diagnostics; it never hides the deployment's own failure.
 *
 * The root cause comes first, in one line (`rootCause`): tasks that stopped the same way are one group
 * (`3 tasks stopped: web exited with code 1: Error: DATABASE_URL is not set`), then unhealthy targets, then a
 * task ECS could not place. Diagnostics are printed as plain lines; the caller makes the one annotation.
 */
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  ListTasksCommand,
  type ContainerDefinition,
  type ECSClient,
  type Service,
  type Task,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeError, errorName, type Diagnostic, type Logger } from '../../../core/index.js';

export interface DiagnoseClients {
  ecs: ECSClient;
  elb?: ElasticLoadBalancingV2Client;
  logs?: CloudWatchLogsClient;
  /** A CloudWatch Logs client for another region, for containers whose `awslogs-region` differs. */
  logsFor?: (region: string) => CloudWatchLogsClient;
}

/** The Logs client for a stream's region: the usual one, or one for the region the container logs to. */
export function logsClientFor(
  clients: Pick<DiagnoseClients, 'logs' | 'logsFor'>,
  streamRegion: string,
  region: string
): CloudWatchLogsClient | undefined {
  if (streamRegion !== region && clients.logsFor) return clients.logsFor(streamRegion);
  return clients.logs;
}

export interface DiagnoseOptions {
  cluster: string;
  deploymentId: string;
  service?: Service;
  taskDefinition?: Pick<TaskDefinition, 'containerDefinitions'>;
  region: string;
  /** At most this many stopped tasks are described. */
  maxTasks?: number;
  logLines?: number;
}

export function taskId(taskArn: string | undefined): string {
  return (taskArn ?? '').split('/').pop() ?? '';
}

export function describeStoppedTask(task: Task): string[] {
  const lines: string[] = [];
  if (task.stoppedReason) lines.push(`stoppedReason: ${task.stoppedReason}`);
  if (task.stopCode) lines.push(`stopCode: ${task.stopCode}`);
  for (const c of task.containers ?? []) {
    const exit = c.exitCode !== undefined ? `exit code ${c.exitCode}` : 'no exit code';
    lines.push(
      `container ${c.name}: ${c.lastStatus ?? ''} ${exit}${c.reason ? ` (${c.reason})` : ''}`
        .replace(/\s+/g, ' ')
        .trim()
    );
  }
  return lines;
}

/** The container to read logs of: one that exited non-zero, else one with a reason, else the first essential. */
export function failingContainer(task: Task, definitions: ContainerDefinition[]): string | undefined {
  const containers = task.containers ?? [];
  const bad =
    containers.find(c => c.exitCode !== undefined && c.exitCode !== 0) ?? containers.find(c => c.reason);
  if (bad?.name) return bad.name;
  return definitions.find(d => d.essential !== false)?.name ?? containers[0]?.name;
}

/** `<prefix>/<container>/<task-id>` in the awslogs group, when the container logs through awslogs with a prefix. */
export function awslogsStream(
  definition: ContainerDefinition | undefined,
  task: string,
  region: string
): { group: string; stream: string; region: string } | undefined {
  const log = definition?.logConfiguration;
  if (!definition || log?.logDriver !== 'awslogs') return undefined;
  const group = log.options?.['awslogs-group'];
  const prefix = log.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return {
    group,
    stream: `${prefix}/${definition.name}/${task}`,
    region: log.options?.['awslogs-region'] ?? region
  };
}

export async function tailLog(
  logs: CloudWatchLogsClient,
  group: string,
  stream: string,
  lines: number
): Promise<string[]> {
  const out = await logs.send(
    new GetLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      limit: lines,
      startFromHead: false
    })
  );
  return (out.events ?? []).slice(-lines).map(e => (e.message ?? '').replace(/\n$/, ''));
}

export interface Diagnosis {
  diagnostics: Diagnostic[];
  /** The cause in one line, when one was found. */
  rootCause?: string;
}

/** `cause` and `more` as sentences: `cause. more`, without doubling a full stop. */
export function sentence(cause: string, more: string): string {
  return `${cause}${/[.!?…]$/.test(cause) ? '' : '.'} ${more}`;
}

/** `Error: …` lines of a log tail: the last line that reads like an error, else the last line. */
export function errorLine(lines: string[]): string | undefined {
  const text = lines.map(l => l.trim()).filter(l => l !== '');
  const error = [...text]
    .reverse()
    .find(l => /\b(error|exception|fatal|panic|traceback|failed|refused|denied|not set|missing)\b/i.test(l));
  return error ?? text[text.length - 1];
}

const INIT_ERRORS =
  /(CannotPullContainerError|ResourceInitializationError|CannotStartContainerError|CannotCreateVolumeError|ContainerRuntimeError|CannotInspectContainerError|InternalError|SpotInterruption)[^]*/;

function clip(text: string, max = 500): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * One task's reason for stopping, in one line: an error that kept it from starting, a container out of memory,
 * failed health checks, or the essential container's exit code.
 */
export function taskCause(task: Task, definitions: ContainerDefinition[] = []): string {
  const reason = task.stoppedReason ?? '';
  const containers = task.containers ?? [];
  for (const text of [reason, ...containers.map(c => c.reason ?? '')]) {
    const init = INIT_ERRORS.exec(text);
    if (init) return clip(init[0]);
  }
  const oom = containers.find(
    c => /OutOfMemory/i.test(c.reason ?? '') || (c.exitCode === 137 && /memory/i.test(reason))
  );
  if (oom) {
    const limit = definitions.find(d => d.name === oom.name)?.memory;
    return clip(
      `${oom.name} ran out of memory (exit code ${oom.exitCode ?? 137}${limit ? `, limit ${limit} MiB` : ''}): ${oom.reason ?? reason}`
    );
  }
  if (/failed ELB health checks/i.test(reason)) return clip(reason);
  if (/failed container health checks/i.test(reason)) {
    const unhealthy = containers.find(c => c.healthStatus === 'UNHEALTHY') ?? containers[0];
    const check = definitions.find(d => d.name === unhealthy?.name)?.healthCheck?.command;
    return clip(
      `${unhealthy?.name ?? 'a container'} never became healthy: ${reason}${check ? ` (health check: ${check.join(' ')})` : ''}`
    );
  }
  // A task the scheduler or a person stopped exits 143 (SIGTERM): its reason says why, not the code.
  const exited =
    failureRank(task) < 2 ? containers.find(c => c.exitCode !== undefined && c.exitCode !== 0) : undefined;
  if (exited) return `${exited.name} exited with code ${exited.exitCode}`;
  return clip(reason || task.stopCode || 'stopped without a reason');
}

export interface TaskGroup {
  cause: string;
  tasks: Task[];
}

/** Stopped tasks grouped by cause, the largest group of failures first. */
export function groupByCause(tasks: Task[], definitions: ContainerDefinition[] = []): TaskGroup[] {
  const groups = new Map<string, TaskGroup>();
  for (const task of tasks) {
    const cause = taskCause(task, definitions);
    const group = groups.get(cause) ?? { cause, tasks: [] };
    group.tasks.push(task);
    groups.set(cause, group);
  }
  return [...groups.values()].sort(
    (a, b) => failureRank(a.tasks[0]) - failureRank(b.tasks[0]) || b.tasks.length - a.tasks.length
  );
}

/** `3 tasks stopped: …` or `task 1b1b stopped: …`. */
export function groupTitle(group: TaskGroup): string {
  return group.tasks.length === 1
    ? `Task ${taskId(group.tasks[0].taskArn)} stopped: ${group.cause}`
    : `${group.tasks.length} tasks stopped: ${group.cause}`;
}

/** Unhealthy targets with the same description, as one line: `target 10.0.1.17:8080 unhealthy: …`. */
export function targetCause(descriptions: { where: string; text: string }[]): string | undefined {
  if (descriptions.length === 0) return undefined;
  const byText = new Map<string, string[]>();
  for (const d of descriptions) byText.set(d.text, [...(byText.get(d.text) ?? []), d.where]);
  const [text, where] = [...byText.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  return where.length === 1
    ? `target ${where[0]} unhealthy: ${text}`
    : `${where.length} targets unhealthy (${where.slice(0, 3).join(', ')}${where.length > 3 ? ', …' : ''}): ${text}`;
}

/** A task ECS could not place, from the service events: `unable to place a task: …`. */
export function placementCause(events: string[]): string | undefined {
  const event = [...events].reverse().find(e => /unable to place a task/i.test(e));
  if (!event) return undefined;
  return clip(`ECS was ${event.slice(event.search(/unable to place a task/i))}`);
}

export async function diagnose(
  clients: DiagnoseClients,
  options: DiagnoseOptions & { events?: string[] },
  log: Logger
): Promise<Diagnosis> {
  const diagnostics: Diagnostic[] = [];
  const lines = options.logLines ?? 30;
  const definitions = options.taskDefinition?.containerDefinitions ?? [];
  const maxGroups = options.maxTasks ?? 5;

  let tasks: Task[] = [];
  try {
    const listed = await clients.ecs.send(
      new ListTasksCommand({
        cluster: options.cluster,
        startedBy: options.deploymentId,
        desiredStatus: 'STOPPED',
        maxResults: 100
      })
    );
    const arns = listed.taskArns ?? [];
    if (arns.length > 0) {
      const described = await clients.ecs.send(
        new DescribeTasksCommand({ cluster: options.cluster, tasks: arns.slice(0, 100) })
      );
      tasks = [...(described.tasks ?? [])].sort(
        (a, b) => failureRank(a) - failureRank(b) || time(b.stoppedAt) - time(a.stoppedAt)
      );
    }
    if (tasks.length === 0) {
      diagnostics.push({
        title: 'Stopped tasks',
        severity: 'info',
        lines: [`No stopped tasks were started by ${options.deploymentId}.`]
      });
    }
  } catch (error) {
    diagnostics.push({
      title: 'Stopped tasks',
      severity: 'warning',
      lines: [`Could not list the stopped tasks: ${describeError(error)}`]
    });
  }
  const failing = tasks.filter(t => failureRank(t) < 2);
  const groups = groupByCause(tasks, definitions);
  for (const group of groups.slice(0, maxGroups)) {
    const sample = group.tasks[0];
    diagnostics.push({
      title: groupTitle(group),
      severity: failureRank(sample) < 2 ? 'error' : 'info',
      lines: [
        ...(group.tasks.length > 1 ? [`tasks: ${group.tasks.map(t => taskId(t.taskArn)).join(', ')}`] : []),
        ...(group.tasks.length > 1 ? [`task ${taskId(sample.taskArn)}:`] : []),
        ...describeStoppedTask(sample)
      ]
    });
  }
  if (groups.length > maxGroups) {
    diagnostics.push({
      title: 'Stopped tasks',
      severity: 'info',
      lines: [`${groups.length - maxGroups} more groups of stopped tasks are not shown.`]
    });
  }

  const unhealthy: { where: string; text: string }[] = [];
  const targetGroups = (options.service?.loadBalancers ?? [])
    .map(lb => lb.targetGroupArn)
    .filter((a): a is string => !!a);
  if (clients.elb) {
    for (const arn of [...new Set(targetGroups)]) {
      try {
        const out = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
        const bad = (out.TargetHealthDescriptions ?? []).filter(t => t.TargetHealth?.State !== 'healthy');
        if (bad.length > 0) {
          diagnostics.push({
            title: `Unhealthy targets in ${arn.split(':').pop()}`,
            severity: 'error',
            lines: bad.map(t => {
              const h = t.TargetHealth;
              const where = `${t.Target?.Id ?? '?'}${t.Target?.Port !== undefined ? `:${t.Target.Port}` : ''}`;
              if (h?.State === 'unhealthy')
                unhealthy.push({ where, text: h.Description ?? h.Reason ?? 'unhealthy' });
              return `${where} ${h?.State ?? 'unknown'}${h?.Reason ? ` ${h.Reason}` : ''}${h?.Description ? `: ${h.Description}` : ''}`;
            })
          });
        }
      } catch (error) {
        diagnostics.push({
          title: 'Target health',
          severity: 'warning',
          lines: [`Could not read the health of ${arn}: ${describeError(error)}`]
        });
      }
    }
  }

  let tail: { name?: string; lines: string[] } | undefined;
  if (tasks.length > 0 && clients.logs) {
    const logDiagnostic = await failingLog(clients, tasks, definitions, options.region, lines);
    diagnostics.push(logDiagnostic.diagnostic);
    tail = logDiagnostic.tail;
  }

  const rootCause = chooseRootCause(
    groups,
    failing.length,
    targetCause(unhealthy),
    placementCause(options.events ?? []),
    tail
  );
  for (const d of diagnostics) log.info(`${d.title}:\n  ${d.lines.join('\n  ')}`);
  return { diagnostics, rootCause };
}

/**
 * The one line: tasks that failed (with the failing container's error line for an exit code), unless they
 * were stopped for failing the load balancer's health checks and the targets say why; then unhealthy targets;
 * then a task ECS could not place.
 */
function chooseRootCause(
  groups: TaskGroup[],
  failing: number,
  targets: string | undefined,
  placement: string | undefined,
  tail: { name?: string; lines: string[] } | undefined
): string | undefined {
  const top = failing > 0 ? groups[0] : undefined;
  if (top && !(targets && /ELB health checks/i.test(top.cause))) {
    let cause = top.cause;
    const exit = /^(\S+) exited with code/.exec(cause);
    const line = tail && exit && tail.name === exit[1] ? errorLine(tail.lines) : undefined;
    if (line) cause = `${cause}: ${clip(line, 200)}`;
    return top.tasks.length > 1 ? `${top.tasks.length} tasks stopped: ${cause}` : cause;
  }
  return targets ?? placement ?? (top ? top.cause : undefined);
}

/**
 * The last lines of the failing container's log: from the first task (in failure order) whose stream exists.
 * A task that never started has no stream, so up to three tasks that show the failure are tried.
 */
async function failingLog(
  clients: Pick<DiagnoseClients, 'logs' | 'logsFor'>,
  tasks: Task[],
  definitions: ContainerDefinition[],
  region: string,
  lines: number
): Promise<{ diagnostic: Diagnostic; tail?: { name?: string; lines: string[] } }> {
  const failing = tasks.filter(t => failureRank(t) < 2).slice(0, 3);
  const missing: string[] = [];
  for (const task of failing.length > 0 ? failing : tasks.slice(0, 1)) {
    const name = failingContainer(task, definitions);
    const definition = definitions.find(d => d.name === name);
    const stream = awslogsStream(definition, taskId(task.taskArn), region);
    if (!stream) {
      return {
        diagnostic: {
          title: `Logs of ${name}`,
          severity: 'info',
          lines: [
            'The container does not log through awslogs with a stream prefix, so its log cannot be read here.'
          ]
        }
      };
    }
    try {
      const logs = logsClientFor(clients, stream.region, region);
      if (!logs) break;
      const tail = await tailLog(logs, stream.group, stream.stream, lines);
      return {
        diagnostic: {
          title: `Last ${tail.length} log lines of ${name} (${stream.group} ${stream.stream})`,
          severity: 'info',
          lines: tail.length > 0 ? tail : ['(the log stream is empty)']
        },
        tail: { name, lines: tail }
      };
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') {
        return {
          diagnostic: {
            title: `Logs of ${name}`,
            severity: 'warning',
            lines: [`Could not read ${stream.group} ${stream.stream}: ${describeError(error)}`]
          }
        };
      }
      missing.push(`${stream.group} ${stream.stream}: ${describeError(error)}`);
    }
  }
  return {
    diagnostic: {
      title: 'Logs of the failing container',
      severity: 'warning',
      lines: missing.map(m => `Could not read ${m}`)
    }
  };
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

function time(value: Date | string | undefined): number {
  return value ? new Date(value).getTime() : 0;
}
