import { beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger, virtualClock } from '../../../core/index.js';
import { classify, startDeployment, watchDeployment } from './rollout.js';
import {
  CLUSTER,
  NEW_DEPLOYMENT,
  OLD_DEPLOYMENT,
  SERVICE,
  deployment,
  service,
  tdArn,
  NEW_TD as NEW,
  OLD_TD as OLD
} from './testing/fixtures.js';
import { mockedClients } from './testing/strategy-fake.js';

const ecsMock = mockClient(ECSClient);
const { clients, target } = mockedClients();
const ctx = { deploymentId: NEW_DEPLOYMENT, taskDefinitionArn: NEW, previousTaskDefinitionArn: OLD };

const ours = (o: Parameters<typeof deployment>[0] extends infer T ? Partial<T> : never = {}) =>
  deployment({ id: NEW_DEPLOYMENT, taskDefinition: NEW, createdAt: new Date('2026-11-22T10:00:00Z'), ...o });
const old = (o: Partial<ReturnType<typeof deployment>> = {}) =>
  deployment({
    id: OLD_DEPLOYMENT,
    taskDefinition: OLD,
    status: 'ACTIVE',
    runningCount: 2,
    rolloutState: 'COMPLETED',
    ...o
  });
const snapshot = (deployments: ReturnType<typeof deployment>[], extra: Partial<Service> = {}) =>
  service({ taskDefinition: NEW, deployments, ...extra });
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 }
  });
const unavailable = () =>
  Object.assign(new Error('Service Unavailable'), {
    name: 'ServiceUnavailableException',
    $metadata: { httpStatusCode: 503 }
  });

beforeEach(() => {
  ecsMock.reset();
});

describe('classify', () => {
  it('waits while the deployment is IN_PROGRESS', () => {
    expect(classify(snapshot([ours({ runningCount: 1 }), old()]), ctx)).toBeUndefined();
  });

  it('COMPLETED when rolloutState is COMPLETED', () => {
    expect(classify(snapshot([ours({ rolloutState: 'COMPLETED', runningCount: 2 })]), ctx)?.status).toBe(
      'COMPLETED'
    );
  });

  it('without rolloutState: COMPLETED only as the only deployment with running == desired', () => {
    const noState = { rolloutState: undefined, rolloutStateReason: undefined };
    expect(
      classify(snapshot([ours({ ...noState, runningCount: 2 }), old({ ...noState })]), ctx)
    ).toBeUndefined();
    expect(classify(snapshot([ours({ ...noState, runningCount: 1, pendingCount: 1 })]), ctx)).toBeUndefined();
    expect(classify(snapshot([ours({ ...noState, runningCount: 2 })]), ctx)?.status).toBe('COMPLETED');
  });

  it('FAILED when rolloutState is FAILED and ECS does not roll back', () => {
    const verdict = classify(
      snapshot([
        ours({
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          failedTasks: 3
        }),
        old()
      ]),
      ctx
    );
    expect(verdict).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/tasks failed to start/)
    });
  });

  it('ROLLED_BACK by ECS when the circuit breaker rolls back', () => {
    const breaker = {
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100
      }
    };
    const failed = ours({
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
    });
    expect(classify(snapshot([failed, old()], breaker), ctx)).toMatchObject({
      status: 'ROLLED_BACK',
      rolledBackByEcs: true
    });
    // ECS already started the rollback deployment: the failed one is ACTIVE, a new PRIMARY runs the old revision.
    const rollback = deployment({
      id: 'ecs-svc/333',
      taskDefinition: OLD,
      rolloutStateReason: 'ECS deployment ecs-svc/333 rolling back to ecs-svc/111.'
    });
    expect(classify(snapshot([rollback, { ...failed, status: 'ACTIVE' }], breaker), ctx)).toMatchObject({
      status: 'ROLLED_BACK',
      otherDeploymentId: 'ecs-svc/333'
    });
    // Later still: the failed deployment is gone, the service is back on the old revision.
    expect(classify(snapshot([rollback], { taskDefinition: OLD }), ctx)).toMatchObject({
      status: 'ROLLED_BACK',
      rolledBackByEcs: true
    });
  });

  it('SUPERSEDED when a deployment started by someone else takes over', () => {
    const other = deployment({ id: 'ecs-svc/999', taskDefinition: tdArn('web', 9) });
    expect(classify(snapshot([other, ours({ status: 'ACTIVE' })]), ctx)).toMatchObject({
      status: 'SUPERSEDED',
      otherDeploymentId: 'ecs-svc/999'
    });
    // A forced new deployment of the same revision also takes over.
    const forced = deployment({ id: 'ecs-svc/998', taskDefinition: NEW });
    expect(classify(snapshot([forced]), ctx)).toMatchObject({ status: 'SUPERSEDED' });
  });
});

