/**
 * The task definitions of a fake ECS, over aws-sdk-client-mock: the cluster `prod` ACTIVE, the revisions of
 * `web` given (web:7 unless said) described by DescribeTaskDefinition (a bare family: its latest), and each
 * RegisterTaskDefinition stored as the next revision, `onRegister` told of it.
 */
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { CLUSTER, CLUSTER_ARN, describedTaskDefinition, tdArn } from './fixtures.js';

export function fakeRegistry(
  ecsMock: AwsClientStub<ECSClient>,
  revisions: number[] = [7],
  onRegister: () => void = () => undefined
): Map<number, TaskDefinition> {
  const registered = new Map(revisions.map(r => [r, describedTaskDefinition(r)]));
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [{ clusterArn: CLUSTER_ARN, clusterName: CLUSTER, status: 'ACTIVE' }],
    failures: []
  });
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake(input => {
    const revision = /:(\d+)$/.exec(String(input.taskDefinition))?.[1];
    return { taskDefinition: registered.get(Number(revision ?? Math.max(...registered.keys()))), tags: [] };
  });
  ecsMock.on(RegisterTaskDefinitionCommand).callsFake(input => {
    const revision = Math.max(...registered.keys()) + 1;
    const td = {
      ...describedTaskDefinition(revision),
      ...input,
      taskDefinitionArn: tdArn('web', revision),
      revision
    };
    registered.set(revision, td);
    onRegister();
    return { taskDefinition: td };
  });
  return registered;
}
