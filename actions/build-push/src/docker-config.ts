import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A registry login in config.json: inline credentials (`auth` is base64 `user:password`), or `{}` as a record. */
type AuthEntry = Record<string, unknown>;

/** The parts of a docker `config.json` the step's configuration is made of. */
export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  proxies?: unknown;
  currentContext?: string;
}

/** What the step's configuration took from the user's, by name only (never a secret): for the log. */
export interface CarriedOver {
  logins: string[];
  helpers: string[];
  settings: string[];
}

const CREDENTIAL_FIELDS = ['auth', 'username', 'password', 'identitytoken', 'registrytoken'];

/** `https://ghcr.io/v1/` and `ghcr.io` name one registry, as docker compares them. */
const hostOf = (key: string) => key.replace(/^https?:\/\//, '').split('/')[0];

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * The step's `config.json` from the user's: only what a build reads, and each registry's credentials only where
 * docker would look for them (README, "Docker configuration"):
 * - `credHelpers` as they are: names of programs, no secret;
 * - the default store (`credsStore`) becomes the helper of each registry the config records as kept there, and is
 *   not the default any more, so the step's own ECR login is written to the step's file, not to that store;
 * - inline `auths` of registries that no helper or store serves (a login of an earlier step, for a private base
 *   image), copied as they are;
 * - `proxies` (the build's proxy variables) and `currentContext` (which engine).
 * Nothing else: no other setting, no other file.
 */
export function carryOver(user: unknown): { config: DockerConfigFile; carried: CarriedOver } {
  const source = record(user);
  const store =
    typeof source.credsStore === 'string' && source.credsStore !== '' ? source.credsStore : undefined;
  const credHelpers: Record<string, string> = {};
  for (const [host, helper] of Object.entries(record(source.credHelpers)))
    if (typeof helper === 'string' && helper !== '') credHelpers[host] = helper;
  const auths: Record<string, AuthEntry> = {};
  for (const [host, value] of Object.entries(record(source.auths))) {
    if (credHelpers[host] !== undefined) continue;
    if (store) credHelpers[host] = store;
    else {
      const entry = record(value);
      const credentials = Object.fromEntries(CREDENTIAL_FIELDS.filter(f => entry[f]).map(f => [f, entry[f]]));
      if (Object.keys(credentials).length > 0) auths[host] = credentials;
    }
  }
  const config: DockerConfigFile = { auths, credHelpers };
  const settings: string[] = [];
  if (source.proxies !== undefined) {
    config.proxies = source.proxies;
    settings.push('proxies');
  }
  if (typeof source.currentContext === 'string' && source.currentContext !== '') {
    config.currentContext = source.currentContext;
    settings.push(`context ${source.currentContext}`);
  }
  return { config, carried: { logins: Object.keys(auths), helpers: Object.keys(credHelpers), settings } };
}

/** One line for the log: where the step's configuration is, and what it took over (names only). */
export function describeStepConfig(config: Pick<StepDockerConfig, 'dir' | 'from' | 'carried'>): string {
  const { logins, helpers, settings } = config.carried;
  const parts = [
    logins.length > 0 ? `logins to ${logins.join(', ')}` : '',
    helpers.length > 0 ? `credential helpers for ${helpers.join(', ')}` : '',
    ...settings
  ].filter(p => p !== '');
  return (
    `Docker configuration of this step: ${config.dir} (removed when the step ends)` +
    (parts.length > 0
      ? `; from ${config.from}: ${parts.join('; ')}.`
      : `; nothing taken from ${config.from}.`)
  );
}

/** The configuration with no login or helper left for `registry`, so that `docker login` writes it here. */
export function withoutRegistry(config: DockerConfigFile, registry: string): DockerConfigFile {
  const keep = <T>(entries: Record<string, T> = {}) =>
    Object.fromEntries(Object.entries(entries).filter(([key]) => hostOf(key) !== registry));
  return { ...config, auths: keep(config.auths), credHelpers: keep(config.credHelpers) };
}

/** A docker configuration directory of the step's own, gone when the step ends. */
export interface StepDockerConfig {
  dir: string;
  /** DOCKER_CONFIG, and where buildx state and TLS certificates stay: give it to every docker command. */
  env: Record<string, string>;
  carried: CarriedOver;
  /** The user's configuration directory it was made from. */
  from: string;
  /** Why the user's config.json could not be read, when it could not (nothing was taken from it then). */
  unreadable?: string;
  /** Before the step's `docker login` to `registry`: the step's login is the one docker uses there. */
  claim(registry: string): void;
  /** Removes the directory and the login in it; safe to call again. */
  remove(): void;
}

/** Files of the user's directory the docker CLI and buildx read by path: linked, not copied. */
const LINKED = ['contexts', 'cli-plugins'];

/**
 * Makes the step's DOCKER_CONFIG, a fresh directory (mode 0700) under `parent` (RUNNER_TEMP), from the user's
 * (DOCKER_CONFIG, else ~/.docker): config.json (0600) as `carryOver` says, links to its docker contexts and CLI
 * plugins (buildx installed by docker/setup-buildx-action is one), and BUILDX_CONFIG and DOCKER_CERT_PATH kept
 * at the user's directory, where buildx keeps its builders and docker its TLS certificates.
 */
export function createStepDockerConfig(
  env: NodeJS.ProcessEnv = process.env,
  parent = env.RUNNER_TEMP || tmpdir()
): StepDockerConfig {
  const from = env.DOCKER_CONFIG || join(homedir(), '.docker');
  const user = readConfig(join(from, 'config.json'));
  const { config, carried } = carryOver(user.value);
  const dir = mkdtempSync(join(parent, 'dockyard-docker-'));
  let current = config;
  let removed = false;
  const write = () => {
    if (!removed) writeFileSync(join(dir, 'config.json'), JSON.stringify(current, null, 2), { mode: 0o600 });
  };
  write();
  for (const name of LINKED) {
    if (!existsSync(join(from, name))) continue;
    symlinkSync(join(from, name), join(dir, name));
    carried.settings.push(name);
  }
  return {
    dir,
    from,
    carried,
    unreadable: user.error,
    env: {
      DOCKER_CONFIG: dir,
      BUILDX_CONFIG: env.BUILDX_CONFIG || join(from, 'buildx'),
      DOCKER_CERT_PATH: env.DOCKER_CERT_PATH || from
    },
    claim(registry) {
      current = withoutRegistry(current, registry);
      write();
    },
    remove() {
      removed = true;
      // rm removes the links themselves, never what they point to.
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The user's config.json: nothing when there is none, and why when it cannot be read (never its text). */
function readConfig(path: string): { value: unknown; error?: string } {
  if (!existsSync(path)) return { value: {} };
  try {
    return { value: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (error) {
    // A parse error quotes the file, and the file holds secrets: say only what is wrong.
    const why =
      error instanceof SyntaxError
        ? 'not valid JSON'
        : ((error as NodeJS.ErrnoException).code ?? 'unreadable');
    return { value: {}, error: `${path}: ${why}` };
  }
}
