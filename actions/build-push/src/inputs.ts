import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputReader, type InputSource } from '../../../core/index.js';
import { secretEnvName } from './docker.js';

export const THRESHOLDS = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Threshold = (typeof THRESHOLDS)[number];
export const MUTABILITIES = [
  'IMMUTABLE',
  'MUTABLE',
  'IMMUTABLE_WITH_EXCLUSION',
  'MUTABLE_WITH_EXCLUSION'
] as const;
export type Mutability = (typeof MUTABILITIES)[number];

export interface BuildSecret {
  id: string;
  /** The input that gave it, for messages. */
  input: 'secrets' | 'secret-files';
  /** The secret's value, passed to docker through the environment, never on the command line. */
  value?: string;
  /** A file whose content is the secret. */
  file?: string;
}

export interface Inputs {
  /** The repository name inside the registry, such as `team/app`. */
  repository: string;
  /** The account that owns the registry; undefined means the caller's account. */
  registryId?: string;
  region: string;
  context: string;
  file: string;
  target?: string;
  buildArgs: { key: string; value: string }[];
  secrets: BuildSecret[];
  /** Extra tags, in the order given. */
  tags: string[];
  branchTag: boolean;
  platforms: string[];
  labels: { key: string; value: string }[];
  push: boolean;
  createRepository: boolean;
  mutability: Mutability;
  mutabilityExclusions: string[];
  keepImages?: number;
  skipExisting: boolean;
  cache: boolean;
  provenance: boolean;
  scanThreshold: Threshold;
  scanTimeoutMs: number;
  /** The whole step's time limit. */
  timeoutMs: number;
}

