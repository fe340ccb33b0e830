import { describe, expect, it } from '@jest/globals';
import type { LoadBalancer, Service } from '@aws-sdk/client-ecs';
import { service, serviceConnectService } from './testing/fixtures.js';
import { good } from './testing/verify-fixtures.js';
import { verifyStrategy } from './verify-strategy.js';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/73e2d6bc24d8a067';
const ALTERNATE =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/8a1f27d3c55b9e10';
const RULE =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
const TEST_RULE =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/0467ef3c8400ae65/2c6e3b1a1d5f7d11';
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers';

/** The service's load balancer as the developer guide's blue/green example configures it. */
const balanced = (
  advanced?: LoadBalancer['advancedConfiguration'],
  more: Partial<LoadBalancer> = {}
): Service =>
  service({
    loadBalancers: [
      {
        targetGroupArn: TG,
        containerName: 'web',
        containerPort: 8080,
        advancedConfiguration: advanced,
        ...more
      }
    ]
  });
const complete = {
  alternateTargetGroupArn: ALTERNATE,
  productionListenerRule: RULE,
  testListenerRule: TEST_RULE,
  roleArn: ROLE
};
const messages = (s: Service, strategy: 'BLUE_GREEN' | 'LINEAR' | 'CANARY' | 'ROLLING' = 'BLUE_GREEN') =>
  verifyStrategy(good(), s, strategy, 'strategy').refusals.map(e => e.describe());

describe('verifyStrategy: load balancers', () => {
  it('accepts a load balancer with its advancedConfiguration', () => {
    expect(verifyStrategy(good(), balanced(complete), 'BLUE_GREEN', 'strategy')).toEqual({
      problems: [],
      refusals: [],
      notes: []
    });
    // The test listener rule is optional.
    expect(messages(balanced({ ...complete, testListenerRule: undefined }), 'LINEAR')).toEqual([]);
  });

  it('a load balancer without advancedConfiguration is named, with the members to set', () => {
    expect(messages(balanced(undefined))).toEqual([
      "Input 'strategy': BLUE_GREEN needs advancedConfiguration (alternate target group, production listener rule, role) in the service 'web' loadBalancers[0] (targetgroup/web-blue/73e2d6bc24d8a067). Set loadBalancers[].advancedConfiguration.alternateTargetGroupArn, productionListenerRule and roleArn on the service (UpdateService): ECS moves traffic between the two target groups with them."
    ]);
  });

  it('each missing or malformed member is its own problem', () => {
    const found = messages(
      balanced({ alternateTargetGroupArn: TG, productionListenerRule: 'web-rule', testListenerRule: 'x' }),
      'CANARY'
    );
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/CANARY needs an alternate target group other than the primary one/);
    expect(found[1]).toMatch(/a production listener rule ARN, not 'web-rule',/);
    expect(found[2]).toMatch(/needs a role ARN in the service/);
    expect(found[3]).toMatch(/a test listener rule ARN, not 'x',/);
  });

  it('a Classic Load Balancer cannot shift traffic', () => {
    const classic = service({
      loadBalancers: [{ loadBalancerName: 'web-elb', containerName: 'web', containerPort: 8080 }]
    });
    expect(messages(classic)[0]).toMatch(
      /needs a target group: a Classic Load Balancer cannot shift traffic in the service 'web' loadBalancers\[0\] \(web-elb\)/
    );
  });

  it('names the service when the strategy is the service’s own', () => {
    const [refusal] = verifyStrategy(good(), balanced(undefined), 'BLUE_GREEN', 'service').refusals;
    expect(refusal.input).toBe('service');
  });

  it('a rolling update needs none of it', () => {
    expect(messages(balanced(undefined), 'ROLLING')).toEqual([]);
  });
});

describe('verifyStrategy: without a load balancer', () => {
  const headless = service({ loadBalancers: [] });

  it('blue/green runs without managed traffic shifting: a note, not a problem', () => {
    expect(verifyStrategy(good(), headless, 'BLUE_GREEN', 'strategy')).toEqual({
      problems: [],
      refusals: [],
      notes: [
        "the service 'web' has neither a load balancer nor Service Connect: the BLUE_GREEN deployment runs without managed traffic shifting or test traffic."
      ]
    });
  });

  it('linear and canary have no traffic to shift in steps', () => {
    expect(messages(headless, 'LINEAR')).toEqual([
      "Input 'strategy': LINEAR shifts production traffic in steps, and the service 'web' has neither a load balancer nor Service Connect to shift it through. Give the service a load balancer with advancedConfiguration, or Service Connect; or use BLUE_GREEN or ROLLING."
    ]);
  });
});

describe('verifyStrategy: Service Connect', () => {
  const connected = (portName: string) =>
    serviceConnectService('prod.local', [{ portName, clientAliases: [{ port: 80, dnsName: 'web' }] }]);
  const named = () => {
    const td = good();
    td.containerDefinitions![0].portMappings = [{ containerPort: 8080, name: 'http' }];
    return td;
  };

  it('is enough for LINEAR and CANARY', () => {
    expect(verifyStrategy(named(), connected('http'), 'LINEAR', 'strategy')).toEqual({
      problems: [],
      refusals: [],
      notes: []
    });
  });

  it('its port name must name a port mapping, whatever the strategy', () => {
    expect(verifyStrategy(named(), connected('grpc'), 'ROLLING', 'service').problems).toEqual([
      {
        path: 'containerDefinitions[0].portMappings',
        message:
          "the service 'web' serves Service Connect on port name 'grpc', which no port mapping has (the names are: http).",
        fix: 'Name a port mapping "grpc" ("name": "grpc"), or change the service\'s Service Connect configuration.'
      }
    ]);
  });
});
