import { describe, expect, it } from '@jest/globals';
import {
  causeWithLogLine,
  failingContainer,
  failureRank,
  groupByCause,
  groupDiagnostics,
  groupTitle,
  placementCause,
  rootCause,
  targetCause,
  taskCause
} from './causes.js';
import { describedTaskDefinition, stoppedTask } from './testing/fixtures.js';

describe('helpers', () => {
  it('picks the container that failed', () => {
    const defs = describedTaskDefinition(8).containerDefinitions ?? [];
    expect(failingContainer(stoppedTask('x'), defs)).toBe('app');
    const sidecar = stoppedTask('x', {
      containers: [
        { name: 'app', exitCode: 0 },
        { name: 'envoy', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }
      ]
    });
    expect(failingContainer(sidecar, defs)).toBe('envoy');
    expect(failingContainer(stoppedTask('x', { containers: [{ name: 'app' }] }), defs)).toBe('app');
  });
});

describe('the root cause in one line, per failure class', () => {
  const app = (c: Record<string, unknown>) => [
    { name: 'app', lastStatus: 'STOPPED', ...c },
    { name: 'envoy', lastStatus: 'STOPPED', exitCode: 143 }
  ];
  it.each([
    [
      'CannotPullContainerError',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:sha-1a2b3c4: not found',
        containers: app({})
      },
      'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:sha-1a2b3c4: not found'
    ],
    [
      'ResourceInitializationError',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ResourceNotFoundException',
        containers: app({})
      },
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ResourceNotFoundException'
    ],
    [
      'ResourceInitializationError (ENI)',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: failed to configure ENI: no free IP addresses in subnet',
        containers: app({})
      },
      'ResourceInitializationError: failed to configure ENI: no free IP addresses in subnet'
    ],
    [
      'out of memory',
      {
        stoppedReason: 'Essential container in task exited',
        containers: app({ exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' })
      },
      'app ran out of memory (exit code 137): OutOfMemoryError: Container killed due to memory usage'
    ],
    [
      'ELB health checks',
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason:
          'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1)',
        containers: app({ exitCode: 143 })
      },
      'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1)'
    ],
    [
      'container health check',
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Task failed container health checks',
        containers: app({ exitCode: 137, healthStatus: 'UNHEALTHY' })
      },
      'app never became healthy: Task failed container health checks'
    ]
  ])('%s', (_name, overrides, cause) => {
    const task = stoppedTask('abc', overrides as never);
    expect(taskCause(task)).toEqual({ text: cause });
    expect(failureRank(task)).toBeLessThan(2);
  });

  it('groups tasks that stopped the same way, the largest failing group first', () => {
    const crash = (id: string) => stoppedTask(id);
    const oom = stoppedTask('o1', {
      containers: [
        { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }
      ]
    });
    const groups = groupByCause([oom, crash('c1'), crash('c2'), crash('c3')]);
    expect(groups.map(groupTitle)).toEqual([
      '3 tasks stopped: app exited with code 1',
      'Task o1 stopped: app ran out of memory (exit code 137): OutOfMemoryError: Container killed due to memory usage'
    ]);
  });

  it('reads unhealthy targets and placement failures as one line', () => {
    expect(
      targetCause([{ where: '10.0.1.17:8080', text: 'Health checks failed with these codes: [502]' }])
    ).toBe('target 10.0.1.17:8080 unhealthy: Health checks failed with these codes: [502]');
    expect(
      targetCause([
        { where: '10.0.1.17:8080', text: 'Health checks failed with these codes: [502]' },
        { where: '10.0.1.18:8080', text: 'Health checks failed with these codes: [502]' }
      ])
    ).toBe(
      '2 targets unhealthy (10.0.1.17:8080, 10.0.1.18:8080): Health checks failed with these codes: [502]'
    );
    expect(
      placementCause([
        '10:00:01 (service web) has started 1 tasks: (task 1).',
        '10:00:02 (service web) was unable to place a task. Reason: Capacity is unavailable at this time.'
      ])
    ).toBe('ECS was unable to place a task. Reason: Capacity is unavailable at this time.');
  });
});

