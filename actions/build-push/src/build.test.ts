import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetRegistryScanningConfigurationCommand,
  PutLifecyclePolicyCommand,
  type Repository
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { writeFileSync } from 'node:fs';
import { DockyardError, memoryLogger, virtualClock, type RunContext } from '../../../core/index.js';
import { buildPush, newState } from './build.js';
import type { DockerRunner, RunOptions } from './docker.js';
import type { Inputs } from './inputs.js';
import { ACCOUNT, named, REGISTRY, runContextFor, URI } from './testing/fixtures.js';

const PASSWORD = 'the-ecr-password';
const digestOf = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

const RUN: RunContext = runContextFor();

const inputs = (over: Partial<Inputs> = {}): Inputs => ({
  repository: 'team/app',
  region: 'us-east-1',
  context: '/w/app',
  file: '/w/app/Dockerfile',
  buildArgs: [],
  secrets: [],
  tags: [],
  branchTag: false,
  platforms: [],
  labels: [],
  push: true,
  createRepository: true,
  mutability: 'IMMUTABLE',
  mutabilityExclusions: [],
  skipExisting: true,
  cache: true,
  provenance: false,
  scanThreshold: 'NONE',
  scanTimeoutMs: 60_000,
  timeoutMs: 3_600_000,
  ...over
});

/** A small ECR + registry + docker engine that behave together, as the local stack does. */
interface World {
  repo?: Repository;
  tags: Map<string, string>;
  configs: Map<string, string>;
  engine: boolean;
  buildx: boolean;
  buildFails: boolean;
  builds: number;
  calls: { args: string[]; options?: RunOptions }[];
  scan?: Record<string, number>;
}
let world: World;
const ecrMock = mockClient(ECRClient);

const docker: DockerRunner = async (args, options) => {
  world.calls.push({ args, options });
  const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
  switch (args[0]) {
    case 'version':
      return world.engine
        ? ok('28.2.2\n')
        : { code: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon' };
    case 'login':
    case 'logout':
      return ok();
    case 'buildx': {
      if (args[1] === 'version')
        return world.buildx
          ? ok('github.com/docker/buildx v0.20.0')
          : { code: 1, stdout: '', stderr: 'unknown command' };
      if (world.buildFails) return { code: 1, stdout: '', stderr: 'ERROR: failed to solve: COPY failed' };
      world.builds += 1;
      const d = digestOf(world.builds);
      for (let i = 0; i < args.length; i++)
        if (args[i] === '--tag') world.tags.set(args[i + 1].split(':').pop()!, d);
      const meta = args[args.indexOf('--metadata-file') + 1];
      writeFileSync(meta, JSON.stringify({ 'containerimage.digest': d }));
      return ok();
    }
    case 'build':
      if (world.buildFails)
        return { code: 1, stdout: 'Step 2/3 : COPY app /app\n', stderr: 'COPY failed: file not found\n' };
      world.builds += 1;
      return ok(`Successfully built ${world.builds}`);
    case 'push': {
      const tag = args[1].split(':').pop()!;
      if (world.repo?.imageTagMutability === 'IMMUTABLE' && world.tags.has(tag)) {
        return {
          code: 1,
          stdout: '',
          stderr: `tag invalid: The image tag '${tag}' already exists and cannot be overwritten because the repository is immutable.`
        };
      }
      const d = digestOf(world.builds);
      world.tags.set(tag, d);
      world.configs.set(tag, `sha256:config${world.builds}`);
      return ok(`${tag}: digest: ${d} size: 527\n`);
    }
    case 'inspect':
      return ok(`sha256:config${world.builds}\n`);
    default:
      return { code: 1, stdout: '', stderr: `unexpected docker ${args.join(' ')}` };
  }
};

beforeEach(() => {
  world = {
    tags: new Map(),
    configs: new Map(),
    engine: true,
    buildx: false,
    buildFails: false,
    builds: 0,
    calls: []
  };
  ecrMock.reset();
  ecrMock.on(DescribeRepositoriesCommand).callsFake(() => {
    if (!world.repo) throw named('RepositoryNotFoundException');
    return { repositories: [world.repo] };
  });
  ecrMock.on(CreateRepositoryCommand).callsFake(input => {
    world.repo = {
      repositoryName: input.repositoryName,
      repositoryUri: URI,
      registryId: ACCOUNT,
      imageTagMutability: input.imageTagMutability,
      imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters,
      imageScanningConfiguration: input.imageScanningConfiguration
    };
    return { repository: world.repo };
  });
  ecrMock.on(DescribeImagesCommand).callsFake(input => {
    const id = input.imageIds[0];
    if (id.imageTag) {
      const d = world.tags.get(id.imageTag);
      if (!d) throw named('ImageNotFoundException');
      return {
        imageDetails: [
          { imageDigest: d, imageTags: [...world.tags].filter(([, x]) => x === d).map(([t]) => t) }
        ]
      };
    }
    const tags = [...world.tags].filter(([, x]) => x === id.imageDigest).map(([t]) => t);
    if (tags.length === 0) throw named('ImageNotFoundException');
    return { imageDetails: [{ imageDigest: id.imageDigest, imageTags: tags }] };
  });
  ecrMock.on(BatchGetImageCommand).callsFake(input => ({
    images: [
      { imageManifest: JSON.stringify({ config: { digest: world.configs.get(input.imageIds[0].imageTag) } }) }
    ]
  }));
  ecrMock.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      {
        authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'),
        proxyEndpoint: `https://${REGISTRY}`
      }
    ]
  });
  ecrMock.on(PutLifecyclePolicyCommand).resolves({});
  ecrMock
    .on(GetRegistryScanningConfigurationCommand)
    .resolves({ scanningConfiguration: { scanType: 'BASIC', rules: [] } });
  ecrMock.on(DescribeImageScanFindingsCommand).callsFake(() => ({
    imageScanStatus: { status: 'COMPLETE' },
    imageScanFindings: { findingSeverityCounts: world.scan ?? {}, findings: [] }
  }));
});

