/**
 * deploy-eks inputs: read in one table, then checked together (formats, what goes with what, the paths the
 * manifests lines name), before any AWS or cluster call, so a bad line fails with nothing written. The manifests
 * themselves are read and rendered by the deploy's render phase, under the step's signal and deadline.
 */
import { runContext, runUrl, type RunContext } from '../../../core/github.js';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DockyardError } from '../../../core/errors.js';
import { controlCharacter, imageProblem, isImageName } from '../../../core/image.js';
import {
  InputReader,
  resolveInsideWorkspace,
  splitLines,
  type InputSource,
  type KeyValue
} from '../../../core/inputs.js';
import { PLACEHOLDER_NAME } from '../../../core/template.js';
import {
  COMMIT_ANNOTATION,
  defaultSet,
  DNS_LABEL,
  MANAGED_BY,
  RUN_ANNOTATION,
  SET_LABEL,
  validKey,
  validLabelValue
} from './labels.js';
import { ARGO_ROLLOUT, type ImageRule, type PodTemplateKind } from './manifests.js';
import type { Grace } from './diagnose.js';

export interface Inputs {
  cluster?: string;
  region?: string;
  roleArn?: string;
  /** Absolute path of the kubeconfig file. */
  kubeconfig?: string;
  namespace: string;
  /** Where paths are resolved (GITHUB_WORKSPACE), and manifests are named from. */
  workspace: string;
  /** The files the `manifests` lines name, resolved inside the workspace, in order. */
  manifestFiles: string[];
  /** The kustomization directory (resolved), the input as written, and whether remote bases may be fetched. */
  kustomize?: { dir: string; text: string; remote: boolean };
  vars: Record<string, string>;
  imageRules: ImageRule[];
  /** Custom kinds whose pod template `images` reaches: a Rollout, and those `pod-template-kinds` names. */
  podTemplateKinds: PodTemplateKind[];
  /** What the wait also waits for: LoadBalancer Services' addresses, PersistentVolumeClaims Bound. */
  waitFor: WaitFor;
  /** What every object gets: managed-by, the set label and the user's labels. */
  labels: Record<string, string>;
  /** What every object gets: the run URL, the commit and the user's annotations. */
  annotations: Record<string, string>;
  /** The value of the set label that prune selects on. */
  set: string;
  prune: boolean;
  /** Prune may delete CustomResourceDefinitions. */
  pruneCrds: boolean;
  /** Prune may delete PersistentVolumeClaims. */
  prunePvcs: boolean;
  /** A Job whose spec changed is replaced even while it runs. */
  replaceRunningJobs: boolean;
  wait: boolean;
  timeoutMs: number;
  pollIntervalMs: number;
  /** How long problems that may heal are given before the deploy fails on them. */
  grace: Grace;
  rollback: boolean;
  forceConflicts: boolean;
  fieldManager: string;
  dryRun: boolean;
}

/** The `wait-for` input: what besides the workloads the wait waits for. */
export interface WaitFor {
  loadBalancers: boolean;
  volumes: boolean;
}

const WAIT_FOR_VALUES = { 'load-balancers': 'loadBalancers', volumes: 'volumes' } as const;

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Every input, read as written (the reader checks booleans and durations). */
function read(r: InputReader) {
  return {
    cluster: r.string('cluster'),
    kubeconfig: r.string('kubeconfig'),
    region: r.region('region', { required: r.raw('cluster') !== '' }),
    roleArn: r.string('role-arn'),
    namespace: r.string('namespace', { default: 'default' }) ?? 'default',
    manifests: splitLines(r.raw('manifests')),
    kustomize: r.string('kustomize'),
    kustomizeRemote: r.boolean('kustomize-remote', false),
    images: r.keyValues('images', { example: 'web=123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2' }),
    podTemplateKinds: r.keyValues('pod-template-kinds', { example: 'Rollout.argoproj.io=spec.template' }),
    waitFor: r.list('wait-for'),
    vars: r.keyValues('vars', { allowEmptyValue: true, example: 'REPLICAS=3' }),
    labels: r.keyValues('labels', { allowEmptyValue: true, example: 'team=payments' }),
    annotations: r.keyValues('annotations', { allowEmptyValue: true, example: 'team=payments' }),
    set: r.string('prune-set'),
    prune: r.boolean('prune', false),
    pruneCrds: r.boolean('prune-crds', false),
    prunePvcs: r.boolean('prune-pvcs', false),
    replaceRunningJobs: r.boolean('replace-running-jobs', false),
    wait: r.boolean('wait', true),
    timeoutMs: r.duration('timeout', '15m', { min: 1000 }),
    pollIntervalMs: r.duration('poll-interval', '2s', { min: 100 }),
    failureGraceMs: r.duration('failure-grace', '90s'),
    unschedulableGraceMs: r.duration('unschedulable-grace', '2m'),
    rollback: r.boolean('rollback', true),
    forceConflicts: r.boolean('force-conflicts', false),
    fieldManager: r.string('field-manager', { default: 'dockyard' }) ?? 'dockyard',
    dryRun: r.boolean('dry-run', false)
  };
}

