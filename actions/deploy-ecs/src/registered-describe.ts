/**
 * The registered revision `task-definition-arn` names, read from ECS in the render phase. Apart from registered.ts,
 * which reads the input, so that a step failing on its inputs loads no AWS SDK (scripts/startup.ts measures it).
 */
import { DescribeTaskDefinitionCommand, type ECSClient, type TaskDefinition } from '@aws-sdk/client-ecs';
import { DockyardError, errorName } from '../../../core/index.js';
import type { RegisteredRevision } from './registered.js';

/**
 * DescribeTaskDefinition of the revision, with its tags. A revision ECS does not know, or one that is INACTIVE
 * or being deleted (ECS updates no service to those), is an error naming the input.
 */
export async function describeRegistered(
  ecs: ECSClient,
  revision: RegisteredRevision
): Promise<TaskDefinition> {
  let found: TaskDefinition | undefined;
  try {
    const out = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: revision.reference, include: ['TAGS'] })
    );
    found = out.taskDefinition && { ...out.taskDefinition, ...(out.tags?.length ? { tags: out.tags } : {}) };
  } catch (error) {
    // ECS answers ClientException "Unable to describe task definition." for a revision it does not have.
    if (errorName(error) !== 'ClientException') throw error;
  }
  if (!found)
    throw new DockyardError(`there is no task definition ${revision.key} in this account and region.`, {
      input: 'task-definition-arn',
      hint: 'Check the family, the revision and the region (aws ecs list-task-definitions lists them).'
    });
  if (found.status && found.status !== 'ACTIVE')
    throw new DockyardError(
      `${revision.key} is ${found.status}: ECS updates no service to such a revision.`,
      {
        input: 'task-definition-arn',
        hint: 'Deploy an ACTIVE revision, or register this one again from its file.'
      }
    );
  return found;
}
