/**
 * What an action's README IAM policy must allow: the AWS APIs its source calls, found by reading the source
 * (commands constructed, paginators used), so the check does not depend on which tests ran before it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `ecs:UpdateService`, … for every `new XCommand(` or `paginateX(` of a client listed in `prefixes`. */
export function permissionsUsed(srcDir: string, prefixes: Record<string, string>): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(srcDir).filter(f => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(join(srcDir, file), 'utf8');
    for (const m of text.matchAll(/import\s*(?:type\s*)?{([^}]*)}\s*from\s*'(@aws-sdk\/[^']+)'/g)) {
      const prefix = prefixes[m[2]];
      if (!prefix) continue;
      for (const name of m[1].split(',').map(s => s.trim())) {
        const command = /^(\w+)Command$/.exec(name);
        if (command && new RegExp(`new ${name}\\(`).test(text)) found.add(`${prefix}:${command[1]}`);
        const paginator = /^paginate(\w+)$/.exec(name);
        if (paginator && new RegExp(`${name}\\(`).test(text)) found.add(`${prefix}:${paginator[1]}`);
      }
    }
  }
  return [...found].sort();
}

export interface PolicyStatement {
  Action: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

/** The statements of the first JSON block under `## IAM policy` in a README. */
export function readmePolicy(readme: string): PolicyStatement[] {
  const json = /```json\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf('## IAM policy')))?.[1] ?? '{}';
  return (JSON.parse(json) as { Statement?: PolicyStatement[] }).Statement ?? [];
}

export function allowedActions(statements: PolicyStatement[]): Set<string> {
  return new Set(statements.flatMap(s => [s.Action].flat()));
}
