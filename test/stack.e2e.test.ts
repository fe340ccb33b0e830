/**
 * The local stack for real: moto's ECR, the stack's Docker engine, and the registry behind the ECR hostname,
 * kept in step by the front. docker login and docker push talk to it as they would to ECR.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand
} from '@aws-sdk/client-ecr';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStack, parseExports, readManifest, scratchImageContext, uniqueName } from './stack.js';

let env: Record<string, string>;
let ecr: ECRClient;
let work: string;
let host: string;

interface Run {
  code: number | null;
  output: string;
}

/** Runs the docker CLI against the stack's engine, with a docker config of this test's own. */
function docker(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, {
      env: { ...process.env, ...env, DOCKER_CONFIG: join(work, 'docker-config'), DOCKER_BUILDKIT: '0' },
      stdio: ['pipe', 'pipe', 'pipe']
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', code => resolve({ code, output }));
    child.stdin.end(input ?? '');
  });
}

/** Builds a FROM scratch image with busybox; `marker` decides its content. */
async function build(tag: string, marker: string): Promise<void> {
  const dir = scratchImageContext(join(work, `ctx-${marker}`), marker);
  const result = await docker(['build', '-t', tag, dir]);
  expect(result).toMatchObject({ code: 0 });
}

/** The digest docker push reports: `<tag>: digest: sha256:… size: …`. */
function pushedDigest(output: string): string {
  const m = /digest: (sha256:[a-f0-9]{64})/.exec(output);
  if (!m) throw new Error(`no digest in push output:\n${output}`);
  return m[1];
}

async function ecrPassword(): Promise<string> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  const decoded = Buffer.from(out.authorizationData![0].authorizationToken!, 'base64').toString('utf8');
  expect(decoded.startsWith('AWS:')).toBe(true);
  return decoded.slice('AWS:'.length);
}

async function createRepository(name: string, mutability: 'MUTABLE' | 'IMMUTABLE'): Promise<string> {
  const out = await ecr.send(
    new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability })
  );
  return out.repository!.repositoryUri!;
}

async function ecrDigest(repositoryName: string, imageTag: string): Promise<string | undefined> {
  const out = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag }] }));
  return out.imageDetails?.[0]?.imageDigest;
}

/** A request to the front over TLS, trusting only the stack's CA, as a registry client would send it. */
function front(
  path: string,
  auth?: string
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: 443,
        path,
        ca: readFileSync(env.DOCKYARD_REGISTRY_CA),
        headers: auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}
      },
      res => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      }
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  env = await ensureStack();
  host = env.DOCKYARD_REGISTRY_HOST;
  work = mkdtempSync(join(tmpdir(), 'dockyard-stack-e2e-'));
  ecr = new ECRClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
  });
  // The tests that push need docker logged in, whichever of them runs first (the login test checks it again).
  const login = await docker(
    ['login', '--username', 'AWS', '--password-stdin', host],
    `${await ecrPassword()}\n`
  );
  if (login.code !== 0) throw new Error(`docker login to the stack failed: ${login.output}`);
}, 120_000);