const ecr = new ECRClient({ region: 'us-east-1' });
const deps = (log = memoryLogger()) => ({
  ecr,
  docker,
  log,
  run: RUN,
  created: '2026-11-22T03:00:00.000Z',
  clock: virtualClock()
});
const verbs = () => world.calls.map(c => (c.args[0] === 'buildx' ? `buildx ${c.args[1]}` : c.args[0]));

async function failure(promise: Promise<unknown>): Promise<DockyardError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DockyardError);
    return error as DockyardError;
  }
  throw new Error('expected a failure');
}

describe('buildPush without buildx (classic builder)', () => {
  it('creates the repository, logs in, builds, pushes each tag, confirms in ECR and logs out', async () => {
    const log = memoryLogger();
    const result = await buildPush(inputs({ tags: ['v1'] }), deps(log));
    expect(verbs()).toEqual(['version', 'buildx version', 'login', 'build', 'push', 'push', 'logout']);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0].args[0].input).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' }
    });
    const build = world.calls.find(c => c.args[0] === 'build')!;
    expect(build.options?.env).toEqual({ DOCKER_BUILDKIT: '0' });
    expect(build.args).toEqual(
      expect.arrayContaining([
        `org.opencontainers.image.source=https://github.com/octo/app`,
        `org.opencontainers.image.revision=${RUN.sha}`,
        'org.opencontainers.image.created=2026-11-22T03:00:00.000Z',
        'org.opencontainers.image.title=app'
      ])
    );
    expect(result).toMatchObject({
      outcome: 'PUSHED',
      skipped: false,
      builder: 'legacy',
      createdRepository: true,
      image: `${URI}:sha-0123456`,
      digest: digestOf(1),
      imageUriDigest: `${URI}@${digestOf(1)}`,
      tags: ['sha-0123456', 'v1'],
      pushedTags: ['sha-0123456', 'v1']
    });
    expect(result.repository.registry).toBe(REGISTRY);
    expect(log.text()).toMatch(
      /notice: docker buildx is not available .*Multi-platform builds and the registry cache need buildx/
    );
    expect(log.text()).not.toContain(PASSWORD);
  });

  it('skips a commit that is already in ECR without touching docker', async () => {
    await buildPush(inputs(), deps());
    world.calls = [];
    const result = await buildPush(inputs(), deps());
    expect(world.calls).toEqual([]);
    expect(result).toMatchObject({
      outcome: 'SKIPPED',
      skipped: true,
      digest: digestOf(1),
      imageUriDigest: `${URI}@${digestOf(1)}`
    });
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });

  it('builds again when skip-existing is off or a tag is missing', async () => {
    world.repo = {
      repositoryName: 'team/app',
      repositoryUri: URI,
      registryId: ACCOUNT,
      imageTagMutability: 'MUTABLE'
    };
    await buildPush(inputs(), deps());
    const again = await buildPush(inputs({ skipExisting: false }), deps());
    expect(again).toMatchObject({ outcome: 'PUSHED', digest: digestOf(2) });
    const extra = await buildPush(inputs({ tags: ['latest'] }), deps());
    expect(extra).toMatchObject({ outcome: 'PUSHED', digest: digestOf(3) });
  });

  it('refuses build secrets, which the classic builder would leave in the image history', async () => {
    const error = await failure(
      buildPush(inputs({ secrets: [{ id: 'npm', value: 'x', input: 'secrets' }] }), deps())
    );
    expect(error.input).toBe('secrets');
    expect(error.describe()).toMatch(/need buildx.*image history.*docker\/setup-buildx-action/);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
    expect(verbs()).toEqual(['version', 'buildx version']);
  });

  it('refuses several platforms', async () => {
    const error = await failure(buildPush(inputs({ platforms: ['linux/amd64', 'linux/arm64'] }), deps()));
    expect(error.input).toBe('platforms');
  });

  it('fails without a Docker engine before anything is created or pushed', async () => {
    world.engine = false;
    const error = await failure(buildPush(inputs(), deps()));
    expect(error.describe()).toMatch(
      /No Docker engine answered 'docker version': Cannot connect to the Docker daemon.*DOCKER_HOST/
    );
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);
  });

  it('reports a cancel during the engine check as the cancel, not as a missing engine', async () => {
    const controller = new AbortController();
    const cancelled: DockerRunner = async () => {
      controller.abort(new Error('Received SIGINT'));
      throw controller.signal.reason;
    };
    await expect(
      buildPush(inputs(), { ...deps(), docker: cancelled, signal: controller.signal })
    ).rejects.toThrow(/^Received SIGINT$/);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
  });

  it('fails for a missing repository when it may not create one', async () => {
    const error = await failure(buildPush(inputs({ createRepository: false }), deps()));
    expect(error.input).toBe('create-repository');
    expect(error.describe()).toMatch(/'team\/app' does not exist/);
  });

  it('fails without any tag', async () => {
    const error = await failure(buildPush(inputs(), { ...deps(), run: { ...RUN, sha: '' } }));
    expect(error.input).toBe('tags');
  });

  it('reports a failed build with its reason, keeps the end of its output for the summary, and still logs out', async () => {
    world.buildFails = true;
    const state = newState();
    const error = await failure(buildPush(inputs(), deps(), state));
    expect(error.message).toBe('docker build failed (exit code 1): COPY failed: file not found.');
    expect(state.buildOutput).toEqual(['Step 2/3 : COPY app /app', 'COPY failed: file not found']);
    expect(verbs().at(-1)).toBe('logout');
    expect(verbs()).not.toContain('push');
  });

  it("gives the registry to the step's docker configuration just before the login", async () => {
    const claimed: string[] = [];
    await buildPush(inputs(), {
      ...deps(),
      dockerConfig: { claim: registry => claimed.push(`${registry} after ${verbs().join(',')}`) }
    });
    expect(claimed).toEqual([`${REGISTRY} after version,buildx version`]);
  });

  it('does not log out of a cancelled build: the login goes with the step configuration', async () => {
    const controller = new AbortController();
    const log = memoryLogger();
    const cancelling: DockerRunner = async (args, options) => {
      if (args[0] !== 'build') return docker(args, options);
      world.calls.push({ args, options });
      controller.abort(new Error('Received SIGTERM'));
      throw controller.signal.reason;
    };
    await expect(
      buildPush(inputs(), { ...deps(log), docker: cancelling, signal: controller.signal })
    ).rejects.toThrow('Received SIGTERM');
    expect(verbs()).toEqual(['version', 'buildx version', 'login', 'build']);
    expect(log.text()).toContain(
      `Cancelled: the login to ${REGISTRY} goes with the step's docker configuration.`
    );
  });

  it('applies the lifecycle policy for keep-images', async () => {
    await buildPush(inputs({ keepImages: 25 }), deps());
    expect(
      JSON.parse(ecrMock.commandCalls(PutLifecyclePolicyCommand)[0].args[0].input.lifecyclePolicyText!)
        .rules[1].selection.countNumber
    ).toBe(25);
  });

  it('warns that a branch tag cannot move in an immutable repository', async () => {
    const log = memoryLogger();
    const result = await buildPush(inputs({ branchTag: true }), deps(log));
    expect(result.tags).toEqual(['sha-0123456', 'main']);
    expect(log.text()).toMatch(
      /warning: The branch tag 'main' is immutable in .*IMMUTABLE_WITH_EXCLUSION with 'main'/
    );
    const quiet = memoryLogger();
    await buildPush(inputs({ repository: 'team/app', branchTag: false }), deps(quiet));
    expect(quiet.text()).not.toMatch(/branch tag/);
  });

  it('only builds when push is off, and creates nothing for it', async () => {
    const state = newState();
    const result = await buildPush(inputs({ push: false, keepImages: 5 }), deps(), state);
    expect(result.outcome).toBe('BUILT');
    expect([result.digest, result.imageUriDigest]).toEqual([undefined, undefined]);
    expect(verbs()).toEqual(['version', 'buildx version', 'build']);
    expect(world.calls.find(c => c.args[0] === 'build')?.args).toContain(`${URI}:sha-0123456`);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
    expect(state.createdRepository).toBe(false);
  });

  it('logs in to read the cache when only building for an existing repository', async () => {
    world.repo = {
      repositoryName: 'team/app',
      repositoryUri: URI,
      registryId: ACCOUNT,
      imageTagMutability: 'MUTABLE'
    };
    const result = await buildPush(inputs({ push: false }), deps());
    expect(result.outcome).toBe('BUILT');
    expect(verbs()).toEqual(['version', 'buildx version', 'login', 'build', 'logout']);
  });
});

