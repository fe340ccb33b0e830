/**
 * `continue-deployment`: the second step of gated promotion. The deployment a PAUSE hook holds is read (it must be
 * the service's; its target and source revisions are what it deploys and what it would roll back to), then
 * continued or rolled back with ContinueServiceDeployment (pause.ts), and followed like any strategy deployment.
 * A deployment no longer paused (the hook's timeout passed, someone acted in the console) is reported as it is.
 */
import {
  DescribeServiceRevisionsCommand,
  type DeploymentLifecycleHookAction,
  type ECSClient,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import type { Ending } from '../../../core/deploy.js';
import { DockyardError } from '../../../core/errors.js';
import type { ContinueInputs } from './gate-inputs.js';
import { describeServiceDeployment, pausedHook, type PausedHook } from './pause.js';
import { shortArn } from './stages.js';

export interface PausedTarget {
  deployment: ServiceDeployment;
  /** The PAUSE hook awaiting action; undefined when the deployment no longer waits on one. */
  hook?: PausedHook;
  /** The task definitions of its target revision and of the revision it replaces. */
  taskDefinitionArn: string;
  previousTaskDefinitionArn?: string;
}

/** The paused deployment of the service, read; refused when it is another service's. */
export async function readPausedTarget(
  ecs: ECSClient,
  continuing: ContinueInputs,
  service: Service,
  signal?: AbortSignal
): Promise<PausedTarget> {
  const deployment = await describeServiceDeployment(ecs, continuing.serviceDeploymentArn, signal);
  if (deployment.serviceArn && service.serviceArn && deployment.serviceArn !== service.serviceArn)
    throw new DockyardError(
      `the service deployment ${continuing.serviceDeploymentArn} is one of ${deployment.serviceArn}, not of the service '${service.serviceName}'.`,
      {
        input: 'continue-deployment',
        hint: "Pass the 'service-deployment-arn' output of the step that deployed this service."
      }
    );
  const [target, source] = await Promise.all([
    revisionTaskDefinition(ecs, deployment.targetServiceRevision?.arn),
    revisionTaskDefinition(ecs, deployment.sourceServiceRevisions?.[0]?.arn)
  ]);
  const taskDefinitionArn = target ?? service.taskDefinition;
  if (!taskDefinitionArn)
    throw new DockyardError(
      `the service deployment ${shortArn(continuing.serviceDeploymentArn)} names no target revision.`,
      { input: 'continue-deployment' }
    );
  return { deployment, hook: pausedHook(deployment), taskDefinitionArn, previousTaskDefinitionArn: source };
}

async function revisionTaskDefinition(ecs: ECSClient, arn: string | undefined): Promise<string | undefined> {
  if (!arn) return undefined;
  const out = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [arn] }));
  return out.serviceRevisions?.[0]?.taskDefinition;
}

/**
 * For a deployment no longer awaiting action: how the step ends, or undefined to follow it (it goes on forward and
 * the step was asked to continue it).
 */
export function notPausedEnding(
  deployment: ServiceDeployment,
  action: DeploymentLifecycleHookAction
): Ending | undefined {
  const arn = shortArn(deployment.serviceDeploymentArn);
  const status = deployment.status ?? 'no status';
  const at = deployment.lifecycleStage ? ` at ${deployment.lifecycleStage}` : '';
  const noHook = `Service deployment ${arn} no longer waits on a PAUSE hook (${status}${at})`;
  const rolledBack = status.startsWith('ROLLBACK') && status !== 'ROLLBACK_FAILED';
  if (action === 'ROLLBACK' && rolledBack)
    return { status: 'ROLLED_BACK', reason: `${noHook}: ECS is rolling it back or has, without this step.` };
  if (action === 'CONTINUE' && status === 'SUCCESSFUL')
    return { status: 'COMPLETED', reason: `${noHook}: it completed without this step.` };
  if (action === 'CONTINUE' && (status === 'IN_PROGRESS' || status === 'PENDING')) return undefined;
  const why =
    action === 'CONTINUE' && rolledBack
      ? ' The approval came too late: the pause hook timed out, or someone rolled it back.'
      : action === 'ROLLBACK' && status === 'IN_PROGRESS'
        ? ' It was continued already; stop it with StopServiceDeployment ROLLBACK, or deploy the previous revision.'
        : '';
  return { status: 'FAILED', reason: `${noHook}; nothing to ${action.toLowerCase()}.${why}` };
}
