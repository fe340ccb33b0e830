/**
 * deploy-ecs end to end on ECS's own blue/green, linear and canary deployments (issue 16): the bundle runs as the
 * runner runs it against moto behind the scenario layer, which emulates the service deployment APIs moto lacks
 * (sim/ecs, `STRATEGY_SCENARIOS`). Each case checks the outcome, the cause first where a person looks, that the
 * action acted at the first look that showed ECS's outcome, and what it wrote: exactly one RegisterTaskDefinition
 * and one UpdateService, none during or after ECS's rollback, a StopServiceDeployment only for its own rollback.
 * The layer is paced by the action's looks (LOOK_PACE): nothing here waits on the wall clock; how fast a stage is
 * seen, in seconds, is `npm run bench`'s to measure.
 */
import { describe, expect, it } from '@jest/globals';
import { parseReports } from '../core/report.js';
import { runScenario, type ScenarioRun } from '../sim/ecs/run.js';
import { ALARM, STRATEGY_SCENARIOS, baseInputs, type ScenarioCase } from '../sim/ecs/scenarios.js';
import type { EcsStack } from '../sim/ecs/stack.js';
import { ecsStackForFile, failureLine, summaryTitle } from './ecs.js';
import { LIFECYCLE_STAGES } from '../sim/ecs/strategy-stages.js';

let stack: EcsStack;
ecsStackForFile(started => {
  stack = started;
});

const run = (name: string, options: Parameters<typeof runScenario>[2] = {}) =>
  runScenario(stack, STRATEGY_SCENARIOS[name], options);

/** The calls the action made of an ECS operation. */
const count = (operation: string) => stack.proxy.count(operation);

/** The stages the step printed as entered (`[+…] STAGE · …`), in order. */
const stagesPrinted = ({ result }: ScenarioRun) =>
  result.stdout
    .split('\n')
    .map(l => /^ {2}\[\+[^\]]+\] (?:(?:ROLLBACK_\w+|SUCCESSFUL|STOPPED) )?([A-Z_]+)/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined);

/** Every status and stage ECS's service deployment went through, and when a response first showed it. */
function transitions(run: ScenarioRun) {
  const [deployment] = stack.layer.strategies.transitionsOf(run.seed.cluster, run.seed.service);
  return deployment?.transitions ?? [];
}

/** The action's looks at the service deployment after the first response that showed `shownAt`. */
const looksAfter = (shownAt: number | undefined) =>
  stack.proxy.calls.filter(
    c => c.operation === 'DescribeServiceDeployments' && c.receivedAt > (shownAt ?? Infinity)
  ).length;

/** The cause first: the step's error, the summary's title and the report (the email's header). */
function expectCauseFirst(run: ScenarioRun, status: string, cause: RegExp) {
  expect(failureLine(run)).toMatch(new RegExp(`^${status}: ${cause.source.replace(/^\^/, '')}`));
  expect(summaryTitle(run)).toMatch(new RegExp(`— ${status}: ${cause.source.replace(/^\^/, '')}`));
  const [report] = parseReports(run.result.outputs.report);
  expect(report.summary).toMatch(cause);
  expect(report.error).toBe(report.summary);
}

/** One registration and one deployment, and the outcome acted on at the first look that showed it. */
function expectOneWriteAndPrompt(run: ScenarioRun) {
  expect(count('RegisterTaskDefinition')).toBe(1);
  expect(count('UpdateService')).toBe(1);
  expect(run.measurement.pollsAfterSeen).toBe(0);
}

