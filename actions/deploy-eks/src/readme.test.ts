/**
 * The README's IAM policy allows every AWS API the code calls, and its RBAC grants every verb the client uses.
 * (test/eks.ts checks the same policy against the calls every deploy-eks end-to-end run records.)
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const src = new URL('.', import.meta.url).pathname;
const readme = readFileSync(join(src, '..', 'README.md'), 'utf8');
const PREFIX: Record<string, string> = { '@aws-sdk/client-eks': 'eks', '@aws-sdk/client-sts': 'sts' };

function readmePolicyActions(text: string): Set<string> {
  const policy = JSON.parse(
    /```json\n([\s\S]*?)\n```/.exec(text.slice(text.indexOf('## IAM policy')))?.[1] ?? '{}'
  ) as {
    Statement: { Action: string | string[] }[];
  };
  return new Set(policy.Statement.flatMap(s => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

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

describe('README', () => {
  it('allows every AWS API the action calls', () => {
    const used = permissionsUsed();
    expect(used).toEqual(['eks:DescribeCluster', 'sts:AssumeRole', 'sts:GetCallerIdentity']);
    const allowed = readmePolicyActions(readme);
    expect(used.filter(p => !allowed.has(p))).toEqual([]);
  });

  it('grants in its RBAC the verbs the client uses on what it reads and writes', () => {
    const yaml =
      /```yaml\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf('## Kubernetes RBAC')))?.[1] ?? '';
    const role = parseAllDocuments(yaml)[0].toJS() as { rules: { resources: string[]; verbs: string[] }[] };
    const verbs = (resource: string) =>
      new Set(role.rules.filter(r => r.resources.includes(resource)).flatMap(r => r.verbs));
    for (const verb of ['get', 'list', 'create', 'patch', 'delete'])
      expect([verb, verbs('deployments').has(verb)]).toEqual([verb, true]);
    for (const resource of ['pods', 'pods/log', 'events', 'replicasets'])
      expect([resource, verbs(resource).has('list') || verbs(resource).has('get')]).toEqual([resource, true]);
    for (const verb of ['get', 'create', 'patch']) expect(verbs('configmaps').has(verb)).toBe(true);
    // A StatefulSet's rollback replaces its pods stuck at the failed revision.
    expect(verbs('pods').has('delete')).toBe(true);
  });
});
