/**
 * keep-revisions: deregister ACTIVE revisions of the family beyond the newest N. A revision that a deployment of
 * any service in the cluster uses (not only the one deployed to), or the one just deployed, is never deregistered.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  paginateListServices,
  paginateListTaskDefinitions,
  type ECSClient
} from '@aws-sdk/client-ecs';
import { describeError, type Logger } from '../../../core/index.js';
import { familyOf, revisionOf, taskDefinitionKey } from './render.js';

export interface CleanupResult {
  deregistered: string[];
  kept: string[];
  failed: string[];
}

/** Which ARNs to deregister: pure. `arns` are the family's ACTIVE revisions in any order. */
export function revisionsToDeregister(
  arns: string[],
  family: string,
  keep: number,
  inUse: string[]
): string[] {
  const used = new Set(inUse.map(taskDefinitionKey));
  const ofFamily = arns
    .filter(a => familyOf(a) === family)
    .sort((a, b) => (revisionOf(b) ?? 0) - (revisionOf(a) ?? 0));
  return ofFamily.slice(keep).filter(a => !used.has(taskDefinitionKey(a)));
}

export async function cleanupRevisions(
  ecs: ECSClient,
  options: { family: string; keep: number; inUse: string[] },
  log: Logger
): Promise<CleanupResult> {
  const arns: string[] = [];
  for await (const page of paginateListTaskDefinitions(
    { client: ecs },
    { familyPrefix: options.family, status: 'ACTIVE', sort: 'DESC' }
  )) {
    arns.push(...(page.taskDefinitionArns ?? []));
  }
  const doomed = revisionsToDeregister(arns, options.family, options.keep, options.inUse);
  const result: CleanupResult = {
    deregistered: [],
    kept: arns.filter(a => familyOf(a) === options.family && !doomed.includes(a)),
    failed: []
  };
  for (const arn of doomed) {
    try {
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
      result.deregistered.push(arn);
      log.info(`Deregistered ${taskDefinitionKey(arn)}.`);
    } catch (error) {
      result.failed.push(arn);
      log.warning(`Could not deregister ${taskDefinitionKey(arn)}: ${describeError(error)}`);
    }
  }
  if (doomed.length === 0)
    log.info(
      `Nothing to deregister: ${result.kept.length} ACTIVE revisions of ${options.family}, keeping ${options.keep}.`
    );
  return result;
}

/** The task definitions of every deployment of every service in the cluster. */
export async function taskDefinitionsInUse(ecs: ECSClient, cluster: string): Promise<string[]> {
  const services: string[] = [];
  for await (const page of paginateListServices({ client: ecs, pageSize: 100 }, { cluster })) {
    services.push(...(page.serviceArns ?? []));
  }
  const used: string[] = [];
  for (let i = 0; i < services.length; i += 10) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: services.slice(i, i + 10) }));
    for (const service of out.services ?? []) {
      if (service.taskDefinition) used.push(service.taskDefinition);
      for (const d of service.deployments ?? []) if (d.taskDefinition) used.push(d.taskDefinition);
    }
  }
  return used;
}
