/**
 * deploy-ecs end to end on gated promotion and registered revisions (issue 16): the bundle runs as the runner
 * runs it against moto behind the ECS scenario layer. A service whose PAUSE hook holds its blue/green deployment
 * at POST_TEST_TRAFFIC_SHIFT (`blue-green-pause`) gets a smoke test that passes (continued, completed) or fails
 * (stopped with StopServiceDeployment ROLLBACK, the test's last line the root cause); without a smoke test the step
 * ends at the pause and a second step continues it, or rolls it back, as the reusable workflow's approval job does.
 * Scripted by the layer's looks (LOOK_PACE) and by call counts, never by the wall clock.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { parseReports } from '../core/report.js';
import { runScenario } from '../sim/ecs/run.js';
import { STRATEGY_SCENARIOS } from '../sim/ecs/scenarios.js';
import { IMAGE_V2, sdkConfig, taskDefinitionInput, type Seeded } from '../sim/ecs/seed.js';
import type { EcsStack } from '../sim/ecs/stack.js';
import { ecsStackForFile, failureLine, summaryTitle } from './ecs.js';

let stack: EcsStack;
ecsStackForFile(started => {
  stack = started;
});

const PAUSE = STRATEGY_SCENARIOS['blue-green-pause'];
// The fixture's SDK warns on the Node the tests run under; its output is the smoke test's, and short.
const QUIET = { NODE_NO_WARNINGS: '1' };
const SMOKE = fileURLToPath(new URL('./fixtures/smoke/listener-check.mjs', import.meta.url));

/** The fixture's smoke test: the test rule must send all to the new (alternate) target group, production none. */
function smokeTest(seed: Seeded, mode = ''): string {
  const s = seed.strategy!;
  return `node ${SMOKE} ${s.testListenerRule} ${s.productionListenerRule} ${s.alternateTargetGroupArn} ${mode}`.trim();
}

const count = (operation: string) => stack.proxy.count(operation);
const callsOf = (operation: string) => stack.proxy.calls.filter(c => c.operation === operation);

describe('deploy-ecs smoke test, held by a PAUSE hook at POST_TEST_TRAFFIC_SHIFT', () => {
  it('passes: the hook is continued once and the deployment completes, one register and one update', async () => {
    const seed = await stack.fresh(PAUSE.seed);
    const r = await runScenario(stack, PAUSE, {
      reuse: seed,
      env: QUIET,
      inputs: { 'smoke-test': smokeTest(seed) }
    });
    expect(r.result.code).toBe(0);
    expect(r.result.outputs).toMatchObject({
      status: 'COMPLETED',
      'smoke-test-status': 'PASSED',
      paused: 'false',
      'lifecycle-stage': 'CLEAN_UP'
    });
    // The test saw test traffic on the new revision, production still on the old one, and its URL.
    expect(r.result.stdout).toMatch(/test listener: 100% to the new revision; production listener: 0%/);
    expect(r.result.stdout).toMatch(/GET http:\/\/\S+:8080\/health/);
    expect(count('ContinueServiceDeployment')).toBe(1);
    expect(callsOf('ContinueServiceDeployment')[0].params).toMatchObject({ action: 'CONTINUE' });
    expect(count('RegisterTaskDefinition')).toBe(1);
    expect(count('UpdateService')).toBe(1);
    expect(count('StopServiceDeployment')).toBe(0);
    expect(r.result.summary).toMatch(/Smoke test.*PASSED/);
  }, 60_000);

  it('fails: StopServiceDeployment ROLLBACK, its last line the root cause, and nothing else written', async () => {
    const seed = await stack.fresh(PAUSE.seed);
    const r = await runScenario(stack, PAUSE, {
      reuse: seed,
      env: QUIET,
      inputs: { 'smoke-test': smokeTest(seed, '--fail') }
    });
    expect(r.result.code).not.toBe(0);
    expect(r.result.outputs).toMatchObject({ status: 'ROLLED_BACK', 'smoke-test-status': 'FAILED' });
    const cause = /smoke test exited with code 22: curl: \(22\) The requested URL returned error: 503/;
    expect(failureLine(r)).toMatch(new RegExp(`^ROLLED_BACK: ${cause.source}`));
    expect(summaryTitle(r)).toMatch(new RegExp(`— ROLLED_BACK: ${cause.source}`));
    const [report] = parseReports(r.result.outputs.report);
    expect(report.summary).toMatch(cause);
    // The test's output reached the log as data only, and the summary in a code block.
    expect(r.result.output).toMatch(/::stop-commands::\S+\n(.*\n)*.*curl: \(22\)/);
    expect(r.result.summary).toMatch(/<summary>Smoke test \(FAILED, exit 22\)/);
    expect(count('RegisterTaskDefinition')).toBe(1);
    expect(count('UpdateService')).toBe(1);
    expect(count('ContinueServiceDeployment')).toBe(0);
    const [stop] = callsOf('StopServiceDeployment');
    expect(stop.params).toMatchObject({ stopType: 'ROLLBACK' });
    expect(callsOf('UpdateService').filter(c => c.receivedAt > stop.receivedAt)).toHaveLength(0);
    expect(r.result.summary).toContain('StopServiceDeployment ROLLBACK: ROLLBACK_SUCCESSFUL');
  }, 60_000);
});

