/**
 * What the deploy tests share: the inputs of a step on the fixtures' service (each test adds its own), and what
 * the step writes for a deploy's result (outputs, summary, report, failure), as the core's finish makes it.
 */
import { recordInputSource } from '../../../../core/inputs.js';
import { getInputs } from '../inputs.js';
import { deployEcs } from '../main.js';
import type { DeployResult } from '../result.js';
import { CLUSTER, REGION, SERVICE } from './fixtures.js';

export function deployInputs(values: Record<string, string>) {
  return getInputs(
    recordInputSource({
      cluster: CLUSTER,
      service: SERVICE,
      region: REGION,
      'poll-interval': '5s',
      ...values
    }),
    { env: {} }
  );
}

export function finishOf(result: DeployResult) {
  return deployEcs.finish({
    startedAt: new Date(0),
    finishedAt: new Date(1000),
    run: { repository: 'o/r' } as never,
    cancelled: false,
    timedOut: false,
    result
  });
}
