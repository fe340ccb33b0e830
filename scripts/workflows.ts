/**
 * What the workflows, the examples and the docs' YAML ask of Dockyard's own actions and reusable workflows, checked
 * against what those declare. actionlint checks calls inside one repository; a call across repositories
 * (`my-org/dockyard/.github/workflows/deploy-ecs.yml@v1`) it cannot see, so this does.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const root = new URL('..', import.meta.url).pathname;

/** A Dockyard action (its directory) or reusable workflow (its file), as a path in this repository. */
export interface Target {
  kind: 'action' | 'workflow';
  path: string;
}

/**
 * The Dockyard action or workflow a `uses:` names, or undefined for anything else. Ours are named `$/<path>` (this
 * repository at the running commit), `./<path>` (the workspace: never right in a reusable workflow) or
 * `<owner>/dockyard/<path>@<ref>` (from other repositories).
 */
export function ownTarget(uses: string): Target | undefined {
  const m = /^(?:\$\/|\.\/|[^/\s$.][^/\s]*\/dockyard\/)([^@\s]+?)\/?(?:@\S+)?$/.exec(uses.trim());
  if (!m) return undefined;
  const path = m[1];
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return { kind: 'workflow', path };
  if (/^(actions|\.github\/actions)\/[^/]+$/.test(path)) return { kind: 'action', path };
  return undefined;
}

interface Declared {
  required?: boolean;
  default?: unknown;
  type?: string;
}

/** The inputs and secrets a target declares; undefined when it does not exist. */
export interface Spec {
  inputs: Record<string, Declared>;
  secrets: Record<string, Declared>;
}

export function loadSpec(target: Target, base = root): Spec | undefined {
  if (target.kind === 'action') {
    const file = ['action.yml', 'action.yaml'].map(f => join(base, target.path, f)).find(f => existsSync(f));
    if (!file) return undefined;
    const action = parse(readFileSync(file, 'utf8')) as { inputs?: Record<string, Declared> };
    return { inputs: action.inputs ?? {}, secrets: {} };
  }
  const file = join(base, target.path);
  if (!existsSync(file)) return undefined;
  const call = workflowCall(parse(readFileSync(file, 'utf8')));
  return call ? { inputs: call.inputs ?? {}, secrets: call.secrets ?? {} } : undefined;
}

interface WorkflowCall {
  inputs?: Record<string, Declared>;
  secrets?: Record<string, Declared>;
  outputs?: Record<string, { value?: string }>;
}

/** The `on.workflow_call` block of a workflow, when it is a reusable one. */
export function workflowCall(doc: unknown): WorkflowCall | undefined {
  const on = (doc as { on?: unknown } | null)?.on;
  if (!on || typeof on !== 'object' || !('workflow_call' in on)) return undefined;
  return ((on as { workflow_call?: WorkflowCall | null }).workflow_call ?? {}) as WorkflowCall;
}

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

export interface Job {
  uses?: string;
  if?: string;
  needs?: string | string[];
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
  steps?: Step[];
  environment?: string | { name?: string; url?: string; deployment?: unknown };
  concurrency?: string | { group?: string; 'cancel-in-progress'?: unknown };
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
}

export interface Workflow {
  on?: unknown;
  permissions?: Record<string, string>;
  jobs?: Record<string, Job>;
}

/** One use of a Dockyard action (a step) or reusable workflow (a job). */
export interface Call {
  where: string;
  uses: string;
  target: Target;
  with: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
}

export function callsIn(workflow: Workflow, where: string): Call[] {
  const calls: Call[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    const jobTarget = job.uses ? ownTarget(job.uses) : undefined;
    if (job.uses && jobTarget) {
      calls.push({
        where: `${where} jobs.${jobId}`,
        uses: job.uses,
        target: jobTarget,
        with: job.with ?? {},
        secrets: job.secrets
      });
    }
    (job.steps ?? []).forEach((step, i) => {
      const target = step.uses ? ownTarget(step.uses) : undefined;
      if (step.uses && target) {
        calls.push({
          where: `${where} jobs.${jobId}.steps[${step.id ?? i}]`,
          uses: step.uses,
          target,
          with: step.with ?? {}
        });
      }
    });
  }
  return calls;
}

