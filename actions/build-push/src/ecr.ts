import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  PutLifecyclePolicyCommand,
  type ECRClient,
  type Repository
} from '@aws-sdk/client-ecr';
import { DockyardError, errorName, sentence, type Logger } from '../../../core/index.js';
import { CACHE_TAG, failureLine, type DockerRunner } from './docker.js';
import type { Mutability } from './inputs.js';

export interface RepositoryInfo {
  name: string;
  /** `<registry>/<name>`, without a tag. */
  uri: string;
  registryId: string;
  /** The registry host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
  registry: string;
  mutability: Mutability;
  exclusions: string[];
  scanOnPush: boolean;
}

export function repositoryInfo(repo: Repository): RepositoryInfo {
  const uri = repo.repositoryUri ?? '';
  return {
    name: repo.repositoryName ?? '',
    uri,
    registryId: repo.registryId ?? '',
    registry: uri.split('/')[0],
    mutability: (repo.imageTagMutability ?? 'MUTABLE') as Mutability,
    exclusions: (repo.imageTagMutabilityExclusionFilters ?? [])
      .map(f => f.filter ?? '')
      .filter(f => f !== ''),
    scanOnPush: repo.imageScanningConfiguration?.scanOnPush ?? false
  };
}

/** The repository, or undefined when it does not exist. */
export async function describeRepository(
  ecr: ECRClient,
  name: string,
  registryId?: string
): Promise<RepositoryInfo | undefined> {
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name], registryId }));
    const repo = out.repositories?.[0];
    return repo ? repositoryInfo(repo) : undefined;
  } catch (error) {
    if (errorName(error) === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

/**
 * The registry host (`<account>.dkr.ecr.<region>.amazonaws.com`) of the caller's account, or of
 * `registryId`, as GetAuthorizationToken reports it.
 */
export async function registryHost(ecr: ECRClient, registryId?: string): Promise<string> {
  const out = await ecr.send(
    new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {})
  );
  const endpoint = out.authorizationData?.[0]?.proxyEndpoint;
  if (!endpoint) {
    throw new DockyardError('ECR returned no registry endpoint.', {
      hint: 'Check that the role may call ecr:GetAuthorizationToken on *.'
    });
  }
  return endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

/** A repository that does not exist (and is not created): where the image would go. */
export function plannedRepository(
  name: string,
  registry: string,
  options: { mutability: Mutability; exclusions: string[] }
): RepositoryInfo {
  return {
    name,
    uri: `${registry}/${name}`,
    registryId: registry.split('.')[0],
    registry,
    mutability: options.mutability,
    exclusions: options.exclusions,
    scanOnPush: false
  };
}

/** Creates a repository with scan-on-push, the chosen tag mutability and AES256 encryption. */
export async function createRepository(
  ecr: ECRClient,
  options: { name: string; registryId?: string; mutability: Mutability; exclusions: string[] }
): Promise<RepositoryInfo> {
  const withExclusions = options.mutability.endsWith('_WITH_EXCLUSION');
  try {
    const out = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: options.name,
        registryId: options.registryId,
        imageTagMutability: options.mutability,
        imageTagMutabilityExclusionFilters: withExclusions
          ? options.exclusions.map(filter => ({ filterType: 'WILDCARD' as const, filter }))
          : undefined,
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'AES256' }
      })
    );
    return repositoryInfo(out.repository ?? {});
  } catch (error) {
    // Another job created it between our look and our create: use it.
    if (errorName(error) === 'RepositoryAlreadyExistsException') {
      const existing = await describeRepository(ecr, options.name, options.registryId);
      if (existing) return existing;
    }
    throw error;
  }
}

/**
 * A lifecycle policy that keeps the newest `keep` images. The build cache (the `buildcache` tag) is held by
 * a higher-priority rule that never expires it: an image matched by a higher-priority rule cannot be
 * expired by a lower one, and there is only ever one image with that tag.
 */
