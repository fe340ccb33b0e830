/**
 * The manifests, loaded and rendered in the render phase: the files the inputs name (inputs.ts resolves them)
 * and the kustomize output, multi-document YAML; `${var.NAME}` placeholders (the core template rule), `images`
 * substitution, and the labels and annotations every object gets.
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { formatDuration } from '../../../core/duration.js';
import { DockyardError } from '../../../core/errors.js';
import { substituteInValue } from '../../../core/template.js';
import { oneLine } from '../../../core/text.js';
import type { KubeObject } from './kube.js';

export interface Manifest {
  object: KubeObject;
  /** Where it came from: `k8s/web.yaml#2` (document 2) or `kustomize:overlays/prod`. */
  source: string;
}

export interface ImageRule {
  name: string;
  image: string;
  line: number;
}

/** The YAML library's default: aliases expand into full copies, so a few nested ones can be a billion laughs. */
const MAX_ALIAS_COUNT = 100;

/**
 * The documents of a YAML (or JSON) text as plain values, `where` naming each one (`k8s/web.yaml (document 2)`).
 * A syntax error names the file and line; an alias bomb (more expanded aliases than the default allows) names
 * the file and document, never the library's words alone.
 */
export function parseYamlDocuments(
  text: string,
  source: string,
  input: string
): { value: unknown; where: string }[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return [];
  return docs.map((doc, i) => {
    const where = docs.length > 1 ? `${source} (document ${i + 1})` : source;
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const line = e.linePos?.[0]?.line;
      throw new DockyardError(
        `${source}${line ? ` line ${line}` : ''} is not valid YAML: ${e.message.split('\n')[0]}`,
        { input, hint: 'Fix the YAML; nothing was applied.' }
      );
    }
    try {
      return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown, where };
    } catch (error) {
      if (!(error instanceof ReferenceError)) throw error;
      const bomb = /excessive alias count/i.test(error.message);
      throw new DockyardError(
        bomb
          ? `${where}: its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies (${error.message}).`
          : `${where} is not valid YAML: ${error.message}`,
        {
          input,
          hint: bomb
            ? 'Each alias is a full copy of its anchor: write the repeated part out, or nest fewer aliases; nothing was applied.'
            : 'Fix the YAML; nothing was applied.'
        }
      );
    }
  });
}

