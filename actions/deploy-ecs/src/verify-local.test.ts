import { describe, expect, it } from '@jest/globals';
import type { RegisterTaskDefinitionRequest, Service } from '@aws-sdk/client-ecs';
import { good } from './testing/verify-fixtures.js';
import { verifyLocally } from './verify-local.js';

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

  it('says a secret ARN is malformed (an account that is not 12 digits), on its path', () => {
    const td = good();
    td.containerDefinitions![0].secrets![1].valueFrom =
      'arn:aws:secretsmanager:us-east-1:12345:secret:api-key-AbCdEf';
    expect(verifyLocally(td)).toEqual([
      {
        path: 'containerDefinitions[0].secrets[1].valueFrom',
        message:
          "'arn:aws:secretsmanager:us-east-1:12345:secret:api-key-AbCdEf' is not a well-formed ARN: the account ID '12345' is not 12 digits.",
        fix: expect.stringContaining('arn:aws:secretsmanager:<region>:<12-digit account ID>:secret:')
      }
    ]);
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
