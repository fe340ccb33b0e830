import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { DockyardError, type Clock, type Logger, type RunContext } from '../../../core/index.js';
import {
  buildxCommand,
  CACHE_TAG,
  detectDocker,
  digestFromMetadata,
  digestFromPushOutput,
  digestFromRepoDigests,
  legacyCommands,
  type BuildSpec,
  type CommandResult,
  type DockerRunner
} from './docker.js';
import {
  configDigestOfTag,
  createRepository,
  describeDigest,
  describeRepository,
  findTags,
  login,
  plannedRepository,
  putLifecyclePolicy,
  registryHost,
  type Login,
  type RepositoryInfo
} from './ecr.js';
import { checkKeptTags, planPush, tagIsImmutable } from './immutable.js';
import type { Inputs, Mutability } from './inputs.js';
import { ociLabels } from './labels.js';
import { describeScan, scanGate, type ScanResult } from './scan.js';
import { computeTags } from './tags.js';

export type Outcome = 'PUSHED' | 'SKIPPED' | 'BUILT';

/** What the action did; filled in as it goes, so a failure still reports how far it got. */
export interface BuildState {
  outcome?: Outcome;
  repository?: RepositoryInfo;
  createdRepository: boolean;
  tags: string[];
  builder?: 'buildx' | 'legacy';
  digest?: string;
  /** Tags that were pushed by this run. */
  pushedTags: string[];
  scan?: ScanResult;
  notes: string[];
}

export interface BuildResult extends BuildState {
  outcome: Outcome;
  repository: RepositoryInfo;
  skipped: boolean;
  /** Repository URI with the first tag. */
  image: string;
  /** Repository URI @ digest, when pushed. */
  imageUriDigest?: string;
}

export interface Deps {
  ecr: ECRClient;
  docker: DockerRunner;
  log: Logger;
  run: RunContext;
  /** The `org.opencontainers.image.created` value. */
  created: string;
  clock?: Clock;
  signal?: AbortSignal;
  /** Where buildx writes its metadata file. */
  tempDir?: string;
}

export function newState(): BuildState {
  return { createdRepository: false, tags: [], pushedTags: [], notes: [] };
}

function tail(result: CommandResult, lines = 5): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-lines).join('\n');
  return text ? `\n${text}` : '';
}

/**
 * Builds the image and pushes it to ECR: inputs → tags → repository → skip? → docker → login → build/push →
 * confirm in ECR → immutable tags → scan gate. `state` is filled in along the way.
 */