/** Parses multi-document YAML (or JSON); `List` kinds are flattened; empty documents skipped. */
export function parseManifests(text: string, source: string, input = 'manifests'): Manifest[] {
  const out: Manifest[] = [];
  for (const { value, where } of parseYamlDocuments(text, source, input)) {
    if (value === null || value === undefined) continue;
    const items =
      isObject(value) &&
      typeof value.kind === 'string' &&
      value.kind.endsWith('List') &&
      Array.isArray(value.items)
        ? (value.items as unknown[])
        : [value];
    for (const item of items) out.push({ object: checkObject(item, where, input), source: where });
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function checkObject(value: unknown, where: string, input: string): KubeObject {
  const fail = (what: string) => {
    throw new DockyardError(`${where}: ${what}`, {
      input,
      hint: 'Every document is one Kubernetes object with apiVersion, kind and metadata.name.'
    });
  };
  if (!isObject(value)) return fail('is not a Kubernetes object (a mapping).');
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') fail("has no 'apiVersion'.");
  if (typeof value.kind !== 'string' || value.kind === '') fail("has no 'kind'.");
  const meta = value.metadata;
  if (!isObject(meta) || typeof meta.name !== 'string' || meta.name === '')
    fail(
      `${String(value.kind)} has no metadata.name (server-side apply needs one; generateName is not supported).`
    );
  return value as KubeObject;
}

/** Runs a program and returns its standard output (node:child_process `execFile`, promised). */
export type RunProgram = (
  command: string,
  args: string[],
  options: { signal?: AbortSignal; timeout: number; maxBuffer: number; encoding: 'utf8' }
) => Promise<{ stdout: string }>;

const runProgram: RunProgram = promisify(execFile) as unknown as RunProgram;

/**
 * Renders a kustomization with `kustomize build`, else `kubectl kustomize`; a clear error when neither exists.
 * It runs under the step's signal and may take `timeoutMs` at most, so a cancel or the deadline stops it.
 */
export async function kustomizeBuild(
  dir: string,
  options: { signal?: AbortSignal; timeoutMs: number },
  run: RunProgram = runProgram
): Promise<string> {
  const candidates: [string, string[]][] = [
    ['kustomize', ['build', dir]],
    ['kubectl', ['kustomize', dir]]
  ];
  for (const [command, args] of candidates) {
    const what = `'${command} ${args.join(' ')}'`;
    try {
      const out = await run(command, args, {
        signal: options.signal,
        timeout: Math.max(1, options.timeoutMs),
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8'
      });
      return out.stdout;
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string | Buffer; killed?: boolean };
      if (e.code === 'ENOENT') continue;
      if (options.signal?.aborted)
        throw new DockyardError(
          `${what} was stopped: ${(options.signal.reason as Error | undefined)?.message}.`
        );
      if (e.killed)
        throw new DockyardError(`${what} did not finish within ${formatDuration(options.timeoutMs)}.`, {
          input: 'kustomize',
          hint: 'It ran until the step had no time left for the deploy; give the step a longer timeout.'
        });
      const stderr = oneLine(
        String(e.stderr || e.message)
          .trim()
          .split('\n')
          .slice(-5)
          .join(' '),
        { max: 1000 }
      );
      throw new DockyardError(`${what} failed: ${stderr}`, {
        input: 'kustomize',
        hint: 'Fix the kustomization; nothing was applied.'
      });
    }
  }
  throw new DockyardError('neither kustomize nor kubectl is installed on this runner.', {
    input: 'kustomize',
    hint: 'Install one before this step (for example imranismail/setup-kustomize or azure/setup-kubectl), or render the manifests yourself and pass them in manifests.'
  });
}

/**
 * A custom kind that embeds a pod template, and where: `Rollout.argoproj.io` at `spec.template` (the input
 * `pod-template-kinds`). `group` is the API group of its apiVersion.
 */
export interface PodTemplateKind {
  kind: string;
  group: string;
  /** The path of the pod template (a PodTemplateSpec: `metadata` and `spec`). */
  path: string[];
}

/**
 * Argo Rollouts' Rollout holds a Deployment's pod template at `spec.template` (its CRD's schema): known without
 * being named, as kustomize's `images` finds its containers without being told.
 */
export const ARGO_ROLLOUT: PodTemplateKind = {
  kind: 'Rollout',
  group: 'argoproj.io',
  path: ['spec', 'template']
};

const at = (v: unknown, path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), v);

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/**
 * The pod specs of a workload object: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, and the
 * custom kinds given (a Rollout by default).
 */
export function podSpecs(
  object: KubeObject,
  custom: PodTemplateKind[] = [ARGO_ROLLOUT]
): Record<string, unknown>[] {
  let spec: unknown;
  switch (object.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      spec = at(object, ['spec', 'template', 'spec']);
      break;
    case 'CronJob':
      spec = at(object, ['spec', 'jobTemplate', 'spec', 'template', 'spec']);
      break;
    case 'Pod':
      spec = at(object, ['spec']);
      break;
    default: {
      const known = custom.find(c => c.kind === object.kind && c.group === groupOf(object.apiVersion));
      if (known) spec = at(object, [...known.path, 'spec']);
    }
  }
  return isObject(spec) ? [spec] : [];
}

/** `registry:5000/team/web:v1@sha256:…` → `registry:5000/team/web`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

/** True when the image's repository is `name` or ends in `/name`: `web` matches `ecr/web`, not `web-sidecar`. */
export function imageMatches(image: string, name: string): boolean {
  const repo = imageRepository(image);
  return repo === name || repo.endsWith(`/${name}`);
}

export interface ImageChange {
  source: string;
  object: string;
  container: string;
  from: string;
  to: string;
}

