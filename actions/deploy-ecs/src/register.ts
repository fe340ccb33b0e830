/**
 * Registers the rendered task definition, or reuses the family's latest ACTIVE revision when it is the same.
 * RegisterTaskDefinition is not idempotent: a retried call after a lost response would register twice. So the
 * register call goes through a client that does not retry, and after a transient error the latest revision is
 * looked at again before trying once more: when it is ours, it is used.
 */
import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionRequest,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import { errorName, sendOnce, type Clock, type Logger } from '../../../core/index.js';
import { describedAsRequest, sameTaskDefinition } from './compare.js';

export interface Registration {
  taskDefinitionArn: string;
  revision: number;
  registered: boolean;
  taskDefinition: TaskDefinition;
}

/** The family's latest ACTIVE revision with its tags, or undefined when the family has none. */
export async function latestRevision(
  ecs: ECSClient,
  family: string
): Promise<{ taskDefinition: TaskDefinition; request: RegisterTaskDefinitionRequest } | undefined> {
  try {
    const out = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] })
    );
    if (!out.taskDefinition) return undefined;
    return { taskDefinition: out.taskDefinition, request: describedAsRequest(out.taskDefinition, out.tags) };
  } catch (error) {
    // ECS answers ClientException "Unable to describe task definition." for a family with no ACTIVE revision.
    if (errorName(error) === 'ClientException' || errorName(error) === 'InvalidParameterException')
      return undefined;
    throw error;
  }
}

export interface RegisterClients {
  /** The usual client (retries). */
  ecs: ECSClient;
  /** A client with maxAttempts 1, for RegisterTaskDefinition only. */
  ecsNoRetry: ECSClient;
}

export async function registerOrReuse(
  clients: RegisterClients,
  request: RegisterTaskDefinitionRequest,
  log: Logger,
  options: { clock?: Clock; attempts?: number; baseDelayMs?: number; signal?: AbortSignal } = {}
): Promise<Registration> {
  const family = request.family ?? '';
  const latest = await latestRevision(clients.ecs, family);
  if (latest && sameTaskDefinition(latest.request, request)) {
    log.info(
      `The task definition is identical to ${family}:${latest.taskDefinition.revision}, the latest ACTIVE revision: reusing it.`
    );
    return asRegistration(latest.taskDefinition);
  }
  return sendOnce({
    operation: 'RegisterTaskDefinition',
    ...options,
    log,
    send: async () => {
      const out = await clients.ecsNoRetry.send(new RegisterTaskDefinitionCommand(request));
      const td = out.taskDefinition;
      if (!td?.taskDefinitionArn || td.revision === undefined)
        throw new Error('RegisterTaskDefinition returned no task definition.');
      log.info(`Registered ${family}:${td.revision}.`);
      return {
        taskDefinitionArn: td.taskDefinitionArn,
        revision: td.revision,
        registered: true,
        taskDefinition: td
      };
    },
    // The call may have succeeded on the server: the latest revision would then be ours.
    check: async () => {
      const again = await latestRevision(clients.ecs, family);
      if (
        !again ||
        !sameTaskDefinition(again.request, request) ||
        again.taskDefinition.revision === latest?.taskDefinition.revision
      )
        return undefined;
      log.info(`${family}:${again.taskDefinition.revision} was registered by the failed call: using it.`);
      return { ...asRegistration(again.taskDefinition), registered: true };
    }
  });
}

/** A revision that is already registered (reused, or named by `task-definition-arn`), as a registration. */
export function asRegistration(td: TaskDefinition): Registration {
  return {
    taskDefinitionArn: td.taskDefinitionArn ?? '',
    revision: td.revision ?? 0,
    registered: false,
    taskDefinition: td
  };
}
