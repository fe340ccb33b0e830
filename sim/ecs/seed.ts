/**
 * What a deploy-ecs test starts from, created in moto through the SDK: a cluster, a task definition with
 * two containers logging through awslogs, a target group in the default VPC, a log group, and a Fargate
 * service on that task definition behind the target group, with the deployment circuit breaker on.
 *
 * Moto is shared by every test of an end-to-end run (sim/moto.ts `useMoto`) and never reset, so each seed's
 * names are its own: cluster `dockyard-<id>`, family and log group `web-<id>`, target group `web-<id>`; the
 * service is `web` in its own cluster. The images of the `web` repository are the same for everyone.
 */
import { randomBytes } from 'node:crypto';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { motoQuery, TEST_ACCOUNT, TEST_REGION } from '../moto.js';
import { seedStrategy, type StrategySeed, type StrategySeeded } from './strategy-seed.js';

export interface MotoClients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  ecr: ECRClient;
  ssm: SSMClient;
  secrets: SecretsManagerClient;
  endpoint: string;
}

/** An SDK client's configuration for `endpoint` (moto, or the proxy in front of it): one attempt, test credentials. */
export function sdkConfig(endpoint: string) {
  return {
    endpoint,
    region: TEST_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1
  };
}

/** SDK clients that talk to moto directly (not through the proxy, so they are not counted). */
export function motoClients(endpoint: string): MotoClients {
  const config = sdkConfig(endpoint);
  return {
    ecs: new ECSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    logs: new CloudWatchLogsClient(config),
    ecr: new ECRClient(config),
    ssm: new SSMClient(config),
    secrets: new SecretsManagerClient(config),
    endpoint
  };
}

/** The default VPC and its first subnet, which moto creates in every region (read through EC2's query API). */
export async function defaultNetwork(endpoint: string): Promise<{ vpcId: string; subnetId: string }> {
  const { xml } = await motoQuery(endpoint, 'ec2', {
    Action: 'DescribeSubnets',
    Version: '2016-11-15',
    'Filter.1.Name': 'default-for-az',
    'Filter.1.Value.1': 'true'
  });
  const subnetId = /<subnetId>([^<]+)<\/subnetId>/.exec(xml)?.[1];
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(xml)?.[1];
  if (!subnetId || !vpcId) throw new Error(`moto has no default subnet: ${xml.slice(0, 300)}`);
  return { vpcId, subnetId };
}

export const IMAGE_V1 = `${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/web:v1`;
export const IMAGE_V2 = `${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/web:v2`;
export const SIDECAR_IMAGE = 'public.ecr.aws/docker/library/busybox:1.36';

/** The tags of the `web` repository that the seed pushes to moto's ECR (images the verify step finds). */
export const SEEDED_TAGS = ['v1', 'v2', 'v1.1', 'v1.2', 'hotfix'];

/** Records an image in moto's ECR, as a push would: a small manifest under `tag` in `repository`. */
export async function putImage(clients: MotoClients, repository: string, tag: string): Promise<void> {
  await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: repository })).catch((e: Error) => {
    if (e.name !== 'RepositoryAlreadyExistsException') throw e;
  });
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1000 + tag.length,
      digest: `sha256:${Buffer.from(`${repository}:${tag}`).toString('hex').padEnd(64, '0').slice(0, 64)}`
    },
    layers: []
  };
  await clients.ecr
    .send(
      new PutImageCommand({
        repositoryName: repository,
        imageTag: tag,
        imageManifest: JSON.stringify(manifest)
      })
    )
    .catch((e: Error) => {
      if (e.name !== 'ImageAlreadyExistsException') throw e;
    });
}

export interface SeedOptions {
  /** What makes the default names unique (8 hex digits, random unless given). */
  id?: string;
  cluster?: string;
  service?: string;
  family?: string;
  desiredCount?: number;
  /** deploymentCircuitBreaker.rollback: whether ECS rolls a failed deployment back by itself. */
  circuitBreakerRollback?: boolean;
  /** Put the service behind an ELBv2 target group. */
  loadBalancer?: boolean;
  /** The service's deployment controller, ECS unless said (a CODE_DEPLOY or EXTERNAL one takes no new task definition). */
  deploymentController?: 'CODE_DEPLOY' | 'EXTERNAL';
  /** Switch the service to ECS's own BLUE_GREEN, LINEAR or CANARY deployments and what they need (strategy-seed.ts). */
  strategy?: StrategySeed;
  /** Run this registered revision instead of registering one (services of one release running the same one). */
  taskDefinitionArn?: string;
}

