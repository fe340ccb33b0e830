/**
 * GitHub deployments end to end: the deploy-ecs bundle, run as the runner runs it, records its rollout as a
 * GitHub deployment through Octokit, which reaches the local fake of the deployments API (sim/github/fake.ts)
 * through GITHUB_API_URL. The rollouts are the ECS scenario layer's (sim/ecs), paced by the action's looks, on
 * the run's moto.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../sim/github/fake.js';
import { startEcsStack, type EcsStack } from '../sim/ecs/stack.js';
import { runScenario } from '../sim/ecs/run.js';
import { LOOK_PACE, SCENARIOS } from '../sim/ecs/scenarios.js';
import type { Seeded } from '../sim/ecs/seed.js';
import { freePort } from '../sim/moto.js';
import { RUNNER_GITHUB_TOKEN, githubEnv } from '../sim/runner.js';

const SHA = githubEnv().GITHUB_SHA;
const LOG_URL = 'https://github.com/octo/app/actions/runs/4242';
const URL_INPUT = 'https://hello.example.com';

let stack: EcsStack;
let github: FakeGitHub;

beforeAll(async () => {
  stack = await startEcsStack({ pace: LOOK_PACE });
  github = await startFakeGitHub({ token: RUNNER_GITHUB_TOKEN });
}, 60_000);

afterAll(async () => {
  await github?.stop();
  await stack?.stop();
});

beforeEach(() => github.reset());

const withDeployment = {
  'github-deployment': 'true',
  'github-environment': 'production',
  'environment-url': URL_INPUT
};

/** Deploys a new service, or again the service of `reuse` (a re-run). */
function deploy(scenario: keyof typeof SCENARIOS, env: Record<string, string> = {}, reuse?: Seeded) {
  return runScenario(stack, SCENARIOS[scenario], {
    inputs: withDeployment,
    env: { GITHUB_API_URL: github.url, ...env },
    reuse
  });
}

const states = (i = 0) => github.deployments[i].statuses.map(s => s.state);
const warnings = (output: string) => output.split('\n').filter(l => l.startsWith('::warning'));

