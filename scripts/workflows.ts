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

/** An action's metadata (action.yml), as far as these checks read it. */
export interface ActionMetadata {
  inputs?: Record<string, Declared>;
  runs?: { using?: string; steps?: Step[] };
}

/** The action.yml (or action.yaml) of an action directory; undefined when there is none. */
export function loadAction(path: string, base = root): ActionMetadata | undefined {
  const file = ['action.yml', 'action.yaml'].map(f => join(base, path, f)).find(f => existsSync(f));
  return file ? (parse(readFileSync(file, 'utf8')) as ActionMetadata) : undefined;
}

export function loadSpec(target: Target, base = root): Spec | undefined {
  if (target.kind === 'action') {
    const action = loadAction(target.path, base);
    return action ? { inputs: action.inputs ?? {}, secrets: {} } : undefined;
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
  env?: Record<string, unknown>;
  /** Set by `flattenSteps`: the composite action (`.github/actions/<name>`) the step came from. */
  via?: string;
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

const SAME_INPUT = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/;
const INPUT_IN_TEXT = /\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g;

/**
 * A job's steps as the runner will run them: each step that uses one of our composite actions
 * (`$/.github/actions/<name>`) is replaced by that action's steps, and an input the composite passes on unchanged
 * (`${{ inputs.x }}`) is replaced by what the job gave it, so a check sees which workflow input reaches which action.
 */
export function flattenSteps(steps: Step[], base = root, depth = 0): Step[] {
  return steps.flatMap(step => {
    const target = step.uses ? ownTarget(step.uses) : undefined;
    const action = target?.kind === 'action' ? loadAction(target.path, base) : undefined;
    if (!target || action?.runs?.using !== 'composite' || depth > 3) return [step];
    const given = step.with ?? {};
    const inner = (action.runs.steps ?? []).map(s => ({
      ...s,
      via: target.path,
      with: Object.fromEntries(
        Object.entries(s.with ?? {}).map(([k, v]) => {
          const name = SAME_INPUT.exec(String(v))?.[1];
          if (name !== undefined) return [k, given[name] ?? ''];
          // An input within a longer value (`dockyard-report-${{ inputs.release-id }}-*`) reads as what was given.
          if (typeof v !== 'string') return [k, v];
          return [k, v.replace(INPUT_IN_TEXT, (_, n: string) => String(given[n] ?? ''))];
        })
      )
    }));
    return flattenSteps(inner, base, depth + 1);
  });
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

/** Our composite and internal actions' metadata files, as repository paths (.github/actions/<name>/action.yml). */
export function actionFiles(base = root): string[] {
  return filesUnder('.github/actions', /(^|\/)action\.ya?ml$/, base);
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

const USES = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(?:#\s*(\S+))?/;

/** One `uses:` line of a file, with its line number and the first word of its trailing comment. */
export interface UsesLine {
  line: number;
  uses: string;
  comment?: string;
}

/** Every `uses:` line of a text. */
export function usesLines(text: string): UsesLine[] {
  return text.split('\n').flatMap((l, i) => {
    const m = USES.exec(l);
    return m ? [{ line: i + 1, uses: m[1], comment: m[2] }] : [];
  });
}

/**
 * Every `uses:` that runs or is copied: the workflows and the examples, our composite actions, and the YAML of
 * README.md, docs/ and the actions' READMEs (their Dockyard references are left to release-refs).
 */
export function usesEverywhere(base = root): (UsesLine & { file: string })[] {
  const files = [...Object.keys(workflowSources(base)), ...actionFiles(base), ...docFiles(base)];
  return files.flatMap(file => usesLines(readFileSync(join(base, file), 'utf8')).map(u => ({ file, ...u })));
}

const SHA_PIN = /^([\w.-]+\/[\w.-]+)(?:\/[^@\s]*)?@([0-9a-f]{40})$/;

/**
 * What is wrong with how one `uses:` is pinned: ours are `$/` (this repository at the running commit), `./` or a
 * Dockyard reference (release-refs checks its ref); everything else names a full commit SHA with its version in a
 * comment (`@<40 hex> # v1.2.3`), which a moved tag upstream cannot change and Dependabot can update.
 */
export function pinProblem(u: UsesLine & { file: string }): string | undefined {
  const at = `${u.file}:${u.line}: '${u.uses}'`;
  if (u.uses.startsWith('$/') || u.uses.startsWith('./') || ownTarget(u.uses)) return undefined;
  if (u.uses.startsWith('docker://'))
    return /@sha256:[0-9a-f]{64}$/.test(u.uses) ? undefined : `${at} names an image by tag: pin its digest`;
  if (!SHA_PIN.test(u.uses))
    return `${at} is not pinned by a full commit SHA: write owner/repo@<40-hex SHA> # vX.Y.Z`;
  if (!/^v\d+\.\d+\.\d+$/.test(u.comment ?? ''))
    return `${at} needs its version in a comment (# vX.Y.Z), for Dependabot and for reviewers`;
  return undefined;
}

/** Actions pinned to more than one commit across the files: each should be pinned the same way everywhere. */
export function pinDrift(all: (UsesLine & { file: string })[]): string[] {
  const pins = new Map<string, Set<string>>();
  for (const u of all) {
    const m = SHA_PIN.exec(u.uses);
    if (!m) continue;
    const seen = pins.get(m[1]) ?? new Set<string>();
    seen.add(`${m[2]} # ${u.comment ?? ''}`);
    pins.set(m[1], seen);
  }
  return [...pins]
    .filter(([, seen]) => seen.size > 1)
    .map(([action, seen]) => `${action} is pinned ${seen.size} ways: ${[...seen].join(', ')}`);
}

/**
 * Where a job's AWS role could be another job's: a `role-to-assume` that falls back to another (`a || b`), or, in a
 * job that runs outside an environment, a deploy role (`inputs.role-to-assume`, or a target's `matrix.target.…`). Our composite
 * actions' steps are read in place (flattenSteps), so a role passed down to one is seen where it is assumed.
 */
export function roleProblems(workflow: Workflow, file: string, base = root): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    for (const step of flattenSteps(job.steps ?? [], base)) {
      if (!step.uses?.startsWith('aws-actions/configure-aws-credentials@')) continue;
      const role = String(step.with?.['role-to-assume'] ?? '');
      const where = `${file} jobs.${id}${step.via ? ` (${step.via})` : ''}`;
      if (role.includes('||'))
        problems.push(`${where}: role-to-assume '${role}' falls back to another role: give each job its own`);
      if (!job.environment && /\b(inputs|matrix\.target)\.role-to-assume\b/.test(role))
        problems.push(`${where}: runs outside an environment, yet assumes 'role-to-assume', the deploy role`);
    }
    const ours = (job.steps ?? []).map(s => ownTarget(s.uses ?? '')?.path);
    if (ours.includes('actions/build-push') && ours.some(p => /^actions\/deploy-/.test(p ?? '')))
      problems.push(
        `${file} jobs.${id}: builds and deploys in one job, so one role does both: give the build a job and a role of its own`
      );
  }
  return problems;
}