describe('a stopped task’s cause as data', () => {
  const sidecarExit = stoppedTask('5d5d', {
    containers: [
      { name: 'app', lastStatus: 'STOPPED', exitCode: 143 },
      { name: 'envoy', lastStatus: 'STOPPED', exitCode: 2 }
    ]
  });

  it('names the container that exited and its code', () => {
    expect(taskCause(stoppedTask('1b'))).toEqual({
      text: 'app exited with code 1',
      exited: { container: 'app', code: 1 }
    });
    expect(taskCause(sidecarExit)).toEqual({
      text: 'envoy exited with code 2',
      exited: { container: 'envoy', code: 2 }
    });
  });

  it('adds the error line of the exited container’s own log, never of another container’s', () => {
    const appLog = {
      container: 'app',
      lines: ['Error: DATABASE_URL is not set', '    at loadConfig (/app/c.js:1:1)']
    };
    expect(causeWithLogLine(taskCause(stoppedTask('1b')), appLog)).toBe(
      'app exited with code 1: Error: DATABASE_URL is not set'
    );
    // envoy exited; app's log says nothing about why envoy did.
    expect(causeWithLogLine(taskCause(sidecarExit), appLog)).toBe('envoy exited with code 2');
    expect(
      causeWithLogLine(taskCause(sidecarExit), { container: 'envoy', lines: ['[critical] bad config'] })
    ).toBe('envoy exited with code 2: [critical] bad config');
    // A cause that is no exit takes no log line.
    const pull = stoppedTask('p', {
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: x'
    });
    expect(causeWithLogLine(taskCause(pull), appLog)).toBe('CannotPullContainerError: x');
  });

  it('puts a log line on one line, cut to 200 characters', () => {
    const long = `Error: ${'x'.repeat(300)}`;
    const cause = causeWithLogLine(taskCause(stoppedTask('1b')), { container: 'app', lines: [long] });
    expect(cause).toHaveLength('app exited with code 1: '.length + 200);
    expect(cause.endsWith('…')).toBe(true);
  });
});

describe('rootCause', () => {
  const crash = [stoppedTask('c1'), stoppedTask('c2')];
  const elb = stoppedTask('e1', {
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: 'Task failed ELB health checks in (target-group web)',
    containers: [{ name: 'app', exitCode: 143 }]
  });
  const log = { container: 'app', lines: ['boot', 'Error: DATABASE_URL is not set'] };

  it.each([
    [
      'failed tasks first, with the exited container’s error line',
      { groups: groupByCause(crash), failing: 2, targets: 'target 1 unhealthy: x', log },
      '2 tasks stopped: app exited with code 1: Error: DATABASE_URL is not set'
    ],
    [
      'unhealthy targets over tasks stopped for failing the ELB health checks',
      { groups: groupByCause([elb]), failing: 1, targets: 'target 10.0.1.17:80 unhealthy: [502]' },
      'target 10.0.1.17:80 unhealthy: [502]'
    ],
    [
      'a task ECS could not place when no task failed',
      { groups: [], failing: 0, placement: 'ECS was unable to place a task.' },
      'ECS was unable to place a task.'
    ],
    ['nothing when nothing was found', { groups: [], failing: 0 }, undefined]
  ])('%s', (_name, evidence, expected) => expect(rootCause(evidence)).toBe(expected));
});

describe('groupDiagnostics', () => {
  it('describes each group once and says how many more there are', () => {
    const groups = groupByCause([
      stoppedTask('a1'),
      stoppedTask('a2'),
      stoppedTask('b1', { containers: [{ name: 'app', exitCode: 2 }] })
    ]);
    expect(groupDiagnostics(groups, 1)).toEqual([
      {
        title: '2 tasks stopped: app exited with code 1',
        severity: 'error',
        lines: expect.arrayContaining(['tasks: a1, a2', 'task a1:', 'container app: STOPPED exit code 1'])
      },
      { title: 'Stopped tasks', severity: 'info', lines: ['1 more groups of stopped tasks are not shown.'] }
    ]);
  });
});
