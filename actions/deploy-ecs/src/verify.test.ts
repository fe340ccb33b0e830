import { beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { RegisterTaskDefinitionRequest, Service } from '@aws-sdk/client-ecs';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { explainAccessDenied } from '../../../core/index.js';
import { parseImage, secretSource, verifyLocally, verifyRemotely } from './verify.js';

const ECR_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:sha-1a2b3c4';

function good(): RegisterTaskDefinitionRequest {
  return {
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
    executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    containerDefinitions: [
      {
        name: 'web',
        image: ECR_IMAGE,
        essential: true,
        portMappings: [{ containerPort: 8080 }],
        dependsOn: [{ containerName: 'log_router', condition: 'START' }],
        secrets: [
          { name: 'DB', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/db-url' },
          {
            name: 'KEY',
            valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf:token::'
          }
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/web',
            'awslogs-region': 'us-east-1',
            'awslogs-stream-prefix': 'web'
          }
        }
      },
      {
        name: 'log_router',
        image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
        essential: false
      }
    ]
  };
}

describe('verifyLocally', () => {
  it('finds nothing wrong in a sound Fargate task definition', () => {
    expect(verifyLocally(good())).toEqual([]);
  });

  it('reports every problem at once, each with its field path and a fix', () => {
    const td = good();
    td.cpu = '256';
    td.memory = '4096';
    td.networkMode = 'bridge';
    const [web, router] = td.containerDefinitions!;
    web.image = 'nginx:<latest>';
    web.essential = false;
    web.dependsOn = [{ containerName: 'db', condition: 'HEALTHY' }];
    web.links = ['cache:redis'];
    web.volumesFrom = [{ sourceContainer: 'data' }];
    web.memory = 256;
    web.memoryReservation = 512;
    web.logConfiguration!.options = { 'awslogs-group': '/ecs/web' };
    router.name = 'web';
    td.proxyConfiguration = { type: 'APPMESH', containerName: 'envoy' };
    const paths = verifyLocally(td).map(p => `${p.path}: ${p.message}`);
    expect(paths).toEqual([
      "containerDefinitions[1].name: 'web' is also the name of containerDefinitions[0].",
      "containerDefinitions[0].image: 'nginx:<latest>' is not an image reference.",
      "containerDefinitions[0].dependsOn[0].containerName: there is no container 'db'.",
      "containerDefinitions[0].links[0]: there is no container 'cache'.",
      "containerDefinitions[0].volumesFrom[0].sourceContainer: there is no container 'data'.",
      'containerDefinitions[0].memory: the hard limit (256 MiB) must be greater than memoryReservation (512 MiB).',
      "containerDefinitions[0].logConfiguration.options: the awslogs driver needs 'awslogs-region', 'awslogs-stream-prefix'.",
      "proxyConfiguration.containerName: there is no container 'envoy'.",
      'containerDefinitions: no container is essential.',
      "networkMode: Fargate requires the awsvpc network mode, not 'bridge'.",
      'memory: 4096 MiB does not go with 256 CPU units on Fargate.'
    ]);
    expect(verifyLocally(td).every(p => p.fix.length > 0)).toBe(true);
  });

  it('refuses a request over 64 KiB', () => {
    const td = good();
    td.containerDefinitions![0].environment = Array.from({ length: 40 }, (_, i) => ({
      name: `BLOB_${i}`,
      value: 'x'.repeat(2000)
    }));
    expect(verifyLocally(td)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^the request is 80\.1 KiB; ECS refuses/) })
    ]);
  });

  it('without task memory (EC2), every container needs memory or memoryReservation', () => {
    const td: RegisterTaskDefinitionRequest = {
      family: 'ec2',
      containerDefinitions: [
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'nginx', memoryReservation: 64 }
      ]
    };
    expect(verifyLocally(td).map(p => p.path)).toEqual(['containerDefinitions[0].memory']);
  });

  it("checks the service's load balancer container and port", () => {
    const service = {
      serviceName: 'web',
      loadBalancers: [
        {
          targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1',
          containerName: 'web',
          containerPort: 80
        }
      ]
    } as Service;
    expect(verifyLocally(good(), { service }).map(p => p.message)).toEqual([
      "the service web loadBalancers (targetgroup/web/1) sends traffic to port 80 of 'web', which maps only 8080."
    ]);
    service.loadBalancers![0].containerPort = 8080;
    expect(verifyLocally(good(), { service })).toEqual([]);
  });
});

describe('parseImage', () => {
  it.each([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.27-alpine', { repository: 'nginx', tag: '1.27-alpine' }],
    ['library/nginx', { repository: 'library/nginx' }],
    ['localhost:5000/web', { registry: 'localhost:5000', repository: 'web' }],
    [
      ECR_IMAGE,
      { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'web', tag: 'sha-1a2b3c4' }
    ],
    [
      `public.ecr.aws/nginx/nginx@sha256:${'a'.repeat(64)}`,
      { registry: 'public.ecr.aws', repository: 'nginx/nginx', digest: `sha256:${'a'.repeat(64)}` }
    ]
  ])('%s', (image, expected) => expect(parseImage(image)).toEqual(expect.objectContaining(expected)));

  it.each(['nginx:<latest>', 'Web/App', 'nginx:', 'repo@sha256:abc', ' nginx', 'a b'])('refuses %j', image =>
    expect(parseImage(image)).toBeUndefined()
  );
});

