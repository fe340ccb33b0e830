import { describe, expect, it } from '@jest/globals';
import {
  defineDeployAction,
  deployBase,
  FINISH_RESERVE_MS,
  runDeploy,
  summaryTitle,
  waitReserveMs,
  type DeployBase,
  type DeployPhases,
  type Ending,
  type PhaseContext
} from './deploy.js';
import { DockyardError, InputError } from './errors.js';
import { memoryLogger } from './log.js';
import { virtualClock } from './poll.js';
import type { Outcome } from './run.js';

const fresh = (): DeployBase => deployBase();

/** Phases that record their order; `over` replaces some. Every phase is present unless set to undefined. */
function phases(over: Partial<DeployPhases> = {}, order: string[] = []): DeployPhases {
  const step = (name: string, value?: Ending | string) => ({
    title: name,
    run: async () => {
      order.push(name);
      return value as never;
    }
  });
  return {
    connect: step('connect'),
    render: step('render'),
    verify: step('verify'),
    apply: step('apply'),
    wait: step('wait', { status: 'COMPLETED', reason: 'Deployment d-1 completed.' }),
    explain: step('explain', 'app exited with code 1: Error: DATABASE_URL is not set'),
    rollback: step('rollback', { status: 'ROLLED_BACK', reason: 'Rolled back to web:6.' }),
    settle: step('settle'),
    ...over
  };
}

const START = 1_000_000;
function context(signal = new AbortController().signal) {
  const log = memoryLogger();
  return { log, signal, clock: virtualClock(START), deadline: START + 600_000 };
}

