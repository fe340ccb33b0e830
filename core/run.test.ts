import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../sim/github/fake.js';
import { DockyardError, InputError } from './errors.js';
import { recordInputSource } from './inputs.js';
import { memoryLogger } from './log.js';
import { systemClock, type Clock } from './poll.js';
import { createReport, REPORT_MAX_BYTES, REPORT_SHORTENED } from './report.js';
import {
  DEPLOYMENT_GRACE_MS,
  failureMessage,
  runDefinedAction,
  type ActionDefinition,
  type LifecycleHost
} from './run.js';

function fakeHost(inputs: Record<string, string> = {}) {
  const outputs: Record<string, string> = {};
  const failed: string[] = [];
  const summaries: string[] = [];
  let fire: ((name: NodeJS.Signals) => void) | undefined;
  const log = memoryLogger();
  const host: LifecycleHost = {
    source: recordInputSource(inputs),
    log,
    clock: systemClock,
    env: { GITHUB_REPOSITORY: 'octo/app', GITHUB_SHA: 'abc' },
    setOutput: (name, value) => (outputs[name] = value),
    setFailed: message => failed.push(message),
    writeSummary: async markdown => void summaries.push(markdown),
    onSignals: handler => {
      fire = handler;
      return () => (fire = undefined);
    }
  };
  return { host, outputs, failed, summaries, log, signal: (name: NodeJS.Signals) => fire?.(name) };
}

interface In {
  name: string;
  timeoutMs?: number;
}

/** An action whose run waits for its signal when the input says so. */
function action(run: ActionDefinition<In, string>['run']): ActionDefinition<In, string> {
  return {
    name: 'test-action',
    inputs: source => {
      const name = source('name');
      if (!name) throw new InputError([new DockyardError('is required.', { input: 'name' })]);
      const timeout = source('timeout');
      return { name, timeoutMs: timeout ? Number(timeout) : undefined };
    },
    timeoutMs: inputs => inputs.timeoutMs,
    run,
    finish: outcome => ({
      outputs: { result: outcome.result, cancelled: outcome.cancelled, 'timed-out': outcome.timedOut },
      summary: `summary: ${outcome.result ?? failureMessage(outcome)}`,
      report: createReport({
        action: 'test-action',
        status: outcome.result ? 'success' : 'failure',
        outcome: outcome.result ? 'DONE' : 'FAILED',
        subject: outcome.inputs?.name ?? '',
        summary: '',
        startedAt: outcome.startedAt.toISOString(),
        error: failureMessage(outcome),
        run: outcome.run
      }),
      failed: outcome.result ? undefined : failureMessage(outcome)
    })
  };
}

/** A clock that moves only when the test moves it: a sleep ends once `advance` has passed its end, or its signal aborts. */
function manualClock(start = 1_000_000) {
  let now = start;
  const sleepers: { until: number; wake: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>(resolve => {
        if (signal?.aborted) return resolve();
        sleepers.push({ until: now + ms, wake: resolve });
        signal?.addEventListener('abort', () => resolve(), { once: true });
      })
  };
  const advance = (ms: number) => {
    now += ms;
    for (const sleeper of sleepers.filter(s => s.until <= now)) sleeper.wake();
  };
  return { clock, advance, start };
}

const untilAborted = (signal: AbortSignal) =>
  new Promise<string>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
  );

