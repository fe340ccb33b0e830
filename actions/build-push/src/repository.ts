import { DockyardError } from '../../../core/index.js';
import type { BuildState, Deps } from './build.js';
import { CACHE_TAG } from './docker.js';
import {
  createRepository,
  plannedRepository,
  putLifecyclePolicy,
  registryHost,
  type RepositoryInfo
} from './ecr.js';
import { tagIsImmutable } from './immutable.js';
import type { Inputs, Mutability } from './inputs.js';

/**
 * Phase 3: the repository the image goes to. One that exists is used; a missing one is created (not when only
 * building: nothing is pushed, so nothing is created, and the image is tagged for where it would go). The
 * lifecycle policy is applied when pushing.
 */
export async function ensureRepository(
  inputs: Inputs,
  deps: Pick<Deps, 'ecr' | 'log'>,
  state: BuildState,
  options: { found?: RepositoryInfo; buildx: boolean }
): Promise<RepositoryInfo> {
  const repo = options.found ?? (await missingRepository(inputs, deps, state, options.buildx));
  state.repository = repo;
  if (inputs.push) await applyLifecycle(inputs, deps, repo);
  return repo;
}

async function missingRepository(
  inputs: Inputs,
  deps: Pick<Deps, 'ecr' | 'log'>,
  state: BuildState,
  buildx: boolean
): Promise<RepositoryInfo> {
  const { ecr, log } = deps;
  if (!inputs.push) {
    const planned = plannedRepository(inputs.repository, await registryHost(ecr, inputs.registryId), {
      mutability: inputs.mutability,
      exclusions: inputs.mutabilityExclusions
    });
    log.info(
      `Only building (push: false): the repository is not created; the image is tagged ${planned.uri}.`
    );
    return planned;
  }
  if (!inputs.createRepository) {
    throw new DockyardError(
      `the repository '${inputs.repository}' does not exist${inputs.registryId ? ` in registry ${inputs.registryId}` : ''}.`,
      {
        input: 'create-repository',
        hint: "Create it (for example with Terraform or aws ecr create-repository), or set 'create-repository: true'."
      }
    );
  }
  const { mutability, exclusions } = creationMutability(inputs, buildx, log);
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
  state.createdRepository = true;
  return created;
}

/** The registry cache moves its tag on every build (buildx only): that one tag stays mutable. */
function creationMutability(
  inputs: Inputs,
  buildx: boolean,
  log: Deps['log']
): { mutability: Mutability; exclusions: string[] } {
  const { mutability, mutabilityExclusions: exclusions } = inputs;
  const cacheStuck =
    buildx &&
    inputs.cache &&
    tagIsImmutable({ mutability, exclusions }, CACHE_TAG) &&
    mutability !== 'MUTABLE_WITH_EXCLUSION';
  if (!cacheStuck) return { mutability, exclusions };
  log.info(
    `The '${CACHE_TAG}' tag of the registry cache moves with every build, so it is excluded from tag immutability.`
  );
  return { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: [...exclusions, CACHE_TAG] };
}

/** The lifecycle policy for `keep-images`; unset leaves the repository's policy alone. */
export async function applyLifecycle(
  inputs: Inputs,
  deps: Pick<Deps, 'ecr' | 'log'>,
  repo: RepositoryInfo
): Promise<void> {
  if (inputs.keepImages === undefined) return;
  await putLifecyclePolicy(deps.ecr, repo, inputs.keepImages);
  deps.log.info(
    `Lifecycle policy: keep the last ${inputs.keepImages} images (the '${CACHE_TAG}' cache image is never expired).`
  );
}
