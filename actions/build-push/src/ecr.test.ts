import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutLifecyclePolicyCommand
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger } from '../../../core/index.js';
import type { DockerRunner, RunOptions } from './docker.js';
import {
  configDigestOfTag,
  createRepository,
  describeDigest,
  describeRepository,
  findTags,
  lifecyclePolicy,
  login,
  putLifecyclePolicy
} from './ecr.js';
import { REPO, named, URI } from './testing/fixtures.js';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'us-east-1' });
const D1 = `sha256:${'1'.repeat(64)}`;

beforeEach(() => {
  ecrMock.reset();
});

describe('repository', () => {
  it('describes an existing repository', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryName: 'team/app',
          repositoryUri: URI,
          registryId: '123456789012',
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'buildcache' }],
          imageScanningConfiguration: { scanOnPush: true }
        }
      ]
    });
    expect(await describeRepository(ecr, 'team/app')).toEqual({
      ...REPO,
      mutability: 'IMMUTABLE_WITH_EXCLUSION',
      exclusions: ['buildcache']
    });
  });

  it('returns undefined for a missing repository and rethrows other errors', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(named('RepositoryNotFoundException'));
    expect(await describeRepository(ecr, 'team/app')).toBeUndefined();
    ecrMock.on(DescribeRepositoriesCommand).rejects(named('ServerException', 'boom'));
    await expect(describeRepository(ecr, 'team/app')).rejects.toThrow('boom');
  });

  it('creates with scan on push, the mutability, exclusions and AES256', async () => {
    ecrMock.on(CreateRepositoryCommand).resolves({
      repository: {
        repositoryName: 'team/app',
        repositoryUri: URI,
        registryId: '123456789012',
        imageTagMutability: 'IMMUTABLE'
      }
    });
    await createRepository(ecr, { name: 'team/app', mutability: 'IMMUTABLE', exclusions: ['ignored'] });
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0].args[0].input).toEqual({
      repositoryName: 'team/app',
      registryId: undefined,
      imageTagMutability: 'IMMUTABLE',
      imageTagMutabilityExclusionFilters: undefined,
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' }
    });
    await createRepository(ecr, {
      name: 'team/app',
      registryId: '210987654321',
      mutability: 'IMMUTABLE_WITH_EXCLUSION',
      exclusions: ['buildcache']
    });
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[1].args[0].input).toMatchObject({
      registryId: '210987654321',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'buildcache' }]
    });
  });

  it('uses a repository another job created a moment earlier', async () => {
    ecrMock.on(CreateRepositoryCommand).rejects(named('RepositoryAlreadyExistsException'));
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [{ repositoryName: 'team/app', repositoryUri: URI, registryId: '123456789012' }]
    });
    expect(
      (await createRepository(ecr, { name: 'team/app', mutability: 'MUTABLE', exclusions: [] })).uri
    ).toBe(URI);
  });
});

describe('lifecycle policy', () => {
  it('keeps the last N images and never expires the build cache', async () => {
    const policy = JSON.parse(lifecyclePolicy(20));
    expect(policy.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: {
          tagStatus: 'tagged',
          tagPatternList: ['buildcache'],
          countType: 'imageCountMoreThan',
          countNumber: 1
        },
        action: { type: 'expire' }
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 },
        action: { type: 'expire' }
      })
    ]);
    ecrMock.on(PutLifecyclePolicyCommand).resolves({});
    await putLifecyclePolicy(ecr, REPO, 20);
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)[0].args[0].input).toEqual({
      repositoryName: 'team/app',
      registryId: '123456789012',
      lifecyclePolicyText: lifecyclePolicy(20)
    });
  });
});

describe('images', () => {
  it('finds which tags exist and their digests', async () => {
    ecrMock
      .on(DescribeImagesCommand, { imageIds: [{ imageTag: 'sha-1' }] })
      .resolves({ imageDetails: [{ imageDigest: D1, imageTags: ['sha-1'] }] });
    ecrMock
      .on(DescribeImagesCommand, { imageIds: [{ imageTag: 'v1' }] })
      .rejects(named('ImageNotFoundException'));
    expect([...(await findTags(ecr, REPO, ['sha-1', 'v1']))]).toEqual([['sha-1', D1]]);
  });

  it('describes a digest, or says it is not there', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: D1, imageTags: ['a', 'b'] }] });
    expect(await describeDigest(ecr, REPO, D1)).toEqual(['a', 'b']);
    ecrMock.on(DescribeImagesCommand).rejects(named('ImageNotFoundException'));
    expect(await describeDigest(ecr, REPO, D1)).toBeUndefined();
  });

  it('reads the config digest of a tag', async () => {
    ecrMock
      .on(BatchGetImageCommand)
      .resolves({ images: [{ imageManifest: JSON.stringify({ config: { digest: 'sha256:cfg' } }) }] });
    expect(await configDigestOfTag(ecr, REPO, 'v1')).toBe('sha256:cfg');
    ecrMock.on(BatchGetImageCommand).resolves({ images: [] });
    expect(await configDigestOfTag(ecr, REPO, 'v1')).toBeUndefined();
  });
});

describe('login', () => {
  const password = 'eyJwYXlsb2FkIjoidmVyeS1zZWNyZXQifQ==';
  const token = Buffer.from(`AWS:${password}`).toString('base64');

  it('passes the password on stdin, masks it, and logs out', async () => {
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token, proxyEndpoint: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com' }
      ]
    });
    const calls: { args: string[]; options?: RunOptions }[] = [];
    const docker: DockerRunner = async (args, options) => {
      calls.push({ args, options });
      return { code: 0, stdout: 'Login Succeeded', stderr: '' };
    };
    const log = memoryLogger();
    const claimed: string[] = [];
    const session = await login(ecr, docker, log, {
      registryId: '123456789012',
      claim: registry => claimed.push(`${registry} (${calls.length} docker calls)`)
    });
    // The step's configuration is told before the login, so the login lands in it.
    expect(claimed).toEqual(['123456789012.dkr.ecr.us-east-1.amazonaws.com (0 docker calls)']);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input).toEqual({
      registryIds: ['123456789012']
    });
    expect(calls[0].args).toEqual([
      'login',
      '--username',
      'AWS',
      '--password-stdin',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    ]);
    expect(calls[0].options).toEqual({ input: password, silent: true });
    expect(calls[0].args.join(' ')).not.toContain(password);
    expect(log.masked).toEqual(expect.arrayContaining([password, token]));
    await session.logout();
    expect(calls[1].args).toEqual(['logout', '123456789012.dkr.ecr.us-east-1.amazonaws.com']);
    expect(log.text()).not.toContain(password);
  });

  it('fails clearly when docker login fails', async () => {
    ecrMock
      .on(GetAuthorizationTokenCommand)
      .resolves({ authorizationData: [{ authorizationToken: token, proxyEndpoint: 'https://r.example' }] });
    const docker: DockerRunner = async () => ({
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: unauthorized'
    });
    await expect(login(ecr, docker, memoryLogger())).rejects.toThrow(
      /docker login to r.example failed: Error response from daemon: unauthorized/
    );
  });
});
