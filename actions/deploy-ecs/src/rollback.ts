/**
 * Rolling back by ourselves, when the deployment FAILED, `rollback` is on and ECS did not roll back: update the
 * service to the revision it ran before and follow that deployment like any other. A deployment that timed out,
 * was superseded or cancelled is left as it is (deploy.ts decides).
 */
import type { Logger } from '../../../core/index.js';
import type { LaunchSettings } from './launch-settings.js';
import {
  startDeployment,
  watchDeployment,
  type EcsClients,
  type RolloutResult,
  type Target,
  type WatchOptions
} from './rollout.js';
import { taskDefinitionKey } from './render.js';

export interface RollbackResult {
  /** The rollback's own deployment and how it ended. */
  deploymentId: string;
  outcome: RolloutResult;
  ok: boolean;
}

export async function rollBack(
  clients: EcsClients,
  target: Target,
  options: Omit<WatchOptions, 'deploymentId' | 'taskDefinitionArn' | 'previousTaskDefinitionArn'> & {
    previousTaskDefinitionArn: string;
    failedTaskDefinitionArn: string;
    /** What the service had of the settings the step changed. */
    settings?: LaunchSettings;
  },
  log: Logger
): Promise<RollbackResult> {
  log.info(
    `Rolling back: updating ${target.service} to ${taskDefinitionKey(options.previousTaskDefinitionArn)}.`
  );
  const { deployment, service } = await startDeployment(
    clients,
    target,
    {
      taskDefinitionArn: options.previousTaskDefinitionArn,
      forceNewDeployment: false,
      settings: options.settings,
      clock: options.clock
    },
    log
  );
  const outcome = await watchDeployment(
    clients,
    target,
    {
      ...options,
      deploymentId: deployment.id ?? '',
      taskDefinitionArn: options.previousTaskDefinitionArn,
      // The failed revision is the one this rollback should not be confused with.
      previousTaskDefinitionArn: options.failedTaskDefinitionArn,
      knownEvents: [...(options.knownEvents ?? []), ...(service.events ?? [])]
    },
    log
  );
  const ok = outcome.status === 'COMPLETED';
  if (ok) log.info(`Rolled back to ${taskDefinitionKey(options.previousTaskDefinitionArn)}.`);
  else
    log.error(
      `The rollback to ${taskDefinitionKey(options.previousTaskDefinitionArn)} did not complete: ${outcome.reason}`
    );
  return { deploymentId: deployment.id ?? '', outcome, ok };
}
