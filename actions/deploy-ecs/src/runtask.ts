/**
 * The one-off task (`run-task`, e.g. migrations): run the new revision with a command override, using the
 * service's network configuration, launch type or capacity providers and platform version; wait until it stops;
 * fail on a non-zero exit of the essential container, with its last log lines.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { randomUUID } from 'node:crypto';
import {
  DescribeTasksCommand,
  RunTaskCommand,
  type ECSClient,
  type RunTaskRequest,
  type Service,
  type Task,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import {
  DockyardError,
  describeError,
  errorName,
  formatDuration,
  poll,
  systemClock,
  type Clock,
  type Logger
} from '../../../core/index.js';
import {
  awslogsStream,
  describeStoppedTask,
  errorLine,
  logsClientFor,
  tailLog,
  taskCause,
  taskId
} from './diagnose.js';

export interface RunTaskOptions {
  cluster: string;
  taskDefinition: TaskDefinition;
  command: string[];
  /** The container to override; else the first essential one. */
  container?: string;
  service?: Service;
  region: string;
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  logLines?: number;
}

export interface RunTaskResult {
  taskArn: string;
  exitCode?: number;
  container: string;
  ok: boolean;
  reason: string;
  task?: Task;
  details: string[];
  logLines: string[];
  status: 'STOPPED' | 'TIMED_OUT' | 'CANCELLED';
  /** Why it failed, in one line: `app exited with code 3: ERROR: relation "orders" already exists`. */
  cause?: string;
}

/** The RunTask request: pure, so the network copying is unit-tested. */
export function runTaskRequest(
  options: Pick<RunTaskOptions, 'cluster' | 'taskDefinition' | 'command' | 'service'>,
  container: string
): RunTaskRequest {
  const s = options.service;
  const request: RunTaskRequest = {
    cluster: options.cluster,
    taskDefinition: options.taskDefinition.taskDefinitionArn,
    count: 1,
    startedBy: 'dockyard/run-task',
    overrides: { containerOverrides: [{ name: container, command: options.command }] }
  };
  if (s?.capacityProviderStrategy && s.capacityProviderStrategy.length > 0)
    request.capacityProviderStrategy = s.capacityProviderStrategy;
  else if (s?.launchType) request.launchType = s.launchType;
  if (s?.networkConfiguration?.awsvpcConfiguration) request.networkConfiguration = s.networkConfiguration;
  if (s?.platformVersion) request.platformVersion = s.platformVersion;
  if (s?.enableECSManagedTags) request.enableECSManagedTags = true;
  if (s?.propagateTags && s.propagateTags !== 'NONE') request.propagateTags = s.propagateTags;
  return request;
}

export async function runOneOffTask(
  clients: {
    ecs: ECSClient;
    logs?: CloudWatchLogsClient;
    logsFor?: (region: string) => CloudWatchLogsClient;
  },
  options: RunTaskOptions,
  log: Logger
): Promise<RunTaskResult> {
  const definitions = options.taskDefinition.containerDefinitions ?? [];
  const definition = options.container
    ? definitions.find(d => d.name === options.container)
    : (definitions.find(d => d.essential !== false) ?? definitions[0]);
  if (!definition?.name) {
    throw new DockyardError(`the task definition has no container named '${options.container}'.`, {
      input: 'container'
    });
  }
  const container = definition.name;
  // RunTask takes an idempotency token: the SDK's retries of this one call cannot start a second task.
  const request = { ...runTaskRequest(options, container), clientToken: randomUUID() };
  log.info(
    `Running '${options.command.join(' ')}' in ${container} of ${options.taskDefinition.family}:${options.taskDefinition.revision}.`
  );
  const out = await clients.ecs.send(new RunTaskCommand(request));
  const started = out.tasks?.[0];
  if (!started?.taskArn) {
    const failure = out.failures?.map(f => `${f.reason ?? ''}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
    throw new DockyardError(`ECS did not start the one-off task${failure ? `: ${failure}` : ''}.`, {
      input: 'run-task',
      hint: 'Check the capacity of the cluster and the network configuration of the service.'
    });
  }
  const taskArn = started.taskArn;
  log.info(`Started task ${taskId(taskArn)}; waiting for it to stop.`);
  let last: Task | undefined = started;
  let lastStatus = started.lastStatus ?? '';
  const outcome = await poll<Task>({
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    clock: options.clock ?? systemClock,
    onRetry: (error, attempt, delay) =>
      log.warning(
        `DescribeTasks (poll ${attempt}): ${errorName(error)}; next look in ${formatDuration(delay)}.`
      ),
    check: async () => {
      const described = await clients.ecs.send(
        new DescribeTasksCommand({ cluster: options.cluster, tasks: [taskArn] })
      );
      const task = described.tasks?.[0];
      if (!task) return { done: false };
      last = task;
      if (task.lastStatus && task.lastStatus !== lastStatus) {
        log.info(`  task ${taskId(taskArn)}: ${task.lastStatus}`);
        lastStatus = task.lastStatus;
      }
      return task.lastStatus === 'STOPPED' ? { done: true, value: task } : { done: false };
    }
  });

  const task: Task | undefined = outcome.kind === 'done' ? outcome.value : last;
  const exitCode = task?.containers?.find(c => c.name === container)?.exitCode;
  const details = task ? describeStoppedTask(task) : [];
  let logLines: string[] = [];
  const stream = awslogsStream(definition, taskId(taskArn), options.region);
  const ok = outcome.kind === 'done' && exitCode === 0;
  const logs = stream ? logsClientFor(clients, stream.region, options.region) : undefined;
  if (!ok && stream && logs) {
    try {
      logLines = await tailLog(logs, stream.group, stream.stream, options.logLines ?? 30);
    } catch (error) {
      logLines = [`(could not read ${stream.group} ${stream.stream}: ${describeError(error)})`];
    }
  }
  if (outcome.kind === 'cancelled') {
    return {
      taskArn,
      exitCode,
      container,
      ok: false,
      status: 'CANCELLED',
      reason: `Cancelled while the one-off task ${taskId(taskArn)} was ${lastStatus}; it keeps running.`,
      task,
      details,
      logLines
    };
  }
  if (outcome.kind === 'timeout') {
    return {
      taskArn,
      exitCode,
      container,
      ok: false,
      status: 'TIMED_OUT',
      reason: `The one-off task ${taskId(taskArn)} did not stop within ${formatDuration(options.timeoutMs)} (${lastStatus}).`,
      task,
      details,
      logLines
    };
  }
  let cause: string | undefined;
  if (!ok && task) {
    cause = taskCause(task, definitions);
    const line = /exited with code/.test(cause) ? errorLine(logLines) : undefined;
    if (line) cause = `${cause}: ${line}`;
  }
  const reason = ok
    ? `The one-off task ${taskId(taskArn)} exited 0.`
    : `${cause ?? `${container} stopped without an exit code`} (one-off task ${taskId(taskArn)}).`;
  if (ok) log.info(reason);
  else
    log.error([reason, ...details, ...(logLines.length ? ['Last log lines:', ...logLines] : [])].join('\n'), {
      title: 'run-task failed'
    });
  return { taskArn, exitCode, container, ok, status: 'STOPPED', reason, cause, task, details, logLines };
}
