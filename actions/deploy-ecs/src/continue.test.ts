import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ECSClient,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { notPausedEnding, readPausedTarget } from './continue.js';
import {
  NEW_REVISION,
  NEW_TD,
  OLD_REVISION,
  OLD_TD,
  REGION,
  SERVICE_DEPLOYMENT_ARN,
  service,
  serviceDeployment
} from './testing/fixtures.js';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({
  region: REGION,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
});
// The developer guide's example hook id ("Pause hooks for Amazon ECS service deployments").
const HOOK = 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw';

describe('readPausedTarget', () => {
  beforeEach(() => {
    ecsMock.reset();
    ecsMock.on(DescribeServiceRevisionsCommand, { serviceRevisionArns: [NEW_REVISION] }).resolves({
      serviceRevisions: [{ serviceRevisionArn: NEW_REVISION, taskDefinition: NEW_TD }]
    });
    ecsMock.on(DescribeServiceRevisionsCommand, { serviceRevisionArns: [OLD_REVISION] }).resolves({
      serviceRevisions: [{ serviceRevisionArn: OLD_REVISION, taskDefinition: OLD_TD }]
    });
  });
  const continuing = { serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN, action: 'CONTINUE' as const };
  const paused = (overrides: Partial<ServiceDeployment> = {}) =>
    serviceDeployment({
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      lifecycleHookDetails: [
        { hookId: HOOK, targetType: 'PAUSE', status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK' }
      ],
      ...overrides
    });

  it('reads the hook awaiting action and the revisions it deploys and replaces', async () => {
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [paused()] });
    const target = await readPausedTarget(ecs, continuing, service());
    expect(target).toMatchObject({
      hook: { hookId: HOOK, stage: 'POST_TEST_TRAFFIC_SHIFT', timeoutAction: 'ROLLBACK' },
      taskDefinitionArn: NEW_TD,
      previousTaskDefinitionArn: OLD_TD
    });
  });

  it("refuses another service's deployment, naming continue-deployment, before anything is sent", async () => {
    const other = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/api';
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [paused({ serviceArn: other })] });
    await expect(readPausedTarget(ecs, continuing, service())).rejects.toMatchObject({
      input: 'continue-deployment',
      message: expect.stringContaining(`is one of ${other}, not of the service 'web'`)
    });
  });

  it('refuses a deployment ECS does not know, with its reason', async () => {
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [], failures: [{ arn: SERVICE_DEPLOYMENT_ARN, reason: 'MISSING' }] });
    await expect(readPausedTarget(ecs, continuing, service())).rejects.toMatchObject({
      input: 'continue-deployment',
      message: expect.stringContaining('(MISSING)')
    });
  });
});

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
