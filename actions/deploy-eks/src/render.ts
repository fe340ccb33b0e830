/**
 * The render phase of deploy-eks: from the workspace alone, so it runs before connect and a careless or hostile
 * input fails before any network call, naming its input and file. The kustomization's paths are checked before
 * kustomize runs (kustomization.ts); the manifests are loaded, filled in and labelled (manifests.ts); every object
 * is checked against the API server's size limits (limits.ts) before the first is sent.
 */
import type { PhaseContext } from '../../../core/deploy.js';
import type { Inputs } from './inputs.js';
import { checkKustomization } from './kustomization.js';
import { checkSizes } from './limits.js';
import {
  kustomizeBuild,
  loadManifests,
  render,
  type ImageChange,
  type Manifest,
  type RunProgram
} from './manifests.js';

export interface Rendered {
  manifests: Manifest[];
  images: ImageChange[];
  /** Objects that etcd may refuse to store: said, not refused. */
  warnings: string[];
}

/** Loads, checks and renders what the inputs name; throws the input problems it finds, with nothing written. */
export async function renderInputs(
  inputs: Inputs,
  phase: Pick<PhaseContext, 'signal' | 'timeLeftMs' | 'log'>,
  runProgram?: RunProgram
): Promise<Rendered> {
  const { kustomize } = inputs;
  if (kustomize) {
    const remote = checkKustomization(kustomize.dir, {
      workspace: inputs.workspace,
      remote: kustomize.remote
    });
    if (remote.length > 0) {
      phase.log.info('kustomize-remote: true: kustomize fetches these itself:');
      for (const entry of remote) phase.log.info(`  ${entry}`);
    }
  }
  const loaded = await loadManifests({
    files: inputs.manifestFiles,
    workspace: inputs.workspace,
    kustomize: kustomize && {
      text: kustomize.text,
      build: () =>
        kustomizeBuild(kustomize.dir, { signal: phase.signal, timeoutMs: phase.timeLeftMs() }, runProgram)
    }
  });
  const rendered = render(loaded, {
    vars: inputs.vars,
    images: inputs.imageRules,
    labels: inputs.labels,
    annotations: inputs.annotations,
    podTemplateKinds: inputs.podTemplateKinds
  });
  return { ...rendered, warnings: checkSizes(rendered.manifests) };
}
