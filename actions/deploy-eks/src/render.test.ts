import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { recordInputSource } from '../../../core/inputs.js';
import { memoryLogger } from '../../../core/log.js';
import { getInputs } from './inputs.js';
import type { RunProgram } from './manifests.js';
import { renderInputs } from './render.js';

let root: string;
let ws: string;
const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  template:\n    spec:\n      containers: [{ name: app, image: "${image}" }]\n`;

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'dockyard-eks-render-')));
  ws = join(root, 'ws');
  const files: Record<string, string> = {
    'outside/kustomization.yaml': 'resources: [secret.yaml]\n',
    'outside/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: { name: stolen }\n',
    'ws/escape/kustomization.yaml': 'resources:\n  - app.yaml\n  - ../../outside\n',
    'ws/escape/app.yaml': deployment('web:v1'),
    'ws/remote/kustomization.yaml':
      'resources:\n  - app.yaml\n  - github.com/kubernetes-sigs/kustomize/examples/multibases?ref=v1.0.6\n',
    'ws/remote/app.yaml': deployment('web:v1'),
    'ws/k8s/app.yaml': deployment('web:v1'),
    'ws/k8s/blob.yaml': `apiVersion: example.com/v1\nkind: Blob\nmetadata: { name: huge }\nspec: { payload: "${'x'.repeat(5_000_000)}" }\n`,
    'ws/k8s/large.yaml': `apiVersion: example.com/v1\nkind: Blob\nmetadata: { name: large }\nspec: { payload: "${'x'.repeat(2_000_000)}" }\n`
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const inputs = (values: Record<string, string>) =>
  getInputs(recordInputSource({ cluster: 'prod', ...values }), {
    GITHUB_WORKSPACE: ws,
    AWS_REGION: 'us-east-1'
  });

/** A kustomize that records its runs and prints the app. */
function fakeKustomize() {
  const runs: string[][] = [];
  const run: RunProgram = async (command, args) => {
    runs.push([command, ...args]);
    return { stdout: deployment('web:v1') };
  };
  return { runs, run };
}

const phase = () => ({ signal: new AbortController().signal, timeLeftMs: () => 60_000, log: memoryLogger() });

/** The InputError a render throws. */
async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('renderInputs', () => {
  it('refuses a kustomization that reaches outside the workspace before kustomize runs', async () => {
    const kustomize = fakeKustomize();
    const error = await refusal(renderInputs(inputs({ kustomize: 'escape' }), phase(), kustomize.run));
    expect(error.message).toBe(
      `Input 'kustomize': escape/kustomization.yaml resources[1]: '../../outside' is outside the workspace (${ws}). A kustomization names paths relative to its directory; every one must stay inside the workspace (the repository checkout), links included. Copy what it needs into the repository.`
    );
    expect(kustomize.runs).toEqual([]);
  });

  it('with kustomize-remote, lets kustomize fetch remote bases and says which', async () => {
    const kustomize = fakeKustomize();
    await expect(renderInputs(inputs({ kustomize: 'remote' }), phase(), kustomize.run)).rejects.toThrow(
      "is remote: kustomize would fetch it (and apply what it holds) from outside the workspace. Check it out or vendor it into the repository and name it by path, or set 'kustomize-remote: true'"
    );
    expect(kustomize.runs).toEqual([]);
    const p = phase();
    const rendered = await renderInputs(
      inputs({ kustomize: 'remote', 'kustomize-remote': 'true' }),
      p,
      kustomize.run
    );
    expect(kustomize.runs).toEqual([['kustomize', 'build', join(ws, 'remote')]]);
    expect(rendered.manifests).toHaveLength(1);
    expect(p.log.lines.join('\n')).toContain(
      "remote/kustomization.yaml resources[1]: 'github.com/kubernetes-sigs/kustomize/examples/multibases?ref=v1.0.6'"
    );
  });

  it('refuses an object the API server would refuse for its size, naming the file and object', async () => {
    const error = await refusal(renderInputs(inputs({ manifests: 'k8s/app.yaml\nk8s/blob.yaml' }), phase()));
    expect(error.problems.map(p => [p.input, p.message])).toEqual([
      [
        'manifests',
        expect.stringMatching(/^k8s\/blob\.yaml: Blob huge is 4\.8 MiB as sent; the API server refuses/)
      ]
    ]);
  });

  it('renders, and returns the warnings of objects etcd may refuse', async () => {
    const rendered = await renderInputs(
      inputs({ manifests: 'k8s/app.yaml\nk8s/large.yaml', images: 'web=registry.local:5000/web:v2' }),
      phase()
    );
    expect(rendered.images).toEqual([
      expect.objectContaining({ from: 'web:v1', to: 'registry.local:5000/web:v2' })
    ]);
    expect(rendered.warnings).toEqual([
      expect.stringMatching(/^k8s\/large\.yaml: Blob large is 1\.9 MiB as sent; etcd/)
    ]);
  });
});
