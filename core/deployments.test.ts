import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { freePort } from '../sim/moto.js';
import { startFakeGitHub, type FakeGitHub } from '../sim/github/fake.js';
import { startDeployment, type DeploymentOptions, type DeploymentSpec } from './deployments.js';
import { runContext, type RunContext } from './github.js';
import { memoryLogger } from './log.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset());

function run(overrides: Record<string, string> = {}): RunContext {
  return runContext({
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: SHA,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'deploy',
    ...overrides
  });
}

function spec(overrides: Partial<DeploymentSpec> = {}): DeploymentSpec {
  return { environment: 'staging', token: fake.token, target: 'ecs:dockyard/web', ...overrides };
}

const options = (extra: DeploymentOptions = {}): DeploymentOptions => ({
  env: { GITHUB_API_URL: fake.url },
  ...extra
});

describe('startDeployment', () => {
  it('creates the deployment, posts in_progress with the log URL, then success with the environment URL', async () => {
    const log = memoryLogger();
    const deployment = await startDeployment(
      spec({ environmentUrl: 'https://staging.example.com' }),
      run(),
      log,
      undefined,
      options()
    );
    expect(deployment.id).toBeDefined();
    expect(deployment.reused).toBe(false);
    await deployment.finish('success');
    expect(fake.routes()).toEqual([
      'GET /deployments',
      'POST /deployments',
      `POST /deployments/${deployment.id}/statuses`,
      `POST /deployments/${deployment.id}/statuses`
    ]);
    const [list, create, progress, success] = fake.calls;
    expect(list.query).toMatchObject({ sha: SHA, environment: 'staging', task: 'deploy' });
    expect(create.path).toBe('/repos/octo/app/deployments');
    expect(create.authorization).toBe(`token ${fake.token}`);
    expect(create.body).toEqual({
      ref: SHA,
      task: 'deploy',
      environment: 'staging',
      auto_merge: false,
      required_contexts: [],
      payload: { dockyard: { run: '4242', job: 'deploy', target: 'ecs:dockyard/web' } },
      description: 'ecs:dockyard/web at 0123456',
      transient_environment: false
    });
    expect(progress.body).toMatchObject({
      state: 'in_progress',
      log_url: 'https://github.com/octo/app/actions/runs/4242'
    });
    expect(success.body).toMatchObject({
      state: 'success',
      environment_url: 'https://staging.example.com',
      log_url: 'https://github.com/octo/app/actions/runs/4242'
    });
    expect(fake.deployments[0].statuses.map(s => s.state)).toEqual(['in_progress', 'success']);
    expect(log.text()).toContain(`GitHub deployment ${deployment.id} of 0123456 to 'staging': in progress.`);
    expect(log.text()).not.toMatch(/warning/);
  });

  it('posts failure without an environment URL', async () => {
    const deployment = await startDeployment(
      spec({ environmentUrl: 'https://staging.example.com' }),
      run(),
      memoryLogger(),
      undefined,
      options()
    );
    await deployment.finish('failure', { description: 'ROLLED_BACK: tasks exited' });
    const last = fake.calls.at(-1)!;
    expect(last.body).toMatchObject({ state: 'failure', description: 'ROLLED_BACK: tasks exited' });
    expect(last.body).not.toHaveProperty('environment_url');
  });

  it('asks for production_environment only when told, and GitHub decides otherwise', async () => {
    await startDeployment(
      spec({ production: true, environment: 'live' }),
      run(),
      memoryLogger(),
      undefined,
      options()
    );
    await startDeployment(
      spec({ environment: 'production' }),
      run({ GITHUB_RUN_ID: '5' }),
      memoryLogger(),
      undefined,
      options()
    );
    const creates = fake.calls.filter(c => c.method === 'POST' && c.path.endsWith('/deployments'));
    expect(creates[0].body).toMatchObject({ production_environment: true });
    expect(creates[1].body).not.toHaveProperty('production_environment');
    expect(fake.deployments.map(d => d.production_environment)).toEqual([true, true]);
  });

  it('a re-run of the same run reuses its deployment instead of creating another', async () => {
    const first = await startDeployment(spec(), run(), memoryLogger(), undefined, options());
    await first.finish('failure');
    const log = memoryLogger();
    const again = await startDeployment(spec(), run({ GITHUB_RUN_ATTEMPT: '2' }), log, undefined, options());
    await again.finish('success');
    expect(again.id).toBe(first.id);
    expect(again.reused).toBe(true);
    expect(fake.deployments).toHaveLength(1);
    expect(fake.deployments[0].statuses.map(s => s.state)).toEqual([
      'in_progress',
      'failure',
      'in_progress',
      'success'
    ]);
    expect(fake.calls.at(-1)!.body).toMatchObject({
      log_url: 'https://github.com/octo/app/actions/runs/4242/attempts/2'
    });
    expect(log.text()).toContain('from an earlier attempt of this run');
  });

  it('another run, job or target of the same commit gets its own deployment', async () => {
    await startDeployment(spec(), run(), memoryLogger(), undefined, options());
    await startDeployment(spec(), run({ GITHUB_RUN_ID: '4243' }), memoryLogger(), undefined, options());
    await startDeployment(spec(), run({ GITHUB_JOB: 'deploy-eu' }), memoryLogger(), undefined, options());
    await startDeployment(
      spec({ target: 'ecs:dockyard/worker' }),
      run(),
      memoryLogger(),
      undefined,
      options()
    );
    expect(fake.deployments).toHaveLength(4);
  });

  it('in a production environment, marks the earlier successful deployments inactive itself', async () => {
    const older = fake.seed({ environment: 'production', states: ['in_progress', 'success'] });
    const failed = fake.seed({ environment: 'production', states: ['failure'] });
    const other = fake.seed({ environment: 'staging', states: ['success'] });
    const log = memoryLogger();
    const deployment = await startDeployment(
      spec({ environment: 'production' }),
      run(),
      log,
      undefined,
      options()
    );
    await deployment.finish('success');
    expect(older.statuses.map(s => s.state)).toEqual(['in_progress', 'success', 'inactive']);
    expect(failed.statuses.map(s => s.state)).toEqual(['failure']);
    expect(other.statuses.map(s => s.state)).toEqual(['success']);
    expect(log.text()).toContain(
      `GitHub deployments ${older.id} in 'production': inactive (replaced by ${deployment.id}).`
    );
  });

  it('leaves a later deployment alone, and does not repeat what GitHub does for a non-production environment', async () => {
    const older = fake.seed({ environment: 'staging', states: ['success'] });
    const deployment = await startDeployment(spec(), run(), memoryLogger(), undefined, options());
    const later = fake.seed({ environment: 'staging', states: ['success'] });
    await deployment.finish('success');
    // GitHub's auto_inactive covered the older one; no listing of our own for staging.
    expect(older.statuses.map(s => s.state)).toEqual(['success', 'inactive']);
    expect(later.statuses.map(s => s.state)).toEqual(['success']);
    expect(fake.routes().filter(r => r.startsWith('GET'))).toEqual(['GET /deployments']);
  });

  it('a 403 is explained as the missing deployments: write permission, and finish does nothing', async () => {
    fake.mode = 'forbidden';
    const log = memoryLogger();
    const deployment = await startDeployment(spec(), run(), log, undefined, options());
    expect(deployment.id).toBeUndefined();
    await deployment.finish('success');
    expect(fake.calls).toHaveLength(1);
    expect(log.lines.filter(l => l.startsWith('warning:'))).toEqual([
      "warning: GitHub deployment to 'staging': could not list the deployments of the commit: GitHub answered 403 " +
        '(Resource not accessible by integration - https://docs.github.com/rest/deployments/deployments#create-a-deployment): ' +
        "the token in 'github-token' may not write deployments of octo/app. Grant it: add 'deployments: write' to the " +
        "job's 'permissions:' block (a reusable workflow's caller must grant it too). The deploy goes on without it."
    ]);
  });

  it('a refused token (401) names the input', async () => {
    const log = memoryLogger();
    await startDeployment(
      spec({ token: 'wrong', tokenInput: 'github-token' }),
      run(),
      log,
      undefined,
      options()
    );
    expect(log.text()).toContain("GitHub refused the token in 'github-token' (401 Bad credentials)");
  });

  it('an API that is down is a warning, not an error', async () => {
    const log = memoryLogger();
    const port = await freePort();
    const deployment = await startDeployment(spec(), run(), log, undefined, {
      env: { GITHUB_API_URL: `http://127.0.0.1:${port}` }
    });
    expect(deployment.id).toBeUndefined();
    expect(log.text()).toMatch(
      /warning: GitHub deployment to 'staging': could not list the deployments of the commit: GitHub's API could not be reached at http:\/\/127.0.0.1:\d+ \(connect ECONNREFUSED 127.0.0.1:\d+\)\. The deploy goes on without it\./
    );
  });

  it('a dropped connection while finishing is a warning; the deployment stays as it was', async () => {
    const log = memoryLogger();
    const deployment = await startDeployment(spec(), run(), log, undefined, options());
    fake.mode = 'reset';
    await expect(deployment.finish('success')).resolves.toBeUndefined();
    expect(log.text()).toMatch(
      new RegExp(
        `warning: GitHub deployment ${deployment.id} to 'staging': could not post 'success': .*The deploy's own result stands\\.`
      )
    );
  });

  it('a GitHub that never answers is given up on at the timeout', async () => {
    fake.mode = 'hang';
    const timers: AbortController[] = [];
    // The phase's timeout fires when the request has reached the fake: no real waiting.
    fake.onRequest = () => timers.at(-1)?.abort(new DOMException('timed out', 'TimeoutError'));
    const log = memoryLogger();
    const deployment = await startDeployment(spec(), run(), log, undefined, {
      ...options(),
      startTimeoutMs: 15_000,
      timeout: () => {
        timers.push(new AbortController());
        return timers.at(-1)!.signal;
      }
    });
    expect(deployment.id).toBeUndefined();
    expect(log.text()).toContain('GitHub did not answer within 15s.');
  });

  it('a step cancelled while starting stops asking GitHub', async () => {
    fake.mode = 'hang';
    const cancel = new AbortController();
    fake.onRequest = () => cancel.abort();
    const log = memoryLogger();
    const deployment = await startDeployment(spec(), run(), log, cancel.signal, options());
    expect(deployment.id).toBeUndefined();
    expect(fake.calls).toHaveLength(1);
    expect(log.text()).toContain('could not list the deployments of the commit: the step was cancelled.');
  });

  it('without a commit there is nothing to deploy: a warning and no call', async () => {
    const log = memoryLogger();
    const deployment = await startDeployment(spec(), run({ GITHUB_SHA: '' }), log, undefined, options());
    await deployment.finish('success');
    expect(fake.calls).toHaveLength(0);
    expect(log.text()).toContain('GitHub deployment skipped');
  });
});
