/**
 * A sound Fargate task definition as the verify tests start from, each test breaking what it checks.
 */
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';

export const ECR_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:sha-1a2b3c4';

export function good(): RegisterTaskDefinitionRequest {
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
