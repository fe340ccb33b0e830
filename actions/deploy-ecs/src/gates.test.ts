import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  type DeploymentConfiguration,
  type Service
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger, virtualClock } from '../../../core/index.js';
import { gateCause, pauseGate, smokeTestHold, type GateState } from './gates.js';
import type { PausedHook } from './pause.js';
import { loadBalancedService, REGION } from './testing/fixtures.js';

const ecsMock = mockClient(ECSClient);
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
const clients = {
  ecs: new ECSClient({ region: REGION, credentials }),
  ecsNoRetry: new ECSClient({ region: REGION, credentials, maxAttempts: 1 })
};
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/gYxPJmuD9bQ6ldKhwu1YS';
// The developer guide's example hook id ("Pause hooks for Amazon ECS service deployments").
const HOOK = 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw';

/** A service with a test listener rule (or none), as DescribeServices shows a blue/green one. */
const withTestRule = (rule = true): Service =>
  loadBalancedService(
    rule
      ? 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab3/9683b2d02a6cabee'
      : undefined
  );

/** The guide's pause hook example: POST_TEST_TRAFFIC_SHIFT, 10 minutes, then ROLLBACK (or the action given). */
const pausedAt = (stage: string, action = 'ROLLBACK'): DeploymentConfiguration => ({
  strategy: 'BLUE_GREEN',
  bakeTimeInMinutes: 5,
  lifecycleHooks: [
    {
      targetType: 'PAUSE',
      lifecycleStages: [stage as never],
      timeoutConfiguration: { timeoutInMinutes: 10, action: action as never }
    } as never
  ]
});

describe('smokeTestHold', () => {
  it('accepts a PAUSE hook at POST_TEST_TRAFFIC_SHIFT on a service with test traffic', () => {
    expect(smokeTestHold('BLUE_GREEN', pausedAt('POST_TEST_TRAFFIC_SHIFT'), withTestRule())).toEqual([]);
  });

  it('warns when the hook continues at its timeout: a cancelled step would leave production untested', () => {
    const notes = smokeTestHold('CANARY', pausedAt('POST_TEST_TRAFFIC_SHIFT', 'CONTINUE'), withTestRule());
    expect(notes).toEqual([
      expect.stringMatching(/^smoke-test: the PAUSE hook .* continues when its timeout passes/)
    ]);
  });

  it.each([
    ['ROLLING', pausedAt('POST_TEST_TRAFFIC_SHIFT'), withTestRule(), /a ROLLING deployment has none/],
    ['BLUE_GREEN', pausedAt('POST_TEST_TRAFFIC_SHIFT'), withTestRule(false), /routes no test traffic/],
    ['BLUE_GREEN', pausedAt('PRE_PRODUCTION_TRAFFIC_SHIFT'), withTestRule(), /no PAUSE lifecycle hook there/],
    ['LINEAR', { strategy: 'LINEAR' }, withTestRule(), /no PAUSE lifecycle hook there/]
  ] as const)('refuses %s %j before any write, naming smoke-test', (strategy, config, svc, why) => {
    expect(() => smokeTestHold(strategy, config as DeploymentConfiguration, svc)).toThrow(
      expect.objectContaining({ input: 'smoke-test', message: expect.stringMatching(why) })
    );
  });
});

