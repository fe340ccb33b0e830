/**
 * deploy-ecs end to end, one scenario per failure class (issue 10): the bundle runs against moto behind the
 * ECS scenario layer, and the cause must come first, in one line, everywhere a person looks — the first line
 * of the step's error, the job summary's title, and the report's summary that notify-ses puts in the email's
 * header — with tasks that stopped the same way grouped and few annotations. The layer is paced by the action's
 * looks (LOOK_PACE): the cause is shown at a known look, and the action must act at that look.
 */
import { describe, expect, it } from '@jest/globals';
import { parseReports } from '../core/report.js';
import { runScenario } from '../sim/ecs/run.js';
import { INJECTED_LINES, SCENARIOS } from '../sim/ecs/scenarios.js';
import { type EcsStack } from '../sim/ecs/stack.js';
import type { RunnerCommand } from '../sim/commands.js';
import type { RunResult } from '../sim/runner.js';
import { ecsStackForFile, summaryTitle } from './ecs.js';

let stack: EcsStack;

ecsStackForFile(started => {
  stack = started;
});

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
      const title = summaryTitle({ result });
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

/**
 * The workflow commands on stdout that are not Dockyard's own: anything the runner would execute that names
 * itself `injected`, sets an output (Dockyard writes GITHUB_OUTPUT), points an annotation at a file, or stops
 * command processing with a token Dockyard did not draw (its own are 32 hex digits, each resumed).
 */
function foreignCommands(commands: RunnerCommand[]): RunnerCommand[] {
  const tokens = new Set<string>();
  return commands.filter(c => {
    if (c.name === 'stop-commands' && /^[0-9a-f]{32}$/.test(c.data)) {
      tokens.add(c.data);
      return false;
    }
    if (tokens.has(c.name)) return false;
    if (c.name === 'set-output' || c.name === 'stop-commands' || c.properties.file !== undefined) return true;
    const said = JSON.stringify(c.properties) + (c.name === 'error' ? '' : c.data);
    // Dockyard's own error annotation quotes the root cause as data, escaped as @actions/core escapes data.
    return /injected/.test(said);
  });
}

/** Each stop-commands block Dockyard opened is closed by its own token, after the text it holds. */
function expectBlocksClosed(result: RunResult): void {
  const opened = result.commands.filter(c => c.name === 'stop-commands').map(c => c.data);
  expect(opened.length).toBeGreaterThan(0);
  for (const token of opened) expect(result.commands.some(c => c.name === token)).toBe(true);
}

describe('untrusted text stays text (issue 14)', () => {
  it('a failing deployment whose logs, stopped reason and target health print workflow commands: none runs, no output takes a value', async () => {
    const scenario = SCENARIOS.hostile;
    const { result } = await runScenario(stack, scenario);
    expect(result.code).not.toBe(0);
    // The injected lines were printed, as data: the runner executed none of them.
    for (const line of INJECTED_LINES) expect(result.stdout).toContain(line);
    expect(result.stdout).toContain('::add-mask::injected-reason');
    expect(result.stdout).toContain('##[set-output name=status;]injected');
    expect(foreignCommands(result.commands)).toEqual([]);
    expectBlocksClosed(result);
    expect(result.commands.filter(c => c.name === 'add-mask').map(c => c.data)).not.toContain(
      'injected-mask'
    );

    // Outputs are Dockyard's own: nothing injected is set, nothing Dockyard leaves unset is filled.
    expect(result.outputs.status).toBe(scenario.expect.status);
    expect(result.outputs['deployment-id']).toMatch(/^ecs-svc\/\d+$/);
    expect(result.outputs['run-task-exit-code']).toBeUndefined();
    expect(result.outputs).not.toHaveProperty('injected');
    expect(Object.values(result.outputs).filter(v => v === 'injected')).toEqual([]);

    // The root cause still comes first, and the summary keeps the text in code, not in Markdown.
    const [report] = parseReports(result.outputs.report);
    expect(report.summary).toMatch(new RegExp(scenario.expect.rootCause!.source));
    expect(summaryTitle({ result })).toContain('app exited with code 1: Error: DATABASE_URL is not set');
    expect(result.summary).toContain('::error file=.github/workflows/deploy.yml,line=1::injected annotation');
    expect(result.summary).not.toMatch(/^##\[/m);
  }, 60_000);

  it('a one-off task whose log and container reason print workflow commands: none runs, the exit code is its own', async () => {
    const scenario = SCENARIOS['run-task-hostile'];
    const { result } = await runScenario(stack, scenario);
    expect(result.code).not.toBe(0);
    for (const line of INJECTED_LINES) expect(result.stdout).toContain(line);
    expect(foreignCommands(result.commands)).toEqual([]);
    expectBlocksClosed(result);
    expect(result.outputs).toMatchObject({ status: 'FAILED', 'run-task-exit-code': '3' });
    expect(result.outputs).not.toHaveProperty('injected');
    const [report] = parseReports(result.outputs.report);
    expect(report.summary).toMatch(new RegExp(scenario.expect.rootCause!.source));
  }, 60_000);
});