describe('immutable tags', () => {
  beforeEach(() => {
    world.repo = {
      repositoryName: 'team/app',
      repositoryUri: URI,
      registryId: ACCOUNT,
      imageTagMutability: 'IMMUTABLE'
    };
  });

  it('fails when an existing tag holds another image, after pushing the new tags, naming the tag and the ways out', async () => {
    world.tags.set('v1', digestOf(9));
    const state = newState();
    const error = await failure(buildPush(inputs({ tags: ['v1'] }), deps(), state));
    expect(world.calls.filter(c => c.args[0] === 'push').map(c => c.args[1])).toEqual([`${URI}:sha-0123456`]);
    expect(error.input).toBe('tags');
    expect(error.describe()).toMatch(
      new RegExp(`'v1' \\(points to ${digestOf(9)}\\) already exists in the IMMUTABLE repository`)
    );
    expect(error.describe()).toMatch(/per-commit tag.*MUTABLE.*IMMUTABLE_WITH_EXCLUSION/);
    expect(verbs().at(-1)).toBe('logout');
    expect(state.digest).toBe(digestOf(1));
  });

  it('succeeds when the existing tags hold the same image (compared by image ID without buildx)', async () => {
    await buildPush(inputs({ tags: ['v1'] }), deps());
    world.calls = [];
    world.builds = 0; // the rebuild reproduces the image
    const result = await buildPush(inputs({ tags: ['v1'], skipExisting: false }), deps());
    expect(verbs()).not.toContain('push');
    expect(result).toMatchObject({ outcome: 'PUSHED', digest: digestOf(1) });
  });

  it('fails when the rebuilt image differs and no tag can be pushed', async () => {
    await buildPush(inputs(), deps());
    const error = await failure(buildPush(inputs({ skipExisting: false }), deps()));
    expect(error.describe()).toMatch(/'sha-0123456' .* already exists in the IMMUTABLE repository/);
  });
});

