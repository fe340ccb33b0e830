import { beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger } from '../../../core/index.js';
import { failureRank } from './causes.js';
import { diagnose } from './diagnose.js';
import {
  CLUSTER,
  NEW_DEPLOYMENT,
  REGION,
  describedTaskDefinition,
  service,
  stoppedTask
} from './testing/fixtures.js';

const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const logsMock = mockClient(CloudWatchLogsClient);
const clients = {
  ecs: new ECSClient({ region: REGION }),
  elb: new ElasticLoadBalancingV2Client({ region: REGION }),
  logs: new CloudWatchLogsClient({ region: REGION })
};
const options = {
  cluster: CLUSTER,
  deploymentId: NEW_DEPLOYMENT,
  service: service(),
  taskDefinition: describedTaskDefinition(8),
  region: REGION
};

beforeEach(() => {
  ecsMock.reset();
  elbMock.reset();
  logsMock.reset();
});

describe('diagnose', () => {
  it('explains stopped tasks, unhealthy targets and the failing container’s last log lines', async () => {
    const older = stoppedTask('0a0a0a0a0a0a', { stoppedAt: new Date('2026-11-22T10:00:30Z') });
    const newest = stoppedTask('1b1b1b1b1b1b');
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [older.taskArn ?? '', newest.taskArn ?? ''] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [older, newest], failures: [] });
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.1.12', Port: 8080, AvailabilityZone: 'eu-west-1a' },
          HealthCheckPort: '8080',
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [502]'
          }
        },
        {
          Target: { Id: '10.0.1.13', Port: 8080 },
          HealthCheckPort: '8080',
          TargetHealth: { State: 'healthy' }
        }
      ]
    });
    logsMock.on(GetLogEventsCommand).resolves({
      events: [
        { timestamp: 1, message: 'Starting server', ingestionTime: 2 },
        { timestamp: 3, message: 'Error: connect ECONNREFUSED 10.0.0.5:5432', ingestionTime: 4 }
      ],
      nextForwardToken: 'f/1',
      nextBackwardToken: 'b/1'
    });
    const log = memoryLogger();
    const { diagnostics: found, rootCause } = await diagnose(clients, options, log);

    expect(ecsMock.commandCalls(ListTasksCommand)[0].args[0].input).toEqual({
      cluster: CLUSTER,
      startedBy: NEW_DEPLOYMENT,
      desiredStatus: 'STOPPED',
      maxResults: 100
    });
    // Tasks that stopped the same way are one group; the cause comes first, with the log's error line.
    expect(rootCause).toBe(
      '2 tasks stopped: app exited with code 1: Error: connect ECONNREFUSED 10.0.0.5:5432'
    );
    expect(found[0]).toEqual({
      title: '2 tasks stopped: app exited with code 1',
      severity: 'error',
      lines: [
        'tasks: 1b1b1b1b1b1b, 0a0a0a0a0a0a',
        'task 1b1b1b1b1b1b:',
        'stoppedReason: Essential container in task exited',
        'stopCode: EssentialContainerExited',
        'container app: STOPPED exit code 1',
        'container envoy: STOPPED exit code 0'
      ]
    });
    const targets = found.find(d => d.title.startsWith('Unhealthy targets'));
    expect(targets?.lines).toEqual([
      '10.0.1.12:8080 unhealthy Target.ResponseCodeMismatch: Health checks failed with these codes: [502]'
    ]);
    expect(logsMock.commandCalls(GetLogEventsCommand)[0].args[0].input).toEqual({
      logGroupName: '/ecs/web',
      logStreamName: 'ecs/app/1b1b1b1b1b1b',
      limit: 30,
      startFromHead: false
    });
    const logs = found.find(d => d.title.startsWith('Last 2 log lines of app'));
    expect(logs?.lines).toEqual(['Starting server', 'Error: connect ECONNREFUSED 10.0.0.5:5432']);
    // Diagnostics quote the app and the cluster: printed as untrusted text, never as plain lines or an
    // annotation (the caller makes the one annotation with the root cause).
    expect(log.lines).toContain('untrusted: 2 tasks stopped: app exited with code 1:');
    expect(log.lines).toContain('untrusted:   Error: connect ECONNREFUSED 10.0.0.5:5432');
    expect(log.lines.filter(l => !l.startsWith('untrusted: '))).toEqual([]);
  });

  it('turns a failed look (missing permission) into a diagnostic line instead of an error', async () => {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [stoppedTask('1b').taskArn ?? ''] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask('1b')] });
    elbMock
      .on(DescribeTargetHealthCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    logsMock.on(GetLogEventsCommand).rejects(
      Object.assign(new Error('The specified log stream does not exist.'), {
        name: 'ResourceNotFoundException'
      })
    );
    const { diagnostics: found } = await diagnose(clients, options, memoryLogger());
    expect(found.find(d => d.title === 'Target health')?.lines[0]).toMatch(
      /Could not read the health of .*not authorized/
    );
    expect(found.find(d => d.title === 'Logs of the failing container')?.lines[0]).toMatch(
      /log stream does not exist/
    );
  });

  it('puts the tasks that show the failure first and reads the log of one of them, not of a task the scheduler stopped', async () => {
    const failing = stoppedTask('f00d', { stoppedAt: new Date('2026-11-22T10:00:10Z') });
    const replaced = stoppedTask('5ca1e', {
      stoppedAt: new Date('2026-11-22T10:02:00Z'),
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/2222222222222222222)',
      containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 143 }]
    });
    const clean = stoppedTask('c1ea2', {
      stoppedAt: new Date('2026-11-22T10:03:00Z'),
      stopCode: 'UserInitiated',
      stoppedReason: 'Task stopped by user',
      containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 0 }]
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [clean, replaced, failing].map(t => t.taskArn ?? '') });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [clean, replaced, failing] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'boom' }] });
    const { diagnostics: found } = await diagnose(clients, options, memoryLogger());
    expect(found.filter(d => d.title.startsWith('Task ')).map(d => d.title)).toEqual([
      'Task f00d stopped: app exited with code 1',
      'Task c1ea2 stopped: Task stopped by user',
      'Task 5ca1e stopped: Scaling activity initiated by (deployment ecs-svc/2222222222222222222)'
    ]);
    expect(logsMock.commandCalls(GetLogEventsCommand)[0].args[0].input.logStreamName).toBe('ecs/app/f00d');
    expect(failureRank(clean)).toBe(2);
    expect(failureRank(replaced)).toBe(2);
    expect(failureRank(failing)).toBe(0);
  });

  it('reads the next failing task when the first has no log stream (it never started)', async () => {
    const neverStarted = stoppedTask('aaa1', {
      stoppedAt: new Date('2026-11-22T10:02:00Z'),
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      containers: [{ name: 'app', lastStatus: 'STOPPED', reason: 'CannotPullContainerError' }]
    });
    const crashed = stoppedTask('bbb2', { stoppedAt: new Date('2026-11-22T10:01:00Z') });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [neverStarted, crashed].map(t => t.taskArn ?? '') });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [neverStarted, crashed] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    logsMock
      .on(GetLogEventsCommand, { logStreamName: 'ecs/app/aaa1' })
      .rejects(
        Object.assign(new Error('The specified log stream does not exist.'), {
          name: 'ResourceNotFoundException'
        })
      )
      .on(GetLogEventsCommand, { logStreamName: 'ecs/app/bbb2' })
      .resolves({ events: [{ timestamp: 1, message: 'Error: DATABASE_URL is not set' }] });
    const { diagnostics: found } = await diagnose(clients, options, memoryLogger());
    expect(
      found.find(d => d.title.startsWith('Last 1 log lines of app (/ecs/web ecs/app/bbb2)'))?.lines
    ).toEqual(['Error: DATABASE_URL is not set']);
  });

  it('reads the log from the region the container logs to (awslogs-region)', async () => {
    const td = describedTaskDefinition(8);
    const app = td.containerDefinitions?.[0];
    const crossRegion = {
      ...td,
      containerDefinitions: [
        {
          ...app,
          logConfiguration: {
            logDriver: 'awslogs' as const,
            options: {
              'awslogs-group': '/ecs/web',
              'awslogs-region': 'us-west-2',
              'awslogs-stream-prefix': 'ecs'
            }
          }
        }
      ]
    };
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [stoppedTask('c0de').taskArn ?? ''] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask('c0de')] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'from Oregon' }] });
    const regions: string[] = [];
    const other = new CloudWatchLogsClient({ region: 'us-west-2' });
    const found = await diagnose(
      { ...clients, logsFor: region => (regions.push(region), other) },
      { ...options, taskDefinition: crossRegion },
      memoryLogger()
    );
    expect(regions).toEqual(['us-west-2']);
    expect(found.diagnostics.find(d => d.title.startsWith('Last 1 log lines'))?.lines).toEqual([
      'from Oregon'
    ]);
  });

  it('says when no task was stopped', async () => {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    const { diagnostics: found } = await diagnose(clients, options, memoryLogger());
    expect(found).toEqual([
      {
        title: 'Stopped tasks',
        severity: 'info',
        lines: [`No stopped tasks were started by ${NEW_DEPLOYMENT}.`]
      }
    ]);
  });
});
