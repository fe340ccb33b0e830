/**
 * A whole deploy of a BLUE_GREEN, LINEAR or CANARY service, over the stateful strategy fake: the refusals before
 * any write, what UpdateService is sent, the stages followed, ECS's rollback left alone, the step's own rollback
 * through StopServiceDeployment, wait-until, and what the outputs, summary and report say.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { describeError, memoryLogger, virtualClock } from '../../../core/index.js';
import type { DeployContext } from '../../../core/deploy.js';
import { givenClients } from './clients.js';
import { deploy } from './deploy.js';
import {
  BLUE_GREEN_BALANCER,
  BLUE_GREEN_CONFIGURATION,
  NEW_REVISION,
  OLD_REVISION,
  REGION,
  SERVICE_DEPLOYMENT_ARN
} from './testing/fixtures.js';
import { deployInputs, finishOf } from './testing/harness.js';
import { strategyWorld, type StrategyScript } from './testing/strategy-fake.js';

const ecsMock = mockClient(ECSClient);
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
const source = givenClients({
  ecs: new ECSClient({ region: REGION, credentials }),
  ecsNoRetry: new ECSClient({ region: REGION, credentials })
});
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2.0.0';
beforeEach(() => {
  ecsMock.reset();
});

const inputs = (values: Record<string, string>) =>
  deployInputs({ image: IMAGE, container: 'app', ...values });
const run = (values: Record<string, string>, log = memoryLogger()) => {
  const ctx: DeployContext = {
    log,
    clock: virtualClock(),
    signal: new AbortController().signal,
    deadline: Infinity
  };
  return deploy(inputs(values), ctx, source);
};

const green = (production: number) => ({
  targetServiceRevision: {
    arn: NEW_REVISION,
    requestedTaskCount: 2,
    runningTaskCount: 2,
    pendingTaskCount: 0,
    requestedProductionTrafficWeight: production,
    requestedTestTrafficWeight: 100
  }
});
const at = (stage: ServiceDeployment['lifecycleStage'], more: Partial<ServiceDeployment> = {}) => ({
  lifecycleStage: stage,
  ...green(stage === 'BAKE_TIME' || stage === 'CLEAN_UP' ? 100 : 0),
  ...more
});
const STAGES = [
  at('SCALE_UP'),
  at('TEST_TRAFFIC_SHIFT'),
  at('POST_TEST_TRAFFIC_SHIFT'),
  at('PRODUCTION_TRAFFIC_SHIFT', green(100)),
  at('BAKE_TIME'),
  at('CLEAN_UP', { status: 'SUCCESSFUL' })
];
const blueGreen = (script: Omit<StrategyScript, 'service'>): StrategyScript => ({
  ...script,
  service: {
    loadBalancers: [BLUE_GREEN_BALANCER],
    deploymentConfiguration: BLUE_GREEN_CONFIGURATION
  }
});
const rollingBack = (
  status: 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_SUCCESSFUL',
  more: Partial<ServiceDeployment> = {}
) =>
  at('BAKE_TIME', {
    ...green(0),
    status,
    rollback: {
      reason: 'Alarm web-5xx detected in ALARM state during BAKE_TIME.',
      serviceRevisionArn: OLD_REVISION
    },
    ...more
  });

describe('deploy, strategy deployments', () => {
  it('a CODE_DEPLOY service is refused before anything is registered, with what to do', async () => {
    const fake = strategyWorld(ecsMock, {
      steps: STAGES,
      service: { deploymentController: { type: 'CODE_DEPLOY' } }
    });
    const result = await run({});
    expect(result.status).toBe('FAILED');
    expect(describeError(result.error)).toMatch(
      /^Input 'service': the service 'web' uses the CODE_DEPLOY deployment controller/
    );
    expect(fake.registrations()).toBe(0);
    expect(fake.updates()).toBe(0);
  });

  it('blue/green completes: the configuration merged into UpdateService, each stage, the outputs', async () => {
    const fake = strategyWorld(ecsMock, blueGreen({ steps: STAGES }));
    const log = memoryLogger();
    const result = await run({ 'bake-time': '15m', alarms: 'web-5xx' }, log);
    expect(result).toMatchObject({
      status: 'COMPLETED',
      success: true,
      serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN
    });
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input.deploymentConfiguration).toEqual({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 15,
      alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true }
    });
    expect(log.text()).toContain(
      'Deployment configuration: bake time 10m → 15m; alarms — → web-5xx (rollback on).'
    );
    expect(log.text()).toMatch(/\[\+15s\] PRODUCTION_TRAFFIC_SHIFT · production traffic 100%/);
    const { outputs, summary } = finishOf(result);
    expect(outputs).toMatchObject({
      status: 'COMPLETED',
      'service-deployment-arn': SERVICE_DEPLOYMENT_ARN,
      'lifecycle-stage': 'CLEAN_UP'
    });
    expect(summary).toContain('### Deployment strategy: BLUE_GREEN');
    expect(fake.updates()).toBe(1);
    expect(fake.registrations()).toBe(1);
  });

  it('an alarm during the bake: ECS rolls back, the alarm is the cause everywhere, nothing more is written', async () => {
    const triggered = {
      status: 'TRIGGERED' as const,
      alarmNames: ['web-5xx'],
      triggeredAlarmNames: ['web-5xx']
    };
    const steps = [
      ...STAGES.slice(0, 5),
      rollingBack('ROLLBACK_IN_PROGRESS', { alarms: triggered }),
      rollingBack('ROLLBACK_SUCCESSFUL', { alarms: triggered })
    ];
    const fake = strategyWorld(ecsMock, blueGreen({ steps }));
    const result = await run({});
    const cause = 'alarm web-5xx triggered during BAKE_TIME; ECS rolled back to web:7';
    expect(result).toMatchObject({ status: 'ROLLED_BACK', success: false, rootCause: cause });
    expect(result.reason.startsWith(`${cause}. ECS rolled service deployment`)).toBe(true);
    const { report, summary, failed } = finishOf(result);
    expect(report.summary.startsWith(cause)).toBe(true);
    expect(summary.split('\n')[0]).toContain(`ROLLED_BACK: ${cause}`);
    expect(failed).toMatch(new RegExp(`^ROLLED_BACK: ${cause}`));
    expect(fake.updates()).toBe(1);
    expect(fake.stops()).toEqual([]);
  });

  it("the step's timeout during the bake: StopServiceDeployment ROLLBACK, never a second UpdateService", async () => {
    const afterStop = [rollingBack('ROLLBACK_IN_PROGRESS'), rollingBack('ROLLBACK_SUCCESSFUL')];
    const fake = strategyWorld(ecsMock, blueGreen({ steps: STAGES.slice(0, 5), afterStop }));
    const result = await run({ timeout: '2m' });
    expect(fake.stops()).toEqual([{ serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN, stopType: 'ROLLBACK' }]);
    expect(fake.updates()).toBe(1);
    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(
      /Timed out after .* stands at BAKE_TIME, IN_PROGRESS; about \d+m \d+s of bake time left\..*Stopped service deployment ejGvqq2ilnbKT9qj0vLJe with stopType ROLLBACK; ECS rolled back to web:7\.$/s
    );
    expect(finishOf(result).summary).toContain('StopServiceDeployment ROLLBACK: ROLLBACK_SUCCESSFUL');
  });

  it('a rollback still under way when the time is up leaves TIMED_OUT, saying ECS carries on with it', async () => {
    const afterStop = [rollingBack('ROLLBACK_IN_PROGRESS')];
    const fake = strategyWorld(ecsMock, blueGreen({ steps: STAGES.slice(0, 5), afterStop }));
    const result = await run({ timeout: '20s' });
    expect(fake.stops()).toHaveLength(1);
    expect(result.status).toBe('TIMED_OUT');
    expect(result.reason).toMatch(
      /ECS was still rolling back to web:7 \(ROLLBACK_IN_PROGRESS\) when the step's time ran out, and carries on\.$/
    );
  });

  it('with rollback false, a timeout stops nothing', async () => {
    const fake = strategyWorld(ecsMock, blueGreen({ steps: STAGES.slice(0, 5) }));
    const result = await run({ timeout: '2m', rollback: 'false' });
    expect(result.status).toBe('TIMED_OUT');
    expect(fake.stops()).toEqual([]);
  });

  it('wait-until production-traffic ends the step green at BAKE_TIME, saying what ECS still does', async () => {
    const fake = strategyWorld(ecsMock, blueGreen({ steps: STAGES }));
    const result = await run({ 'wait-until': 'production-traffic' });
    expect(result).toMatchObject({ status: 'IN_PROGRESS', success: true });
    expect(result.reason).toMatch(/ECS carries on with the rest of BAKE_TIME \(about 10m 00s\), CLEAN_UP/);
    expect(finishOf(result).outputs).toMatchObject({ 'lifecycle-stage': 'BAKE_TIME', status: 'IN_PROGRESS' });
    expect(fake.looks()).toBe(5);
  });

  it('verify refuses a strategy the service is not set up for, before any write, naming the input', async () => {
    const fake = strategyWorld(ecsMock, { steps: STAGES });
    const result = await run({ strategy: 'LINEAR', 'bake-time': '5m' });
    expect(result.status).toBe('FAILED');
    expect(describeError(result.error)).toMatch(/^Input 'strategy': LINEAR needs advancedConfiguration/);
    expect(fake.registrations()).toBe(0);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('canary settings on a service that is not CANARY are refused before any write', async () => {
    const fake = strategyWorld(ecsMock, blueGreen({ steps: STAGES }));
    const result = await run({ 'canary-percent': '10' });
    expect(describeError(result.error)).toMatch(
      /^Input 'canary-percent': is a setting of strategy CANARY, and the service 'web' uses strategy BLUE_GREEN/
    );
    expect(fake.registrations()).toBe(0);
  });
});
