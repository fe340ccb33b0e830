import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputReader, type InputSource, type KeyValue } from '../../../core/index.js';
import { CACHE_TAG, secretEnvName } from './docker.js';

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

/**
 * Reads and validates every input together; throws one InputError naming each problem and its fix. One line an
 * input, in the order of action.yml; then the checks that take more than one input (`crossCheck`).
 */
export function getInputs(source: InputSource, options: InputEnv = {}): Inputs {
  const r = new InputReader(source, options);
  const location = readRepository(r);
  const context = r.path('context', { default: '.', kind: 'dir' });
  const inputs: Inputs = {
    repository: location.repository,
    registryId:
      single(r, 'registry-id', ACCOUNT_ID, 'an AWS account ID', ACCOUNT_HINT) ?? location.registryId,
    region: r.region('region', { fallback: location.region }),
    context: context ?? '',
    file: readDockerfile(r, context) ?? '',
    target: single(
      r,
      'target',
      STAGE,
      'a build stage name',
      'Give the name after AS in a FROM line of the Dockerfile.'
    ),
    buildArgs: pairs(r.keyValues('build-args', { allowEmptyValue: true, example: 'NODE_ENV=production' })),
    secrets: [...readSecrets(r), ...readSecretFiles(r)],
    tags: each(r, 'tags', TAG, 'a valid image tag', TAG_HINT),
    branchTag: r.boolean('branch-tag', false),
    platforms: each(
      r,
      'platforms',
      PLATFORM,
      'a platform',
      "Use os/arch[/variant], such as 'linux/amd64' or 'linux/arm64'."
    ),
    labels: pairs(r.keyValues('labels', { allowEmptyValue: true, example: 'team=payments' })),
    push: r.boolean('push', true),
    createRepository: r.boolean('create-repository', true),
    mutability: r.choice('image-tag-mutability', MUTABILITIES, 'IMMUTABLE', { ignoreCase: true }),
    mutabilityExclusions: each(r, 'mutability-exclusions', EXCLUSION_FILTER, 'a tag filter', EXCLUSION_HINT),
    keepImages: r.integer('keep-images', { min: 1, max: 10000 }),
    skipExisting: r.boolean('skip-existing', true),
    cache: r.boolean('cache', true),
    provenance: r.boolean('provenance', false),
    scanThreshold: r.choice('scan-severity-threshold', THRESHOLDS, 'NONE', { ignoreCase: true }),
    scanTimeoutMs: r.duration('scan-timeout', '10m', { min: 1000 }),
    timeoutMs: r.duration('timeout', '60m', { min: 1000 })
  };
  crossCheck(r, inputs, location);
  r.done();
  return inputs;
}

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_HINT = 'Give the 12-digit account ID that owns the registry.';
const STAGE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const TAG_HINT =
  "A tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'; give the tag only, not 'repo:tag'.";
const EXCLUSION_HINT = "Use tag characters and '*' as a wildcard, such as 'latest' or 'release-*'.";

/** Where the repository is: a name, or a full URI that also says the registry and the region. */
interface Location {
  repository: string;
  registryId?: string;
  region?: string;
}

function readRepository(r: InputReader): Location {
  const text = r.required('repository', "Set 'repository' to an ECR repository name such as 'team/app'.");
  const uri = REPOSITORY_URI.exec(text);
  if (!uri && (/\.amazonaws\.com/.test(text) || text.includes(':'))) {
    r.fail(
      'repository',
      `'${text}' is not a repository name or an ECR repository URI.`,
      "Give a name such as 'team/app', or '<account>.dkr.ecr.<region>.amazonaws.com/team/app' without a tag (tags go in 'tags')."
    );
    return { repository: '' };
  }
  const repository = uri ? uri[3] : text;
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
  return { repository, registryId: uri?.[1], region: uri?.[2] };
}

/** An optional single value that must match `pattern`; a mismatch names the input and the value. */
function single(
  r: InputReader,
  name: string,
  pattern: RegExp,
  what: string,
  hint: string
): string | undefined {
  const value = r.string(name);
  return value === undefined ? undefined : each(r, name, pattern, what, hint, [value])[0];
}

/** A list input whose every value must match `pattern`; each mismatch is a problem of its own. */
function each(
  r: InputReader,
  name: string,
  pattern: RegExp,
  what: string,
  hint: string,
  values = r.list(name)
): string[] {
  for (const value of values) if (!pattern.test(value)) r.fail(name, `'${value}' is not ${what}.`, hint);
  return values;
}

const pairs = (entries: { key: string; value: string }[]) =>
  entries.map(({ key, value }) => ({ key, value }));