export function lifecyclePolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the build cache (${CACHE_TAG})`,
        selection: {
          tagStatus: 'tagged',
          tagPatternList: [CACHE_TAG],
          countType: 'imageCountMoreThan',
          countNumber: 1
        },
        action: { type: 'expire' }
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' }
      }
    ]
  });
}

export async function putLifecyclePolicy(ecr: ECRClient, repo: RepositoryInfo, keep: number): Promise<void> {
  await ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName: repo.name,
      registryId: repo.registryId,
      lifecyclePolicyText: lifecyclePolicy(keep)
    })
  );
}

/** The digest each of `tags` points to in ECR; tags that do not exist are absent from the map. */
export async function findTags(
  ecr: ECRClient,
  repo: RepositoryInfo,
  tags: string[]
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  await Promise.all(
    tags.map(async tag => {
      try {
        const out = await ecr.send(
          new DescribeImagesCommand({
            repositoryName: repo.name,
            registryId: repo.registryId,
            imageIds: [{ imageTag: tag }]
          })
        );
        const digest = out.imageDetails?.[0]?.imageDigest;
        if (digest) found.set(tag, digest);
      } catch (error) {
        if (errorName(error) !== 'ImageNotFoundException') throw error;
      }
    })
  );
  return found;
}

/** The tags ECR has for a digest, or undefined when ECR has no such image. */
export async function describeDigest(
  ecr: ECRClient,
  repo: RepositoryInfo,
  digest: string
): Promise<string[] | undefined> {
  try {
    const out = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: repo.name,
        registryId: repo.registryId,
        imageIds: [{ imageDigest: digest }]
      })
    );
    const detail = out.imageDetails?.[0];
    return detail ? (detail.imageTags ?? []) : undefined;
  } catch (error) {
    if (errorName(error) === 'ImageNotFoundException') return undefined;
    throw error;
  }
}

/** The config digest (the image ID) of the manifest a tag points to, read with BatchGetImage. */
export async function configDigestOfTag(
  ecr: ECRClient,
  repo: RepositoryInfo,
  tag: string
): Promise<string | undefined> {
  const out = await ecr.send(
    new BatchGetImageCommand({
      repositoryName: repo.name,
      registryId: repo.registryId,
      imageIds: [{ imageTag: tag }],
      acceptedMediaTypes: [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.manifest.v1+json'
      ]
    })
  );
  const manifest = out.images?.[0]?.imageManifest;
  if (!manifest) return undefined;
  try {
    return (JSON.parse(manifest) as { config?: { digest?: string } }).config?.digest;
  } catch {
    return undefined;
  }
}

export interface Login {
  registry: string;
  logout(): Promise<void>;
}

export interface LoginOptions {
  registryId?: string;
  /** Told the registry just before `docker login`: the step's docker configuration keeps that login to itself. */
  claim?: (registry: string) => void;
}

/**
 * Logs docker in to the registry with a GetAuthorizationToken password passed on standard input. The
 * password (and the token that contains it) is masked before anything else can print it.
 */
export async function login(
  ecr: ECRClient,
  docker: DockerRunner,
  log: Logger,
  options: LoginOptions = {}
): Promise<Login> {
  const { registryId } = options;
  const out = await ecr.send(
    new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {})
  );
  const data = out.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new DockyardError('ECR returned no authorization token.', {
      hint: 'Check that the role may call ecr:GetAuthorizationToken on *.'
    });
  }
  log.mask(data.authorizationToken);
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  const username = decoded.slice(0, sep);
  const password = decoded.slice(sep + 1);
  log.mask(password);
  const registry = data.proxyEndpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  options.claim?.(registry);
  const result = await docker(['login', '--username', username, '--password-stdin', registry], {
    input: password,
    silent: true
  });
  if (result.code !== 0) {
    throw new DockyardError(sentence(`docker login to ${registry} failed: ${failureLine(result)}`), {
      hint: 'Check that the Docker engine can reach the registry and that the credentials belong to its account.'
    });
  }
  log.info(`Logged in to ${registry} as ${username}.`);
  return {
    registry,
    logout: async () => {
      const r = await docker(['logout', registry], { silent: true });
      if (r.code === 0) log.info(`Logged out of ${registry}.`);
      else log.warning(sentence(`docker logout ${registry} failed: ${failureLine(r)}`));
    }
  };
}