describe('deploy-ecs records a GitHub deployment', () => {
  it('creates it for the commit, in_progress with the run log, then success with the URL; the older one goes inactive', async () => {
    const older = github.seed({ environment: 'production', states: ['in_progress', 'success'] });
    const { seed, result } = await deploy('success');
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    const created = github.deployments.find(d => d.id !== older.id)!;
    expect(created).toMatchObject({
      sha: SHA,
      ref: SHA,
      task: 'deploy',
      environment: 'production',
      production_environment: true,
      transient_environment: false,
      payload: { dockyard: { run: '4242', job: 'deploy', target: `ecs:${seed.cluster}/web` } }
    });
    const create = github.calls.find(c => c.method === 'POST' && c.path === '/repos/octo/app/deployments')!;
    expect(create.authorization).toBe(`token ${RUNNER_GITHUB_TOKEN}`);
    expect(create.body).toMatchObject({ auto_merge: false, required_contexts: [] });
    expect(created.statuses.map(s => [s.state, s.log_url, s.environment_url])).toEqual([
      ['in_progress', LOG_URL, ''],
      ['success', LOG_URL, URL_INPUT]
    ]);
    // Production: GitHub does not do this itself; the action did.
    expect(older.statuses.map(s => s.state)).toEqual(['in_progress', 'success', 'inactive']);
    expect(result.stdout).toContain(
      `GitHub deployment ${created.id} of 0123456 to 'production': in progress.`
    );
    expect(result.stdout).toContain(
      `GitHub deployment ${created.id} to 'production': success (${URL_INPUT}).`
    );
    expect(warnings(result.stdout)).toEqual([]);
    // in_progress before the rollout started, success after it ended.
    const at = (state: string) => github.calls.find(c => c.body?.state === state)!.receivedAt;
    const updateAt = stack.proxy.calls.find(c => c.operation === 'UpdateService')!.receivedAt;
    expect(at('in_progress')).toBeLessThan(updateAt);
    expect(at('success')).toBeGreaterThanOrEqual(stack.layer.mainOutcome()!.at);
  }, 60_000);

  it('posts failure when the rollout fails, and a re-run of the same run reuses that deployment', async () => {
    const failed = await deploy('failed');
    expect(failed.result.code).not.toBe(0);
    expect(failed.result.outputs.status).toBe('ROLLED_BACK');
    expect(github.deployments).toHaveLength(1);
    expect(states()).toEqual(['in_progress', 'failure']);
    expect(github.deployments[0].statuses[1]).toMatchObject({ environment_url: '' });
    expect(github.deployments[0].statuses[1].description).toMatch(/^ROLLED_BACK: /);

    // "Re-run failed jobs": same run id, attempt 2.
    const again = await deploy('success', { GITHUB_RUN_ATTEMPT: '2' }, failed.seed);
    expect(again.result.code).toBe(0);
    expect(github.deployments).toHaveLength(1);
    expect(states()).toEqual(['in_progress', 'failure', 'in_progress', 'success']);
    expect(github.deployments[0].statuses[3].log_url).toBe(`${LOG_URL}/attempts/2`);
    expect(again.result.stdout).toContain('(from an earlier attempt of this run): in progress.');
  }, 90_000);

  it('explains a 403 as the missing deployments: write permission, and deploys all the same', async () => {
    github.mode = 'forbidden';
    const { result } = await deploy('success');
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(warnings(result.stdout)).toEqual([
      expect.stringContaining('GitHub answered 403 (Resource not accessible by integration')
    ]);
    expect(result.stdout).toContain(
      "the token in 'github-token' may not write deployments of octo/app. Grant it: add 'deployments: write' to the job's 'permissions:' block"
    );
    expect(github.calls).toHaveLength(1);
  }, 60_000);

  it('deploys all the same, with a warning, when the GitHub API is down', async () => {
    const port = await freePort();
    const { result } = await deploy('success', { GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(warnings(result.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          `GitHub's API could not be reached at http://127.0.0.1:${port} \\(connect ECONNREFUSED 127.0.0.1:${port}\\)\\. The deploy goes on without it\\.`
        )
      )
    ]);
  }, 60_000);

  it('gives up on a GitHub that never answers after 15 s, and deploys all the same', async () => {
    github.mode = 'hang';
    const { result } = await deploy('success');
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(warnings(result.stdout)).toEqual([
      expect.stringContaining(
        "GitHub deployment to 'production': could not list the deployments of the commit: GitHub did not answer within 15s. The deploy goes on without it."
      )
    ]);
    expect(github.calls).toHaveLength(1);
    // The rollout did not wait for GitHub's 15 s: it went on (after the grace) while the request still hung, and
    // the step then waited for GitHub's end, bounded, to say so.
    const update = result.stdout.indexOf('UpdateService: ');
    const gaveUp = result.stdout.indexOf('GitHub did not answer within 15s');
    expect(update).toBeGreaterThan(-1);
    expect(update).toBeLessThan(gaveUp);
  }, 60_000);

  it('records nothing unless asked, and nothing for a dry run', async () => {
    const plain = await runScenario(stack, SCENARIOS.success, { env: { GITHUB_API_URL: github.url } });
    expect(plain.result.code).toBe(0);
    const dryRun = await runScenario(stack, SCENARIOS.success, {
      inputs: { ...withDeployment, 'dry-run': 'true' },
      env: { GITHUB_API_URL: github.url }
    });
    expect(dryRun.result.outputs.status).toBe('DRY_RUN');
    expect(github.calls).toEqual([]);
  }, 90_000);

  it('refuses github-deployment without a GitHub environment, naming the input', async () => {
    const { result } = await runScenario(stack, SCENARIOS.success, {
      inputs: { 'github-deployment': 'true' },
      env: { GITHUB_API_URL: github.url }
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain(
      "Input 'github-environment': is required when 'github-deployment' is true. Set it to the GitHub environment to record the deployment in, such as 'production'."
    );
    expect(github.calls).toEqual([]);
  }, 60_000);
});
