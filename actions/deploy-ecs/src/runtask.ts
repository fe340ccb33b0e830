/**
 * The one-off task (`run-task`, e.g. migrations): run the new revision with a command override, using the
 * service's network configuration, launch type or capacity providers and platform version; wait until it stops;
 * fail on a non-zero exit of the essential container, with its last log lines. Why it stopped is judged by
 * causes.ts, as for a failed rollout: the error line attached to an exit is always the exited container's own.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeTasksCommand,
  RunTaskCommand,
  type ContainerDefinition,
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
  type Logger,
  type PollOutcome
} from '../../../core/index.js';
import {
  currentVolumeConfigurations,
  taskVolumeConfigurations,
  type LaunchSettings
} from './launch-settings.js';
import { causeWithLogLine, describeStoppedTask, taskCause, taskId, type ContainerLog } from './causes.js';
import { awslogsStream, logsClientFor, tailLog, type LogClients } from './logs.js';

export interface RunTaskOptions {
  cluster: string;
  taskDefinition: TaskDefinition;
  command: string[];
  /** The container to override; else the first essential one. */
  container?: string;
  service?: Service;
  /** `volume-configurations` and `enable-execute-command`; else the task gets the service's. */
  launch?: LaunchSettings;
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
  options: Pick<RunTaskOptions, 'cluster' | 'taskDefinition' | 'command' | 'service' | 'launch'>,
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
  const launch = options.launch ?? {};
  const volumes = launch.volumeConfigurations ?? currentVolumeConfigurations(s);
  const taskVolumes = taskVolumeConfigurations(volumes, options.taskDefinition);
  if (taskVolumes.length > 0) request.volumeConfigurations = taskVolumes;
  // Like the service's tasks, unless the step turns it on or off.
  const exec = launch.enableExecuteCommand ?? (s?.enableExecuteCommand || undefined);
  if (exec !== undefined) request.enableExecuteCommand = exec;
  return request;
}

export interface RunTaskClients extends LogClients {
  ecs: ECSClient;
}

export async function runOneOffTask(
  clients: RunTaskClients,
  options: RunTaskOptions,
  log: Logger
): Promise<RunTaskResult> {
  const definitions = options.taskDefinition.containerDefinitions ?? [];
  const container = overriddenContainer(definitions, options.container);
  const started = await startTask(clients.ecs, options, container, log);
  const taskArn = started.taskArn;
  const { outcome, task, lastStatus } = await waitUntilStopped(clients.ecs, options, started, log);
  const exitCode = task?.containers?.find(c => c.name === container)?.exitCode;
  const ok = outcome.kind === 'done' && exitCode === 0;
  const cause = outcome.kind === 'done' && !ok && task ? taskCause(task, definitions) : undefined;
  // The log of the container that exited says why; without an exit, the log of the one the command ran in.
  const logContainer = cause?.exited?.container ?? container;
  const read = ok
    ? { lines: [] }
    : await readLog(
        clients,
        definitions.find(d => d.name === logContainer),
        taskArn,
        options
      );
  const id = taskId(taskArn);
  const seen = { taskArn, exitCode, container, task, details: task ? describeStoppedTask(task) : [] };
  const result = { ...seen, ok: false, logLines: read.lines };
  if (outcome.kind === 'cancelled')
    return {
      ...result,
      status: 'CANCELLED',
      reason: `Cancelled while the one-off task ${id} was ${lastStatus}; it keeps running.`
    };
  if (outcome.kind === 'timeout')
    return {
      ...result,
      status: 'TIMED_OUT',
      reason: `The one-off task ${id} did not stop within ${formatDuration(options.timeoutMs)} (${lastStatus}).`
    };
  if (ok) {
    const reason = `The one-off task ${id} exited 0.`;
    log.info(reason);
    return { ...result, ok, status: 'STOPPED', reason };
  }
  const why = cause ? causeWithLogLine(cause, read.tail) : undefined;
  const reason = `${why ?? `${container} stopped without an exit code`} (one-off task ${id}).`;
  // The stopped reason and the log lines are the task's own text: data, never workflow commands.
  log.untrusted([...result.details, ...(read.lines.length > 0 ? ['Last log lines:', ...read.lines] : [])]);
  log.error(reason, { title: 'run-task failed' });
  return { ...result, status: 'STOPPED', reason, cause: why };
}

/** The container the command runs in: the one named by `container`, else the first essential one. */
function overriddenContainer(definitions: ContainerDefinition[], name: string | undefined): string {
  const definition = name
    ? definitions.find(d => d.name === name)
    : (definitions.find(d => d.essential !== false) ?? definitions[0]);
  if (!definition?.name)
    throw new DockyardError(`the task definition has no container named '${name}'.`, { input: 'container' });
  return definition.name;
}

/** RunTask, once: the started task, or an error saying why ECS did not start it. */
async function startTask(
  ecs: ECSClient,
  options: RunTaskOptions,
  container: string,
  log: Logger
): Promise<Task & { taskArn: string }> {
  // RunTask takes an idempotency token: the SDK's retries of this one call cannot start a second task.
  const request = { ...runTaskRequest(options, container), clientToken: randomUUID() };
  const { family, revision } = options.taskDefinition;
  log.info(`Running '${options.command.join(' ')}' in ${container} of ${family}:${revision}.`);
  const out = await ecs.send(new RunTaskCommand(request));
  const started = out.tasks?.[0];
  const taskArn = started?.taskArn;
  if (!started || !taskArn) {
    const failure = out.failures?.map(f => `${f.reason ?? ''}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
    throw new DockyardError(`ECS did not start the one-off task${failure ? `: ${failure}` : ''}.`, {
      input: 'run-task',
      hint: 'Check the capacity of the cluster and the network configuration of the service.'
    });
  }
  log.info(`Started task ${taskId(taskArn)}; waiting for it to stop.`);
  return { ...started, taskArn };
}

/** Follows the task until it is STOPPED, the timeout, or cancellation; prints each new status. */
async function waitUntilStopped(
  ecs: ECSClient,
  options: RunTaskOptions,
  started: Task & { taskArn: string },
  log: Logger
): Promise<{ outcome: PollOutcome<Task>; task?: Task; lastStatus: string }> {
  const taskArn = started.taskArn;
  let last: Task = started;
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
      const described = await ecs.send(
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
  return { outcome, task: outcome.kind === 'done' ? outcome.value : last, lastStatus };
}

/** The container's last log lines; a read that fails is said in the lines, and gives no tail to judge. */
async function readLog(
  clients: LogClients,
  definition: ContainerDefinition | undefined,
  taskArn: string,
  options: Pick<RunTaskOptions, 'region' | 'logLines'>
): Promise<{ lines: string[]; tail?: ContainerLog }> {
  const stream = awslogsStream(definition, taskId(taskArn), options.region);
  const logs = stream ? logsClientFor(clients, stream.region, options.region) : undefined;
  if (!definition?.name || !stream || !logs) return { lines: [] };
  try {
    const lines = await tailLog(logs, stream.group, stream.stream, options.logLines ?? 30);
    return { lines, tail: { container: definition.name, lines } };
  } catch (error) {
    return { lines: [`(could not read ${stream.group} ${stream.stream}: ${describeError(error)})`] };
  }
}
