/**
 * Why a deployment failed, in words: the stopped tasks of the deployment (stoppedReason, stopCode, each
 * container's exit code and reason), the unhealthy load-balancer targets with their reason codes, and the last
 * log lines of the failing container when it logs through awslogs. A look that fails (a missing permission,
 * say) becomes a line in the diagnostics; it never hides the deployment's own failure.
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

export async function diagnose(
  clients: DiagnoseClients,
  options: DiagnoseOptions,
  log: Logger
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const maxTasks = options.maxTasks ?? 5;
  const lines = options.logLines ?? 30;
  const definitions = options.taskDefinition?.containerDefinitions ?? [];

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
  for (const task of tasks.slice(0, maxTasks)) {
    diagnostics.push({
      title: `Stopped task ${taskId(task.taskArn)}`,
      severity: 'error',
      lines: describeStoppedTask(task)
    });
  }
  if (tasks.length > maxTasks) {
    diagnostics.push({
      title: 'Stopped tasks',
      severity: 'info',
      lines: [`${tasks.length - maxTasks} more stopped tasks of this deployment are not shown.`]
    });
  }

  const targetGroups = (options.service?.loadBalancers ?? [])
    .map(lb => lb.targetGroupArn)
    .filter((a): a is string => !!a);
  if (clients.elb) {
    for (const arn of [...new Set(targetGroups)]) {
      try {
        const out = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
        const unhealthy = (out.TargetHealthDescriptions ?? []).filter(
          t => t.TargetHealth?.State !== 'healthy'
        );
        if (unhealthy.length > 0) {
          diagnostics.push({
            title: `Unhealthy targets in ${arn.split(':').pop()}`,
            severity: 'error',
            lines: unhealthy.map(t => {
              const h = t.TargetHealth;
              const where = `${t.Target?.Id ?? '?'}${t.Target?.Port !== undefined ? `:${t.Target.Port}` : ''}`;
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

  if (tasks.length > 0 && clients.logs) {
    diagnostics.push(await failingLog(clients, tasks, definitions, options.region, lines));
  }
  for (const d of diagnostics) {
    const text = `${d.title}:\n  ${d.lines.join('\n  ')}`;
    if (d.severity === 'error') log.error(text, { title: d.title });
    else log.info(text);
  }
  return diagnostics;
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
): Promise<Diagnostic> {
  const failing = tasks.filter(t => failureRank(t) < 2).slice(0, 3);
  const missing: string[] = [];
  for (const task of failing.length > 0 ? failing : tasks.slice(0, 1)) {
    const name = failingContainer(task, definitions);
    const definition = definitions.find(d => d.name === name);
    const stream = awslogsStream(definition, taskId(task.taskArn), region);
    if (!stream) {
      return {
        title: `Logs of ${name}`,
        severity: 'info',
        lines: [
          'The container does not log through awslogs with a stream prefix, so its log cannot be read here.'
        ]
      };
    }
    try {
      const logs = logsClientFor(clients, stream.region, region);
      if (!logs) break;
      const tail = await tailLog(logs, stream.group, stream.stream, lines);
      return {
        title: `Last ${tail.length} log lines of ${name} (${stream.group} ${stream.stream})`,
        severity: 'info',
        lines: tail.length > 0 ? tail : ['(the log stream is empty)']
      };
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') {
        return {
          title: `Logs of ${name}`,
          severity: 'warning',
          lines: [`Could not read ${stream.group} ${stream.stream}: ${describeError(error)}`]
        };
      }
      missing.push(`${stream.group} ${stream.stream}: ${describeError(error)}`);
    }
  }
  return {
    title: 'Logs of the failing container',
    severity: 'warning',
    lines: missing.map(m => `Could not read ${m}`)
  };
}

/**
 * Tasks that show the failure first: a container that exited non-zero or a task that failed to start, then an
 * essential container that exited, then tasks stopped by the scheduler or a person (scaling in, replacement).
 */
export function failureRank(task: Task): number {
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
