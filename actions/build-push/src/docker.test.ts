import { describe, expect, it } from '@jest/globals';
import { lastLines } from '../../../core/exec.js';
import {
  buildxCommand,
  failureLine,
  detectDocker,
  digestFromMetadata,
  digestFromPushOutput,
  digestFromRepoDigests,
  legacyCommands,
  secretEnvName,
  type BuildSpec,
  type DockerRunner
} from './docker.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app';
const D = `sha256:${'a'.repeat(64)}`;

const spec = (over: Partial<BuildSpec> = {}): BuildSpec => ({
  image: IMAGE,
  tags: ['sha-0123456', 'v1'],
  context: '/w/app',
  file: '/w/app/Dockerfile',
  buildArgs: [],
  labels: [],
  platforms: [],
  secrets: [],
  push: true,
  provenance: false,
  ...over
});

describe('buildxCommand', () => {
  it('builds and pushes every tag with the registry cache and no provenance', () => {
    const { args, env } = buildxCommand(spec({ cache: { write: true }, metadataFile: '/tmp/m.json' }));
    expect(args).toEqual([
      'buildx',
      'build',
      '--file',
      '/w/app/Dockerfile',
      '--tag',
      `${IMAGE}:sha-0123456`,
      '--tag',
      `${IMAGE}:v1`,
      '--cache-from',
      `type=registry,ref=${IMAGE}:buildcache`,
      '--cache-to',
      `type=registry,ref=${IMAGE}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`,
      '--provenance=false',
      '--metadata-file',
      '/tmp/m.json',
      '--push',
      '/w/app'
    ]);
    expect(env).toEqual({});
  });

  it('passes target, platforms, build args, labels; secrets by env or file, never by value', () => {
    const { args, env } = buildxCommand(
      spec({
        target: 'runtime',
        platforms: ['linux/amd64', 'linux/arm64'],
        buildArgs: [{ key: 'A', value: 'x y' }],
        labels: [{ key: 'org.opencontainers.image.revision', value: 'abc' }],
        secrets: [
          { id: 'npm-token', value: 's3cr3t' },
          { id: 'aws', file: '/home/runner/creds' }
        ],
        provenance: true
      })
    );
    expect(args).toEqual([
      'buildx',
      'build',
      '--file',
      '/w/app/Dockerfile',
      '--tag',
      `${IMAGE}:sha-0123456`,
      '--tag',
      `${IMAGE}:v1`,
      '--target',
      'runtime',
      '--platform',
      'linux/amd64,linux/arm64',
      '--build-arg',
      'A=x y',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--secret',
      'id=npm-token,env=DOCKYARD_SECRET_NPM_TOKEN',
      '--secret',
      'id=aws,src=/home/runner/creds',
      '--push',
      '/w/app'
    ]);
    expect(args.join(' ')).not.toContain('s3cr3t');
    expect(env).toEqual({ DOCKYARD_SECRET_NPM_TOKEN: 's3cr3t' });
  });

  it('reads the cache without writing it when the cache tag is immutable', () => {
    const { args } = buildxCommand(spec({ cache: { write: false } }));
    expect(args).toContain('--cache-from');
    expect(args).not.toContain('--cache-to');
  });

  it('pushes by digest when there is no tag to push', () => {
    const { args } = buildxCommand(spec({ tags: [] }));
    expect(args).not.toContain('--push');
    expect(args).toContain(`type=image,name=${IMAGE},push-by-digest=true,name-canonical=true,push=true`);
  });

  it('loads a single-platform image when not pushing', () => {
    expect(buildxCommand(spec({ push: false })).args).toContain('--load');
    expect(
      buildxCommand(spec({ push: false, platforms: ['linux/amd64', 'linux/arm64'] })).args
    ).not.toContain('--load');
  });
});

describe('legacyCommands', () => {
  it('builds with the classic builder, tagging every tag', () => {
    const cmds = legacyCommands(
      spec({
        target: 't',
        platforms: ['linux/amd64'],
        buildArgs: [{ key: 'A', value: '1' }],
        labels: [{ key: 'l', value: 'v' }]
      })
    );
    expect(cmds.build).toEqual([
      'build',
      '--file',
      '/w/app/Dockerfile',
      '--tag',
      `${IMAGE}:sha-0123456`,
      '--tag',
      `${IMAGE}:v1`,
      '--target',
      't',
      '--platform',
      'linux/amd64',
      '--build-arg',
      'A=1',
      '--label',
      'l=v',
      '/w/app'
    ]);
    expect(cmds.env).toEqual({ DOCKER_BUILDKIT: '0' });
  });

  it('refuses what the classic builder cannot do', () => {
    expect(() => legacyCommands(spec({ secrets: [{ id: 'a', value: 'b' }] }))).toThrow(/secrets/);
    expect(() => legacyCommands(spec({ platforms: ['linux/amd64', 'linux/arm64'] }))).toThrow(/one platform/);
    expect(() => legacyCommands(spec({ tags: [] }))).toThrow(/tag/);
  });
});

