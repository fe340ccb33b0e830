import { lastLines, type CommandResult } from '../../../core/exec.js';
import { oneLine, rootCauseLine } from '../../../core/index.js';

export type { CommandResult };

export interface RunOptions {
  /** Written to the command's standard input (for `--password-stdin`). */
  input?: string;
  /** Extra environment for this command only (build secrets, DOCKER_BUILDKIT). */
  env?: Record<string, string>;
  /** Do not print the command or its output (it is still returned). */
  silent?: boolean;
}

/** Runs `docker <args>`; never throws on a non-zero exit. The real one is exec.ts's `dockerRunner`; tests pass a fake. */
export type DockerRunner = (args: string[], options?: RunOptions) => Promise<CommandResult>;

/** The docker CLI's own log lines below error level (`time="…" level=warning msg="…"`): never the reason. */
const CLI_NOTE = /^time="[^"]*" level=(warning|info|debug)\b/;

/**
 * Why a command failed, in one line: the line of its output that reads as the reason (core's one rule), leaving
 * out what docker itself notes on the side, such as a credential helper it could not run.
 */
export function failureLine(result: CommandResult): string {
  const lines = lastLines(result).filter(line => !CLI_NOTE.test(line));
  return oneLine(rootCauseLine(lines) ?? `exit code ${result.code}`, { max: 300 });
}

export interface DockerInfo {
  /** The engine's version, when an engine answered. */
  serverVersion?: string;
  /** Why no engine answered. */
  engineError?: string;
  buildx: boolean;
  buildxVersion?: string;
}

/** Asks for the engine (`docker version`) and for buildx (`docker buildx version`). */
export async function detectDocker(run: DockerRunner): Promise<DockerInfo> {
  let version: CommandResult;
  try {
    version = await run(['version', '--format', '{{.Server.Version}}'], { silent: true });
  } catch (error) {
    return { engineError: `the docker command could not run (${(error as Error).message})`, buildx: false };
  }
  const serverVersion = version.code === 0 ? version.stdout.trim() : '';
  const buildx = await run(['buildx', 'version'], { silent: true }).catch(() => ({
    code: 1,
    stdout: '',
    stderr: ''
  }));
  return {
    serverVersion: serverVersion || undefined,
    engineError: serverVersion ? undefined : failureLine(version),
    buildx: buildx.code === 0,
    buildxVersion: buildx.code === 0 ? buildx.stdout.trim() : undefined
  };
}

/** Everything both builders need to know about one build. */
export interface BuildSpec {
  /** Repository URI without tag, such as `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app`. */
  image: string;
  /** Tags to put on the image (and push). May be empty for buildx, which then pushes by digest. */
  tags: string[];
  context: string;
  file: string;
  target?: string;
  buildArgs: { key: string; value: string }[];
  labels: { key: string; value: string }[];
  platforms: string[];
  secrets: { id: string; value?: string; file?: string }[];
  push: boolean;
  /** Registry cache: read from (and when `write`, write to) `<image>:buildcache`. */
  cache?: { write: boolean };
  provenance: boolean;
  /** Where buildx writes its metadata (the pushed digest). */
  metadataFile?: string;
}

/** The environment variable that carries a build secret's value to `docker buildx build`. */
export function secretEnvName(id: string): string {
  return `DOCKYARD_SECRET_${id.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

export const CACHE_TAG = 'buildcache';

/** `docker buildx build …` for one image; secret values travel in `env`, never in `args`. */
export function buildxCommand(spec: BuildSpec): { args: string[]; env: Record<string, string> } {
  const args = ['buildx', 'build', '--file', spec.file];
  const env: Record<string, string> = {};
  for (const tag of spec.tags) args.push('--tag', `${spec.image}:${tag}`);
  if (spec.target) args.push('--target', spec.target);
  if (spec.platforms.length > 0) args.push('--platform', spec.platforms.join(','));
  for (const { key, value } of spec.buildArgs) args.push('--build-arg', `${key}=${value}`);
  for (const { key, value } of spec.labels) args.push('--label', `${key}=${value}`);
  for (const secret of spec.secrets) {
    if (secret.file !== undefined) {
      args.push('--secret', `id=${secret.id},src=${secret.file}`);
    } else {
      const name = secretEnvName(secret.id);
      env[name] = secret.value ?? '';
      args.push('--secret', `id=${secret.id},env=${name}`);
    }
  }
  if (spec.cache) {
    const ref = `${spec.image}:${CACHE_TAG}`;
    args.push('--cache-from', `type=registry,ref=${ref}`);
    if (spec.cache.write) {
      args.push('--cache-to', `type=registry,ref=${ref},mode=max,image-manifest=true,oci-mediatypes=true`);
    }
  }
  if (!spec.provenance) args.push('--provenance=false');
  if (spec.metadataFile) args.push('--metadata-file', spec.metadataFile);
  if (spec.push && spec.tags.length === 0) {
    args.push('--output', `type=image,name=${spec.image},push-by-digest=true,name-canonical=true,push=true`);
  } else if (spec.push) {
    args.push('--push');
  } else if (spec.platforms.length <= 1) {
    args.push('--load');
  }
  args.push(spec.context);
  return { args, env };
}

/**
 * The legacy build without buildx: `docker build` with the classic builder (DOCKER_BUILDKIT=0: a docker 28
 * client asks for BuildKit through buildx and errors out when it is missing). The caller pushes the tags ECR takes.
 */
export function legacyCommands(spec: BuildSpec): { build: string[]; env: Record<string, string> } {
  if (spec.secrets.length > 0) throw new Error('the legacy builder cannot take build secrets');
  if (spec.platforms.length > 1) throw new Error('the legacy builder builds one platform');
  if (spec.tags.length === 0) throw new Error('the legacy builder needs at least one tag');
  const build = ['build', '--file', spec.file];
  for (const tag of spec.tags) build.push('--tag', `${spec.image}:${tag}`);
  if (spec.target) build.push('--target', spec.target);
  if (spec.platforms.length === 1) build.push('--platform', spec.platforms[0]);
  for (const { key, value } of spec.buildArgs) build.push('--build-arg', `${key}=${value}`);
  for (const { key, value } of spec.labels) build.push('--label', `${key}=${value}`);
  build.push(spec.context);
  return { build, env: { DOCKER_BUILDKIT: '0' } };
}

/** The manifest digest `docker push` prints: `sha-abc: digest: sha256:… size: 527`. */
export function digestFromPushOutput(output: string): string | undefined {
  const match = /digest: (sha256:[0-9a-f]{64})/.exec(output);
  return match?.[1];
}

/** The digest from `docker inspect --format '{{json .RepoDigests}}'` for the given repository. */
export function digestFromRepoDigests(json: string, image: string): string | undefined {
  try {
    const list = JSON.parse(json) as string[] | null;
    const found = (list ?? []).find(d => d.startsWith(`${image}@`));
    return found?.slice(image.length + 1);
  } catch {
    return undefined;
  }
}

/** The digest buildx wrote to its metadata file. */
export function digestFromMetadata(json: string): string | undefined {
  try {
    const meta = JSON.parse(json) as Record<string, unknown>;
    const digest = meta['containerimage.digest'];
    return typeof digest === 'string' && digest.startsWith('sha256:') ? digest : undefined;
  } catch {
    return undefined;
  }
}