describe('deploy-ecs follows ECS blue/green, linear and canary deployments', () => {
  it('blue/green completes: every stage printed once, in order, the outputs say where it ended', async () => {
    const r = await run('blue-green');
    expect(r.result.code).toBe(0);
    expect(r.result.outputs).toMatchObject({ status: 'COMPLETED', 'lifecycle-stage': 'CLEAN_UP' });
    expect(r.result.outputs['service-deployment-arn']).toMatch(
      /^arn:aws:ecs:us-east-1:123456789012:service-deployment\//
    );
    // Each stage ECS's reference lists (no RECONCILE_SERVICE: one revision ran), then SUCCESSFUL at CLEAN_UP.
    const stages = LIFECYCLE_STAGES.filter(stage => stage !== 'RECONCILE_SERVICE');
    expect(stagesPrinted(r)).toEqual([...stages, 'CLEAN_UP']);
    expect(r.result.stdout).toMatch(
      /BAKE_TIME · production traffic 100% · .* · both revisions run for 3m 00s more/
    );
    expect(r.result.summary).toContain('### Deployment strategy: BLUE_GREEN');
    // Every stage was shown by a look, each the look it was entered at or the next.
    for (const t of transitions(r)) expect(t.shownAt).toBeDefined();
    expectOneWriteAndPrompt(r);
    expect(count('StopServiceDeployment')).toBe(0);
  }, 60_000);

  it('an alarm during the bake: ECS rolls back, the alarm is the cause, and nothing more is written', async () => {
    const r = await run('blue-green-alarm');
    expect(r.result.code).not.toBe(0);
    expect(r.result.outputs.status).toBe('ROLLED_BACK');
    expectCauseFirst(
      r,
      'ROLLED_BACK',
      new RegExp(`^alarm ${ALARM} triggered during BAKE_TIME; ECS rolled back to \\S+:1`)
    );
    expectOneWriteAndPrompt(r);
    expect(count('StopServiceDeployment')).toBe(0);
    // ECS's rollback was followed to its end.
    expect(r.result.stdout).toMatch(/ROLLBACK_IN_PROGRESS /);
    expect(r.result.stdout).toMatch(/ROLLBACK_SUCCESSFUL /);
  }, 60_000);

  it('a canary hook that fails: rolled back, with the hook and its stage named', async () => {
    const r = await run('canary-hook-fails');
    expect(r.result.outputs.status).toBe('ROLLED_BACK');
    expectCauseFirst(
      r,
      'ROLLED_BACK',
      /^lifecycle hook web-canary-check \(AWS_LAMBDA\) failed at PRODUCTION_TRAFFIC_SHIFT; ECS rolled back to \S+:1/
    );
    expect(r.result.stdout).toMatch(/canary: production traffic 10%, then a 3m canary bake/);
    expectOneWriteAndPrompt(r);
  }, 60_000);

  it('linear completes, each traffic step shown with its share', async () => {
    const r = await run('linear');
    expect(r.result.code).toBe(0);
    expect(r.result.outputs.status).toBe('COMPLETED');
    const steps = r.result.stdout.match(
      /\] PRODUCTION_TRAFFIC_SHIFT · production traffic \d+% \(step \d of 4\)/g
    );
    expect(steps?.map(s => /(\d+)%/.exec(s)?.[1])).toEqual(['25', '50', '75', '100']);
    expectOneWriteAndPrompt(r);
  }, 60_000);

  it("blue/green tasks that crash: the circuit breaker's rollback, with the tasks' cause and the app's log line", async () => {
    const r = await run('blue-green-circuit-breaker');
    expect(r.result.outputs.status).toBe('ROLLED_BACK');
    expectCauseFirst(
      r,
      'ROLLED_BACK',
      /^\d+ tasks stopped: app exited with code 1: L34 Error: DATABASE_URL is not set/
    );
    expect(r.result.summary).toContain('circuit breaker');
    expectOneWriteAndPrompt(r);
  }, 60_000);

  it("the step's timeout during the bake: StopServiceDeployment ROLLBACK, followed to its end, no second UpdateService", async () => {
    // 20 s: the wait keeps 4 s back; the 24-hour bake is still running when it ends.
    const longBake: ScenarioCase = {
      ...STRATEGY_SCENARIOS['blue-green-long-bake'],
      inputs: seed => ({ ...baseInputs(seed), timeout: '20s' }),
      timeoutMs: 20_000
    };
    const r = await runScenario(stack, longBake);
    expect(r.result.code).not.toBe(0);
    expect(r.result.outputs.status).toBe('ROLLED_BACK');
    expect(failureLine(r)).toMatch(
      /^ROLLED_BACK: Timed out after .* stands at BAKE_TIME, IN_PROGRESS; about .* of bake time left\./
    );
    expect(r.result.stdout).toContain('Rolling back: StopServiceDeployment');
    expect(stack.proxy.calls.filter(c => c.operation === 'StopServiceDeployment')).toHaveLength(1);
    expect(count('UpdateService')).toBe(1);
    expect(r.result.summary).toContain('StopServiceDeployment ROLLBACK: ROLLBACK_SUCCESSFUL');
    // ROLLBACK_SUCCESSFUL ended the step at the look that showed it.
    const done = transitions(r).find(t => t.status === 'ROLLBACK_SUCCESSFUL');
    expect(done?.shownAt).toBeDefined();
    expect(looksAfter(done?.shownAt)).toBe(0);
  }, 60_000);

  it('a CODE_DEPLOY service is refused before anything is written, saying why and what to do', async () => {
    const r = await run('code-deploy');
    expect(r.result.code).not.toBe(0);
    expect(failureLine(r)).toMatch(
      /Input 'service': the service '[^']+' uses the CODE_DEPLOY deployment controller/
    );
    expect(r.result.output).not.toContain('Unable to update task definition');
    expect(count('RegisterTaskDefinition')).toBe(0);
    expect(count('UpdateService')).toBe(0);
  }, 60_000);

  it('wait-until production-traffic ends the step green at BAKE_TIME, at the look that showed it', async () => {
    const r = await run('blue-green-long-bake', {
      inputs: { 'wait-until': 'production-traffic', timeout: '20s' }
    });
    expect(r.result.code).toBe(0);
    expect(r.result.outputs).toMatchObject({ status: 'IN_PROGRESS', 'lifecycle-stage': 'BAKE_TIME' });
    expect(r.result.stdout).toMatch(/ECS carries on with the rest of BAKE_TIME \(about 24h 00m\), CLEAN_UP/);
    const bake = transitions(r).find(t => t.stage === 'BAKE_TIME');
    expect(looksAfter(bake?.shownAt)).toBe(0);
    expect(count('UpdateService')).toBe(1);
    expect(count('StopServiceDeployment')).toBe(0);
  }, 60_000);
});
