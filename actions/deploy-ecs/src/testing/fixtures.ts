/**
 * Responses shaped like ECS's real ones (the API reference's examples and what `aws ecs describe-*` prints),
 * for the unit tests.
 */
import type {
  Deployment,
  DeploymentConfiguration,
  LoadBalancer,
  Service,
  ServiceDeployment,
  Task,
  TaskDefinition
} from '@aws-sdk/client-ecs';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const CLUSTER = 'prod';
export const SERVICE = 'web';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
export const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`;
export const tdArn = (family: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
/** The revision a test deploys, and the one the service ran before. */
export const NEW_TD = tdArn('web', 8);
export const OLD_TD = tdArn('web', 7);
export const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
export const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/web-task`;

/** A Fargate task definition as DescribeTaskDefinition returns it (with the fields ECS adds). */
export function describedTaskDefinition(
  revision: number,
  overrides: Partial<TaskDefinition> = {}
): TaskDefinition {
  return {
    taskDefinitionArn: tdArn('web', revision),
    containerDefinitions: [
      {
        name: 'app',
        image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:1.0.${revision}`,
        cpu: 0,
        portMappings: [
          { containerPort: 8080, hostPort: 8080, protocol: 'tcp', name: 'http', appProtocol: 'http' }
        ],
        essential: true,
        environment: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'PORT', value: '8080' }
        ],
        mountPoints: [],
        volumesFrom: [],
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf` }
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/web', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' },
          secretOptions: []
        },
        systemControls: []
      },
      {
        name: 'envoy',
        image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod',
        cpu: 0,
        portMappings: [],
        essential: false,
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        systemControls: []
      }
    ],
    family: 'web',
    taskRoleArn: TASK_ROLE,
    executionRoleArn: EXECUTION_ROLE,
    networkMode: 'awsvpc',
    revision,
    volumes: [],
    status: 'ACTIVE',
    requiresAttributes: [
      { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
      { name: 'ecs.capability.execution-role-awslogs' },
      { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.19' },
      { name: 'ecs.capability.task-eni' }
    ],
    placementConstraints: [],
    compatibilities: ['EC2', 'FARGATE'],
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    registeredAt: new Date('2026-11-01T10:00:00.000Z'),
    registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/github-deploy/GitHubActions`,
    ...overrides
  };
}

export function deployment(
  overrides: Partial<Deployment> & { id: string; taskDefinition: string }
): Deployment {
  return {
    status: 'PRIMARY',
    desiredCount: 2,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: new Date('2026-11-22T10:00:00.000Z'),
    updatedAt: new Date('2026-11-22T10:00:00.000Z'),
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-0a1b2c3d'],
        securityGroups: ['sg-0a1b2c3d'],
        assignPublicIp: 'DISABLED'
      }
    },
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: `ECS deployment ${overrides.id} in progress.`,
    ...overrides
  };
}

/** A blue/green service's deployment configuration, as DescribeServices shows it. */
export const BLUE_GREEN_CONFIGURATION: DeploymentConfiguration = {
  deploymentCircuitBreaker: { enable: true, rollback: true },
  maximumPercent: 200,
  minimumHealthyPercent: 100,
  strategy: 'BLUE_GREEN',
  bakeTimeInMinutes: 10
};

/** A service behind an ALB with `advancedConfiguration` (ELB API reference's ARN forms), and a test rule if given. */
export function loadBalancedService(testListenerRule?: string): Service {
  const elb = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
  return service({
    loadBalancers: [
      {
        targetGroupArn: `${elb}:targetgroup/web-blue/73e2d6bc24d8a067`,
        containerName: 'app',
        containerPort: 8080,
        advancedConfiguration: {
          alternateTargetGroupArn: `${elb}:targetgroup/web-green/8a067d6bc24d73e2`,
          productionListenerRule: `${elb}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/1111b2d02a6cabee`,
          testListenerRule,
          roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers`
        }
      }
    ]
  });
}

/** A service on Service Connect (no load balancer), its newest deployment naming `services`. */
export function serviceConnectService(
  namespace: string,
  services: NonNullable<Deployment['serviceConnectConfiguration']>['services']
): Service {
  return service({
    loadBalancers: [],
    deployments: [
      deployment({
        id: 'ecs-svc/1',
        taskDefinition: tdArn('web', 7),
        serviceConnectConfiguration: { enabled: true, namespace, services }
      })
    ]
  });
}

export const OLD_DEPLOYMENT = 'ecs-svc/1111111111111111111';
export const NEW_DEPLOYMENT = 'ecs-svc/2222222222222222222';

