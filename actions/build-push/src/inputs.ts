import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
  InputReader,
  REGION_HINT,
  REGION_PATTERN,
  resolveRegion,
  type InputSource
} from '../../../core/index.js';

export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
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
  cwd?: string;
}

/** Reads and validates every input together; throws one InputError naming each problem and its fix. */
export function getInputs(source: InputSource, options: InputEnv = {}): Inputs {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const r = new InputReader(source);

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

  const regionInput = r.string('region');
  const region = resolveRegion(regionInput ?? uriRegion, env);
  if (!region) {
    r.fail('region', 'no AWS region is set.', REGION_HINT);
  } else if (!REGION_PATTERN.test(region)) {
    r.fail('region', `'${region}' is not an AWS region.`, "Use a region code such as 'us-east-1'.");
  } else if (uriRegion && region !== uriRegion) {
    r.fail(
      'region',
      `'${region}' differs from the region in the repository URI (${uriRegion}).`,
      "Leave 'region' empty when 'repository' is a full URI, or make them agree."
    );
  }

  // Build context and Dockerfile must exist before anything is touched.
  const contextText = r.string('context', { default: '.' }) ?? '.';
  const context = isAbsolute(contextText) ? contextText : resolve(cwd, contextText);
  const contextOk = existsSync(context) && statSync(context).isDirectory();
  if (!contextOk) {
    r.fail(
      'context',
      `the build context '${contextText}' is not a directory (looked in ${context}).`,
      'Point it at the directory that holds the files the Dockerfile copies, relative to the workspace; check out the repository first (actions/checkout).'
    );
  }
  const fileText = r.string('file');
  const file = fileText
    ? isAbsolute(fileText)
      ? fileText
      : resolve(cwd, fileText)
    : join(context, 'Dockerfile');
  if (contextOk || fileText) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      r.fail(
        'file',
        `the Dockerfile '${fileText ?? join(contextText, 'Dockerfile')}' does not exist (looked for ${file}).`,
        fileText
          ? 'Give the path of the Dockerfile relative to the workspace.'
          : "Add a Dockerfile to the context, or set 'file' to its path."
      );
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

  const secrets: BuildSecret[] = [];
  for (const kv of r.keyValues('secrets', { example: 'npm_token=${{ secrets.NPM_TOKEN }}' })) {
    if (!SECRET_ID.test(kv.key)) {
      r.fail(
        'secrets',
        `line ${kv.line}: '${kv.key}' is not a secret id.`,
        "Use letters, digits, '.', '_' or '-' for the id (what RUN --mount=type=secret,id=... names)."
      );
    } else secrets.push({ id: kv.key, value: kv.value });
  }
  for (const kv of r.keyValues('secret-files', { example: 'aws=/home/runner/.aws/credentials' })) {
    const path = isAbsolute(kv.value) ? kv.value : resolve(cwd, kv.value);
    if (!SECRET_ID.test(kv.key)) {
      r.fail(
        'secret-files',
        `line ${kv.line}: '${kv.key}' is not a secret id.`,
        "Use letters, digits, '.', '_' or '-' for the id."
      );
    } else if (!existsSync(path)) {
      r.fail(
        'secret-files',
        `line ${kv.line}: the file '${kv.value}' for secret '${kv.key}' does not exist.`,
        'Create the file in an earlier step, or fix the path.'
      );
    } else secrets.push({ id: kv.key, file: path });
  }
  const ids = secrets.map(s => s.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup)
    r.fail(
      'secrets',
      `the secret id '${dup}' is given twice.`,
      "Give each id once across 'secrets' and 'secret-files'."
    );

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
    region: region ?? '',
    context,
    file,
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
