/**
 * A blue/green, linear or canary deployment held by a PAUSE lifecycle hook: ECS waits (`AWAITING_ACTION`) until
 * ContinueServiceDeployment says CONTINUE or ROLLBACK, or the hook's timeout passes and its `timeoutAction`
 * follows (developer guide, "Pause hooks"). The reusable workflow ends a deploy job at the pause and continues it in
 * a second job after a GitHub environment's approval: `continue-deployment` (the service deployment's ARN) and
 * `continue-action` are that second step's inputs (gate-inputs.ts).
 */
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  type DeploymentLifecycleHookAction,
  type ECSClient,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { DockyardError, sendOnce, type Clock, type Logger } from '../../../core/index.js';

/** The hook a deployment waits on. */
export interface PausedHook {
  hookId: string;
  /** The stage it holds the deployment at (ServiceDeployment.lifecycleStage). */
  stage?: string;
  expiresAt?: Date;
  /** What ECS does when the hook's timeout passes (ROLLBACK unless the hook says CONTINUE). */
  timeoutAction: DeploymentLifecycleHookAction;
}

/** The PAUSE hook the deployment awaits action on, if it does. */
export function pausedHook(deployment: ServiceDeployment | undefined): PausedHook | undefined {
  const hook = deployment?.lifecycleHookDetails?.find(
    h => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION' && h.hookId
  );
  if (!hook?.hookId) return undefined;
  return {
    hookId: hook.hookId,
    stage: deployment?.lifecycleStage,
    expiresAt: hook.expiresAt,
    timeoutAction: hook.timeoutAction ?? 'ROLLBACK'
  };
}

/** `paused at POST_TEST_TRAFFIC_SHIFT (hook ecs-pause-…), until 14:05 UTC, then ROLLBACK`. */
export function pausedText(hook: PausedHook): string {
  const until = hook.expiresAt ? `, until ${hook.expiresAt.toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
  return `paused at ${hook.stage ?? 'its stage'} (hook ${hook.hookId})${until}, then ${hook.timeoutAction}`;
}

/** The service deployment, described. */
export async function describeServiceDeployment(
  ecs: ECSClient,
  arn: string,
  signal?: AbortSignal
): Promise<ServiceDeployment> {
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), {
    abortSignal: signal
  });
  const found = out.serviceDeployments?.find(d => d.serviceDeploymentArn === arn);
  if (!found)
    throw new DockyardError(
      `there is no service deployment ${arn}${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ''}.`,
      {
        input: 'continue-deployment',
        hint: 'Pass the ARN the pausing step output, of this region and account.'
      }
    );
  return found;
}

/**
 * ContinueServiceDeployment, once: after a lost answer the deployment is described again, and a hook no longer
 * awaiting action means the call went through.
 */
export async function continueDeployment(
  clients: { ecs: ECSClient; ecsNoRetry: ECSClient },
  arn: string,
  hook: PausedHook,
  action: DeploymentLifecycleHookAction,
  options: { log: Logger; clock?: Clock; signal?: AbortSignal }
): Promise<void> {
  const { log } = options;
  log.info(
    `ContinueServiceDeployment ${action}: ${arn}, hook ${hook.hookId} at ${hook.stage ?? 'its stage'}.`
  );
  await sendOnce<true>({
    operation: 'ContinueServiceDeployment',
    log,
    clock: options.clock,
    signal: options.signal,
    send: async () => {
      await clients.ecsNoRetry.send(
        new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook.hookId, action })
      );
      return true;
    },
    check: async () => {
      const again = await describeServiceDeployment(clients.ecs, arn, options.signal);
      return pausedHook(again)?.hookId === hook.hookId ? undefined : true;
    }
  });
}
