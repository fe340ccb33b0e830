import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger } from '../../../core/index.js';
import { cleanupRevisions, revisionsToDeregister, taskDefinitionsInUse } from './cleanup.js';
import { deployment, service, tdArn } from './testing/fixtures.js';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'eu-west-1' });
beforeEach(() => {
  ecsMock.reset();
});

describe('revisionsToDeregister', () => {
  it('keeps the newest N of the family and anything in use, ignoring families that share the prefix', () => {
    const arns = [1, 2, 3, 4, 5, 6].map(r => tdArn('web', r)).concat([tdArn('web-worker', 9)]);
    expect(revisionsToDeregister(arns, 'web', 2, [tdArn('web', 2)])).toEqual([
      tdArn('web', 4),
      tdArn('web', 3),
      tdArn('web', 1)
    ]);
    expect(revisionsToDeregister(arns, 'web', 10, [])).toEqual([]);
  });
});

describe('cleanupRevisions', () => {
  it('pages through ACTIVE revisions and deregisters the old ones not in use', async () => {
    const pages = [
      { taskDefinitionArns: [tdArn('web', 9), tdArn('web', 8), tdArn('web', 7)], nextToken: 't1' },
      { taskDefinitionArns: [tdArn('web', 6), tdArn('web', 5), tdArn('web-api', 3)] }
    ];
    // A copy of each request as sent (the paginator reuses one input object between pages).
    const requests: Record<string, unknown>[] = [];
    ecsMock.on(ListTaskDefinitionsCommand).callsFake(input => {
      requests.push({ ...input });
      return pages.shift();
    });
    ecsMock.on(DeregisterTaskDefinitionCommand).resolves({});
    const result = await cleanupRevisions(
      ecs,
      { family: 'web', keep: 2, inUse: ['web:6', tdArn('web', 9)] },
      memoryLogger()
    );
    expect(result.deregistered).toEqual([tdArn('web', 7), tdArn('web', 5)]);
    expect(requests).toEqual([
      expect.objectContaining({ familyPrefix: 'web', status: 'ACTIVE', sort: 'DESC', nextToken: undefined }),
      expect.objectContaining({ familyPrefix: 'web', status: 'ACTIVE', sort: 'DESC', nextToken: 't1' })
    ]);
    expect(
      ecsMock.commandCalls(DeregisterTaskDefinitionCommand).map(c => c.args[0].input.taskDefinition)
    ).toEqual([tdArn('web', 7), tdArn('web', 5)]);
  });
});

describe('taskDefinitionsInUse', () => {
  it('collects the revisions of every deployment of every service in the cluster, ten services a call', async () => {
    const arns = Array.from(
      { length: 12 },
      (_, i) => `arn:aws:ecs:eu-west-1:123456789012:service/prod/s${i}`
    );
    ecsMock
      .on(ListServicesCommand)
      .resolvesOnce({ serviceArns: arns.slice(0, 11), nextToken: 'n' })
      .resolvesOnce({ serviceArns: arns.slice(11) });
    ecsMock.on(DescribeServicesCommand).callsFake(input => ({
      services: (input.services as string[]).map((arn, i) =>
        service({
          serviceArn: arn,
          taskDefinition: tdArn('other', i + 1),
          deployments: [deployment({ id: `ecs-svc/${i}`, taskDefinition: tdArn('web', 3) })]
        })
      )
    }));
    const used = await taskDefinitionsInUse(ecs, 'prod');
    expect(ecsMock.commandCalls(DescribeServicesCommand).map(c => c.args[0].input.services?.length)).toEqual([
      10, 2
    ]);
    expect(used).toContain(tdArn('web', 3));
    expect(used).toContain(tdArn('other', 10));
  });
});