afterAll(async () => {
  if (host) await docker(['logout', host]);
  ecr?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Builds and pushes take about a second here; a cold CI machine gets room. */
const DOCKER_TEST_MS = 90_000;

describe('local stack', () => {
  it('prints the environment the tests and the actions need', () => {
    for (const name of [
      'AWS_ENDPOINT_URL',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_REGION',
      'AWS_EC2_METADATA_DISABLED',
      'DOCKER_HOST',
      'DOCKYARD_REGISTRY_HOST',
      'DOCKYARD_REGISTRY_URL',
      'DOCKYARD_STACK_DIR'
    ]) {
      expect(env[name]).toBeTruthy();
    }
    expect(env.AWS_REGION).toBe('us-east-1');
    expect(env.DOCKYARD_REGISTRY_HOST).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com');
    expect(env.DOCKER_HOST).toBe(`unix://${env.DOCKYARD_STACK_DIR}/docker.sock`);
    expect(parseExports("export A='it'\\''s here'\nexport B=plain\n")).toEqual({
      A: "it's here",
      B: 'plain'
    });
  });

  it(
    'serves the registry hostname moto reports, with the registry challenge ECR answers',
    async () => {
      const uri = await createRepository(uniqueName('stack/probe'), 'MUTABLE');
      expect(uri.split('/')[0]).toBe(host);
      const token = await ecr.send(new GetAuthorizationTokenCommand({}));
      expect(token.authorizationData![0].proxyEndpoint).toBe(`https://${host}`);

      const anonymous = await front('/v2/');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe(
        `Basic realm="https://${host}/",service="ecr.amazonaws.com"`
      );
      expect(anonymous.headers['docker-distribution-api-version']).toBe('registry/2.0');
      expect((await front('/v2/', 'AWS:not-the-password')).status).toBe(401);
      expect((await front('/v2/', `someone:${await ecrPassword()}`)).status).toBe(401);
      expect((await front('/v2/', `AWS:${await ecrPassword()}`)).status).toBe(200);
      // Every route needs the password, not only the ping.
      const repo = uri.slice(host.length + 1);
      expect((await front(`/v2/${repo}/tags/list`)).status).toBe(401);
      const tags = await front(`/v2/${repo}/tags/list`, `AWS:${await ecrPassword()}`);
      expect(tags.status).toBe(200);
      expect(JSON.parse(tags.body)).toEqual({ name: repo, tags: [] });
    },
    DOCKER_TEST_MS
  );

  it(
    'logs docker in only with the GetAuthorizationToken password',
    async () => {
      const wrong = await docker(
        ['login', '--username', 'AWS', '--password-stdin', host],
        'not-the-password\n'
      );
      expect(wrong.code).not.toBe(0);
      expect(wrong.output).toMatch(/401 Unauthorized/);

      const right = await docker(
        ['login', '--username', 'AWS', '--password-stdin', host],
        `${await ecrPassword()}\n`
      );
      expect(right.output).toMatch(/Login Succeeded/);
      expect(right.code).toBe(0);
    },
    DOCKER_TEST_MS
  );

  it(
    'records a pushed image in moto under the digest the registry serves',
    async () => {
      const name = uniqueName('stack/app');
      const uri = await createRepository(name, 'MUTABLE');
      await build(`${uri}:v1`, `app-${name}`);
      const push = await docker(['push', `${uri}:v1`]);
      expect(push.code).toBe(0);
      const digest = pushedDigest(push.output);

      const served = await readManifest(name, 'v1');
      expect(served.status).toBe(200);
      expect(served.digest).toBe(digest);
      expect(served.headerDigest).toBe(digest);
      expect(await ecrDigest(name, 'v1')).toBe(digest);
      const got = await ecr.send(
        new BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1' }] })
      );
      expect(got.images?.[0]?.imageId?.imageDigest).toBe(digest);
      expect(Buffer.from(got.images![0].imageManifest!, 'utf8').equals(served.bytes)).toBe(true);
      expect(got.images?.[0]?.imageManifestMediaType).toBe(
        'application/vnd.docker.distribution.manifest.v2+json'
      );

      // A second tag on the same image and a plain re-push are both fine, as in ECR.
      expect(await docker(['tag', `${uri}:v1`, `${uri}:latest`])).toMatchObject({ code: 0 });
      expect((await docker(['push', `${uri}:latest`])).code).toBe(0);
      expect((await docker(['push', `${uri}:v1`])).code).toBe(0);
      const images = await ecr.send(new DescribeImagesCommand({ repositoryName: name }));
      expect(images.imageDetails).toHaveLength(1);
      expect(images.imageDetails![0].imageDigest).toBe(digest);
      expect([...(images.imageDetails![0].imageTags ?? [])].sort()).toEqual(['latest', 'v1']);
      const tags = await front(`/v2/${name}/tags/list`, `AWS:${await ecrPassword()}`);
      expect(JSON.parse(tags.body)).toEqual({ name, tags: ['latest', 'v1'] });

      // Pulling through the front resolves the tag in ECR.
      expect(await docker(['rmi', `${uri}:v1`, `${uri}:latest`])).toMatchObject({ code: 0 });
      const pull = await docker(['pull', `${uri}:v1`]);
      expect(pull.code).toBe(0);
      expect(pull.output).toContain(digest);
    },
    DOCKER_TEST_MS
  );

  it(
    'forgets an image deleted in ECR: pulling its tag fails',
    async () => {
      const name = uniqueName('stack/deleted');
      const uri = await createRepository(name, 'MUTABLE');
      await build(`${uri}:gone`, `deleted-${name}`);
      expect((await docker(['push', `${uri}:gone`])).code).toBe(0);
      await ecr.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'gone' }] }));
      expect(await docker(['rmi', `${uri}:gone`])).toMatchObject({ code: 0 });
      const pull = await docker(['pull', `${uri}:gone`]);
      expect(pull.code).not.toBe(0);
      expect(pull.output).toMatch(/manifest unknown|not found/i);
    },
    DOCKER_TEST_MS
  );

  it(
    'refuses a repository moto does not have, as ECR does',
    async () => {
      const name = uniqueName('stack/missing');
      const uri = `${host}/${name}`;
      await build(`${uri}:v1`, `missing-${name}`);
      const push = await docker(['push', `${uri}:v1`]);
      expect(push.code).not.toBe(0);
      expect(push.output).toContain(
        `name unknown: The repository with name '${name}' does not exist in the registry with id '123456789012'`
      );
      expect((await readManifest(name, 'v1')).status).toBe(404);
    },
    DOCKER_TEST_MS
  );

  it(
    'in an IMMUTABLE repository, refuses moving a tag and accepts the same content again',
    async () => {
      const name = uniqueName('stack/immutable');
      const uri = await createRepository(name, 'IMMUTABLE');
      await build(`${uri}:v1`, `first-${name}`);
      expect(await docker(['tag', `${uri}:v1`, `${uri}:first`])).toMatchObject({ code: 0 });
      const first = await docker(['push', `${uri}:v1`]);
      expect(first.code).toBe(0);
      const digest = pushedDigest(first.output);

      await build(`${uri}:v1`, `second-${name}`);
      const moved = await docker(['push', `${uri}:v1`]);
      expect(moved.code).not.toBe(0);
      expect(moved.output).toContain(
        `tag invalid: The image tag 'v1' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`
      );
      // Neither ECR nor the registry moved the tag.
      expect(await ecrDigest(name, 'v1')).toBe(digest);
      expect((await readManifest(name, 'v1')).digest).toBe(digest);

      expect(await docker(['tag', `${uri}:first`, `${uri}:v1`])).toMatchObject({ code: 0 });
      const again = await docker(['push', `${uri}:v1`]);
      expect(again.code).toBe(0);
      expect(pushedDigest(again.output)).toBe(digest);
      expect(await ecrDigest(name, 'v1')).toBe(digest);
    },
    DOCKER_TEST_MS
  );
});
