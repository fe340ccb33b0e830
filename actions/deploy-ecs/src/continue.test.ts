import { describe, expect, it } from '@jest/globals';
import type { ServiceDeployment } from '@aws-sdk/client-ecs';
import { notPausedEnding } from './continue.js';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/gYxPJmuD9bQ6ldKhwu1YS';
const at = (status: string, stage = 'CLEAN_UP'): ServiceDeployment => ({
  serviceDeploymentArn: ARN,
  status: status as never,
  lifecycleStage: stage as never
});

describe('notPausedEnding: a deployment the step was to continue no longer waits on a PAUSE hook', () => {
  it.each([
    ['ROLLBACK', 'ROLLBACK_SUCCESSFUL', 'ROLLED_BACK', /ECS is rolling it back or has, without this step/],
    ['ROLLBACK', 'ROLLBACK_IN_PROGRESS', 'ROLLED_BACK', /without this step/],
    ['CONTINUE', 'SUCCESSFUL', 'COMPLETED', /completed without this step/],
    ['CONTINUE', 'ROLLBACK_SUCCESSFUL', 'FAILED', /The approval came too late/],
    ['ROLLBACK', 'IN_PROGRESS', 'FAILED', /continued already; stop it with StopServiceDeployment ROLLBACK/],
    ['ROLLBACK', 'SUCCESSFUL', 'FAILED', /nothing to rollback/],
    ['CONTINUE', 'ROLLBACK_FAILED', 'FAILED', /ROLLBACK_FAILED/]
  ] as const)('%s on %s: %s', (action, status, expected, reason) => {
    const ending = notPausedEnding(at(status), action);
    expect(ending?.status).toBe(expected);
    expect(ending?.reason).toMatch(reason);
  });

  it('CONTINUE on a deployment going forward (someone continued it): followed', () => {
    expect(notPausedEnding(at('IN_PROGRESS', 'BAKE_TIME'), 'CONTINUE')).toBeUndefined();
  });
});