describe('runDefinedAction', () => {
  it('runs the action with its inputs and writes outputs, report and summary', async () => {
    const t = fakeHost({ name: 'web' });
    const outcome = await runDefinedAction(
      action(async (inputs, ctx) => {
        expect(ctx.run.repository).toBe('octo/app');
        expect(ctx.deadline).toBe(Infinity);
        return `hello ${inputs.name}`;
      }),
      t.host
    );
    expect(outcome.result).toBe('hello web');
    expect(t.outputs.result).toBe('hello web');
    expect(JSON.parse(t.outputs.report)).toMatchObject({ status: 'success', subject: 'web' });
    expect(t.summaries).toEqual(['summary: hello web']);
    expect(t.failed).toEqual([]);
  });

  it('writes a report output that fits in the input of the step that reads it', async () => {
    const t = fakeHost({ name: 'web' });
    await runDefinedAction(
      action(async () => {
        throw new Error(`app log: ${'x'.repeat(500_000)}`);
      }),
      t.host
    );
    expect(Buffer.byteLength(t.outputs.report)).toBeLessThanOrEqual(REPORT_MAX_BYTES);
    expect(JSON.parse(t.outputs.report)).toMatchObject({
      status: 'failure',
      error: expect.stringMatching(/^app log: x+…$/),
      diagnostics: [{ title: REPORT_SHORTENED, severity: 'warning' }]
    });
  });

  it('does not run the action when an input is wrong, and still writes the report and summary', async () => {
    const t = fakeHost({});
    let ran = false;
    await runDefinedAction(
      action(async () => {
        ran = true;
        return 'x';
      }),
      t.host
    );
    expect(ran).toBe(false);
    expect(t.failed).toEqual(["Input 'name': is required."]);
    expect(JSON.parse(t.outputs.report)).toMatchObject({
      status: 'failure',
      error: "Input 'name': is required."
    });
    expect(t.summaries[0]).toContain("Input 'name'");
  });

  it('writes everything when the action throws', async () => {
    const t = fakeHost({ name: 'web' });
    await runDefinedAction(
      action(async () => {
        throw new Error('boom');
      }),
      t.host
    );
    expect(t.failed).toEqual(['boom']);
    expect(JSON.parse(t.outputs.report).error).toBe('boom');
    expect(t.outputs.result).toBeUndefined();
  });

  it('aborts the signal on SIGTERM and reports the cancel', async () => {
    const t = fakeHost({ name: 'web' });
    const running = runDefinedAction(
      action(async (_, ctx) => untilAborted(ctx.signal)),
      t.host
    );
    await new Promise(r => setImmediate(r));
    t.signal('SIGTERM');
    const outcome = await running;
    expect(outcome).toMatchObject({ cancelled: true, timedOut: false });
    expect(t.outputs.cancelled).toBe('true');
    expect(t.failed).toEqual(['Received SIGTERM']);
    expect(t.log.text()).toContain('warning: Received SIGTERM: stopping.');
  });

  it("aborts the signal when the step's timeout passes, on the host's clock", async () => {
    // A minute: with a real timer the test would time out long before.
    const t = fakeHost({ name: 'web', timeout: '60000' });
    const time = manualClock();
    t.host.clock = time.clock;
    let deadline = 0;
    let abortedEarly: boolean | undefined;
    const outcome = await runDefinedAction(
      action(async (_, ctx) => {
        deadline = ctx.deadline;
        const aborted = untilAborted(ctx.signal);
        time.advance(59_999);
        await new Promise(r => setImmediate(r));
        abortedEarly = ctx.signal.aborted;
        time.advance(1);
        return aborted;
      }),
      t.host
    );
    expect(deadline).toBe(time.start + 60_000);
    expect(abortedEarly).toBe(false);
    expect(outcome).toMatchObject({ cancelled: false, timedOut: true });
    expect(t.failed[0]).toMatch(/The step's timeout \(.+\) passed/);
  });

  it('still fails the step when building the outputs fails', async () => {
    const t = fakeHost({ name: 'web' });
    const def = action(async () => {
      throw new Error('boom');
    });
    await runDefinedAction(
      {
        ...def,
        finish: () => {
          throw new Error('bad report');
        }
      },
      t.host
    );
    expect(t.failed).toEqual(['boom\nCould not write the outputs: bad report']);
  });
});

describe('runDefinedAction with a GitHub deployment', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub();
  });
  afterAll(async () => {
    await github.stop();
  });

  const SHA = '0123456789abcdef0123456789abcdef01234567';
  function deployingHost(inputs: Record<string, string>, apiUrl = github.url) {
    const t = fakeHost(inputs);
    t.host.env = {
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: '7',
      GITHUB_API_URL: apiUrl
    };
    return t;
  }
  const deploying = (run: ActionDefinition<In, string>['run']): ActionDefinition<In, string> => ({
    ...action(run),
    deployment: inputs =>
      inputs.name === 'no-deployment'
        ? undefined
        : {
            environment: 'production',
            token: github.token,
            target: `test:${inputs.name}`,
            environmentUrl: 'https://web.example'
          }
  });

  it('is in progress while the action runs, then success with the environment URL', async () => {
    github.reset();
    const t = deployingHost({ name: 'web' });
    let seenWhileRunning: string[] = [];
    await runDefinedAction(
      deploying(async () => {
        seenWhileRunning = github.deployments.flatMap(d => d.statuses.map(s => s.state));
        return 'done';
      }),
      t.host
    );
    expect(seenWhileRunning).toEqual(['in_progress']);
    expect(github.deployments).toHaveLength(1);
    expect(github.deployments[0].statuses.map(s => [s.state, s.environment_url])).toEqual([
      ['in_progress', ''],
      ['success', 'https://web.example']
    ]);
    expect(t.failed).toEqual([]);
    expect(t.log.masked).toContain(github.token);
  });

  it("posts failure with the step's failure when the action fails", async () => {
    github.reset();
    const t = deployingHost({ name: 'web' });
    await runDefinedAction(
      deploying(async () => {
        throw new Error('ROLLED_BACK: tasks exited\nmore detail');
      }),
      t.host
    );
    expect(github.deployments[0].statuses.map(s => [s.state, s.description])).toEqual([
      ['in_progress', 'Deploying test:web'],
      ['failure', 'ROLLED_BACK: tasks exited']
    ]);
    expect(t.failed).toEqual(['ROLLED_BACK: tasks exited\nmore detail']);
  });

  it('records nothing when the inputs are wrong or ask for no deployment', async () => {
    github.reset();
    await runDefinedAction(
      deploying(async () => 'done'),
      deployingHost({}).host
    );
    await runDefinedAction(
      deploying(async () => 'done'),
      deployingHost({ name: 'no-deployment' }).host
    );
    expect(github.calls).toEqual([]);
  });

  it('runs the action and succeeds when GitHub is down, with a warning', async () => {
    github.reset();
    github.mode = 'reset';
    const t = deployingHost({ name: 'web' });
    let ran = false;
    await runDefinedAction(
      deploying(async () => {
        ran = true;
        return 'done';
      }),
      t.host
    );
    expect(ran).toBe(true);
    expect(t.failed).toEqual([]);
    expect(t.outputs.result).toBe('done');
    expect(t.log.text()).toMatch(
      /warning: GitHub deployment to 'production': could not .* The deploy goes on without it\./
    );
  });

  it('a cancel while GitHub does not answer ends the wait, and the action does not start', async () => {
    github.reset();
    github.mode = 'hang';
    const t = deployingHost({ name: 'web' });
    github.onRequest = () => t.signal('SIGTERM');
    let ran = false;
    const outcome = await runDefinedAction(
      deploying(async () => {
        ran = true;
        return 'done';
      }),
      t.host
    );
    expect(ran).toBe(false);
    expect(outcome.cancelled).toBe(true);
    expect(t.failed).toEqual(['The run was cancelled.']);
    expect(t.log.text()).toContain(
      "GitHub deployment to 'production': could not list the deployments of the commit: the step was cancelled."
    );
  });

  it('starts the action after a grace period when GitHub does not answer, and finishes once GitHub gives up', async () => {
    github.reset();
    github.mode = 'hang';
    const t = deployingHost({ name: 'web' });
    const slept: number[] = [];
    // The grace period passes at once; GitHub still has not answered when the action runs.
    t.host.clock = { now: () => Date.now(), sleep: async ms => void slept.push(ms) };
    const arrived = new Promise<void>(resolve => (github.onRequest = () => resolve()));
    let answeredWhileRunning: boolean | undefined;
    await runDefinedAction(
      deploying(async () => {
        // The request reaches GitHub and hangs there; the action runs meanwhile. Then GitHub drops it.
        await arrived;
        answeredWhileRunning = github.deployments.length > 0;
        github.releaseHung();
        return 'done';
      }),
      t.host
    );
    expect(slept).toEqual([DEPLOYMENT_GRACE_MS]);
    expect(answeredWhileRunning).toBe(false);
    expect(t.failed).toEqual([]);
    expect(t.outputs.result).toBe('done');
    expect(t.log.text()).toMatch(
      /warning: GitHub deployment to 'production': could not list the deployments of the commit: GitHub's API could not be reached/
    );
  });

  it('says at debug which Node runs the action', async () => {
    const t = fakeHost({ name: 'web' });
    await runDefinedAction(
      action(async () => 'done'),
      t.host
    );
    expect(t.log.lines).toContain(`debug: test-action runs on Node ${process.version}.`);
  });
});
