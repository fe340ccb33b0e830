/**
 * Why a deployment failed, the looks that find out: the stopped tasks of the deployment (stoppedReason,
 * stopCode, each container's exit code and reason), the unhealthy load-balancer targets with their reason
 * codes, and the last log lines of the failing container when it logs through awslogs. A look that fails (a
 * missing permission, say) becomes a line in the diagnostics; it never hides the deployment's own failure.
 *
 * What the looks found is judged by causes.ts (pure): the root cause comes first, in one line. The diagnostics
 * quote what the app and the cluster wrote, so they are printed as untrusted text, never as workflow commands;
 * the caller makes the one annotation.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
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
import {
  failingContainer,
  failureRank,
  groupByCause,
  groupDiagnostics,
  placementCause,
  rootCause,
  targetCause,
  taskId,
  type ContainerLog,
  type UnhealthyTarget
} from './causes.js';
import { awslogsStream, logsClientFor, tailLog, type LogClients } from './logs.js';

export interface DiagnoseClients extends LogClients {
  ecs: ECSClient;
  elb?: ElasticLoadBalancingV2Client;
}

export interface DiagnoseOptions {
  cluster: string;
  deploymentId: string;
  service?: Service;
  taskDefinition?: Pick<TaskDefinition, 'containerDefinitions'>;
  region: string;
  /** The service events seen while waiting, for a task ECS could not place. */
  events?: string[];
  /** At most this many groups of stopped tasks are described. */
  maxTasks?: number;
  logLines?: number;
}

export interface Diagnosis {
  diagnostics: Diagnostic[];
  /** The cause in one line, when one was found. */
  rootCause?: string;
}

export async function diagnose(
  clients: DiagnoseClients,
  options: DiagnoseOptions,
  log: Logger
): Promise<Diagnosis> {
  const definitions = options.taskDefinition?.containerDefinitions ?? [];
  const stopped = await stoppedTasks(clients.ecs, options);
  const groups = groupByCause(stopped.tasks, definitions);
  const diagnostics = [...stopped.diagnostics, ...groupDiagnostics(groups, options.maxTasks ?? 5)];
  const health = clients.elb
    ? await targetHealth(clients.elb, options.service)
    : { diagnostics: [], unhealthy: [] };
  diagnostics.push(...health.diagnostics);
  let tail: ContainerLog | undefined;
  const logs = clients.logs;
  if (stopped.tasks.length > 0 && logs) {
    const found = await failingLog({ ...clients, logs }, stopped.tasks, definitions, options);
    diagnostics.push(found.diagnostic);
    tail = found.tail;
  }
  const cause = rootCause({
    groups,
    failing: stopped.tasks.filter(t => failureRank(t) < 2).length,
    targets: targetCause(health.unhealthy),
    placement: placementCause(options.events ?? []),
    log: tail
  });
  log.untrusted(diagnostics.flatMap(d => [`${d.title}:`, ...d.lines.map(l => `  ${l}`)]));
  return { diagnostics, rootCause: cause };
}

/** The deployment's stopped tasks, those that show the failure first, then the newest. */
async function stoppedTasks(
  ecs: ECSClient,
  options: Pick<DiagnoseOptions, 'cluster' | 'deploymentId'>
): Promise<{ tasks: Task[]; diagnostics: Diagnostic[] }> {
  try {
    const listed = await ecs.send(
      new ListTasksCommand({
        cluster: options.cluster,
        startedBy: options.deploymentId,
        desiredStatus: 'STOPPED',
        maxResults: 100
      })
    );
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) {
      const none = `No stopped tasks were started by ${options.deploymentId}.`;
      return { tasks: [], diagnostics: [{ title: 'Stopped tasks', severity: 'info', lines: [none] }] };
    }
    const described = await ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: arns }));
    const tasks = [...(described.tasks ?? [])].sort(
      (a, b) => failureRank(a) - failureRank(b) || time(b.stoppedAt) - time(a.stoppedAt)
    );
    return { tasks, diagnostics: [] };
  } catch (error) {
    const line = `Could not list the stopped tasks: ${describeError(error)}`;
    return { tasks: [], diagnostics: [{ title: 'Stopped tasks', severity: 'warning', lines: [line] }] };
  }
}