export async function buildPush(
  inputs: Inputs,
  deps: Deps,
  state: BuildState = newState()
): Promise<BuildResult> {
  const { ecr, docker, log } = deps;
  const plan = computeTags(deps.run, { extra: inputs.tags, branchTag: inputs.branchTag });
  if (plan.tags.length === 0) {
    throw new DockyardError(
      'there is no tag to give the image: no commit SHA (GITHUB_SHA) and no extra tags.',
      {
        input: 'tags',
        hint: "Run inside a GitHub Actions workflow, or list at least one tag in 'tags'."
      }
    );
  }
  state.tags = plan.tags;
  log.info(`Tags: ${plan.tags.map(t => `${t} (${plan.sources[t]})`).join(', ')}`);

  // 1. The repository as it is, and whether this commit is already there.
  let repo = await log.group('Repository', async () => {
    const found = await describeRepository(ecr, inputs.repository, inputs.registryId);
    if (found)
      log.info(`${found.uri}: tags ${found.mutability}, scan on push ${found.scanOnPush ? 'on' : 'off'}.`);
    else log.info(`Repository '${inputs.repository}' does not exist yet.`);
    return found;
  });
  if (repo) state.repository = repo;
  let existing = new Map<string, string>();
  if (repo && inputs.push) {
    existing = await findTags(ecr, repo, plan.tags);
    const digests = new Set(existing.values());
    if (inputs.skipExisting && existing.size === plan.tags.length && digests.size === 1) {
      const digest = [...digests][0];
      log.notice(
        `Every tag (${plan.tags.join(', ')}) already points to ${digest} in ${repo.uri}: nothing to build.`
      );
      state.outcome = 'SKIPPED';
      state.digest = digest;
      if (inputs.keepImages !== undefined) {
        await putLifecyclePolicy(ecr, repo, inputs.keepImages);
        log.info(
          `Lifecycle policy: keep the last ${inputs.keepImages} images (the '${CACHE_TAG}' cache image is never expired).`
        );
      }
      await gate(inputs, deps, repo, digest, state);
      return finish(state, repo);
    }
  }

  // 2. A Docker engine, and what it can do, before anything changes.
  const info = await detectDocker(docker);
  if (!info.serverVersion) {
    throw new DockyardError(`No Docker engine answered 'docker version': ${info.engineError}`, {
      hint: 'Run this step on a runner with Docker (GitHub-hosted Ubuntu runners have it), or start the engine / set DOCKER_HOST before this step.'
    });
  }
  state.builder = info.buildx ? 'buildx' : 'legacy';
  if (!info.buildx) {
    if (inputs.secrets.length > 0) {
      throw new DockyardError(
        `build secrets (${inputs.secrets.map(s => s.id).join(', ')}) need buildx, which this runner does not have.`,
        {
          input: 'secrets',
          hint: 'The classic builder has no secret mounts: a secret passed as a build-arg or file would stay in the image history. Add docker/setup-buildx-action before this step.'
        }
      );
    }
    if (inputs.platforms.length > 1) {
      throw new DockyardError(
        `${inputs.platforms.length} platforms need buildx, which this runner does not have.`,
        {
          input: 'platforms',
          hint: 'Add docker/setup-qemu-action and docker/setup-buildx-action before this step, or build one platform.'
        }
      );
    }
    log.notice(
      `docker buildx is not available (Docker ${info.serverVersion}): building with the classic builder, then docker push. ` +
        'Multi-platform builds and the registry cache need buildx (docker/setup-buildx-action).'
    );
    if (inputs.provenance) log.warning('provenance attestations need buildx; the classic builder adds none.');
  } else {
    log.info(`Docker ${info.serverVersion}, ${info.buildxVersion ?? 'buildx'}.`);
  }

  // 3. Create the repository when missing (not when only building: nothing is pushed, so nothing is
  // created); apply the lifecycle policy.
  const existed = repo !== undefined;
  if (!repo && !inputs.push) {
    repo = plannedRepository(inputs.repository, await registryHost(ecr, inputs.registryId), {
      mutability: inputs.mutability,
      exclusions: inputs.mutabilityExclusions
    });
    state.repository = repo;
    log.info(`Only building (push: false): the repository is not created; the image is tagged ${repo.uri}.`);
  }
  if (!repo) {
    if (!inputs.createRepository) {
      throw new DockyardError(
        `the repository '${inputs.repository}' does not exist${inputs.registryId ? ` in registry ${inputs.registryId}` : ''}.`,
        {
          input: 'create-repository',
          hint: "Create it (for example with Terraform or aws ecr create-repository), or set 'create-repository: true'."
        }
      );
    }
    let mutability: Mutability = inputs.mutability;
    let exclusions = inputs.mutabilityExclusions;
    if (
      info.buildx &&
      inputs.cache &&
      tagIsImmutable({ mutability, exclusions }, CACHE_TAG) &&
      mutability !== 'MUTABLE_WITH_EXCLUSION'
    ) {
      // The registry cache moves its tag on every build: keep that one tag mutable.
      mutability = 'IMMUTABLE_WITH_EXCLUSION';
      exclusions = [...exclusions, CACHE_TAG];
      log.info(
        `The '${CACHE_TAG}' tag of the registry cache moves with every build, so it is excluded from tag immutability.`
      );
    }
    const created = await log.group('Create repository', async () => {
      const r = await createRepository(ecr, {
        name: inputs.repository,
        registryId: inputs.registryId,
        mutability,
        exclusions
      });
      log.info(`Created ${r.uri}: tags ${r.mutability}, scan on push, AES256 encryption.`);
      return r;
    });
    repo = created;
    state.repository = created;
    state.createdRepository = true;
  }
  if (inputs.keepImages !== undefined && inputs.push) {
    await putLifecyclePolicy(ecr, repo, inputs.keepImages);
    log.info(
      `Lifecycle policy: keep the last ${inputs.keepImages} images (the '${CACHE_TAG}' cache image is never expired).`
    );
  }
  const push = planPush(repo, plan.tags, existing);
  const stuck = plan.tags.filter(t => plan.sources[t] === 'branch' && tagIsImmutable(repo, t));
  if (stuck.length > 0) {
    log.warning(
      `The branch tag '${stuck[0]}' is immutable in ${repo.uri}: it cannot follow the next commit. ` +
        `Make it an exclusion (IMMUTABLE_WITH_EXCLUSION with '${stuck[0]}'), or drop 'branch-tag'.`
    );
  }
  if (push.kept.size > 0) {
    log.info(
      `Immutable tags that already exist and are not pushed again: ${[...push.kept.keys()].join(', ')}.`
    );
  }

  // 4. Log in, build, push; always log out.
  // Pushing needs the login; a build only needs it to read the registry cache of an existing repository.
  const session: Login | undefined =
    inputs.push || existed
      ? await log.group('Log in to ECR', () => login(ecr, docker, log, repo.registryId || inputs.registryId))
      : undefined;
  try {
    const labels = ociLabels(deps.run, deps.created, inputs.repository, inputs.labels);
    const spec: BuildSpec = {
      image: repo.uri,
      tags: inputs.push ? push.push : plan.tags,
      context: inputs.context,
      file: inputs.file,
      target: inputs.target,
      buildArgs: inputs.buildArgs,
      labels,
      platforms: inputs.platforms,
      secrets: inputs.secrets,
      push: inputs.push,
      provenance: inputs.provenance
    };
    for (const s of inputs.secrets) if (s.value) log.mask(s.value);
    const digest = info.buildx
      ? await buildWithBuildx(spec, repo, inputs, deps)
      : await buildLegacy(spec, repo, push.kept, inputs, deps, state);
    if (!inputs.push) {
      state.outcome = 'BUILT';
      return finish(state, repo);
    }
    if (!digest)
      throw new DockyardError('The push finished but docker reported no image digest.', {
        hint: 'Look at the push output above.'
      });
    state.digest = digest;
    state.pushedTags = push.push;

    // 5. Confirm with ECR, then check the immutable tags that were kept.
    const ecrTags = await describeDigest(ecr, repo, digest);
    if (ecrTags === undefined) {
      throw new DockyardError(
        `The registry accepted the push, but ECR has no image ${digest} in '${repo.name}'.`,
        {
          hint: 'Check that the Docker engine pushes to the same registry the AWS credentials point at.'
        }
      );
    }
    const missing = push.push.filter(t => !ecrTags.includes(t));
    if (missing.length > 0)
      log.warning(`ECR does not list the tags ${missing.join(', ')} for ${digest} yet.`);
    log.info(`Pushed ${repo.uri}@${digest} (${push.push.join(', ') || 'by digest'}).`);
    checkKeptTags(repo, push.kept, digest);
    state.outcome = 'PUSHED';
  } finally {
    await session?.logout();
  }

  await gate(inputs, deps, repo, state.digest!, state);
  return finish(state, repo);
}