describe('secretSource', () => {
  it('tells SSM parameters from Secrets Manager secrets, and the secret from its JSON key', () => {
    expect(secretSource('arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db', 'us-east-1')).toEqual({
      kind: 'ssm',
      region: 'eu-west-1',
      name: '/prod/db'
    });
    expect(secretSource('arn:aws:ssm:eu-west-1:123456789012:parameter/plain', 'us-east-1')).toMatchObject({
      name: 'plain'
    });
    expect(secretSource('db-password', 'us-east-1')).toEqual({
      kind: 'ssm',
      region: 'us-east-1',
      name: 'db-password'
    });
    expect(
      secretSource('arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf:token::', 'us-east-1')
    ).toEqual({
      kind: 'secretsmanager',
      region: 'us-east-1',
      id: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf'
    });
  });
});

describe('verifyRemotely', () => {
  const ecr = mockClient(ECRClient);
  const ssm = mockClient(SSMClient);
  const sm = mockClient(SecretsManagerClient);
  const logs = mockClient(CloudWatchLogsClient);
  const clients = {
    ecrFor: () => new ECRClient({ region: 'us-east-1' }),
    ssmFor: () => new SSMClient({ region: 'us-east-1' }),
    secretsFor: () => new SecretsManagerClient({ region: 'us-east-1' }),
    logsFor: () => new CloudWatchLogsClient({ region: 'us-east-1' })
  };
  beforeEach(() => [ecr, ssm, sm, logs].forEach(m => m.reset()));
  const notFound = (name: string) => Object.assign(new Error(`${name} message`), { name });

  it('passes when the image, parameter, secret and log group exist', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['sha-1a2b3c4'] }] });
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: '/prod/db-url' }] });
    sm.on(DescribeSecretCommand).resolves({ Name: 'api-key' });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/web' }] });
    const out = await verifyRemotely(good(), clients, 'us-east-1');
    expect(out.problems).toEqual([]);
    expect(out.skipped).toEqual([]);
    expect(ecr.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'web',
      imageIds: [{ imageTag: 'sha-1a2b3c4' }]
    });
    expect(sm.commandCalls(DescribeSecretCommand)[0].args[0].input.SecretId).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf'
    );
  });

  it('reports a missing image, parameter, secret and log group, each on its path', async () => {
    ecr.on(DescribeImagesCommand).rejects(notFound('ImageNotFoundException'));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    sm.on(DescribeSecretCommand).rejects(notFound('ResourceNotFoundException'));
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/web-old' }] });
    const out = await verifyRemotely(good(), clients, 'us-east-1');
    expect(out.problems.map(p => p.path)).toEqual([
      'containerDefinitions[0].image',
      'containerDefinitions[0].secrets[0].valueFrom',
      'containerDefinitions[0].secrets[1].valueFrom',
      "containerDefinitions[0].logConfiguration.options['awslogs-group']"
    ]);
    expect(out.problems[0].message).toBe(
      'web:sha-1a2b3c4 is not in the ECR repository web of 123456789012 (us-east-1).'
    );
  });

  it('skips each check the role may not make, with a notice, and never fails for it', async () => {
    const denied = (permission: string) =>
      explainAccessDenied(
        Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
        permission
      );
    ecr.on(DescribeImagesCommand).rejects(denied('ecr:DescribeImages'));
    ssm.on(DescribeParametersCommand).rejects(denied('ssm:DescribeParameters'));
    sm.on(DescribeSecretCommand).rejects(denied('secretsmanager:DescribeSecret'));
    logs.on(DescribeLogGroupsCommand).rejects(denied('logs:DescribeLogGroups'));
    const out = await verifyRemotely(good(), clients, 'us-east-1');
    expect(out.problems).toEqual([]);
    expect(out.skipped).toEqual([
      expect.stringMatching(/^image web:sha-1a2b3c4: skipped, the role may not call ecr:DescribeImages/),
      expect.stringMatching(
        /^SSM parameter \/prod\/db-url: skipped, the role may not call ssm:DescribeParameters/
      ),
      expect.stringMatching(/secretsmanager:DescribeSecret/),
      expect.stringMatching(/logs:DescribeLogGroups/)
    ]);
  });

  it('looks up an image or a secret once however many containers use it, and reports each use', async () => {
    ecr.on(DescribeImagesCommand).rejects(notFound('ImageNotFoundException'));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    sm.on(DescribeSecretCommand).resolves({ Name: 'api-key' });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/web' }] });
    const td = good();
    const web = td.containerDefinitions![0];
    td.containerDefinitions!.push({ ...web, name: 'worker' });
    const out = await verifyRemotely(td, clients, 'us-east-1');
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(1);
    expect(ssm.commandCalls(DescribeParametersCommand)).toHaveLength(1);
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(1);
    expect(out.problems.map(p => p.path)).toEqual([
      'containerDefinitions[0].image',
      'containerDefinitions[2].image',
      'containerDefinitions[0].secrets[0].valueFrom',
      'containerDefinitions[2].secrets[0].valueFrom'
    ]);
  });

  it('does not look up a log group the driver creates', async () => {
    const td = good();
    td.containerDefinitions![0].logConfiguration!.options!['awslogs-create-group'] = 'true';
    await verifyRemotely(td, { logsFor: clients.logsFor }, 'us-east-1');
    expect(logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(0);
  });
});
