/**
 * The README's IAM policy lists every API the action's code calls.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowedActions, permissionsUsed, readmePolicy } from '../../../core/testing/iam.js';

const src = new URL('.', import.meta.url).pathname;
const readme = readFileSync(join(src, '..', 'README.md'), 'utf8');
const PREFIX: Record<string, string> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-secrets-manager': 'secretsmanager'
};

describe('README IAM policy', () => {
  const allowed = allowedActions(readmePolicy(readme));

  it('allows every API the action calls', () => {
    const used = permissionsUsed(src, PREFIX);
    expect(used).toEqual(
      expect.arrayContaining([
        'ecs:RegisterTaskDefinition',
        'ecs:UpdateService',
        'ecs:ListTaskDefinitions',
        'logs:GetLogEvents'
      ])
    );
    expect(used.filter(p => !allowed.has(p))).toEqual([]);
  });

  it('allows passing the task roles to ECS tasks and tagging on create', () => {
    expect(allowed.has('iam:PassRole')).toBe(true);
    expect(allowed.has('ecs:TagResource')).toBe(true);
    expect(readme).toMatch(/"iam:PassedToService": "ecs-tasks.amazonaws.com"/);
  });
});
