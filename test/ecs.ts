/**
 * What the deploy-ecs end-to-end tests on the scenario layer share: one ECS stack (sim/ecs: moto, the proxy, the
 * layer) per test file, paced by the action's looks, and how a step's outcome shows where a person looks.
 */
import { afterAll, beforeAll } from '@jest/globals';
import type { ScenarioRun } from '../sim/ecs/run.js';
import { LOOK_PACE } from '../sim/ecs/scenarios.js';
import { startEcsStack, type EcsStack } from '../sim/ecs/stack.js';

/** Registers the file's hooks; `use` is given the stack once it runs. */
export function ecsStackForFile(use: (stack: EcsStack) => void): void {
  let started: EcsStack | undefined;
  beforeAll(async () => {
    started = await startEcsStack({ pace: LOOK_PACE });
    use(started);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
}

/** The step's failure annotation (its last `::error`), as the runner shows it. */
export const failureLine = ({ result }: ScenarioRun) =>
  result.commands
    .filter(c => c.name === 'error')
    .at(-1)
    ?.data.split('\n')[0] ?? '';

/** The job summary's title, Markdown escapes undone. */
export const summaryTitle = ({ result }: ScenarioRun) =>
  (result.summary.split('\n').find(l => l.startsWith('## ')) ?? '')
    .replace(/^## /, '')
    .replace(/\\(.)/g, '$1');
