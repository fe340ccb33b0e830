/**
 * The README's IAM policy lists every ECR API the action's code calls.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowedActions, permissionsUsed, readmePolicy } from '../../../core/testing/iam.js';

const src = new URL('.', import.meta.url).pathname;
const readme = readFileSync(join(src, '..', 'README.md'), 'utf8');

describe('README IAM policy', () => {
  const statements = readmePolicy(readme);

  it('allows every ECR API the action calls', () => {
    const used = permissionsUsed(src, { '@aws-sdk/client-ecr': 'ecr' });
    expect(used).toEqual(
      expect.arrayContaining([
        'ecr:CreateRepository',
        'ecr:DescribeImageScanFindings',
        'ecr:GetAuthorizationToken',
        'ecr:PutLifecyclePolicy'
      ])
    );
    const allowed = allowedActions(statements);
    expect(used.filter(a => !allowed.has(a))).toEqual([]);
  });

  it('allows GetAuthorizationToken on every resource, as ECR requires', () => {
    const login = statements.find(s => [s.Action].flat().includes('ecr:GetAuthorizationToken'));
    expect(login?.Resource).toBe('*');
  });
});