/** The Dockerfile: inside the workspace, and there, before anything is touched; `<context>/Dockerfile` by default. */
function readDockerfile(r: InputReader, context: string | undefined): string | undefined {
  const given = r.string('file');
  if (given !== undefined) return r.pathValue('file', given, { kind: 'file' });
  if (context === undefined) return undefined;
  const inContext = join(context, 'Dockerfile');
  if (!existsSync(inContext) || !statSync(inContext).isFile()) {
    r.fail(
      'file',
      `the context '${r.raw('context') || '.'}' has no Dockerfile.`,
      "Add a Dockerfile to the context, or set 'file' to its path relative to the workspace."
    );
    return undefined;
  }
  // The context's own Dockerfile may be a link too: it must not lead out of the workspace either.
  return r.pathValue('file', inContext, { kind: 'file' });
}

/** `secrets`: values masked as soon as they are read; a bad line is named by its number and id, never its text. */
function readSecrets(r: InputReader): BuildSecret[] {
  return r
    .secretEntries('secrets', { example: 'npm_token=${{ secrets.NPM_TOKEN }}' })
    .filter(kv => secretId(r, 'secrets', kv))
    .map(kv => ({ id: kv.key, value: kv.value, input: 'secrets' }));
}

function readSecretFiles(r: InputReader): BuildSecret[] {
  return r.keyValues('secret-files', { example: 'npm=.secrets/npmrc' }).flatMap(kv => {
    if (!secretId(r, 'secret-files', kv)) return [];
    const path = r.pathValue('secret-files', kv.value, { kind: 'file', line: kv.line });
    return path === undefined ? [] : [{ id: kv.key, file: path, input: 'secret-files' as const }];
  });
}

function secretId(r: InputReader, name: BuildSecret['input'], kv: KeyValue): boolean {
  if (SECRET_ID.test(kv.key)) return true;
  r.fail(
    name,
    `line ${kv.line}: '${kv.key}' is not a secret id.`,
    "Use letters, digits, '.', '_' or '-' for the id (what RUN --mount=type=secret,id=... names)."
  );
  return false;
}

/** The checks that take more than one input, after every input has been read. */
function crossCheck(r: InputReader, inputs: Inputs, location: Location): void {
  const givenRegistry = r.string('registry-id');
  if (location.registryId && givenRegistry !== undefined && givenRegistry !== location.registryId) {
    r.fail(
      'registry-id',
      `'${givenRegistry}' differs from the account in the repository URI (${location.registryId}).`,
      "Leave 'registry-id' empty when 'repository' is a full URI, or make them agree."
    );
  }
  if (location.region && inputs.region && inputs.region !== location.region) {
    r.fail(
      'region',
      `'${inputs.region}' differs from the region in the repository URI (${location.region}).`,
      "Leave 'region' empty when 'repository' is a full URI, or make them agree."
    );
  }
  checkSecretIds(r, inputs.secrets);
  if (inputs.tags.includes(CACHE_TAG))
    r.fail('tags', `'${CACHE_TAG}' is reserved for the build cache.`, 'Choose another tag.');
  if (inputs.mutability.endsWith('_WITH_EXCLUSION') && inputs.mutabilityExclusions.length === 0) {
    r.fail(
      'mutability-exclusions',
      `is required when 'image-tag-mutability' is ${inputs.mutability}.`,
      "List the tags (wildcards allowed) that are the exception, such as 'latest'."
    );
  }
  if (!inputs.push && inputs.scanThreshold !== 'NONE') {
    r.fail(
      'scan-severity-threshold',
      `is ${inputs.scanThreshold} but 'push' is false: only pushed images are scanned.`,
      "Set 'push: true', or leave the threshold at NONE."
    );
  }
}

/** Ids that differ only in case or punctuation reach docker as one environment variable: refuse them. */
function checkSecretIds(r: InputReader, secrets: BuildSecret[]): void {
  const byEnvName = new Map<string, BuildSecret>();
  for (const secret of secrets) {
    const name = secretEnvName(secret.id);
    const other = byEnvName.get(name);
    if (other === undefined) {
      byEnvName.set(name, secret);
      continue;
    }
    r.fail(
      secret.input,
      other.id === secret.id
        ? `the secret id '${secret.id}' is given twice.`
        : `the secret ids '${other.id}' and '${secret.id}' are the same once case and punctuation are ignored (both become ${name}).`,
      "Give each id once across 'secrets' and 'secret-files', and make ids differ in more than case, '.', '_' or '-'."
    );
  }
}
