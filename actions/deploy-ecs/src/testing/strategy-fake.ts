/**
 * A stateful fake of ECS for blue/green, linear and canary deployments, over aws-sdk-client-mock: a service on
 * web:7 whose service deployment moves one scripted step per look (DescribeServiceDeployments), answers
 * UpdateService with the new deployment, switches to a rollback script on StopServiceDeployment, and names the
 * task definition of each service revision (DescribeServiceRevisions). It counts the writes, so tests can say
 * that nothing more was written.
 */
import {
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  ECSClient,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import {
  CLUSTER,
  CLUSTER_ARN,
  NEW_DEPLOYMENT,
  NEW_REVISION,
  OLD_REVISION,
  OLD_SERVICE_DEPLOYMENT_ARN,
  SERVICE,
  SERVICE_DEPLOYMENT_ARN,
  deployment,
  describedTaskDefinition,
  service,
  serviceDeployment,
  tdArn
} from './fixtures.js';

type EcsMock = AwsClientStub<ECSClient>;

/** The two ECS clients the followers take (both answered by the test's mock), and the service they follow. */
export function mockedClients() {
  const region = 'eu-west-1';
  return {
    clients: { ecs: new ECSClient({ region }), ecsNoRetry: new ECSClient({ region }) },
    target: { cluster: CLUSTER, service: SERVICE }
  };
}

export interface StrategyScript {
  /** What each look at the service deployment shows, in order; the last one from then on. */
  steps: Partial<ServiceDeployment>[];
  /** What each look shows after StopServiceDeployment (ROLLBACK). */
  afterStop?: Partial<ServiceDeployment>[];
  /** From this look on (1-based), the service's current service deployment is someone else's. */
  supersededAt?: number;
  /** Whether UpdateService's answer names the new service deployment (default: it does). */
  namedInAnswer?: boolean;
  /** The service before the update. */
  service?: Partial<Service>;
}

export interface StrategyFake {
  /** Looks at the service deployment so far. */
  looks(): number;
  updates(): number;
  registrations(): number;
  stops(): { serviceDeploymentArn?: string; stopType?: string }[];
}

export function strategyFake(ecsMock: EcsMock, script: StrategyScript): StrategyFake {
  let current: Service = service({
    currentServiceDeployment: OLD_SERVICE_DEPLOYMENT_ARN,
    deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10 },
    ...script.service
  });
  let looks = 0;
  let updates = 0;
  let stoppedAt: number | undefined;
  const stops: { serviceDeploymentArn?: string; stopType?: string }[] = [];
  const step = (): Partial<ServiceDeployment> => {
    const list = stoppedAt !== undefined ? (script.afterStop ?? []) : script.steps;
    const index = stoppedAt !== undefined ? looks - stoppedAt - 1 : looks - 1;
    return list[Math.max(0, Math.min(index, list.length - 1))] ?? {};
  };
  ecsMock.on(UpdateServiceCommand).callsFake(input => {
    updates += 1;
    const td = String(input.taskDefinition);
    current = {
      ...current,
      taskDefinition: td,
      currentServiceDeployment: SERVICE_DEPLOYMENT_ARN,
      deployments: [deployment({ id: NEW_DEPLOYMENT, taskDefinition: td })]
    };
    const answer =
      script.namedInAnswer === false
        ? { ...current, currentServiceDeployment: OLD_SERVICE_DEPLOYMENT_ARN }
        : current;
    return { service: answer };
  });
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    const other = script.supersededAt !== undefined && looks + 1 >= script.supersededAt;
    const seen = other
      ? { ...current, currentServiceDeployment: `${SERVICE_DEPLOYMENT_ARN}-other` }
      : current;
    return { services: [seen], failures: [] };
  });
  ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(input => {
    looks += 1;
    const arn = input.serviceDeploymentArns?.[0];
    if (arn !== SERVICE_DEPLOYMENT_ARN)
      return { serviceDeployments: [], failures: [{ arn, reason: 'MISSING' }] };
    return { serviceDeployments: [serviceDeployment(step())], failures: [] };
  });
  ecsMock.on(StopServiceDeploymentCommand).callsFake(input => {
    stops.push({ serviceDeploymentArn: input.serviceDeploymentArn, stopType: input.stopType });
    stoppedAt = looks;
    return { serviceDeploymentArn: input.serviceDeploymentArn };
  });
  ecsMock.on(DescribeServiceRevisionsCommand).callsFake(input => {
    const arn = input.serviceRevisionArns?.[0];
    const revision = arn === OLD_REVISION ? 7 : arn === NEW_REVISION ? 8 : undefined;
    return revision
      ? {
          serviceRevisions: [{ serviceRevisionArn: arn, taskDefinition: tdArn('web', revision) }],
          failures: []
        }
      : { serviceRevisions: [], failures: [{ arn, reason: 'MISSING' }] };
  });
  return { looks: () => looks, updates: () => updates, registrations: () => 0, stops: () => stops };
}

/**
 * The fake with the cluster and the task definitions a whole deploy reads: web:7 registered, each
 * RegisterTaskDefinition the next revision.
 */
export function strategyWorld(ecsMock: EcsMock, script: StrategyScript): StrategyFake {
  const fake = strategyFake(ecsMock, script);
  let latest = 7;
  let registrations = 0;
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [{ clusterArn: CLUSTER_ARN, clusterName: CLUSTER, status: 'ACTIVE' }],
    failures: []
  });
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake(input => {
    const revision = Number(/:(\d+)$/.exec(String(input.taskDefinition))?.[1] ?? latest);
    return { taskDefinition: describedTaskDefinition(revision), tags: [] };
  });
  ecsMock.on(RegisterTaskDefinitionCommand).callsFake(input => {
    registrations += 1;
    latest += 1;
    return {
      taskDefinition: {
        ...describedTaskDefinition(latest),
        ...input,
        taskDefinitionArn: tdArn('web', latest)
      }
    };
  });
  return { ...fake, registrations: () => registrations };
}