describe('runDeploy', () => {
  it('runs the phases in order, each in its own log group, and settles after a success', async () => {
    const order: string[] = [];
    const ctx = context();
    const result = await runDeploy(fresh(), phases({}, order), ctx, 600_000);
    expect(order).toEqual(['connect', 'render', 'verify', 'apply', 'wait', 'settle']);
    expect(result).toMatchObject({ status: 'COMPLETED', success: true, reason: 'Deployment d-1 completed.' });
    expect(ctx.log.lines.filter(l => l.startsWith('group: '))).toEqual(
      ['connect', 'render', 'verify', 'apply', 'wait', 'settle'].map(n => `group: ${n}`)
    );
  });

  it.each([
    ['REGISTERED', true, ['connect', 'render', 'verify', 'apply', 'settle']],
    ['DRY_RUN', true, ['connect', 'render', 'verify', 'apply']],
    ['IN_PROGRESS', true, ['connect', 'render', 'verify', 'apply']],
    ['FAILED', false, ['connect', 'render', 'verify', 'apply']]
  ] as const)('an apply that ends %s ends there (success %s): %j', async (status, success, expected) => {
    const order: string[] = [];
    const apply = { title: 'apply', run: async () => (order.push('apply'), { status, reason: 'why' }) };
    const result = await runDeploy(fresh(), phases({ apply }, order), context(), 600_000);
    expect(order).toEqual(expected);
    expect(result).toMatchObject({ status, success, reason: 'why' });
  });

  it('a failed rollout: the root cause first, then what the wait saw, then the rollback; one annotation', async () => {
    const order: string[] = [];
    const wait = {
      title: 'wait',
      run: async () => ({ status: 'FAILED' as const, reason: 'Deployment d-1 failed.' })
    };
    const ctx = context();
    const result = await runDeploy(fresh(), phases({ wait }, order), ctx, 600_000);
    expect(order).toEqual(['connect', 'render', 'verify', 'apply', 'explain', 'rollback']);
    expect(result).toMatchObject({
      status: 'ROLLED_BACK',
      success: false,
      rootCause: 'app exited with code 1: Error: DATABASE_URL is not set',
      reason:
        'app exited with code 1: Error: DATABASE_URL is not set. Deployment d-1 failed. Rolled back to web:6.'
    });
    expect(ctx.log.lines.filter(l => l.startsWith('error: '))).toEqual([
      'error: app exited with code 1: Error: DATABASE_URL is not set. Deployment d-1 failed.'
    ]);
  });

  it.each([
    ['TIMED_OUT', ['explain']],
    ['ROLLED_BACK', ['explain']],
    ['SUPERSEDED', []],
    ['CANCELLED', []]
  ] as const)('a wait that ends %s runs %j after it, and never our rollback', async (status, after) => {
    const order: string[] = [];
    const wait = { title: 'wait', run: async () => ({ status, reason: 'The wait said so.' }) };
    const result = await runDeploy(fresh(), phases({ wait }, order), context(), 600_000);
    expect(order.slice(4)).toEqual(after);
    expect(result.status).toBe(status);
  });

  it('a rollback whose afterTimeout() says so also runs after TIMED_OUT, and its ending is the outcome', async () => {
    const order: string[] = [];
    const wait = {
      title: 'wait',
      run: async () => ({ status: 'TIMED_OUT' as const, reason: 'Timed out at BAKE_TIME.' })
    };
    const rollback = {
      title: 'rollback',
      afterTimeout: () => true,
      run: async () => (
        order.push('rollback'),
        { status: 'ROLLED_BACK' as const, reason: 'Stopped it; ECS rolled back.' }
      )
    };
    const result = await runDeploy(fresh(), phases({ wait, rollback }, order), context(), 600_000);
    expect(order.slice(4)).toEqual(['explain', 'rollback']);
    expect(result).toMatchObject({ status: 'ROLLED_BACK', success: false });
    expect(result.reason).toMatch(/Timed out at BAKE_TIME\. Stopped it; ECS rolled back\.$/);
  });

  it('renders before connecting when the render needs only the workspace', async () => {
    const order: string[] = [];
    const render = { title: 'render', local: true, run: async () => void order.push('render') };
    await runDeploy(fresh(), phases({ render }, order), context(), 600_000);
    expect(order.slice(0, 3)).toEqual(['render', 'connect', 'verify']);
  });

  it('leaves out the phases an action does not want (no verify, no rollback)', async () => {
    const order: string[] = [];
    const wait = { title: 'wait', run: async () => ({ status: 'FAILED' as const, reason: 'Failed.' }) };
    const result = await runDeploy(
      fresh(),
      phases({ verify: undefined, rollback: undefined, wait }, order),
      context(),
      600_000
    );
    expect(order).toEqual(['connect', 'render', 'apply', 'explain']);
    expect(result.status).toBe('FAILED');
  });

  it('an error before the outcome fails the deploy with the error itself, naming its input', async () => {
    const error = new DockyardError("the cluster 'nope' does not exist.", { input: 'cluster' });
    const connect = {
      title: 'connect',
      run: async () => {
        throw error;
      }
    };
    const result = await runDeploy(fresh(), phases({ connect }), context(), 600_000);
    expect(result).toMatchObject({
      status: 'FAILED',
      error,
      reason: "Input 'cluster': the cluster 'nope' does not exist."
    });
  });

  it('an error after the outcome keeps what was found first, and says which phase failed', async () => {
    const wait = {
      title: 'wait',
      run: async () => ({ status: 'FAILED' as const, reason: 'Deployment d-1 failed.' })
    };
    const rollback = {
      title: 'rollback',
      run: async () => {
        throw new Error('User is not authorized to perform: ecs:UpdateService');
      }
    };
    const result = await runDeploy(fresh(), phases({ wait, rollback }), context(), 600_000);
    expect(result.error).toBeUndefined();
    expect(result.reason).toBe(
      'app exited with code 1: Error: DATABASE_URL is not set. Deployment d-1 failed. Rolling back failed: User is not authorized to perform: ecs:UpdateService'
    );
  });

  it('a stop during a phase: CANCELLED, where it stopped, why, and what had been done', async () => {
    const controller = new AbortController();
    const apply = {
      title: 'apply',
      run: async () => void controller.abort(new Error('Received SIGTERM'))
    };
    const result = await runDeploy(
      fresh(),
      { ...phases({ apply }), progress: () => '3 objects applied (3 created).' },
      context(controller.signal),
      600_000
    );
    expect(result).toMatchObject({
      status: 'CANCELLED',
      reason: 'Stopped while applying: Received SIGTERM. 3 objects applied (3 created).'
    });
    expect(result.error).toBeUndefined();
  });

  it('a call cut short by the stop is named; a phase that says it was cancelled is taken at its word', async () => {
    const controller = new AbortController();
    const connect = {
      title: 'connect',
      run: async () => {
        controller.abort(new Error("The step's timeout (4s) passed"));
        throw new DockyardError("EKS DescribeCluster was stopped: The step's timeout (4s) passed.");
      }
    };
    const cut = await runDeploy(fresh(), phases({ connect }), context(controller.signal), 600_000);
    expect(cut.reason).toBe(
      "Stopped while connecting: EKS DescribeCluster was stopped: The step's timeout (4s) passed."
    );
    const other = new AbortController();
    const wait = {
      title: 'wait',
      run: async () => {
        other.abort(new Error('Received SIGINT'));
        return {
          status: 'CANCELLED' as const,
          reason: 'Cancelled while waiting. Deployment d-1 stands at 1/2.'
        };
      }
    };
    const said = await runDeploy(fresh(), phases({ wait }), context(other.signal), 600_000);
    expect(said).toMatchObject({
      status: 'CANCELLED',
      reason: 'Cancelled while waiting. Deployment d-1 stands at 1/2.'
    });
  });

  it('gives the wait what is left less the reserve, and the phases after it what is left less the finish', async () => {
    const left: Record<string, number> = {};
    const seen = (name: string, value?: Ending) => ({
      title: name,
      run: async (p: PhaseContext) => {
        left[name] = p.timeLeftMs();
        await p.clock.sleep(10_000);
        return value as never;
      }
    });
    const ctx = context();
    await runDeploy(
      fresh(),
      phases({
        connect: seen('connect'),
        wait: seen('wait', { status: 'FAILED', reason: 'Failed.' }),
        rollback: seen('rollback')
      }),
      ctx,
      600_000
    );
    expect(left).toEqual({
      connect: 600_000 - 60_000,
      // connect and wait each took 10 s (virtual).
      wait: 600_000 - 10_000 - 60_000,
      rollback: 600_000 - 20_000 - FINISH_RESERVE_MS
    });
  });

  it.each([
    [15 * 60_000, 60_000],
    [10 * 60_000, 60_000],
    [60_000, 12_000],
    [10_000, 2000]
  ])('keeps back from a %i ms timeout %i ms for explain and rollback', (timeoutMs, reserve) => {
    expect(waitReserveMs(timeoutMs)).toBe(reserve);
  });

  it('prints the result’s warnings first', async () => {
    const ctx = context();
    await runDeploy({ ...fresh(), warnings: ["vars: 'X' is not used."] }, phases(), ctx, 600_000);
    expect(ctx.log.lines[0]).toBe("warning: vars: 'X' is not used.");
  });
});