type Read = ReturnType<typeof read>;

export function getInputs(
  source: InputSource,
  env: NodeJS.ProcessEnv = process.env,
  run: RunContext = runContext(env)
): Inputs {
  const r = new InputReader(source, { env });
  const inputs = check(r, read(r), { ...run, step: env.GITHUB_ACTION ?? '' });
  r.done();
  return inputs;
}

/**
 * The checks: each value's format, what goes with what, and the paths inside the workspace. `step` is the
 * runner's GITHUB_ACTION (the step's id), which names the default prune set.
 */
function check(r: InputReader, raw: Read, run: RunContext & { step: string }): Inputs {
  const { cluster, region, namespace, roleArn, fieldManager } = raw;
  if (!cluster && !raw.kubeconfig)
    r.fail(
      'cluster',
      'is required (or kubeconfig).',
      "Set 'cluster' to the EKS cluster's name, or 'kubeconfig' to a kubeconfig file."
    );
  if (cluster && raw.kubeconfig)
    r.fail(
      'kubeconfig',
      "is given together with 'cluster'.",
      'Give one: the EKS cluster name, or a kubeconfig.'
    );
  if (cluster && !CLUSTER_NAME.test(cluster))
    r.fail(
      'cluster',
      `'${cluster}' is not an EKS cluster name.`,
      'A name is letters, digits, - and _, up to 100 characters.'
    );
  if (roleArn && !ROLE_ARN.test(roleArn))
    r.fail('role-arn', `'${roleArn}' is not an IAM role ARN.`, 'Use arn:aws:iam::<account>:role/<name>.');
  if (!DNS_LABEL.test(namespace) || namespace.length > 63)
    r.fail('namespace', `'${namespace}' is not a namespace name.`, 'Use lower-case letters, digits and -.');
  if (fieldManager.length > 128 || /[\s/]/.test(fieldManager))
    r.fail(
      'field-manager',
      `'${fieldManager}' is not a field manager name.`,
      'Use up to 128 characters without spaces or /.'
    );
  if (raw.set && !validLabelValue(raw.set))
    r.fail(
      'prune-set',
      `'${raw.set}' is not a valid label value.`,
      'Use at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit.'
    );
  const set =
    raw.set ||
    defaultSet({
      repository: run.repository,
      job: run.job,
      step: run.step,
      namespace,
      manifests: raw.manifests.map(l => l.text).join('\n'),
      kustomize: raw.kustomize ?? ''
    });
  const url = runUrl(run);
  return {
    cluster,
    region,
    roleArn,
    kubeconfig: raw.kubeconfig ? r.pathValue('kubeconfig', raw.kubeconfig, { kind: 'file' }) : undefined,
    namespace,
    workspace: r.workspace,
    ...sources(r, raw),
    vars: Object.fromEntries(variables(r, raw.vars).map(kv => [kv.key, kv.value])),
    imageRules: imageRules(r, raw.images),
    podTemplateKinds: podTemplateKinds(r, raw.podTemplateKinds),
    waitFor: waitFor(r, raw.waitFor, raw.wait),
    labels: { [MANAGED_BY]: 'dockyard', [SET_LABEL]: set, ...keyValueMap(r, 'labels', raw.labels) },
    annotations: {
      ...(url ? { [RUN_ANNOTATION]: url } : {}),
      ...(run.sha ? { [COMMIT_ANNOTATION]: run.sha } : {}),
      ...keyValueMap(r, 'annotations', raw.annotations)
    },
    set,
    prune: raw.prune,
    pruneCrds: raw.pruneCrds,
    prunePvcs: raw.prunePvcs,
    replaceRunningJobs: raw.replaceRunningJobs,
    wait: raw.wait,
    timeoutMs: raw.timeoutMs,
    pollIntervalMs: raw.pollIntervalMs,
    grace: { failureMs: raw.failureGraceMs, unschedulableMs: raw.unschedulableGraceMs },
    rollback: raw.rollback,
    forceConflicts: raw.forceConflicts,
    fieldManager,
    dryRun: raw.dryRun
  };
}

