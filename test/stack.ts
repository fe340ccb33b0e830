/**
 * The local stack (scripts/local-stack.sh) for end-to-end tests: moto, a Docker engine, a registry and the
 * ECR front on the hostname moto reports. Tests that build and push images do
 *
 *   const env = await ensureStack();
 *   const result = await runAction('build-push', { inputs, env });
 *
 * The stack is shared by every test file of a run (and by anyone else on the machine using the same
 * DOCKYARD_STACK_DIR), so tests use repository names of their own (`uniqueName`) rather than resetting it.
 *
 * Teardown: the e2e project's globalSetup (test/stack/global-setup.js) registers this jest run as a user of
 * the stack and notes whether the stack ran already; its globalTeardown (test/stack/global-teardown.js) stops
 * the stack when test runs started it and no other jest run still uses it (test/stack/lease.js). A stack brought up by hand (for
 * the demo, say) keeps running. .ci/run also calls `scripts/local-stack.sh down` on exit, whatever happened.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../sim/runner.js';

const run = promisify(execFile);
export const STACK_SCRIPT = `${ROOT}scripts/local-stack.sh`;

/** Runs `scripts/local-stack.sh <command>`; a failure carries the script's own explanation. */
export async function stackCommand(
  command: 'up' | 'env' | 'status' | 'down',
  timeoutMs = 120_000
): Promise<string> {
  try {
    const { stdout } = await run('bash', [STACK_SCRIPT, command], {
      cwd: ROOT,
      timeout: timeoutMs,
      maxBuffer: 1 << 20
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`local-stack.sh ${command} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Reads the `export NAME=value` lines of `local-stack.sh env` (values plain or single-quoted). */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const raw = m[2];
    env[m[1]] = raw.startsWith("'") ? raw.slice(1, -1).split(`'\\''`).join("'") : raw;
  }
  return env;
}

let stack: Promise<Record<string, string>> | undefined;

/**
 * Brings the stack up (once per test file; `up` does nothing when it already runs) and returns the
 * environment that points the AWS SDK, docker and the tests at it: AWS_ENDPOINT_URL, dummy credentials,
 * AWS_REGION, DOCKER_HOST, DOCKYARD_REGISTRY_HOST, DOCKYARD_REGISTRY_URL, DOCKYARD_STACK_DIR, …
 */
export function ensureStack(): Promise<Record<string, string>> {
  stack ??= (async () => {
    await stackCommand('up');
    const env = parseExports(await stackCommand('env'));
    registerUser(env.DOCKYARD_STACK_DIR);
    return env;
  })();
  stack.catch(() => (stack = undefined));
  return stack;
}

/**
 * Registers the jest process this test runs under as a user of the stack (test/stack/lease.js), so that
 * another jest run finishing meanwhile does not take the stack down under it, even when this run's config
 * has no globalSetup. Under the e2e project's globalSetup that is the run's main process (it passes its pid
 * down in DOCKYARD_STACK_RUN_PID), else this process. Entries of processes that have exited are ignored.
 */
function registerUser(dir: string): void {
  const runPid = Number(process.env.DOCKYARD_STACK_RUN_PID) || process.pid;
  mkdirSync(join(dir, 'users'), { recursive: true });
  writeFileSync(join(dir, 'users', String(runPid)), '');
}

/** A repository name no other test uses: `<prefix>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface RegistryManifest {
  /** HTTP status of the plain registry's answer. */
  status: number;
  /** The exact bytes served. */
  bytes: Buffer;
  /** sha256 of those bytes, as a registry digest. */
  digest: string;
  /** The registry's Docker-Content-Digest header. */
  headerDigest?: string;
  mediaType?: string;
  json?: unknown;
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json'
].join(', ');

/**
 * Reads a manifest back from the plain registry behind the ECR front (no auth, no moto): what was really
 * stored. `reference` is a tag or a digest. Status 404 when the registry does not have it.
 */
export async function readManifest(repository: string, reference: string): Promise<RegistryManifest> {
  const env = await ensureStack();
  const res = await fetch(`${env.DOCKYARD_REGISTRY_URL}/v2/${repository}/manifests/${reference}`, {
    headers: { Accept: MANIFEST_TYPES }
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  try {
    json = res.ok ? JSON.parse(bytes.toString('utf8')) : undefined;
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    bytes,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    headerDigest: res.headers.get('docker-content-digest') ?? undefined,
    mediaType: res.headers.get('content-type') ?? undefined,
    json
  };
}

/**
 * Writes a build context for a small FROM scratch image: busybox-static (/bin/busybox) and a marker file
 * whose text decides the image's content (same marker, same image). Returns the directory.
 */
export function scratchImageContext(dir: string, marker: string): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  writeFileSync(join(dir, 'marker.txt'), `${marker}\n`);
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nCOPY marker.txt /marker.txt\nCMD ["/bin/busybox", "cat", "/marker.txt"]\n'
  );
  return dir;
}