describe('watchDeployment', () => {
  it('follows the deployment over several polls, prints new events and count changes, one DescribeServices per poll', async () => {
    const known = service().events ?? [];
    const e1 = {
      id: 'e1',
      createdAt: new Date('2026-11-22T10:00:10Z'),
      message: '(service web) has started 2 tasks: (task 1a) (task 2b).'
    };
    const e2 = {
      id: 'e2',
      createdAt: new Date('2026-11-22T10:01:10Z'),
      message: '(service web) has reached a steady state.'
    };
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [snapshot([ours({ pendingCount: 2 }), old()], { events: known })] })
      .resolvesOnce({
        services: [snapshot([ours({ pendingCount: 1, runningCount: 1 }), old()], { events: [e1, ...known] })]
      })
      .resolvesOnce({
        services: [snapshot([ours({ pendingCount: 1, runningCount: 1 }), old()], { events: [e1, ...known] })]
      })
      .resolvesOnce({
        services: [
          snapshot([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], { events: [e2, e1, ...known] })
        ]
      });
    const log = memoryLogger();
    const clock = virtualClock();
    const result = await watchDeployment(
      clients,
      target,
      { ...ctx, timeoutMs: 600_000, intervalMs: 5000, clock, knownEvents: known },
      log
    );
    expect(result).toMatchObject({ status: 'COMPLETED', polls: 4, elapsedMs: 15_000 });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(4);
    const text = log.text();
    expect(text).not.toMatch(/started 2 tasks: \(task a\)/);
    expect(text.indexOf('has started 2 tasks: (task 1a)')).toBeLessThan(
      text.indexOf('has reached a steady state')
    );
    expect(text.match(/has started 2 tasks: \(task 1a\)/g)).toHaveLength(1);
    // ECS quotes load balancer and task reasons in its events: they print as untrusted text.
    expect(log.lines).toContain(
      'untrusted:   event 2026-11-22T10:00:10.000Z (service web) has started 2 tasks: (task 1a) (task 2b).'
    );
    expect(log.lines.filter(l => l.includes('has started 2 tasks') && !l.startsWith('untrusted: '))).toEqual(
      []
    );
    expect(text).toMatch(/running 0\/2, pending 2/);
    expect(text).toMatch(/running 1\/2, pending 1/);
    expect(text.match(/running 1\/2, pending 1/g)).toHaveLength(1);
  });

  it('reports FAILED at the first poll that shows it, not at the timeout', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [snapshot([ours(), old()])] })
      .resolvesOnce({
        services: [
          snapshot([
            ours({
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
              failedTasks: 2
            }),
            old()
          ])
        ]
      });
    const clock = virtualClock();
    const result = await watchDeployment(
      clients,
      target,
      { ...ctx, timeoutMs: 900_000, intervalMs: 5000, clock },
      memoryLogger()
    );
    expect(result).toMatchObject({ status: 'FAILED', polls: 2, elapsedMs: 5000 });
  });

  it('sees a circuit-breaker rollback that happened between two polls', async () => {
    const rollback = deployment({
      id: 'ecs-svc/333',
      taskDefinition: OLD,
      rolloutStateReason: 'ECS deployment ecs-svc/333 rolling back to ecs-svc/111.'
    });
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [snapshot([ours(), old()])] })
      .resolvesOnce({ services: [snapshot([rollback], { taskDefinition: OLD })] });
    const result = await watchDeployment(
      clients,
      target,
      { ...ctx, timeoutMs: 900_000, intervalMs: 5000, clock: virtualClock() },
      memoryLogger()
    );
    expect(result).toMatchObject({ status: 'ROLLED_BACK', rolledBackByEcs: true, polls: 2 });
  });

  it('reports SUPERSEDED when another deployment takes over mid-wait', async () => {
    const other = deployment({ id: 'ecs-svc/999', taskDefinition: tdArn('web', 9) });
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [snapshot([ours(), old()])] })
      .resolvesOnce({ services: [snapshot([other, ours({ status: 'ACTIVE' })])] });
    const result = await watchDeployment(
      clients,
      target,
      { ...ctx, timeoutMs: 900_000, intervalMs: 5000, clock: virtualClock() },
      memoryLogger()
    );
    expect(result).toMatchObject({ status: 'SUPERSEDED', otherDeploymentId: 'ecs-svc/999' });
  });

  it('times out with where the deployment stands', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [snapshot([ours({ runningCount: 1, pendingCount: 1 }), old()])] });
    const clock = virtualClock();
    const result = await watchDeployment(
      clients,
      target,
      { ...ctx, timeoutMs: 60_000, intervalMs: 5000, clock },
      memoryLogger()
    );
    expect(result.status).toBe('TIMED_OUT');
    expect(result.reason).toMatch(/Timed out after 1m 00s.*IN_PROGRESS, running 1\/2, pending 1, failed 0/);
    expect(clock.now()).toBe(60_000);
    // One look per interval: 0, 5, …, 60 s.
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(13);
  });

  it('keeps waiting through throttling and 5xx, backing off, without ending early', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [snapshot([ours(), old()])] })
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(unavailable())
      .resolvesOnce({ services: [snapshot([ours({ rolloutState: 'COMPLETED', runningCount: 2 })])] });
    const log = memoryLogger();
    const clock = virtualClock();
    const result = await watchDeployment(
      clients,
      target,
      { ...ctx, timeoutMs: 900_000, intervalMs: 5000, clock },
      log
    );
    expect(result.status).toBe('COMPLETED');
    expect(clock.slept).toEqual([5000, 5000, 10_000, 20_000]);
    expect(log.text()).toMatch(/ThrottlingException: Rate exceeded\. Still waiting/);
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(5);
  });

  it('fails at once on AccessDenied', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(
      Object.assign(new Error('not authorized to perform: ecs:DescribeServices'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 }
      })
    );
    const clock = virtualClock();
    await expect(
      watchDeployment(
        clients,
        target,
        { ...ctx, timeoutMs: 900_000, intervalMs: 5000, clock },
        memoryLogger()
      )
    ).rejects.toThrow(/ecs:DescribeServices/);
    expect(clock.slept).toEqual([]);
  });

  it('stops promptly on cancellation and says where the deployment stands', async () => {
    const controller = new AbortController();
    let polls = 0;
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      polls += 1;
      if (polls === 2) controller.abort();
      return { services: [snapshot([ours({ runningCount: 1, pendingCount: 1 }), old()])] };
    });
    const log = memoryLogger();
    const result = await watchDeployment(
      clients,
      target,
      { ...ctx, timeoutMs: 900_000, intervalMs: 5000, clock: virtualClock(), signal: controller.signal },
      log
    );
    expect(result).toMatchObject({ status: 'CANCELLED', polls: 2 });
    expect(result.reason).toMatch(/running 1\/2, pending 1/);
    expect(log.text()).toMatch(/Cancelled after/);
  });
});