describe('buildPush with buildx', () => {
  beforeEach(() => {
    world.buildx = true;
  });

  it('creates the repository with the cache tag excluded from immutability and pushes with the registry cache', async () => {
    const result = await buildPush(
      inputs({ secrets: [{ id: 'npm', value: 'tok3n', input: 'secrets' }] }),
      deps()
    );
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0].args[0].input).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'buildcache' }]
    });
    const build = world.calls.find(c => c.args[1] === 'build')!;
    expect(build.args).toEqual(
      expect.arrayContaining([
        '--push',
        '--provenance=false',
        '--secret',
        'id=npm,env=DOCKYARD_SECRET_NPM',
        `type=registry,ref=${URI}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`
      ])
    );
    expect(build.args.join(' ')).not.toContain('tok3n');
    expect(build.options?.env).toEqual({ DOCKYARD_SECRET_NPM: 'tok3n' });
    expect(result).toMatchObject({ builder: 'buildx', digest: digestOf(1) });
  });

  it('only reads the cache when the cache tag is immutable in an existing repository', async () => {
    world.repo = {
      repositoryName: 'team/app',
      repositoryUri: URI,
      registryId: ACCOUNT,
      imageTagMutability: 'IMMUTABLE'
    };
    const log = memoryLogger();
    await buildPush(inputs(), deps(log));
    const build = world.calls.find(c => c.args[1] === 'build')!;
    expect(build.args).toContain('--cache-from');
    expect(build.args).not.toContain('--cache-to');
    expect(log.text()).toMatch(/warning: The repository's 'buildcache' tag is immutable/);
  });

  it('reports a failed build with the line that says why', async () => {
    world.buildFails = true;
    const error = await failure(buildPush(inputs(), deps()));
    expect(error.message).toBe(
      'docker buildx build failed (exit code 1): ERROR: failed to solve: COPY failed.'
    );
  });
});

describe('scan gate', () => {
  it('passes with findings below the threshold', async () => {
    world.scan = { MEDIUM: 3 };
    const result = await buildPush(inputs({ scanThreshold: 'HIGH' }), deps());
    expect(result.scan).toMatchObject({ passed: true, counts: { MEDIUM: 3 } });
  });

  it('fails with findings at the threshold, after the push, keeping what it learned', async () => {
    world.scan = { HIGH: 1 };
    const state = newState();
    const error = await failure(buildPush(inputs({ scanThreshold: 'HIGH' }), deps(), state));
    expect(error.input).toBe('scan-severity-threshold');
    expect(error.describe()).toMatch(/HIGH 1; 1 at or above HIGH/);
    expect(state).toMatchObject({
      outcome: 'PUSHED',
      digest: digestOf(1),
      scan: { passed: false, counts: { HIGH: 1 } }
    });
  });

  it('checks a skipped image too', async () => {
    await buildPush(inputs(), deps());
    world.scan = { CRITICAL: 2 };
    const error = await failure(buildPush(inputs({ scanThreshold: 'CRITICAL' }), deps()));
    expect(error.describe()).toMatch(/CRITICAL 2/);
  });
});