export function service(overrides: Partial<Service> = {}): Service {
  return {
    serviceArn: SERVICE_ARN,
    serviceName: SERVICE,
    clusterArn: CLUSTER_ARN,
    loadBalancers: [
      {
        targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web-tg/73e2d6bc24d8a067`,
        containerName: 'app',
        containerPort: 8080
      }
    ],
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    platformFamily: 'Linux',
    taskDefinition: tdArn('web', 7),
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100
    },
    deployments: [
      deployment({
        id: OLD_DEPLOYMENT,
        taskDefinition: tdArn('web', 7),
        runningCount: 2,
        rolloutState: 'COMPLETED',
        rolloutStateReason: `ECS deployment ${OLD_DEPLOYMENT} completed.`
      })
    ],
    roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: [
      {
        id: 'e-old-2',
        createdAt: new Date('2026-11-21T09:00:00.000Z'),
        message: '(service web) has reached a steady state.'
      },
      {
        id: 'e-old-1',
        createdAt: new Date('2026-11-21T08:59:00.000Z'),
        message: '(service web) has started 2 tasks: (task a) (task b).'
      }
    ],
    createdAt: new Date('2026-10-01T10:00:00.000Z'),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-0a1b2c3d'],
        securityGroups: ['sg-0a1b2c3d'],
        assignPublicIp: 'DISABLED'
      }
    },
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    enableECSManagedTags: true,
    propagateTags: 'NONE',
    enableExecuteCommand: false,
    ...overrides
  };
}

/** A task of the new deployment that stopped because its essential container exited 1. */
export function stoppedTask(id: string, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`,
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: tdArn('web', 8),
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    startedBy: NEW_DEPLOYMENT,
    group: `service:${SERVICE}`,
    launchType: 'FARGATE',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    stoppedAt: new Date('2026-11-22T10:01:00.000Z'),
    containers: [
      {
        containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/${CLUSTER}/${id}/c1`,
        taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`,
        name: 'app',
        lastStatus: 'STOPPED',
        exitCode: 1,
        healthStatus: 'UNKNOWN'
      },
      {
        containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/${CLUSTER}/${id}/c2`,
        taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`,
        name: 'envoy',
        lastStatus: 'STOPPED',
        exitCode: 0,
        healthStatus: 'UNKNOWN'
      }
    ],
    ...overrides
  };
}

export const SERVICE_DEPLOYMENT_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${CLUSTER}/${SERVICE}/ejGvqq2ilnbKT9qj0vLJe`;
export const OLD_SERVICE_DEPLOYMENT_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${CLUSTER}/${SERVICE}/Gh3kD9s0aQ1pLm7RtY2wX`;
export const revisionArn = (id: string) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${CLUSTER}/${SERVICE}/${id}`;
export const OLD_REVISION = revisionArn('1485800978477494678');
export const NEW_REVISION = revisionArn('4980306466373577095');

/**
 * A BLUE_GREEN service deployment in progress, as DescribeServiceDeployments returns it: the shape of the AWS
 * CLI's `describe-service-deployments` example (aws-cli awscli/examples/ecs), with the blue/green members of the
 * ECS API reference's ServiceDeployment (lifecycleStage, traffic weights, rollback, alarms).
 */
export function serviceDeployment(overrides: Partial<ServiceDeployment> = {}): ServiceDeployment {
  return {
    serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN,
    serviceArn: SERVICE_ARN,
    clusterArn: CLUSTER_ARN,
    createdAt: new Date('2026-11-22T10:00:00.917Z'),
    startedAt: new Date('2026-11-22T10:00:02.510Z'),
    updatedAt: new Date('2026-11-22T10:00:02.510Z'),
    sourceServiceRevisions: [
      { arn: OLD_REVISION, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 }
    ],
    targetServiceRevision: {
      arn: NEW_REVISION,
      requestedTaskCount: 2,
      runningTaskCount: 0,
      pendingTaskCount: 2,
      requestedTestTrafficWeight: 0,
      requestedProductionTrafficWeight: 0
    },
    status: 'IN_PROGRESS',
    lifecycleStage: 'SCALE_UP',
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      alarms: { alarmNames: ['web-5xx'], rollback: true, enable: true },
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 10
    },
    deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
    alarms: { status: 'MONITORING', alarmNames: ['web-5xx'], triggeredAlarmNames: [] },
    ...overrides
  };
}

/** The load balancer of a blue/green service, as the developer guide's example configures it (after the fixtures it
 * is made of, which are constants of this module). */
export const BLUE_GREEN_BALANCER: LoadBalancer = loadBalancedService().loadBalancers![0]!;
