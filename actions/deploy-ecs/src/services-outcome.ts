/**
 * How a release to several services ends (services.ts), from each service's result: what the wait, the rollback
 * and a stop say. Pure. The release succeeds when every service does; the first failure is its cause; after the
 * rollback it is ROLLED_BACK only when every service it changed is back on the revision it ran before.
 */
import type { DeployStatus, Ending } from '../../../core/deploy.js';
import { sentence } from '../../../core/text.js';
import { taskDefinitionKey } from './render.js';
import type { DeployResult } from './result.js';
import { shortArn } from './stages.js';

/** The statuses of a service's wait that are well: its deployment completed, or reached `wait-until`'s stage. */
export const FOLLOWED = new Set<DeployStatus>(['COMPLETED', 'IN_PROGRESS']);

export interface ServiceEnd {
  name: string;
  result: DeployResult;
  /** Whether the step updated it (its UpdateService was answered). */
  started: boolean;
}

/** The wait's outcome: COMPLETED or IN_PROGRESS when every service is; else the failures first, in order seen. */
export function releaseEnding(services: ServiceEnd[], failed: string[]): Ending {
  const revision = taskDefinitionKey(services[0]?.result.taskDefinitionArn);
  if (failed.length === 0) {
    if (services.every(s => s.result.status === 'COMPLETED'))
      return {
        status: 'COMPLETED',
        reason: `${revision} runs on all ${services.length} services: ${services.map(s => s.name).join(', ')}.`
      };
    return {
      status: 'IN_PROGRESS',
      reason: services.map(s => `${s.name}: ${sentence(s.result.reason)}`).join(' ')
    };
  }
  const bad = services.filter(s => failed.includes(s.name));
  const status = bad.every(s => s.result.status === 'TIMED_OUT') ? 'TIMED_OUT' : 'FAILED';
  const first = failed.map(name => bad.find(s => s.name === name)!);
  const lead = first.map(s => `${s.name} ${s.result.status}: ${sentence(s.result.reason)}`);
  const rest = services.filter(s => !failed.includes(s.name)).map(s => `${s.name} ${otherState(s)}.`);
  return { status, reason: [...lead, ...rest].join(' ') };
}

function otherState(s: ServiceEnd): string {
  if (!s.started) return 'was not updated';
  if (s.result.status === 'CANCELLED') return 'was no longer followed';
  if (s.result.status === 'COMPLETED') return 'had completed';
  return s.result.status;
}

/** The reason of a service whose wait the first failure stopped: that failure, then where it stood. */
export function stoppedReason(cause: string, status: DeployStatus, reason: string): string {
  const where = reason.replace(/^Cancelled while waiting\.\s*/, '');
  return sentence(`Stopped following when ${cause} ended ${status}`, where);
}

/**
 * The rollback's outcome: ROLLED_BACK when every service the step changed is back where it was (ECS's rollback or
 * the step's), CANCELLED when the step was stopped rolling back, else FAILED naming what stays on the new revision.
 */
export function releaseRollbackEnding(services: ServiceEnd[]): Ending {
  const changed = services.filter(s => s.started && s.result.status !== 'SUPERSEDED');
  const cancelled = changed.filter(s => s.result.status === 'CANCELLED');
  const stays = changed.filter(s => !isBack(s.result));
  const back = changed.filter(s => isBack(s.result));
  const backLine =
    back.length > 0
      ? `Back on what they ran: ${back.map(s => `${s.name} (${taskDefinitionKey(s.result.previousTaskDefinitionArn)})`).join(', ')}.`
      : '';
  if (stays.length === 0) return { status: 'ROLLED_BACK', reason: backLine };
  const staysLine = `Still on ${taskDefinitionKey(stays[0].result.taskDefinitionArn)}: ${stays.map(s => s.name).join(', ')}.`;
  return {
    status: cancelled.length > 0 ? 'CANCELLED' : 'FAILED',
    reason: [staysLine, backLine].filter(Boolean).join(' ')
  };
}

/** Back on the revision it ran before: rolled back (by ECS or the step), or it never left it. */
function isBack(result: DeployResult): boolean {
  if (result.status === 'ROLLED_BACK') return true;
  const before = taskDefinitionKey(result.previousTaskDefinitionArn);
  return before !== '' && before === taskDefinitionKey(result.taskDefinitionArn);
}

/** What had been written when the step was stopped: which services' deployments had started. */
export function releaseProgress(services: ServiceEnd[]): string {
  const started = services.filter(s => s.started);
  const first = services[0]?.result;
  if (started.length > 0) {
    const each = started.map(s => {
      const arn = s.result.serviceDeploymentArn;
      return `${s.name} ${s.result.deploymentId}${arn ? ` (service deployment ${shortArn(arn)})` : ''}`;
    });
    return `Deployments had started: ${each.join(', ')}; ECS carries on with them.`;
  }
  if (first?.taskDefinitionArn && first.registered !== undefined)
    return `${taskDefinitionKey(first.taskDefinitionArn)} was ${first.registered ? 'registered' : 'reused'}; no service was updated.`;
  return '';
}