/** ECR repository names: lowercase path components separated by `/`, each `a-z0-9` joined by `.`, `_` or `-`. */
export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>` */
export const REPOSITORY_URI = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;
/** Docker's tag grammar. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const EXCLUSION_FILTER = /^[A-Za-z0-9._*-]{1,128}$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

export interface InputEnv {
  env?: NodeJS.ProcessEnv;
  /** Where path inputs are resolved and must stay: GITHUB_WORKSPACE (else the working directory) by default. */
  workspace?: string;
}

/** Reads and validates every input together; throws one InputError naming each problem and its fix. */
export function getInputs(source: InputSource, options: InputEnv = {}): Inputs {
  const r = new InputReader(source, options);

  // Repository: a name, or a full URI that also says the registry and region.
  const repoText = r.required('repository', "Set 'repository' to an ECR repository name such as 'team/app'.");
  let repository = repoText;
  let uriRegistry: string | undefined;
  let uriRegion: string | undefined;
  const uri = REPOSITORY_URI.exec(repoText);
  if (uri) {
    [, uriRegistry, uriRegion, repository] = uri;
  } else if (/\.amazonaws\.com/.test(repoText) || repoText.includes(':')) {
    r.fail(
      'repository',
      `'${repoText}' is not a repository name or an ECR repository URI.`,
      "Give a name such as 'team/app', or '<account>.dkr.ecr.<region>.amazonaws.com/team/app' without a tag (tags go in 'tags')."
    );
    repository = '';
  }
  if (
    repository !== '' &&
    (!REPOSITORY_NAME.test(repository) || repository.length < 2 || repository.length > 256)
  ) {
    r.fail(
      'repository',
      `'${repository}' is not a valid ECR repository name.`,
      "Use 2 to 256 lowercase letters, digits and '.', '_', '-' between them, with '/' between path parts, such as 'team/app'."
    );
  }

  let registryId = r.string('registry-id');
  if (registryId !== undefined && !/^\d{12}$/.test(registryId)) {
    r.fail(
      'registry-id',
      `'${registryId}' is not an AWS account ID.`,
      'Give the 12-digit account ID that owns the registry.'
    );
  }
  if (uriRegistry) {
    if (registryId !== undefined && registryId !== uriRegistry) {
      r.fail(
        'registry-id',
        `'${registryId}' differs from the account in the repository URI (${uriRegistry}).`,
        "Leave 'registry-id' empty when 'repository' is a full URI, or make them agree."
      );
    }
    registryId = uriRegistry;
  }

  const region = r.region('region', { fallback: uriRegion });
  if (region && uriRegion && region !== uriRegion) {
    r.fail(
      'region',
      `'${region}' differs from the region in the repository URI (${uriRegion}).`,
      "Leave 'region' empty when 'repository' is a full URI, or make them agree."
    );
  }

  // Build context and Dockerfile: inside the workspace, and there, before anything is touched.
  const context = r.path('context', { default: '.', kind: 'dir' });
  const fileText = r.string('file');
  let file: string | undefined;
  if (fileText !== undefined) file = r.pathValue('file', fileText, { kind: 'file' });
  else if (context !== undefined) {
    const inContext = join(context, 'Dockerfile');
    if (!existsSync(inContext) || !statSync(inContext).isFile()) {
      r.fail(
        'file',
        `the context '${r.raw('context') || '.'}' has no Dockerfile.`,
        "Add a Dockerfile to the context, or set 'file' to its path relative to the workspace."
      );
    } else {
      // The context's own Dockerfile may be a link too: it must not lead out of the workspace either.
      file = r.pathValue('file', inContext, { kind: 'file' });
    }
  }

  const target = r.string('target');
  if (target !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) {
    r.fail(
      'target',
      `'${target}' is not a build stage name.`,
      'Give the name after AS in a FROM line of the Dockerfile.'
    );
  }

  const buildArgs = r.keyValues('build-args', { allowEmptyValue: true, example: 'NODE_ENV=production' });
  const labels = r.keyValues('labels', { allowEmptyValue: true, example: 'team=payments' });

  // Values are masked as soon as they are read; a bad line is named by its number and id, never its text.
  const secrets: BuildSecret[] = [];
  for (const kv of r.secretEntries('secrets', { example: 'npm_token=${{ secrets.NPM_TOKEN }}' })) {
    if (!SECRET_ID.test(kv.key)) {
      r.fail(
        'secrets',
        `line ${kv.line}: '${kv.key}' is not a secret id.`,
        "Use letters, digits, '.', '_' or '-' for the id (what RUN --mount=type=secret,id=... names)."
      );
    } else secrets.push({ id: kv.key, value: kv.value, input: 'secrets' });
  }
  for (const kv of r.keyValues('secret-files', { example: 'npm=.secrets/npmrc' })) {
    if (!SECRET_ID.test(kv.key)) {
      r.fail(
        'secret-files',
        `line ${kv.line}: '${kv.key}' is not a secret id.`,
        "Use letters, digits, '.', '_' or '-' for the id."
      );
      continue;
    }
    const path = r.pathValue('secret-files', kv.value, { kind: 'file', line: kv.line });
    if (path !== undefined) secrets.push({ id: kv.key, file: path, input: 'secret-files' });
  }
  // Ids that differ only in case or punctuation reach docker as one environment variable: refuse them.
  const byEnvName = new Map<string, BuildSecret>();
  for (const secret of secrets) {
    const other = byEnvName.get(secretEnvName(secret.id));
    if (other === undefined) byEnvName.set(secretEnvName(secret.id), secret);
    else
      r.fail(
        secret.input,
        other.id === secret.id
          ? `the secret id '${secret.id}' is given twice.`
          : `the secret ids '${other.id}' and '${secret.id}' are the same once case and punctuation are ignored (both become ${secretEnvName(secret.id)}).`,
        "Give each id once across 'secrets' and 'secret-files', and make ids differ in more than case, '.', '_' or '-'."
      );
  }

  const tags = r.list('tags');
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      r.fail(
        'tags',
        `'${tag}' is not a valid image tag.`,
        "A tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'; give the tag only, not 'repo:tag'."
      );
    }
  }
  if (tags.includes('buildcache')) {
    r.fail('tags', "'buildcache' is reserved for the build cache.", 'Choose another tag.');
  }

  const platforms = r.list('platforms');
  for (const p of platforms) {
    if (!PLATFORM.test(p))
      r.fail(
        'platforms',
        `'${p}' is not a platform.`,
        "Use os/arch[/variant], such as 'linux/amd64' or 'linux/arm64'."
      );
  }

  const mutability = r.choice('image-tag-mutability', MUTABILITIES, 'IMMUTABLE', { ignoreCase: true });
  const mutabilityExclusions = r.list('mutability-exclusions');
  for (const f of mutabilityExclusions) {
    if (!EXCLUSION_FILTER.test(f))
      r.fail(
        'mutability-exclusions',
        `'${f}' is not a tag filter.`,
        "Use tag characters and '*' as a wildcard, such as 'latest' or 'release-*'."
      );
  }
  if (mutability.endsWith('_WITH_EXCLUSION') && mutabilityExclusions.length === 0) {
    r.fail(
      'mutability-exclusions',
      `is required when 'image-tag-mutability' is ${mutability}.`,
      "List the tags (wildcards allowed) that are the exception, such as 'latest'."
    );
  }

  const keepImages = r.integer('keep-images', { min: 1, max: 10000 });
  const scanThreshold = r.choice('scan-severity-threshold', THRESHOLDS, 'NONE', { ignoreCase: true });
  const scanTimeoutMs = r.duration('scan-timeout', '10m', { min: 1000 });
  const timeoutMs = r.duration('timeout', '60m', { min: 1000 });

  const inputs: Inputs = {
    repository,
    registryId,
    region,
    context: context ?? '',
    file: file ?? '',
    target,
    buildArgs: buildArgs.map(({ key, value }) => ({ key, value })),
    secrets,
    tags,
    branchTag: r.boolean('branch-tag', false),
    platforms,
    labels: labels.map(({ key, value }) => ({ key, value })),
    push: r.boolean('push', true),
    createRepository: r.boolean('create-repository', true),
    mutability,
    mutabilityExclusions,
    keepImages,
    skipExisting: r.boolean('skip-existing', true),
    cache: r.boolean('cache', true),
    provenance: r.boolean('provenance', false),
    scanThreshold,
    scanTimeoutMs,
    timeoutMs
  };
  if (!inputs.push && scanThreshold !== 'NONE') {
    r.fail(
      'scan-severity-threshold',
      `is ${scanThreshold} but 'push' is false: only pushed images are scanned.`,
      "Set 'push: true', or leave the threshold at NONE."
    );
  }
  r.done();
  return inputs;
}
