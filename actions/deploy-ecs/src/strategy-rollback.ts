/**
 * Rolling back a blue/green, linear or canary deployment by ourselves (the step's timeout, or a failed check of
 * the step's): StopServiceDeployment with `stopType: ROLLBACK`, then following ECS's rollback to its end within
 * the time left. Never a new UpdateService, which on such a service would start a second full deployment with
 * its own bake. A deployment ECS already rolled back, stopped or finished is left as it is.
 */
import {
  DescribeServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import type { Logger } from '../../../core/log.js';
import { sendOnce, systemClock } from '../../../core/poll.js';
import { errorName } from '../../../core/aws.js';
import type { DeployStatus, Ending } from '../../../core/deploy.js';
import type { EcsClients, Target } from './rollout.js';
import {
  followServiceDeployment,
  type StrategyResult,
  type StrategyWatchOptions
} from './service-deployment.js';
import type { StrategyView } from './stage-progress.js';
import { shortArn } from './stages.js';

export interface StrategyRollback {
  serviceDeploymentArn: string;
  /** How following the rollback ended. */
  outcome: StrategyResult;
  /** ECS finished rolling back (ROLLBACK_SUCCESSFUL). */
  ok: boolean;
}

/** Whether this step may still stop the deployment: ECS named it and it is still going forward. */
export function stoppable(
  view: StrategyView | undefined
): view is StrategyView & { serviceDeploymentArn: string } {
  return !!view?.serviceDeploymentArn && (view.status === 'IN_PROGRESS' || view.status === 'PENDING');
}

/** StopServiceDeployment ROLLBACK, then ECS's rollback followed to ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED. */
export async function stopWithRollback(
  clients: EcsClients,
  target: Target,
  options: StrategyWatchOptions & { serviceDeploymentArn: string },
  log: Logger
): Promise<StrategyRollback> {
  const arn = options.serviceDeploymentArn;
  log.info(`Rolling back: StopServiceDeployment ${arn} with stopType ROLLBACK (no new UpdateService).`);
  await requestRollback(clients, arn, options, log);
  // ECS takes the stop at its next stage: the first look comes a poll interval later, as every other look does.
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  await clock.sleep(options.intervalMs, options.signal);
  const outcome = await followServiceDeployment(
    clients,
    target,
    {
      ...options,
      timeoutMs: Math.max(0, options.timeoutMs - (clock.now() - started)),
      stopRequested: true,
      waitUntil: 'completed',
      before: undefined
    },
    log
  );
  return { serviceDeploymentArn: arn, outcome, ok: outcome.status === 'ROLLED_BACK' };
}

/**
 * Sends StopServiceDeployment once: after a lost answer it looks whether the stop went through. A deployment
 * that ended meanwhile (ECS refuses to stop it) is followed as it is.
 */
async function requestRollback(
  clients: EcsClients,
  arn: string,
  options: StrategyWatchOptions,
  log: Logger
): Promise<void> {
  const describe = async () =>
    (
      await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), {
        abortSignal: options.signal
      })
    ).serviceDeployments?.[0];
  const stopped = (d: ServiceDeployment | undefined) =>
    d?.status !== undefined && d.status !== 'IN_PROGRESS' && d.status !== 'PENDING';
  try {
    await sendOnce({
      operation: 'StopServiceDeployment',
      log,
      clock: options.clock,
      signal: options.signal,
      send: () =>
        clients.ecsNoRetry.send(
          new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })
        ),
      check: async () => (stopped(await describe()) ? {} : undefined)
    });
  } catch (error) {
    const now = await describe();
    if (!stopped(now)) throw error;
    log.info(`StopServiceDeployment: ${errorName(error)}; ${shortArn(arn)} is already ${now?.status}.`);
  }
}

/**
 * What the rollback phase reports: ROLLED_BACK once ECS has rolled back; a rollback still under way when the
 * step's time ran out leaves the deploy's status (`keep`: TIMED_OUT, FAILED) and says so.
 */
export function rollbackEnding(rollback: StrategyRollback, keep: DeployStatus): Ending {
  const { outcome } = rollback;
  const what = `Stopped service deployment ${shortArn(rollback.serviceDeploymentArn)} with stopType ROLLBACK`;
  const to = outcome.strategy.rollbackTo ?? 'the previous revision';
  const status = outcome.strategy.status;
  if (status === 'ROLLBACK_SUCCESSFUL')
    return { status: 'ROLLED_BACK', reason: `${what}; ECS rolled back to ${to}.` };
  if (outcome.status === 'ROLLED_BACK')
    return {
      status: keep,
      reason: `${what}; ECS was still rolling back to ${to} (${status}) when the step's time ran out, and carries on.`
    };
  if (outcome.status === 'COMPLETED')
    return {
      status: keep,
      reason: 'The deployment completed as the step stopped it; nothing was rolled back.'
    };
  if (outcome.status === 'CANCELLED')
    return { status: 'CANCELLED', reason: `${what}; cancelled while following the rollback.` };
  return { status: 'FAILED', reason: `${what}; the rollback did not complete: ${outcome.reason}` };
}