export interface Seeded {
  /** The seed's own suffix, for names a test creates beside it (`<name>-<id>`). */
  id: string;
  cluster: string;
  service: string;
  family: string;
  taskDefinitionArn: string;
  targetGroupArn?: string;
  logGroup: string;
  logStreamPrefix: string;
  subnetId: string;
  vpcId: string;
  deploymentConfiguration: {
    maximumPercent: number;
    minimumHealthyPercent: number;
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  } & Record<string, unknown>;
  /** The load balancer resources of a strategy service (`strategy` option). */
  strategy?: StrategySeeded;
}

/** Moto sums container-level cpu and memory when it places a task, so every container sets both. */
export function taskDefinitionInput(
  family: string,
  logGroup: string,
  image = IMAGE_V1
): RegisterTaskDefinitionCommandInput {
  const awslogs = (prefix: string) => ({
    logDriver: 'awslogs' as const,
    options: { 'awslogs-group': logGroup, 'awslogs-region': TEST_REGION, 'awslogs-stream-prefix': prefix }
  });
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/ecsTaskExecutionRole`,
    taskRoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/web-task`,
    containerDefinitions: [
      {
        name: 'app',
        image,
        essential: true,
        cpu: 192,
        memory: 384,
        portMappings: [{ containerPort: 80, protocol: 'tcp' }],
        environment: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'GREETING', value: 'hello world' }
        ],
        logConfiguration: awslogs('web')
      },
      {
        name: 'worker',
        image: SIDECAR_IMAGE,
        essential: false,
        cpu: 64,
        memory: 128,
        command: ['sh', '-c', 'while true; do sleep 60; done'],
        logConfiguration: awslogs('web')
      }
    ]
  };
}

/** Moto endpoints whose `web` repository already holds SEEDED_TAGS (in this process). */
const imagesSeeded = new Set<string>();

export async function seedService(clients: MotoClients, options: SeedOptions = {}): Promise<Seeded> {
  const id = options.id ?? randomBytes(4).toString('hex');
  const cluster = options.cluster ?? `dockyard-${id}`;
  const service = options.service ?? 'web';
  const family = options.family ?? `web-${id}`;
  const logGroup = `/ecs/${family}`;
  const { vpcId, subnetId } = await defaultNetwork(clients.endpoint);
  await clients.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: logGroup })).catch((e: Error) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  if (!imagesSeeded.has(clients.endpoint)) {
    for (const tag of SEEDED_TAGS) await putImage(clients, 'web', tag);
    imagesSeeded.add(clients.endpoint);
  }
  const td = options.taskDefinitionArn
    ? { taskDefinition: { taskDefinitionArn: options.taskDefinitionArn } }
    : await clients.ecs.send(new RegisterTaskDefinitionCommand(taskDefinitionInput(family, logGroup)));
  let targetGroupArn: string | undefined;
  if (options.loadBalancer ?? true) {
    const tg = await clients.elb.send(
      new CreateTargetGroupCommand({
        Name: `${service}-${id}`,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: vpcId,
        TargetType: 'ip',
        HealthCheckPath: '/health'
      })
    );
    targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn;
  }
  const deploymentConfiguration = {
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: true, rollback: options.circuitBreakerRollback ?? false }
  };
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: td.taskDefinition!.taskDefinitionArn,
      desiredCount: options.desiredCount ?? 2,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [subnetId], securityGroups: [], assignPublicIp: 'DISABLED' }
      },
      loadBalancers: targetGroupArn
        ? [{ targetGroupArn, containerName: 'app', containerPort: 80 }]
        : undefined,
      deploymentConfiguration,
      deploymentController: options.deploymentController ? { type: options.deploymentController } : undefined
    })
  );
  const strategy =
    options.strategy && targetGroupArn
      ? await seedStrategy(
          clients,
          { cluster, service, suffix: id, subnetId, vpcId, targetGroupArn, deploymentConfiguration },
          options.strategy
        )
      : undefined;
  return {
    id,
    cluster,
    service,
    family,
    taskDefinitionArn: td.taskDefinition!.taskDefinitionArn!,
    targetGroupArn,
    logGroup,
    logStreamPrefix: 'web',
    subnetId,
    vpcId,
    deploymentConfiguration: { ...deploymentConfiguration, ...strategy?.deploymentConfiguration },
    strategy
  };
}

/** The revisions moto holds for a family: ACTIVE then INACTIVE, or only those of `status`. */
export async function revisions(
  clients: MotoClients,
  family: string,
  status?: 'ACTIVE' | 'INACTIVE'
): Promise<string[]> {
  const statuses = status ? [status] : (['ACTIVE', 'INACTIVE'] as const);
  const lists = await Promise.all(
    statuses.map(s => clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: s })))
  );
  return lists.flatMap(l => l.taskDefinitionArns ?? []);
}