interface Result extends DeployBase {
  service?: string;
}

const action = defineDeployAction<{ timeoutMs: number; service: string }, Result>({
  name: 'deploy-test',
  inputs: () => ({ timeoutMs: 1000, service: 'web' }),
  run: async () => fresh(),
  initial: inputs => ({ ...fresh(), service: inputs?.service }),
  outputs: result => ({ service: result.service }),
  report: result => ({ subject: result.service ?? '', region: 'eu-west-1', details: [] }),
  summary: (result, facts) =>
    `${summaryTitle('deploy-test', result.service ?? '', result)} ${facts.durationMs}`
});

const outcome = (over: Partial<Outcome<{ timeoutMs: number; service: string }, Result>>) => ({
  startedAt: new Date('2026-12-07T10:00:00Z'),
  finishedAt: new Date('2026-12-07T10:01:30Z'),
  run: {} as never,
  cancelled: false,
  timedOut: false,
  ...over
});

describe('defineDeployAction', () => {
  it('times the report and the summary on the outcome, and adds the status to the outputs', () => {
    const result = {
      ...fresh(),
      status: 'COMPLETED' as const,
      success: true,
      reason: 'Done.',
      service: 'web'
    };
    const finished = action.finish(outcome({ result }));
    expect(finished.outputs).toEqual({ status: 'COMPLETED', service: 'web' });
    expect(finished.report).toMatchObject({
      action: 'deploy-test',
      status: 'success',
      outcome: 'COMPLETED',
      summary: 'Done.',
      durationMs: 90_000,
      finishedAt: '2026-12-07T10:01:30.000Z',
      region: 'eu-west-1'
    });
    expect(finished.summary).toBe('✅ deploy-test: web — COMPLETED 90000');
    expect(finished.failed).toBeUndefined();
  });

  it('a refused input is a FAILED result of its own, failing with the input problems as they are', () => {
    const error = new InputError([new DockyardError('is required.', { input: 'cluster' })]);
    const finished = action.finish(outcome({ error }));
    expect(finished.outputs.status).toBe('FAILED');
    expect(finished.failed).toBe("Input 'cluster': is required.");
    expect(finished.report).toMatchObject({ status: 'failure', error: "Input 'cluster': is required." });
  });

  it.each([
    [{ cancelled: true }, 'CANCELLED', 'cancelled'],
    [{ timedOut: true }, 'TIMED_OUT', 'failure']
  ] as const)('a stop before any result (%j) is %s', (stop, status, reportStatus) => {
    const finished = action.finish(outcome(stop));
    expect([finished.outputs.status, finished.report.status]).toEqual([status, reportStatus]);
  });

  it('a cancel caused by the step timeout is TIMED_OUT; the step fails with the status and the reason', () => {
    const result = { ...fresh(), status: 'CANCELLED' as const, reason: 'Stopped while waiting: timeout.' };
    const finished = action.finish(outcome({ timedOut: true, result }));
    expect(finished.outputs.status).toBe('TIMED_OUT');
    expect(finished.report.status).toBe('failure');
    expect(finished.failed).toBe('TIMED_OUT: Stopped while waiting: timeout.');
  });

  it('a dry run is skipped, not a success', () => {
    const result = { ...fresh(), status: 'DRY_RUN' as const, success: true, reason: 'Dry run.' };
    expect(action.finish(outcome({ result })).report.status).toBe('skipped');
  });
});

describe('summaryTitle', () => {
  it.each([
    [
      { status: 'ROLLED_BACK', rootCause: 'exit 1: boom', reason: 'exit 1: boom. Rolled back.' },
      '↩️ a: web — ROLLED_BACK: exit 1: boom'
    ],
    [
      { status: 'FAILED', reason: '2 inputs need fixing:\n  - one\n  - two' },
      '❌ a: web — FAILED: 2 inputs need fixing:'
    ],
    [{ status: 'COMPLETED', success: true, reason: 'Done.' }, '✅ a: web — COMPLETED'],
    [
      {
        status: 'ROLLED_BACK',
        rootCause: `CannotPullContainerError: ${'x'.repeat(250)}: not found`,
        reason: ''
      },
      `↩️ a: web — ROLLED_BACK: CannotPullContainerError: ${'x'.repeat(250)}: not found`
    ]
  ] as const)('%j → %s', (over, title) => {
    expect(summaryTitle('a', 'web', { ...fresh(), ...over })).toBe(title);
  });
});