describe('pauseGate', () => {
  const hook = (stage: string, expiresAt?: Date): PausedHook => ({
    hookId: HOOK,
    stage,
    expiresAt,
    timeoutAction: 'ROLLBACK'
  });
  const look = {
    service: withTestRule(),
    deployment: { serviceDeploymentArn: ARN, status: 'IN_PROGRESS' as const }
  };
  const options = (smokeTest?: string[]) => ({
    clients,
    smokeTest,
    deploymentId: 'ecs-svc/1',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42',
    pollIntervalMs: 5000,
    timeLeftMs: () => 60_000,
    signal: new AbortController().signal,
    clock: virtualClock()
  });

  beforeEach(() => {
    ecsMock.reset();
  });

  it('ends the step at a pause it does not own, saying how to continue, once per hook', async () => {
    const state: GateState = {};
    const gate = pauseGate(options(), state, memoryLogger());
    const verdict = await gate(hook('PRE_PRODUCTION_TRAFFIC_SHIFT'), look);
    expect(verdict).toMatchObject({ status: 'IN_PROGRESS' });
    expect(verdict?.reason).toContain(`'continue-deployment: ${ARN}'`);
    expect(state.paused).toMatchObject({ hookId: HOOK, serviceDeploymentArn: ARN });
    expect(await gate(hook('PRE_PRODUCTION_TRAFFIC_SHIFT'), look)).toBeUndefined();
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0);
  });

  it('passes: continues the hook and goes on looking', async () => {
    ecsMock.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: ARN });
    const state: GateState = {};
    const gate = pauseGate(options(['node', '-e', 'console.log("200 OK")']), state, memoryLogger());
    expect(await gate(hook('POST_TEST_TRAFFIC_SHIFT'), look)).toBeUndefined();
    expect(state.smokeTest).toMatchObject({ status: 'PASSED', exitCode: 0 });
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand).map(c => c.args[0].input)).toEqual([
      { serviceDeploymentArn: ARN, hookId: HOOK, action: 'CONTINUE' }
    ]);
  });

  it('after a continue that threw (retried at the next look), continues again without running the test twice', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: {}
    });
    // sendOnce looks whether a failed call went through: the hook still awaits action, so it did not.
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: ARN,
          status: 'IN_PROGRESS',
          lifecycleHookDetails: [{ hookId: HOOK, targetType: 'PAUSE', status: 'AWAITING_ACTION' }]
        }
      ]
    });
    const state: GateState = {};
    const log = memoryLogger();
    const runs = ['node', '-e', 'console.log("ran")'];
    const gate = pauseGate(options(runs), state, log);
    // sendOnce retries a throttled call itself; one that still fails throws, and the follow looks again.
    ecsMock.on(ContinueServiceDeploymentCommand).rejects(throttled);
    await expect(gate(hook('POST_TEST_TRAFFIC_SHIFT'), look)).rejects.toThrow('Rate exceeded');
    const sent = ecsMock.commandCalls(ContinueServiceDeploymentCommand).length;
    ecsMock.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: ARN });
    expect(await gate(hook('POST_TEST_TRAFFIC_SHIFT'), look)).toBeUndefined();
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(sent + 1);
    expect(log.lines.filter(l => l.includes('running the smoke test'))).toHaveLength(1);
    expect(state.smokeTest?.status).toBe('PASSED');
  });

  it('fails: the deployment fails (the rollback phase stops it), the hook is not continued', async () => {
    const state: GateState = {};
    const command = [
      'node',
      '-e',
      'console.error("curl: (22) The requested URL returned error: 503"); process.exit(22)'
    ];
    const verdict = await pauseGate(
      options(command),
      state,
      memoryLogger()
    )(hook('POST_TEST_TRAFFIC_SHIFT'), look);
    expect(verdict).toMatchObject({ status: 'FAILED' });
    expect(verdict?.reason).toMatch(/no production traffic had moved/);
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0);
    const result = { gates: state, diagnostics: [] };
    expect(gateCause(result)).toBe(
      'smoke test exited with code 22: curl: (22) The requested URL returned error: 503'
    );
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ lines: ['curl: (22) The requested URL returned error: 503'] })
    ]);
  });

  it('never lets the smoke test outlive the hook: a hook expiring within the margin leaves it no time', async () => {
    const state: GateState = {};
    const opts = {
      ...options(['node', '-e', 'setTimeout(() => {}, 5000)']),
      clock: virtualClock(Date.now())
    };
    const verdict = await pauseGate(
      opts,
      state,
      memoryLogger()
    )(hook('POST_TEST_TRAFFIC_SHIFT', new Date(Date.now() + 5_000)), look);
    expect(verdict).toMatchObject({ status: 'FAILED' });
    expect(state.smokeTest).toMatchObject({ status: 'FAILED', durationMs: 0 });
    expect(state.smokeTest?.cause).toMatch(/^smoke test not run: the PAUSE hook expires at .*, too soon/);
  });
});