describe('digest parsing', () => {
  it('finds the digest docker push prints', () => {
    expect(
      digestFromPushOutput(
        `The push refers to repository [${IMAGE}]\n5f70bf18a086: Pushed\nsha-0123456: digest: ${D} size: 527\n`
      )
    ).toBe(D);
    expect(digestFromPushOutput('nothing here')).toBeUndefined();
  });

  it('picks the repo digest of the right repository', () => {
    expect(
      digestFromRepoDigests(JSON.stringify([`other/repo@sha256:${'b'.repeat(64)}`, `${IMAGE}@${D}`]), IMAGE)
    ).toBe(D);
    expect(digestFromRepoDigests('null', IMAGE)).toBeUndefined();
    expect(digestFromRepoDigests('not json', IMAGE)).toBeUndefined();
  });

  it('reads the buildx metadata file', () => {
    expect(digestFromMetadata(JSON.stringify({ 'containerimage.digest': D }))).toBe(D);
    expect(digestFromMetadata('{}')).toBeUndefined();
    expect(digestFromMetadata('')).toBeUndefined();
  });
});

describe('detectDocker', () => {
  const fake =
    (answers: Record<string, { code: number; stdout?: string; stderr?: string }>): DockerRunner =>
    async args => {
      const a = answers[args[0] === 'buildx' ? 'buildx' : args[0]] ?? { code: 1 };
      return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
    };

  it('finds an engine with buildx', async () => {
    expect(
      await detectDocker(
        fake({
          version: { code: 0, stdout: '28.2.2\n' },
          buildx: { code: 0, stdout: 'github.com/docker/buildx v0.20.0' }
        })
      )
    ).toEqual({
      serverVersion: '28.2.2',
      engineError: undefined,
      buildx: true,
      buildxVersion: 'github.com/docker/buildx v0.20.0'
    });
  });

  it('finds an engine without buildx', async () => {
    const info = await detectDocker(
      fake({
        version: { code: 0, stdout: '28.2.2' },
        buildx: { code: 1, stderr: 'docker: unknown command: docker buildx' }
      })
    );
    expect(info).toMatchObject({ serverVersion: '28.2.2', buildx: false });
  });

  it('says why there is no engine', async () => {
    const info = await detectDocker(
      fake({
        version: { code: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' }
      })
    );
    expect(info.serverVersion).toBeUndefined();
    expect(info.engineError).toMatch(/Cannot connect to the Docker daemon/);
  });

  it('survives a missing docker binary', async () => {
    const info = await detectDocker(async () => {
      throw new Error('Unable to locate executable file: docker');
    });
    expect(info.engineError).toMatch(/could not run .*Unable to locate/);
  });

  it('names secret variables safely', () => {
    expect(secretEnvName('npm.token-1')).toBe('DOCKYARD_SECRET_NPM_TOKEN_1');
  });

  it('says why a command failed in one line, the line that reads as the reason', () => {
    // The classic builder: the RUN step's output on stdout, docker's notes and its verdict on stderr.
    const result = {
      code: 1,
      stdout:
        'Step 3/3 : RUN npm ci\n ---> Running in 1f2e\nnpm ERR! code E401\nnpm ERR! Unable to authenticate\n',
      stderr:
        'time="2026-12-07T18:40:47Z" level=warning msg="Failed to get credentials for registry: gcr.io" error="exec: not found"\n' +
        "The command '/bin/sh -c npm ci' returned a non-zero code: 1\n"
    };
    expect(failureLine(result)).toBe('npm ERR! Unable to authenticate');
    expect(lastLines(result, 2)).toEqual([result.stderr.split('\n')[0], result.stderr.split('\n')[1]]);
    expect(failureLine({ code: 125, stdout: '', stderr: '' })).toBe('exit code 125');
    expect(failureLine({ code: 1, stdout: '', stderr: `ERROR: ${'x'.repeat(400)}` })).toHaveLength(300);
  });
});
