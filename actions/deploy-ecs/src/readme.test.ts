/**
 * The README's IAM policy lists every API the action's code calls.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

function permissionsUsed(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(src).filter(f => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(/import\s*{([^}]*)}\s*from\s*'(@aws-sdk\/[^']+)'/g)) {
      const prefix = PREFIX[m[2]];
      if (!prefix) continue;
      for (const name of m[1].split(',').map(s => s.trim())) {
        const command = /^(\w+)Command$/.exec(name);
        if (command && new RegExp(`new ${name}\\(`).test(text)) found.add(`${prefix}:${command[1]}`);
      }
    }
  }
  return [...found].sort();
}

describe('README IAM policy', () => {
  const policy = JSON.parse(
    /```json\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf('## IAM policy')))?.[1] ?? '{}'
  ) as {
    Statement: { Action: string | string[] }[];
  };
  const allowed = new Set(policy.Statement.flatMap(s => (Array.isArray(s.Action) ? s.Action : [s.Action])));

  it('allows every API the action calls', () => {
    const used = permissionsUsed();
    expect(used).toEqual(
      expect.arrayContaining(['ecs:RegisterTaskDefinition', 'ecs:UpdateService', 'logs:GetLogEvents'])
    );
    expect(used.filter(p => !allowed.has(p))).toEqual([]);
  });

  it('allows passing the task roles to ECS tasks and tagging on create', () => {
    expect(allowed.has('iam:PassRole')).toBe(true);
    expect(allowed.has('ecs:TagResource')).toBe(true);
    expect(readme).toMatch(/"iam:PassedToService": "ecs-tasks.amazonaws.com"/);
  });
});