/** The manifest files and the kustomization: at least one, each inside the workspace. */
function sources(r: InputReader, raw: Read): Pick<Inputs, 'manifestFiles' | 'kustomize'> {
  if (raw.manifests.length === 0 && !raw.kustomize)
    r.fail(
      'manifests',
      'is required (or kustomize).',
      'List manifest files, directories or globs, one per line.'
    );
  if (raw.kustomizeRemote && !raw.kustomize)
    r.fail(
      'kustomize-remote',
      "is set without 'kustomize'.",
      "It lets a kustomization fetch remote bases; set 'kustomize' or remove it."
    );
  const dir = raw.kustomize ? r.pathValue('kustomize', raw.kustomize, { kind: 'dir' }) : undefined;
  return {
    manifestFiles: r.collect(() => manifestFiles(raw.manifests, r.workspace)) ?? [],
    kustomize: dir && raw.kustomize ? { dir, text: raw.kustomize, remote: raw.kustomizeRemote } : undefined
  };
}

const IMAGES_HINT =
  'Write name=image, one a line: the name is the repository of the images to replace (web, team/web), the image a full reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2 or …/web@sha256:<64 hex digits>.';

/** Why one `images` line is refused: the name, then the image, by the image reference grammar. */
function imageLineProblem(kv: KeyValue): string | undefined {
  const control = controlCharacter(kv.key);
  if (control) return `line ${kv.line}: the name holds a control character (${control}).`;
  if (!isImageName(kv.key))
    return `line ${kv.line}: '${kv.key}' is not an image name (a repository, without tag or digest).`;
  const problem = imageProblem(kv.value);
  if (!problem) return undefined;
  // A value with a control character is not quoted back (imageProblem says which character).
  const image = controlCharacter(kv.value) ? 'the image' : `'${kv.value}'`;
  return `line ${kv.line} (${kv.key}): ${image} ${problem}.`;
}

function imageRules(r: InputReader, lines: KeyValue[]): ImageRule[] {
  const rules: ImageRule[] = [];
  for (const kv of lines) {
    const problem = imageLineProblem(kv);
    if (problem) r.fail('images', problem, IMAGES_HINT);
    else if (rules.some(rule => rule.name === kv.key))
      r.fail('images', `line ${kv.line}: '${kv.key}' is given twice.`, 'Give each name once.');
    else rules.push({ name: kv.key, image: kv.value, line: kv.line });
  }
  return rules;
}

const KIND_NAME = /^[A-Z][A-Za-z0-9]{0,62}$/;
const API_GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const POD_TEMPLATE_HINT =
  'Write Kind.group=path, one a line: the kind, its API group (the part of apiVersion before the /) and the dotted path of its pod template, such as Rollout.argoproj.io=spec.template or CloneSet.apps.kruise.io=spec.template.';

/** `Kind.group=path` lines: custom kinds whose pod template `images` reaches, over the known Rollout. */
function podTemplateKinds(r: InputReader, lines: KeyValue[]): PodTemplateKind[] {
  const kinds: PodTemplateKind[] = [ARGO_ROLLOUT];
  for (const kv of lines) {
    const dot = kv.key.indexOf('.');
    const kind = dot < 0 ? kv.key : kv.key.slice(0, dot);
    const group = dot < 0 ? '' : kv.key.slice(dot + 1);
    const problem = controlCharacter(kv.key + kv.value)
      ? 'holds a control character.'
      : !KIND_NAME.test(kind)
        ? `'${kind}' is not a kind name (UpperCamelCase letters and digits).`
        : !API_GROUP.test(group)
          ? `'${kv.key}' names no API group of a custom kind (a DNS name such as argoproj.io; built-in kinds are known).`
          : !FIELD_PATH.test(kv.value)
            ? `'${kv.value}' is not a field path (names separated by dots, such as spec.template).`
            : undefined;
    if (problem) r.fail('pod-template-kinds', `line ${kv.line}: ${problem}`, POD_TEMPLATE_HINT);
    else {
      const known = kinds.findIndex(k => k.kind === kind && k.group === group);
      if (known > 0)
        r.fail('pod-template-kinds', `line ${kv.line}: '${kv.key}' is given twice.`, 'Give each kind once.');
      const entry = { kind, group, path: kv.value.split('.') };
      if (known === 0) kinds[0] = entry;
      else kinds.push(entry);
    }
  }
  return kinds;
}