/** Sets the images; every rule must match at least one container. */
export function substituteImages(
  manifests: Manifest[],
  rules: ImageRule[],
  custom: PodTemplateKind[] = [ARGO_ROLLOUT]
): ImageChange[] {
  const changes: ImageChange[] = [];
  const used = new Set<ImageRule>();
  for (const m of manifests) {
    for (const spec of podSpecs(m.object, custom)) {
      for (const list of ['initContainers', 'containers']) {
        const containers = spec[list];
        if (!Array.isArray(containers)) continue;
        for (const c of containers as Record<string, unknown>[]) {
          if (typeof c?.image !== 'string') continue;
          const rule = rules.find(r => imageMatches(c.image as string, r.name));
          if (!rule) continue;
          used.add(rule);
          if (c.image === rule.image) continue;
          changes.push({
            source: m.source,
            object: `${m.object.kind}/${m.object.metadata.name}`,
            container: String(c.name),
            from: c.image,
            to: rule.image
          });
          c.image = rule.image;
        }
      }
    }
  }
  const unused = rules.filter(r => !used.has(r));
  if (unused.length > 0)
    throw new DockyardError(
      `${unused.map(r => `line ${r.line} ('${r.name}=…')`).join(', ')} matches no container image in the manifests.`,
      {
        input: 'images',
        hint: "The name is matched against each image's repository: the whole repository (web) or its last path segments (team/web), not a prefix. Check the spelling or remove the line; a custom kind's containers are reached once pod-template-kinds names it (a Rollout is known)."
      }
    );
  return changes;
}

export interface RenderOptions {
  vars: Record<string, string>;
  images: ImageRule[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Custom kinds whose pod template `images` reaches (default: a Rollout). */
  podTemplateKinds?: PodTemplateKind[];
}

/** Fills placeholders, sets images, adds labels and annotations to every object's metadata. */
export function render(
  manifests: Manifest[],
  options: RenderOptions
): { manifests: Manifest[]; images: ImageChange[] } {
  const rendered = manifests.map(m => ({
    source: m.source,
    object: substituteInValue(m.object, options.vars, 'manifests', { where: m.source }).value as KubeObject
  }));
  const images = substituteImages(rendered, options.images, options.podTemplateKinds);
  for (const { object } of rendered) {
    object.metadata.labels = { ...(object.metadata.labels ?? {}), ...options.labels };
    object.metadata.annotations = { ...(object.metadata.annotations ?? {}), ...options.annotations };
  }
  const seen = new Map<string, string>();
  for (const m of rendered) {
    const key = `${m.object.apiVersion.split('/').length > 1 ? m.object.apiVersion.split('/')[0] : ''}/${m.object.kind}/${m.object.metadata.namespace ?? ''}/${m.object.metadata.name}`;
    const before = seen.get(key);
    if (before)
      throw new DockyardError(
        `${m.object.kind} ${m.object.metadata.name} is defined twice (${before} and ${m.source}).`,
        {
          input: 'manifests',
          hint: 'Keep one definition of each object.'
        }
      );
    seen.set(key, m.source);
  }
  return { manifests: rendered, images };
}

/** Loads every manifest the inputs name, in order: the `manifests` files, then the kustomization's output. */
export async function loadManifests(options: {
  files: string[];
  kustomize?: { text: string; build: () => Promise<string> };
  workspace: string;
}): Promise<Manifest[]> {
  const out: Manifest[] = [];
  const root = realpathSync(options.workspace);
  for (const file of options.files)
    out.push(...parseManifests(await readFile(file, 'utf8'), relative(root, file).split(sep).join('/')));
  if (options.kustomize)
    out.push(
      ...parseManifests(await options.kustomize.build(), `kustomize:${options.kustomize.text}`, 'kustomize')
    );
  if (out.length === 0)
    throw new DockyardError('holds no Kubernetes objects.', {
      input: options.kustomize && options.files.length === 0 ? 'kustomize' : 'manifests',
      hint: 'Check the files: every document is empty.'
    });
  return out;
}
