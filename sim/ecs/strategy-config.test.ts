import { describe, expect, it } from '@jest/globals';
import { checkServiceRequest } from './strategy-config.js';

const HOOK = 'arn:aws:lambda:us-east-1:123456789012:function:smoke';
const ADVANCED = {
  alternateTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/2',
  productionListenerRule: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/1/2/3',
  testListenerRule: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/1/2/4',
  roleArn: 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers'
};

describe('what CreateService and UpdateService refuse', () => {
  it.each<[string, Record<string, unknown>, string | undefined, RegExp]>([
    [
      'an unknown strategy',
      { deploymentConfiguration: { strategy: 'RED_BLACK' } },
      'ECS',
      /strategy 'RED_BLACK'.*ROLLING, BLUE_GREEN, LINEAR, CANARY/
    ],
    [
      'a bake time over a day',
      { deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1441 } },
      'ECS',
      /bakeTimeInMinutes .* 0 and 1440/
    ],
    [
      'a linear configuration on a canary',
      { deploymentConfiguration: { strategy: 'CANARY', linearConfiguration: { stepPercent: 10 } } },
      'ECS',
      /only valid when the deployment strategy is LINEAR/
    ],
    [
      'a linear step under 3 %',
      { deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 2.5 } } },
      'ECS',
      /stepPercent must be a multiple of 0.1 between 3.0 and 100.0/
    ],
    [
      'a canary percentage off the tenth',
      { deploymentConfiguration: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 5.05 } } },
      'ECS',
      /canaryPercent/
    ],
    [
      'a Lambda hook without its function',
      {
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          lifecycleHooks: [{ lifecycleStages: ['POST_SCALE_UP'] }]
        }
      },
      'ECS',
      /lifecycleHooks\[0\]\.hookTargetArn is required/
    ],
    [
      'a hook at BAKE_TIME',
      {
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          lifecycleHooks: [{ hookTargetArn: HOOK, lifecycleStages: ['BAKE_TIME'] }]
        }
      },
      'ECS',
      /'BAKE_TIME' is not a stage a hook can run at/
    ],
    [
      'a PAUSE hook at PRODUCTION_TRAFFIC_SHIFT',
      {
        deploymentConfiguration: {
          strategy: 'LINEAR',
          lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }]
        }
      },
      'ECS',
      /PAUSE hooks cannot be configured at PRODUCTION_TRAFFIC_SHIFT/
    ],
    [
      'a hook timeout over two weeks',
      {
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          lifecycleHooks: [
            {
              targetType: 'PAUSE',
              lifecycleStages: ['POST_SCALE_UP'],
              timeoutConfiguration: { timeoutInMinutes: 20161 }
            }
          ]
        }
      },
      'ECS',
      /timeoutInMinutes must be between 1 and 20160/
    ],
    [
      'alarms without names',
      { deploymentConfiguration: { alarms: { enable: true, rollback: true } } },
      'ECS',
      /alarmNames must be a list/
    ],
    [
      'an advanced configuration without its role',
      {
        loadBalancers: [
          { targetGroupArn: 'tg-blue', advancedConfiguration: { ...ADVANCED, roleArn: undefined } }
        ]
      },
      'ECS',
      /advancedConfiguration is missing roleArn/
    ],
    [
      'a Service Connect test rule without its header',
      {
        serviceConnectConfiguration: {
          enabled: true,
          services: [{ portName: 'http', clientAliases: [{ port: 80, testTrafficRules: { header: {} } }] }]
        }
      },
      'ECS',
      /testTrafficRules\.header\.name is required/
    ],
    [
      'a task definition on a CODE_DEPLOY service',
      { taskDefinition: 'web:2' },
      'CODE_DEPLOY',
      /^Unable to update task definition on services with a CODE_DEPLOY deployment controller\. Use AWS CodeDeploy to trigger a new deployment\.$/
    ],
    [
      'a task definition on an EXTERNAL service',
      { taskDefinition: 'web:2' },
      'EXTERNAL',
      /^Unable to update task definition on services with a EXTERNAL deployment controller\./
    ],
    [
      'a strategy on a CODE_DEPLOY service',
      { deploymentConfiguration: { strategy: 'BLUE_GREEN' } },
      'CODE_DEPLOY',
      /only supported with the ECS deployment controller/
    ]
  ])('%s', (_name, params, controller, message) => {
    const refusal = checkServiceRequest(params, controller);
    expect(refusal?.code).toBe('InvalidParameterException');
    expect(refusal?.message).toMatch(message);
  });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    [
      'a complete linear configuration with hooks, alarms and an advanced load balancer',
      {
        taskDefinition: 'web:2',
        deploymentConfiguration: {
          strategy: 'LINEAR',
          bakeTimeInMinutes: 10,
          linearConfiguration: { stepPercent: 3.3, stepBakeTimeInMinutes: 0 },
          alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
          lifecycleHooks: [
            {
              hookTargetArn: HOOK,
              roleArn: 'arn:aws:iam::123456789012:role/hooks',
              lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'],
              hookDetails: { suite: 'smoke' }
            },
            {
              targetType: 'PAUSE',
              lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
              timeoutConfiguration: { timeoutInMinutes: 60, action: 'ROLLBACK' }
            }
          ]
        },
        loadBalancers: [
          {
            targetGroupArn: 'tg-blue',
            containerName: 'app',
            containerPort: 80,
            advancedConfiguration: ADVANCED
          }
        ]
      },
      'ECS'
    ],
    ['a desired count on a CODE_DEPLOY service', { desiredCount: 3 }, 'CODE_DEPLOY'],
    [
      'a rolling service as it always was',
      { taskDefinition: 'web:2', deploymentConfiguration: { maximumPercent: 200 } },
      undefined
    ]
  ])('accepts %s', (_name, params, controller) => {
    expect(checkServiceRequest(params, controller)).toBeUndefined();
  });
});