/** `wait-for`: `load-balancers`, `volumes`, comma- or newline-separated; it adds to the wait, so needs one. */
function waitFor(r: InputReader, values: string[], wait: boolean): WaitFor {
  const out: WaitFor = { loadBalancers: false, volumes: false };
  if (!wait && values.length > 0)
    r.fail(
      'wait-for',
      "is set with 'wait: false'.",
      'It adds to what the wait waits for; remove it, or let the step wait.'
    );
  for (const value of values) {
    const key = WAIT_FOR_VALUES[value as keyof typeof WAIT_FOR_VALUES];
    if (key) out[key] = true;
    else
      r.fail(
        'wait-for',
        controlCharacter(value)
          ? 'a value holds a control character.'
          : `'${value}' is not something to wait for.`,
        'Use load-balancers (a LoadBalancer Service has its address), volumes (a PersistentVolumeClaim is Bound), or both, comma-separated.'
      );
  }
  return out;
}

function variables(r: InputReader, lines: KeyValue[]): KeyValue[] {
  return lines.filter(kv => {
    if (PLACEHOLDER_NAME.test(kv.key)) return true;
    r.fail(
      'vars',
      `line ${kv.line}: '${kv.key}' is not a variable name.`,
      'A name is letters, digits and _, not starting with a digit.'
    );
    return false;
  });
}

function keyValueMap(
  r: InputReader,
  name: 'labels' | 'annotations',
  lines: KeyValue[]
): Record<string, string> {
  const out: Record<string, string> = {};
  const what = name === 'labels' ? 'label' : 'annotation';
  for (const kv of lines) {
    if (!validKey(kv.key))
      r.fail(
        name,
        `line ${kv.line}: '${kv.key}' is not a valid ${what} key.`,
        'A key is an optional DNS prefix and a name of at most 63 letters, digits, -, _ and . (example.com/team).'
      );
    else if (name === 'labels' && !validLabelValue(kv.value))
      r.fail(
        name,
        `line ${kv.line}: the value of '${kv.key}' is not a valid label value.`,
        'A label value is at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit.'
      );
    else out[kv.key] = kv.value;
  }
  return out;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const GLOB_CHARS = /[*?[]/;

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function walk(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name)
  )) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...walk(full, true));
    } else if (entry.isFile() || entry.isSymbolicLink()) out.push(full);
  }
  return out;
}

/**
 * The files the `manifests` lines name, in order, each once: a file; a directory's .yaml/.yml/.json files
 * (not its subdirectories); a glob (`*`, `?`, `**`) of files. Every path is resolved inside the workspace
 * (the core rule: `..`, absolute paths and links out are refused); a line that names nothing is an error.
 */
export function manifestFiles(lines: { text: string; line: number }[], workspace: string): string[] {
  const files: string[] = [];
  const inside = (path: string, line: number) =>
    resolveInsideWorkspace('manifests', path, { workspace, line });
  for (const { text, line } of lines) {
    const found: string[] = [];
    if (GLOB_CHARS.test(text)) {
      const parts = text.split('/');
      const firstGlob = parts.findIndex(p => GLOB_CHARS.test(p));
      const base = inside(parts.slice(0, firstGlob).join('/') || '.', line);
      const re = globToRegExp(parts.slice(firstGlob).join('/'));
      if (statSync(base).isDirectory()) {
        const recursive = text.includes('**') || parts.length - firstGlob > 1;
        for (const file of walk(base, recursive))
          if (re.test(relative(base, file).split(sep).join('/'))) found.push(file);
      }
    } else {
      const full = inside(text, line);
      if (statSync(full).isDirectory()) found.push(...walk(full, false).filter(f => MANIFEST_FILE.test(f)));
      else found.push(full);
    }
    if (found.length === 0)
      throw new DockyardError(`line ${line}: '${text}' matches no manifest file.`, {
        input: 'manifests',
        hint: 'Check the path; a directory is read for its .yaml, .yml and .json files.'
      });
    for (const f of found) {
      // A file found in a directory or by a glob may itself be a link out of the workspace.
      const real = inside(relative(workspace, f), line);
      if (!files.includes(real)) files.push(real);
    }
  }
  return files;
}
