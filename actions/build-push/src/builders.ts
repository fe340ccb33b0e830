import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastLines } from '../../../core/exec.js';
import { DockyardError, sentence } from '../../../core/index.js';
import type { BuildState, Deps } from './build.js';
import {
  buildxCommand,
  CACHE_TAG,
  digestFromMetadata,
  digestFromPushOutput,
  digestFromRepoDigests,
  failureLine,
  legacyCommands,
  type BuildSpec,
  type CommandResult
} from './docker.js';
import { configDigestOfTag, describeDigest, type RepositoryInfo } from './ecr.js';
import { checkKeptTags, tagIsImmutable, type PushPlan } from './immutable.js';
import type { Inputs } from './inputs.js';
import { ociLabels } from './labels.js';

export interface Target {
  repo: RepositoryInfo;
  push: PushPlan;
  buildx: boolean;
}

/**
 * Phase 5: builds the image (buildx, else the classic builder), pushes the tags ECR will take, and confirms the
 * digest with ECR and the kept immutable tags against it. Runs logged in (build.ts `underLogin`).
 */
export async function buildAndPush(
  inputs: Inputs,
  deps: Deps,
  state: BuildState,
  target: Target
): Promise<void> {
  const { repo, push } = target;
  const spec: BuildSpec = {
    image: repo.uri,
    tags: inputs.push ? push.push : state.tags,
    context: inputs.context,
    file: inputs.file,
    target: inputs.target,
    buildArgs: inputs.buildArgs,
    labels: ociLabels(deps.run, deps.created, inputs.repository, inputs.labels),
    platforms: inputs.platforms,
    secrets: inputs.secrets,
    push: inputs.push,
    provenance: inputs.provenance
  };
  for (const s of inputs.secrets) if (s.value) deps.log.mask(s.value);
  const digest = target.buildx
    ? await buildWithBuildx(spec, repo, inputs, deps, state)
    : await buildLegacy(spec, repo, push.kept, inputs, deps, state);
  if (!inputs.push) {
    state.outcome = 'BUILT';
    return;
  }
  if (!digest)
    throw new DockyardError('The push finished but docker reported no image digest.', {
      hint: 'Look at the push output above.'
    });
  state.digest = digest;
  state.pushedTags = push.push;
  await confirmInEcr(deps, repo, digest, push);
  state.outcome = 'PUSHED';
}

/** ECR has the pushed digest with its tags, and every kept immutable tag holds it too. */
async function confirmInEcr(deps: Deps, repo: RepositoryInfo, digest: string, push: PushPlan): Promise<void> {
  const ecrTags = await describeDigest(deps.ecr, repo, digest);
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
    deps.log.warning(`ECR does not list the tags ${missing.join(', ')} for ${digest} yet.`);
  deps.log.info(`Pushed ${repo.uri}@${digest} (${push.push.join(', ') || 'by digest'}).`);
  checkKeptTags(repo, push.kept, digest);
}

/**
 * A failed docker command as the user's error: Dockyard's sentence with the one line of the output that reads as
 * the reason; the end of the output goes to the state, for the summary's code block.
 */
function commandFailed(
  state: BuildState,
  command: string,
  result: CommandResult,
  hint: string
): DockyardError {
  state.buildOutput = lastLines(result);
  return new DockyardError(sentence(`${command} failed (exit code ${result.code}): ${failureLine(result)}`), {
    hint
  });
}

const BUILD_HINT =
  'The build output is above and at the end of the job summary; fix the Dockerfile or the build context.';

async function buildWithBuildx(
  spec: BuildSpec,
  repo: RepositoryInfo,
  inputs: Inputs,
  deps: Deps,
  state: BuildState
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
    const command = `docker buildx build${spec.push ? ' --push' : ''}`;
    const result = await deps.log.group(command, () => deps.docker(args, { env }));
    if (result.code !== 0) throw commandFailed(state, 'docker buildx build', result, BUILD_HINT);
    if (!spec.push) return undefined;
    let metadata = '';
    try {
      metadata = readFileSync(metadataFile, 'utf8');
    } catch {
      // no metadata file: no digest, which buildAndPush reports
    }
    return digestFromMetadata(metadata);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The classic builder: every tag built locally, then the tags ECR will take pushed one by one. */
async function buildLegacy(
  spec: BuildSpec,
  repo: RepositoryInfo,
  kept: Map<string, string>,
  inputs: Inputs,
  deps: Deps,
  state: BuildState
): Promise<string | undefined> {
  const cmds = legacyCommands({ ...spec, tags: state.tags, push: false });
  const built = await deps.log.group('docker build', () => deps.docker(cmds.build, { env: cmds.env }));
  if (built.code !== 0) throw commandFailed(state, 'docker build', built, BUILD_HINT);
  if (!inputs.push) return undefined;
  const first = `${repo.uri}:${state.tags[0]}`;
  if (spec.tags.length === 0) return sameAsKept(first, repo, kept, deps);
  const digest = await pushTags(spec.tags, repo, deps, state);
  if (digest) return digest;
  const inspect = await deps.docker(['inspect', '--format', '{{json .RepoDigests}}', first], {
    silent: true
  });
  return digestFromRepoDigests(inspect.stdout.trim(), repo.uri);
}

/** Every tag exists and is immutable: the build must be the image they hold, compared by image ID. */
async function sameAsKept(
  image: string,
  repo: RepositoryInfo,
  kept: Map<string, string>,
  deps: Deps
): Promise<string> {
  const id = (await deps.docker(['inspect', '--format', '{{.Id}}', image], { silent: true })).stdout.trim();
  const configs = new Map<string, string | undefined>();
  for (const tag of kept.keys()) configs.set(tag, await configDigestOfTag(deps.ecr, repo, tag));
  const digest = [...kept.values()][0];
  checkKeptTags(repo, kept, digest, tag => configs.get(tag) === id);
  deps.log.info(`The build is the image the existing tags hold (image ID ${id}).`);
  return digest;
}

async function pushTags(
  tags: string[],
  repo: RepositoryInfo,
  deps: Deps,
  state: BuildState
): Promise<string | undefined> {
  let digest: string | undefined;
  await deps.log.group('docker push', async () => {
    for (const tag of tags) {
      const result = await deps.docker(['push', `${repo.uri}:${tag}`]);
      if (result.code !== 0) {
        throw commandFailed(
          state,
          `docker push ${repo.uri}:${tag}`,
          result,
          /immutable|already exists/i.test(result.stderr + result.stdout)
            ? `The tag already exists in the immutable repository; use a per-commit tag, or make '${tag}' mutable (MUTABLE or IMMUTABLE_WITH_EXCLUSION).`
            : 'Check that the role may push (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ecr:BatchCheckLayerAvailability).'
        );
      }
      const pushed = digestFromPushOutput(result.stdout + result.stderr);
      if (pushed && digest && pushed !== digest)
        throw new DockyardError(`docker push reported two digests for one build (${digest}, ${pushed}).`);
      digest = digest ?? pushed;
    }
  });
  return digest;
}