const isExpression = (value: unknown) => typeof value === 'string' && value.includes('${{');

/** What is wrong with one call: keys the target does not declare, required ones missing, literals of the wrong type. */
export function checkCall(call: Call, spec: Spec | undefined): string[] {
  const at = `${call.where} (${call.uses})`;
  if (!spec) return [`${at}: no such ${call.target.kind} in this repository (${call.target.path})`];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(call.with)) {
    const input = spec.inputs[name];
    if (!input) {
      problems.push(`${at}: 'with: ${name}' is not an input of ${call.target.path}`);
      continue;
    }
    if (call.target.kind !== 'workflow' || isExpression(value)) continue;
    const type = input.type ?? 'string';
    if (typeof value !== type)
      problems.push(`${at}: 'with: ${name}' must be a ${type}, not ${JSON.stringify(value)}`);
  }
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (input.required && !(name in call.with))
      problems.push(`${at}: the required input '${name}' is missing`);
  }
  if (call.target.kind === 'workflow') {
    if (call.secrets === 'inherit') {
      problems.push(`${at}: 'secrets: inherit' does not work across organizations; pass the named secrets`);
    } else {
      const given = call.secrets ?? {};
      for (const name of Object.keys(given)) {
        if (!spec.secrets[name])
          problems.push(`${at}: 'secrets: ${name}' is not a secret of ${call.target.path}`);
      }
      for (const [name, secret] of Object.entries(spec.secrets)) {
        if (secret.required && !(name in given))
          problems.push(`${at}: the required secret '${name}' is missing`);
      }
    }
  }
  return problems;
}

/** The files below `dir` (all depths) whose names match `pattern`, as repository paths; none when `dir` is missing. */
export function filesUnder(dir: string, pattern: RegExp, base = root): string[] {
  if (!existsSync(join(base, dir))) return [];
  return readdirSync(join(base, dir), { recursive: true })
    .map(String)
    .filter(f => pattern.test(f))
    .map(f => join(dir, f));
}

/** The Markdown people copy from: README.md, docs/ and each action's README.md. */
export function docFiles(base = root): string[] {
  const actions = existsSync(join(base, 'actions'))
    ? readdirSync(join(base, 'actions')).map(a => `actions/${a}/README.md`)
    : [];
  return ['README.md', ...filesUnder('docs', /\.md$/, base), ...actions].filter(f =>
    existsSync(join(base, f))
  );
}

/** Workflows by repository path: .github/workflows and examples/ (YAML with `on:` or `jobs:`). */
export function workflowSources(base = root): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of ['.github/workflows', 'examples'].flatMap(dir => filesUnder(dir, /\.ya?ml$/, base))) {
    const text = readFileSync(join(base, file), 'utf8');
    if (/^\s*(on|jobs):/m.test(text)) out[file] = text;
  }
  return out;
}

/**
 * The fenced YAML blocks of README.md, docs/*.md and the actions' READMEs that use Dockyard, by `file#yaml-<n>`, as
 * workflows: a block that is a list of steps is read as the steps of one job.
 */
export function docWorkflows(base = root): Record<string, Workflow> {
  const out: Record<string, Workflow> = {};
  for (const file of docFiles(base)) {
    const blocks = [...readFileSync(join(base, file), 'utf8').matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)];
    blocks.forEach((block, i) => {
      if (!/^\s*(?:-\s+)?uses:/m.test(block[1])) return;
      const doc = parse(block[1]) as unknown;
      out[`${file}#yaml-${i + 1}`] = Array.isArray(doc)
        ? { jobs: { steps: { steps: doc as Step[] } } }
        : (doc as Workflow);
    });
  }
  return out;
}
