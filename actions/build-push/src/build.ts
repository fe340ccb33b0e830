import type { ECRClient } from '@aws-sdk/client-ecr';
import { DockyardError, sentence, type Clock, type Logger, type RunContext } from '../../../core/index.js';
import { buildAndPush } from './builders.js';
import { detectDocker, type DockerInfo, type DockerRunner } from './docker.js';
import type { StepDockerConfig } from './docker-config.js';
import { describeRepository, findTags, login, type Login, type RepositoryInfo } from './ecr.js';
import { planPush, tagIsImmutable, type PushPlan } from './immutable.js';
import type { Inputs } from './inputs.js';
import { applyLifecycle, ensureRepository } from './repository.js';
import { describeScan, scanGate, type ScanResult } from './scan.js';
import { computeTags, type TagPlan } from './tags.js';

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
  /** The end of a failed build's or push's output (untrusted text: the summary shows it as code). */
  buildOutput?: string[];
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
  /** The step's own docker configuration, which keeps the ECR login to itself. */
  dockerConfig?: Pick<StepDockerConfig, 'claim'>;
}

export function newState(): BuildState {
  return { createdRepository: false, tags: [], pushedTags: [], notes: [] };
}

/** What the first look found: the tags the image gets, the repository as it is, and the tags already there. */
interface Found {
  plan: TagPlan;
  repo?: RepositoryInfo;
  existing: Map<string, string>;
  /** The one digest every tag already points to, when nothing needs building. */
  complete?: string;
}

/** Builds the image and pushes it to ECR, phase by phase; `state` is filled in along the way. */
export async function buildPush(
  inputs: Inputs,
  deps: Deps,
  state: BuildState = newState()
): Promise<BuildResult> {
  const found = await findExisting(inputs, deps, state);
  if (found.repo && found.complete) return skip(inputs, deps, state, found.repo, found.complete);
  const engine = await checkEngine(inputs, deps, state);
  const repo = await ensureRepository(inputs, deps, state, { found: found.repo, buildx: engine.buildx });
  const push = planTags(repo, found, deps.log);
  await underLogin(inputs, deps, repo, found.repo !== undefined, () =>
    buildAndPush(inputs, deps, state, { repo, push, buildx: engine.buildx })
  );
  if (state.outcome === 'PUSHED') await gate(inputs, deps, repo, state.digest!, state);
  return finish(state, repo);
}

/** Phase 1: the tags the image gets, the repository as it is, and whether this commit is already there. */
async function findExisting(inputs: Inputs, deps: Deps, state: BuildState): Promise<Found> {
  const { ecr, log } = deps;
  const plan = computeTags(deps.run, { extra: inputs.tags, branchTag: inputs.branchTag });
  if (plan.tags.length === 0) {
    throw new DockyardError(
      'there is no tag to give the image: no commit SHA (GITHUB_SHA) and no extra tags.',
      { input: 'tags', hint: "Run inside a GitHub Actions workflow, or list at least one tag in 'tags'." }
    );
  }
  state.tags = plan.tags;
  log.info(`Tags: ${plan.tags.map(t => `${t} (${plan.sources[t]})`).join(', ')}`);
  const repo = await log.group('Repository', async () => {
    const found = await describeRepository(ecr, inputs.repository, inputs.registryId);
    if (found)
      log.info(`${found.uri}: tags ${found.mutability}, scan on push ${found.scanOnPush ? 'on' : 'off'}.`);
    else log.info(`Repository '${inputs.repository}' does not exist yet.`);
    return found;
  });
  if (repo) state.repository = repo;
  const existing = repo && inputs.push ? await findTags(ecr, repo, plan.tags) : new Map<string, string>();
  const digests = new Set(existing.values());
  const complete =
    inputs.skipExisting && existing.size === plan.tags.length && digests.size === 1
      ? [...digests][0]
      : undefined;
  return { plan, repo, existing, complete };
}

/** Every tag already points to one image: nothing is built; the lifecycle policy and the gate still apply. */
async function skip(
  inputs: Inputs,
  deps: Deps,
  state: BuildState,
  repo: RepositoryInfo,
  digest: string
): Promise<BuildResult> {
  deps.log.notice(
    `Every tag (${state.tags.join(', ')}) already points to ${digest} in ${repo.uri}: nothing to build.`
  );
  state.outcome = 'SKIPPED';
  state.digest = digest;
  await applyLifecycle(inputs, deps, repo);
  await gate(inputs, deps, repo, digest, state);
  return finish(state, repo);
}

/** Phase 2: a Docker engine, and what it can do, before anything changes. */
async function checkEngine(inputs: Inputs, deps: Deps, state: BuildState): Promise<DockerInfo> {
  const { log } = deps;
  const info = await detectDocker(deps.docker);
  // A cancel stops `docker version` too: that is the cancel, not a missing engine.
  deps.signal?.throwIfAborted();
  if (!info.serverVersion) {
    throw new DockyardError(sentence(`No Docker engine answered 'docker version': ${info.engineError}`), {
      hint: 'Run this step on a runner with Docker (GitHub-hosted Ubuntu runners have it), or start the engine / set DOCKER_HOST before this step.'
    });
  }
  state.builder = info.buildx ? 'buildx' : 'legacy';
  if (info.buildx) {
    log.info(`Docker ${info.serverVersion}, ${info.buildxVersion ?? 'buildx'}.`);
    return info;
  }
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
  return info;
}

/** Phase 4: which tags are pushed, and which immutable ones are kept and compared after the build. */
function planTags(repo: RepositoryInfo, found: Found, log: Logger): PushPlan {
  const { plan } = found;
  const push = planPush(repo, plan.tags, found.existing);
  const stuck = plan.tags.filter(t => plan.sources[t] === 'branch' && tagIsImmutable(repo, t));
  if (stuck.length > 0) {
    log.warning(
      `The branch tag '${stuck[0]}' is immutable in ${repo.uri}: it cannot follow the next commit. ` +
        `Make it an exclusion (IMMUTABLE_WITH_EXCLUSION with '${stuck[0]}'), or drop 'branch-tag'.`
    );
  }
  if (push.kept.size > 0)
    log.info(
      `Immutable tags that already exist and are not pushed again: ${[...push.kept.keys()].join(', ')}.`
    );
  return push;
}

/**
 * Phase 5's frame: logged in to ECR around `work`, and logged out after it whatever happened. Pushing needs the
 * login; a build only needs it to read the registry cache of a repository that existed.
 */
async function underLogin(
  inputs: Inputs,
  deps: Deps,
  repo: RepositoryInfo,
  existed: boolean,
  work: () => Promise<void>
): Promise<void> {
  const { log } = deps;
  const session: Login | undefined =
    inputs.push || existed
      ? await log.group('Log in to ECR', () =>
          login(deps.ecr, deps.docker, log, {
            registryId: repo.registryId || inputs.registryId,
            claim: registry => deps.dockerConfig?.claim(registry)
          })
        )
      : undefined;
  try {
    await work();
  } finally {
    if (session && deps.signal?.aborted)
      log.info(`Cancelled: the login to ${session.registry} goes with the step's docker configuration.`);
    else await session?.logout();
  }
}

/** Phase 6: the scan gate, when a threshold is set. */
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
  return {
    ...state,
    outcome: state.outcome ?? 'PUSHED',
    repository: repo,
    skipped: state.outcome === 'SKIPPED',
    image: `${repo.uri}:${state.tags[0]}`,
    imageUriDigest: state.digest ? `${repo.uri}@${state.digest}` : undefined
  };
}
