/**
 * deploy-ecs end to end, one scenario per failure class (issue 10): the bundle runs against moto behind the
 * ECS scenario layer, and the cause must come first, in one line, everywhere a person looks — the first line
 * of the step's error, the job summary's title, and the report's summary that notify-ses puts in the email's
 * header — with tasks that stopped the same way grouped and few annotations. The layer is paced by the action's
 * looks (LOOK_PACE): the cause is shown at a known look, and the action must act at that look.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseReports } from '../core/report.js';
import { runScenario } from '../sim/ecs/run.js';
import { LOOK_PACE, SCENARIOS } from '../sim/ecs/scenarios.js';
import { startEcsStack, type EcsStack } from '../sim/ecs/stack.js';

let stack: EcsStack;

beforeAll(async () => {
  stack = await startEcsStack({ pace: LOOK_PACE });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** The summary's first heading, without the Markdown escapes. */
function summaryTitle(summary: string): string {
  return (summary.split('\n').find(l => l.startsWith('## ')) ?? '')
    .replace(/^## /, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\\(.)/g, '$1');
}

const classes = Object.values(SCENARIOS).filter(s => s.failureClass);

describe('the root cause first, per failure class', () => {
  it('covers every class the issue lists', () => {
    expect(classes.map(s => s.failureClass)).toEqual(
      expect.arrayContaining([
        'essential container exit, with log tail',
        'out of memory (137)',
        'CannotPullContainerError',
        'ResourceInitializationError (secrets)',
        'failing load-balancer health checks',
        'no capacity to place a task',
        'a task that never becomes healthy (container health check)',
        'one-off task (run-task) exit'
      ])
    );
  });

  it.each(classes.map(s => [s.failureClass, s] as const))(
    '%s',
    async (_label, scenario) => {
      const { result, measurement } = await runScenario(stack, scenario);
      const rootCause = scenario.expect.rootCause!;
      expect(result.code).not.toBe(0);
      expect(result.outputs.status).toBe(scenario.expect.status);

      // The step's error: its first line is the status and the cause.
      const errors = result.stdout.split('\n').filter(l => l.startsWith('::error'));
      const failure = errors.at(-1) ?? '';
      const firstLine = decodeURIComponent(failure.replace(/^::error[^:]*::/, '').split('%0A')[0]);
      expect(firstLine.startsWith(`${scenario.expect.status}: `)).toBe(true);
      const cause = firstLine.slice(scenario.expect.status.length + 2);
      expect(cause).toMatch(new RegExp(rootCause.source.replace(/\$$/, '')));

      // The job summary's title ends with the cause; the report (the email's header) starts with it.
      const title = summaryTitle(result.summary);
      expect(title).toMatch(
        new RegExp(`— ${scenario.expect.status}: ${rootCause.source.replace(/^\^/, '')}`)
      );
      const [report] = parseReports(result.outputs.report);
      expect(report.summary).toMatch(new RegExp(rootCause.source.replace(/\$$/, '')));
      expect(report.error).toBe(report.summary);

      // Few annotations: the cause once while failing, and the step's failure (GitHub shows ten per step).
      const annotations = result.stdout.split('\n').filter(l => /^::(error|warning)/.test(l));
      expect(annotations.length).toBeLessThanOrEqual(3);
      // Tasks that stopped the same way are one group, not one block each.
      expect(result.summary.match(/<summary>Task [0-9a-f-]+ stopped/g) ?? []).toHaveLength(0);

      // Acted at the first look that showed the failure (the timeout has no such look: its deadline is the outcome).
      if (scenario.timeoutMs === undefined) expect(measurement.pollsAfterSeen).toBe(0);
      // And, having rolled back, ended at the first look that showed the rollback done.
      if (scenario.expect.status === 'ROLLED_BACK')
        expect(measurement.rollback).toMatchObject({ outcome: 'COMPLETED', pollsAfterSeen: 0 });
    },
    60_000
  );

  it('essential container exit: the log tail is in the summary, the error line in the cause', async () => {
    const { result } = await runScenario(stack, SCENARIOS['essential-exit']);
    expect(result.summary).toContain('<summary>2 tasks stopped: app exited with code 1</summary>');
    expect(result.summary).toContain('L35     at loadConfig (/app/dist/config.js:12:11)');
    expect(result.summary).toMatch(/tasks: [0-9a-f-]+, [0-9a-f-]+/);
  }, 60_000);
});