/** The targets of the service's target groups that are not healthy, one diagnostic per group. */
async function targetHealth(
  elb: ElasticLoadBalancingV2Client,
  service: Service | undefined
): Promise<{ diagnostics: Diagnostic[]; unhealthy: UnhealthyTarget[] }> {
  const diagnostics: Diagnostic[] = [];
  const unhealthy: UnhealthyTarget[] = [];
  const arns = (service?.loadBalancers ?? []).map(lb => lb.targetGroupArn).filter(a => a !== undefined);
  for (const arn of new Set(arns)) {
    try {
      const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      const bad = (out.TargetHealthDescriptions ?? []).filter(t => t.TargetHealth?.State !== 'healthy');
      if (bad.length === 0) continue;
      const lines = bad.map(t => {
        const h = t.TargetHealth;
        const where = `${t.Target?.Id ?? '?'}${t.Target?.Port !== undefined ? `:${t.Target.Port}` : ''}`;
        if (h?.State === 'unhealthy')
          unhealthy.push({ where, text: h.Description ?? h.Reason ?? 'unhealthy' });
        return `${where} ${h?.State ?? 'unknown'}${h?.Reason ? ` ${h.Reason}` : ''}${h?.Description ? `: ${h.Description}` : ''}`;
      });
      diagnostics.push({ title: `Unhealthy targets in ${arn.split(':').pop()}`, severity: 'error', lines });
    } catch (error) {
      const line = `Could not read the health of ${arn}: ${describeError(error)}`;
      diagnostics.push({ title: 'Target health', severity: 'warning', lines: [line] });
    }
  }
  return { diagnostics, unhealthy };
}

/**
 * The last lines of the failing container's log: from the first task (in failure order) whose stream exists.
 * A task that never started has no stream, so up to three tasks that show the failure are tried.
 */
async function failingLog(
  clients: LogClients & { logs: CloudWatchLogsClient },
  tasks: Task[],
  definitions: ContainerDefinition[],
  options: Pick<DiagnoseOptions, 'region' | 'logLines'>
): Promise<{ diagnostic: Diagnostic; tail?: ContainerLog }> {
  const failing = tasks.filter(t => failureRank(t) < 2).slice(0, 3);
  const missing: string[] = [];
  for (const task of failing.length > 0 ? failing : tasks.slice(0, 1)) {
    const name = failingContainer(task, definitions);
    const definition = definitions.find(d => d.name === name);
    const stream = awslogsStream(definition, taskId(task.taskArn), options.region);
    if (!name || !stream) {
      const line =
        'The container does not log through awslogs with a stream prefix, so its log cannot be read here.';
      return { diagnostic: { title: `Logs of ${name}`, severity: 'info', lines: [line] } };
    }
    const where = `${stream.group} ${stream.stream}`;
    try {
      const logs = logsClientFor(clients, stream.region, options.region) ?? clients.logs;
      const lines = await tailLog(logs, stream.group, stream.stream, options.logLines ?? 30);
      return {
        diagnostic: {
          title: `Last ${lines.length} log lines of ${name} (${where})`,
          severity: 'info',
          lines: lines.length > 0 ? lines : ['(the log stream is empty)']
        },
        tail: { container: name, lines }
      };
    } catch (error) {
      const line = `Could not read ${where}: ${describeError(error)}`;
      if (errorName(error) !== 'ResourceNotFoundException')
        return { diagnostic: { title: `Logs of ${name}`, severity: 'warning', lines: [line] } };
      missing.push(line);
    }
  }
  return { diagnostic: { title: 'Logs of the failing container', severity: 'warning', lines: missing } };
}

function time(value: Date | string | undefined): number {
  return value ? new Date(value).getTime() : 0;
}
