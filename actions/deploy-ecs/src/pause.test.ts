import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger, virtualClock } from '../../../core/index.js';
import { continueDeployment, pausedHook, pausedText } from './pause.js';

const ecsMock = mockClient(ECSClient);
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
const clients = {
  ecs: new ECSClient({ region: 'eu-west-1', credentials }),
  ecsNoRetry: new ECSClient({ region: 'eu-west-1', credentials, maxAttempts: 1 })
};
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/gYxPJmuD9bQ6ldKhwu1YS';
// The hook id's form is the developer guide's example ("Continuing service deployments").
const HOOK = 'ecs-pause-1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6p7q8r9s0t1u2';
const paused = (status = 'AWAITING_ACTION', targetType = 'PAUSE'): ServiceDeployment => ({
  serviceDeploymentArn: ARN,
  status: 'IN_PROGRESS',
  lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
  lifecycleHookDetails: [
    {
      hookId: HOOK,
      targetType: targetType as never,
      status: status as never,
      expiresAt: new Date('2026-11-22T11:00:00.000Z'),
      timeoutAction: 'ROLLBACK'
    }
  ]
});

beforeEach(() => {
  ecsMock.reset();
});

describe('pausedHook', () => {
  it('finds the PAUSE hook awaiting action, and only that', () => {
    expect(pausedHook(paused())).toEqual({
      hookId: HOOK,
      stage: 'POST_TEST_TRAFFIC_SHIFT',
      expiresAt: new Date('2026-11-22T11:00:00.000Z'),
      timeoutAction: 'ROLLBACK'
    });
    expect(pausedHook(paused('SUCCEEDED'))).toBeUndefined();
    expect(pausedHook(paused('IN_PROGRESS', 'AWS_LAMBDA'))).toBeUndefined();
    expect(pausedHook(undefined)).toBeUndefined();
    expect(pausedText(pausedHook(paused())!)).toBe(
      `paused at POST_TEST_TRAFFIC_SHIFT (hook ${HOOK}), until 2026-11-22T11:00:00Z, then ROLLBACK`
    );
  });
});

describe('continueDeployment', () => {
  it('continues the hook once', async () => {
    ecsMock.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: ARN });
    const log = memoryLogger();
    await continueDeployment(clients, ARN, pausedHook(paused())!, 'CONTINUE', { log, clock: virtualClock() });
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand).map(c => c.args[0].input)).toEqual([
      { serviceDeploymentArn: ARN, hookId: HOOK, action: 'CONTINUE' }
    ]);
    expect(log.lines[0]).toBe(
      `ContinueServiceDeployment CONTINUE: ${ARN}, hook ${HOOK} at POST_TEST_TRAFFIC_SHIFT.`
    );
  });

  it('after a lost answer, looks before trying again: a hook no longer waiting means the call went through', async () => {
    const lost = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
    ecsMock.on(ContinueServiceDeploymentCommand).rejects(lost);
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [paused('SUCCEEDED')] });
    await continueDeployment(clients, ARN, pausedHook(paused())!, 'ROLLBACK', {
      log: memoryLogger(),
      clock: virtualClock()
    });
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(1);
  });
});
