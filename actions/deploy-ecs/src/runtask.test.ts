import { beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger, virtualClock } from '../../../core/index.js';
import { runOneOffTask, runTaskRequest } from './runtask.js';
import { CLUSTER, REGION, describedTaskDefinition, service, stoppedTask } from './testing/fixtures.js';

const ecsMock = mockClient(ECSClient);
const logsMock = mockClient(CloudWatchLogsClient);
const clients = {
  ecs: new ECSClient({ region: REGION }),
  logs: new CloudWatchLogsClient({ region: REGION })
};
const td = describedTaskDefinition(8);
const base = {
  cluster: CLUSTER,
  taskDefinition: td,
  command: ['npm', 'run', 'migrate'],
  service: service(),
  region: REGION,
  timeoutMs: 600_000,
  intervalMs: 5000
};
const task = (status: string, exitCode?: number) =>
  stoppedTask('9f9f9f', {
    lastStatus: status,
    startedBy: 'dockyard/run-task',
    ...(status === 'STOPPED'
      ? { stoppedReason: 'Essential container in task exited' }
      : { stoppedReason: undefined, stopCode: undefined, stoppedAt: undefined }),
    containers: [{ name: 'app', lastStatus: status, exitCode }]
  });

beforeEach(() => {
  ecsMock.reset();
  logsMock.reset();
});

describe('runTaskRequest', () => {
  it('uses the service’s network configuration, launch type and platform version, overriding the essential container', () => {
    expect(runTaskRequest(base, 'app')).toEqual({
      cluster: CLUSTER,
      taskDefinition: td.taskDefinitionArn,
      count: 1,
      startedBy: 'dockyard/run-task',
      overrides: { containerOverrides: [{ name: 'app', command: ['npm', 'run', 'migrate'] }] },
      launchType: 'FARGATE',
      networkConfiguration: service().networkConfiguration,
      platformVersion: 'LATEST',
      enableECSManagedTags: true
    });
  });

  it('prefers the capacity provider strategy over the launch type', () => {
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }];
    const request = runTaskRequest(
      { ...base, service: service({ launchType: undefined, capacityProviderStrategy: strategy }) },
      'app'
    );
    expect(request.capacityProviderStrategy).toEqual(strategy);
    expect(request.launchType).toBeUndefined();
  });
});

describe('runOneOffTask', () => {
  it('waits for the task to stop and succeeds on exit 0', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task('PROVISIONING')], failures: [] });
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [task('PENDING')] })
      .resolvesOnce({ tasks: [task('RUNNING')] })
      .resolvesOnce({ tasks: [task('STOPPED', 0)] });
    const log = memoryLogger();
    const result = await runOneOffTask(clients, { ...base, clock: virtualClock() }, log);
    expect(result).toMatchObject({ ok: true, exitCode: 0, container: 'app', status: 'STOPPED' });
    expect(log.text()).toMatch(/PENDING[\s\S]*RUNNING[\s\S]*STOPPED/);
    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(0);
  });

  it('fails on a non-zero exit with the container’s last log lines', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task('PROVISIONING')] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task('STOPPED', 3)] });
    logsMock
      .on(GetLogEventsCommand)
      .resolves({ events: [{ timestamp: 1, message: 'migration 0042 failed: column exists' }] });
    const result = await runOneOffTask(clients, { ...base, clock: virtualClock() }, memoryLogger());
    expect(result).toMatchObject({
      ok: false,
      exitCode: 3,
      reason: 'app exited with code 3: migration 0042 failed: column exists (one-off task 9f9f9f).',
      logLines: ['migration 0042 failed: column exists']
    });
    expect(logsMock.commandCalls(GetLogEventsCommand)[0].args[0].input).toMatchObject({
      logGroupName: '/ecs/web',
      logStreamName: 'ecs/app/9f9f9f'
    });
  });

  it('prints the task’s own text (stopped reason, log lines) as untrusted, never as a workflow command', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task('PROVISIONING')] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task('STOPPED', 3)] });
    logsMock.on(GetLogEventsCommand).resolves({
      events: [{ timestamp: 1, message: '::set-output name=status::COMPLETED' }]
    });
    const log = memoryLogger();
    await runOneOffTask(clients, { ...base, clock: virtualClock() }, log);
    expect(log.lines).toContain('untrusted: ::set-output name=status::COMPLETED');
    expect(log.lines).toContain('untrusted: stoppedReason: Essential container in task exited');
    // The annotation's message is escaped as data by @actions/core; no plain line carries the text.
    const plain = log.lines.filter(l => !/^(untrusted|error): /.test(l));
    expect(plain.filter(l => l.includes('set-output'))).toEqual([]);
  });

  it('attaches the exited container’s own log line, never the log of the container the command ran in', async () => {
    // The command runs in app; the envoy sidecar (essential here) exits 1 and stops the task.
    const sidecar = stoppedTask('9f9f9f', {
      startedBy: 'dockyard/run-task',
      containers: [
        { name: 'app', lastStatus: 'STOPPED', exitCode: 143 },
        { name: 'envoy', lastStatus: 'STOPPED', exitCode: 1 }
      ]
    });
    const withSidecarLogs = {
      ...td,
      containerDefinitions: td.containerDefinitions?.map(c =>
        c.name === 'envoy' ? { ...c, logConfiguration: td.containerDefinitions?.[0].logConfiguration } : c
      )
    };
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task('PROVISIONING')] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [sidecar] });
    logsMock
      .on(GetLogEventsCommand, { logStreamName: 'ecs/app/9f9f9f' })
      .resolves({ events: [{ timestamp: 1, message: 'migration 0042 failed: column exists' }] })
      .on(GetLogEventsCommand, { logStreamName: 'ecs/envoy/9f9f9f' })
      .resolves({ events: [{ timestamp: 1, message: '[critical] listener 0.0.0.0:15000 failed to bind' }] });
    const result = await runOneOffTask(
      clients,
      { ...base, taskDefinition: withSidecarLogs, clock: virtualClock() },
      memoryLogger()
    );
    expect(result.cause).toBe('envoy exited with code 1: [critical] listener 0.0.0.0:15000 failed to bind');
    // Without a log of its own, the sidecar's exit takes no line from app's log.
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [sidecar] });
    const bare = await runOneOffTask(clients, { ...base, clock: virtualClock() }, memoryLogger());
    expect(bare.cause).toBe('envoy exited with code 1');
  });

  it('fails when ECS cannot place the task, naming run-task', async () => {
    ecsMock.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        { arn: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/x', reason: 'RESOURCE:MEMORY' }
      ]
    });
    await expect(
      runOneOffTask(clients, { ...base, clock: virtualClock() }, memoryLogger())
    ).rejects.toMatchObject({
      input: 'run-task',
      message: expect.stringMatching(/RESOURCE:MEMORY/)
    });
  });

  it('gives up at the timeout', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task('PROVISIONING')] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task('RUNNING')] });
    logsMock.on(GetLogEventsCommand).resolves({ events: [] });
    const result = await runOneOffTask(
      clients,
      { ...base, timeoutMs: 20_000, clock: virtualClock() },
      memoryLogger()
    );
    expect(result).toMatchObject({ ok: false, status: 'TIMED_OUT' });
  });
});