describe('deploy-ecs smoke test on a service ECS cannot hold', () => {
  it('is refused before anything is written, saying what the service needs', async () => {
    const blueGreen = STRATEGY_SCENARIOS['blue-green'];
    const seed = await stack.fresh(blueGreen.seed);
    const r = await runScenario(stack, blueGreen, { reuse: seed, inputs: { 'smoke-test': smokeTest(seed) } });
    expect(r.result.code).not.toBe(0);
    expect(failureLine(r)).toMatch(
      /Input 'smoke-test': needs ECS to hold the deployment at POST_TEST_TRAFFIC_SHIFT .* no PAUSE lifecycle hook there/
    );
    expect(r.result.output).toContain(
      '"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]'
    );
    expect(count('RegisterTaskDefinition') + count('UpdateService')).toBe(0);
  }, 60_000);
});

describe('deploy-ecs ends at a PAUSE hook; a second step continues or rolls back', () => {
  /** The first step: ends at the pause, green, saying how to go on. */
  async function pausedStep() {
    const seed = await stack.fresh(PAUSE.seed);
    const first = await runScenario(stack, PAUSE, { reuse: seed });
    expect(first.result.code).toBe(0);
    expect(first.result.outputs).toMatchObject({
      status: 'IN_PROGRESS',
      paused: 'true',
      'lifecycle-stage': 'POST_TEST_TRAFFIC_SHIFT'
    });
    const arn = first.result.outputs['service-deployment-arn'];
    expect(first.result.stdout).toContain(`'continue-deployment: ${arn}'`);
    expect(count('ContinueServiceDeployment')).toBe(0);
    return { seed, arn };
  }

  const continueStep = (seed: Seeded, arn: string, action: string) =>
    runScenario(stack, PAUSE, {
      reuse: seed,
      inputs: {
        images: undefined,
        'continue-deployment': arn,
        'continue-action': action
      }
    });

  it('continue-action continue: ContinueServiceDeployment CONTINUE, followed to the end, nothing registered', async () => {
    const { seed, arn } = await pausedStep();
    const r = await continueStep(seed, arn, 'continue');
    expect(r.result.code).toBe(0);
    expect(r.result.outputs).toMatchObject({
      status: 'COMPLETED',
      'service-deployment-arn': arn,
      'lifecycle-stage': 'CLEAN_UP'
    });
    expect(callsOf('ContinueServiceDeployment').map(c => c.params?.action)).toEqual(['CONTINUE']);
    expect(count('RegisterTaskDefinition')).toBe(0);
    expect(count('UpdateService')).toBe(0);
  }, 60_000);

  it('continue-action rollback: ECS rolls back as asked, the step says why and fails', async () => {
    const { seed, arn } = await pausedStep();
    const r = await continueStep(seed, arn, 'rollback');
    expect(r.result.code).not.toBe(0);
    expect(r.result.outputs.status).toBe('ROLLED_BACK');
    expect(failureLine(r)).toMatch(/^ROLLED_BACK: rolled back as 'continue-action: rollback' asked/);
    expect(r.result.stdout).toMatch(/ROLLBACK_SUCCESSFUL /);
    expect(callsOf('ContinueServiceDeployment').map(c => c.params?.action)).toEqual(['ROLLBACK']);
    expect(count('UpdateService') + count('RegisterTaskDefinition') + count('StopServiceDeployment')).toBe(0);
  }, 60_000);
});

describe('deploy-ecs task-definition-arn on a blue/green service', () => {
  it('deploys the registered revision as it is: no RegisterTaskDefinition, one UpdateService naming it', async () => {
    const blueGreen = STRATEGY_SCENARIOS['blue-green'];
    const seed = await stack.fresh(blueGreen.seed);
    const ecs = new ECSClient(sdkConfig(stack.env.AWS_ENDPOINT_URL));
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand(taskDefinitionInput(seed.family, seed.logGroup, IMAGE_V2))
    );
    ecs.destroy();
    const arn = registered.taskDefinition!.taskDefinitionArn!;
    const r = await runScenario(stack, blueGreen, {
      reuse: seed,
      inputs: { images: undefined, 'task-definition-arn': arn }
    });
    expect(r.result.code).toBe(0);
    expect(r.result.outputs).toMatchObject({
      status: 'COMPLETED',
      'task-definition-arn': arn,
      registered: 'false'
    });
    expect(count('RegisterTaskDefinition')).toBe(0);
    expect(callsOf('UpdateService').map(c => c.params?.taskDefinition)).toEqual([arn]);
  }, 60_000);
});