async function gate(
  inputs: Inputs,
  deps: Deps,
  repo: RepositoryInfo,
  digest: string,
  state: BuildState
): Promise<void> {
  if (inputs.scanThreshold === 'NONE') return;
  const threshold = inputs.scanThreshold;
  const result = await deps.log.group('Scan gate', () =>
    scanGate(deps.ecr, repo, digest, {
      threshold,
      timeoutMs: inputs.scanTimeoutMs,
      clock: deps.clock,
      signal: deps.signal,
      log: deps.log
    })
  );
  state.scan = result;
  const text = describeScan(result, threshold);
  if (!result.passed) {
    throw new DockyardError(text, {
      input: 'scan-severity-threshold',
      hint:
        result.blocking > 0
          ? `Fix the findings (update the base image or packages), or raise the threshold. The image stays in ECR as ${repo.uri}@${digest}.`
          : `Raise 'scan-timeout', or check the repository's scanning in the ECR console.`
    });
  }
  deps.log.info(text);
}

function finish(state: BuildState, repo: RepositoryInfo): BuildResult {
  const image = `${repo.uri}:${state.tags[0]}`;
  return {
    ...state,
    outcome: state.outcome ?? 'PUSHED',
    repository: repo,
    skipped: state.outcome === 'SKIPPED',
    image,
    imageUriDigest: state.digest ? `${repo.uri}@${state.digest}` : undefined
  };
}