describe('watchDeployment cancelled before its first answer', () => {
  it('says where the deployment stood when UpdateService returned it', async () => {
    const controller = new AbortController();
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      controller.abort();
      throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    });
    const result = await watchDeployment(
      clients,
      target,
      {
        ...ctx,
        timeoutMs: 900_000,
        intervalMs: 5000,
        clock: virtualClock(),
        signal: controller.signal,
        initial: ours({ pendingCount: 2 })
      },
      memoryLogger()
    );
    expect(result).toMatchObject({ status: 'CANCELLED', polls: 1 });
    expect(result.reason).toMatch(/stands at: IN_PROGRESS, running 0\/2, pending 2/);
  });
});

describe('startDeployment', () => {
  it('calls UpdateService and follows the PRIMARY deployment it returns', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: snapshot([ours(), old()]) });
    const { deployment: d } = await startDeployment(
      clients,
      target,
      { taskDefinitionArn: NEW, forceNewDeployment: false, desiredCount: 3 },
      memoryLogger()
    );
    expect(d.id).toBe(NEW_DEPLOYMENT);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: CLUSTER,
      service: SERVICE,
      taskDefinition: NEW,
      desiredCount: 3,
      forceNewDeployment: undefined
    });
  });

  it('after a 5xx, adopts the deployment the lost call started instead of starting a second one', async () => {
    const clock = virtualClock(Date.parse('2026-11-22T10:00:00Z'));
    ecsMock.on(UpdateServiceCommand).rejects(unavailable());
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [snapshot([ours({ createdAt: new Date('2026-11-22T10:00:00.500Z') }), old()])] });
    const { deployment: d } = await startDeployment(
      clients,
      target,
      { taskDefinitionArn: NEW, forceNewDeployment: true, clock },
      memoryLogger()
    );
    expect(d.id).toBe(NEW_DEPLOYMENT);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('retries UpdateService when the lost call did not go through', async () => {
    const clock = virtualClock();
    ecsMock
      .on(UpdateServiceCommand)
      .rejectsOnce(throttled())
      .resolves({ service: snapshot([ours(), old()]) });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service()] });
    const { deployment: d } = await startDeployment(
      clients,
      target,
      { taskDefinitionArn: NEW, forceNewDeployment: false, clock },
      memoryLogger()
    );
    expect(d.id).toBe(NEW_DEPLOYMENT);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(2);
  });
});
