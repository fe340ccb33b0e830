/**
 * What a blue/green, linear or canary service needs besides the seed's service (developer guide, "Application
 * Load Balancer resources for blue/green, linear, and canary deployments"), created in moto: an Application Load
 * Balancer with a production listener (port 80) and a test listener (port 8080), a rule on each forwarding to the
 * service's target group and an alternate one by weight, and the infrastructure role ECS uses to change them.
 * The service is then updated in moto with `loadBalancers[0].advancedConfiguration` and the strategy's
 * deployment configuration, as a user switching an existing service to a strategy would.
 */
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { motoQuery, TEST_ACCOUNT } from '../moto.js';
import type { MotoClients } from './seed.js';

/** The service's strategy and what goes with it (the members of DeploymentConfiguration). */
export type StrategySeed = Record<string, unknown> & { strategy: 'BLUE_GREEN' | 'LINEAR' | 'CANARY' };

export interface StrategySeeded {
  alternateTargetGroupArn: string;
  loadBalancerArn: string;
  productionListenerArn: string;
  testListenerArn: string;
  productionListenerRule: string;
  testListenerRule: string;
  roleArn: string;
  /** The service's deployment configuration after the switch. */
  deploymentConfiguration: Record<string, unknown>;
}

interface StrategyTarget {
  cluster: string;
  service: string;
  /** What names made here end with, to stay apart from other seeds in the same moto. */
  suffix: string;
  subnetId: string;
  vpcId: string;
  targetGroupArn: string;
  deploymentConfiguration: Record<string, unknown>;
}

export const INFRASTRUCTURE_ROLE = 'ecsInfrastructureRoleForLoadBalancers';

/** The role ECS assumes to change listener rules, created through moto's IAM query API (idempotent). */
async function infrastructureRole(endpoint: string): Promise<string> {
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }]
  });
  const res = await motoQuery(endpoint, 'iam', {
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: INFRASTRUCTURE_ROLE,
    AssumeRolePolicyDocument: trust
  });
  if (!res.ok && !res.xml.includes('EntityAlreadyExists'))
    throw new Error(`moto refused the IAM role: ${res.xml}`);
  return `arn:aws:iam::${TEST_ACCOUNT}:role/${INFRASTRUCTURE_ROLE}`;
}

/** A listener on `port` whose one rule forwards to the blue and green target groups with the given weights. */
async function listenerWithRule(
  clients: MotoClients,
  loadBalancerArn: string,
  port: number,
  weights: [blue: { arn: string; weight: number }, green: { arn: string; weight: number }]
): Promise<{ listenerArn: string; ruleArn: string }> {
  const forward = { TargetGroups: weights.map(w => ({ TargetGroupArn: w.arn, Weight: w.weight })) };
  const listener = await clients.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: port,
      DefaultActions: [{ Type: 'forward', ForwardConfig: forward }]
    })
  );
  const listenerArn = listener.Listeners![0].ListenerArn!;
  const rule = await clients.elb.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', Values: ['/*'] }],
      Actions: [{ Type: 'forward', ForwardConfig: forward }]
    })
  );
  return { listenerArn, ruleArn: rule.Rules![0].RuleArn! };
}

/** Switches the seeded service to `strategy`, with the load balancer resources it needs. */
export async function seedStrategy(
  clients: MotoClients,
  target: StrategyTarget,
  strategy: StrategySeed
): Promise<StrategySeeded> {
  const green = await clients.elb.send(
    new CreateTargetGroupCommand({
      Name: `${target.service}-g-${target.suffix}`.slice(0, 32),
      Protocol: 'HTTP',
      Port: 80,
      VpcId: target.vpcId,
      TargetType: 'ip',
      HealthCheckPath: '/health'
    })
  );
  const alternateTargetGroupArn = green.TargetGroups![0].TargetGroupArn!;
  const lb = await clients.elb.send(
    new CreateLoadBalancerCommand({
      Name: `${target.service}-${target.suffix}`.slice(0, 32),
      Subnets: [target.subnetId],
      Type: 'application'
    })
  );
  const loadBalancerArn = lb.LoadBalancers![0].LoadBalancerArn!;
  const blue = target.targetGroupArn;
  const production = await listenerWithRule(clients, loadBalancerArn, 80, [
    { arn: blue, weight: 100 },
    { arn: alternateTargetGroupArn, weight: 0 }
  ]);
  const test = await listenerWithRule(clients, loadBalancerArn, 8080, [
    { arn: blue, weight: 100 },
    { arn: alternateTargetGroupArn, weight: 0 }
  ]);
  const roleArn = await infrastructureRole(clients.endpoint);
  const deploymentConfiguration = { ...target.deploymentConfiguration, ...strategy };
  await clients.ecs.send(
    new UpdateServiceCommand({
      cluster: target.cluster,
      service: target.service,
      loadBalancers: [
        {
          targetGroupArn: blue,
          containerName: 'app',
          containerPort: 80,
          advancedConfiguration: {
            alternateTargetGroupArn,
            productionListenerRule: production.ruleArn,
            testListenerRule: test.ruleArn,
            roleArn
          }
        }
      ],
      deploymentConfiguration
    })
  );
  return {
    alternateTargetGroupArn,
    loadBalancerArn,
    productionListenerArn: production.listenerArn,
    testListenerArn: test.listenerArn,
    productionListenerRule: production.ruleArn,
    testListenerRule: test.ruleArn,
    roleArn,
    deploymentConfiguration
  };
}