async function buildWithBuildx(
  spec: BuildSpec,
  repo: RepositoryInfo,
  inputs: Inputs,
  deps: Deps
): Promise<string | undefined> {
  const dir = mkdtempSync(join(deps.tempDir ?? tmpdir(), 'dockyard-build-'));
  try {
    let cache: BuildSpec['cache'];
    if (inputs.cache) {
      const write = inputs.push && !tagIsImmutable(repo, CACHE_TAG);
      if (inputs.push && !write) {
        deps.log.warning(
          `The repository's '${CACHE_TAG}' tag is immutable, so the build cache is only read, not written. ` +
            `Set the repository to IMMUTABLE_WITH_EXCLUSION with '${CACHE_TAG}' as an exclusion to keep the cache fresh.`
        );
      }
      cache = { write };
    }
    const metadataFile = join(dir, 'metadata.json');
    const { args, env } = buildxCommand({ ...spec, cache, metadataFile });
    const result = await deps.log.group(`docker buildx build${spec.push ? ' --push' : ''}`, () =>
      deps.docker(args, { env })
    );
    if (result.code !== 0) {
      throw new DockyardError(`docker buildx build failed (exit code ${result.code}).${tail(result)}`, {
        hint: 'The build log is above; fix the Dockerfile or the build context.'
      });
    }
    if (!spec.push) return undefined;
    let metadata = '';
    try {
      metadata = readFileSync(metadataFile, 'utf8');
    } catch {
      // handled below
    }
    return digestFromMetadata(metadata);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function buildLegacy(
  spec: BuildSpec,
  repo: RepositoryInfo,
  kept: Map<string, string>,
  inputs: Inputs,
  deps: Deps,
  state: BuildState
): Promise<string | undefined> {
  const { docker, log } = deps;
  // Build with every tag locally; push only the ones ECR will take.
  const localTags = state.tags;
  const cmds = legacyCommands({ ...spec, tags: localTags, push: false });
  const built = await log.group('docker build', () => docker(cmds.build, { env: cmds.env }));
  if (built.code !== 0) {
    throw new DockyardError(`docker build failed (exit code ${built.code}).${tail(built)}`, {
      hint: 'The build log is above; fix the Dockerfile or the build context.'
    });
  }
  if (!inputs.push) return undefined;
  const first = `${repo.uri}:${localTags[0]}`;

  if (spec.tags.length === 0) {
    // Every tag exists and is immutable: compare what was built with what the tags hold, by image ID.
    const id = (await docker(['inspect', '--format', '{{.Id}}', first], { silent: true })).stdout.trim();
    const configs = new Map<string, string | undefined>();
    for (const tag of kept.keys()) configs.set(tag, await configDigestOfTag(deps.ecr, repo, tag));
    const digest = [...kept.values()][0];
    checkKeptTags(repo, kept, digest, tag => configs.get(tag) === id);
    log.info(`The build is the image the existing tags hold (image ID ${id}).`);
    return digest;
  }

  let digest: string | undefined;
  await log.group('docker push', async () => {
    for (const tag of spec.tags) {
      const result = await docker(['push', `${repo.uri}:${tag}`]);
      if (result.code !== 0) {
        throw new DockyardError(
          `docker push ${repo.uri}:${tag} failed (exit code ${result.code}).${tail(result)}`,
          {
            hint: /immutable|already exists/i.test(result.stderr + result.stdout)
              ? `The tag already exists in the immutable repository; use a per-commit tag, or make '${tag}' mutable (MUTABLE or IMMUTABLE_WITH_EXCLUSION).`
              : 'Check that the role may push (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ecr:BatchCheckLayerAvailability).'
          }
        );
      }
      const pushed = digestFromPushOutput(result.stdout + result.stderr);
      if (pushed && digest && pushed !== digest) {
        throw new DockyardError(`docker push reported two digests for one build (${digest}, ${pushed}).`);
      }
      digest = digest ?? pushed;
    }
  });
  if (!digest) {
    const inspect = await docker(['inspect', '--format', '{{json .RepoDigests}}', first], { silent: true });
    digest = digestFromRepoDigests(inspect.stdout.trim(), repo.uri);
  }
  return digest;
}
