import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { recordInputSource } from '../../../core/inputs.js';
import type { RunContext } from '../../../core/github.js';
import { getInputs } from './inputs.js';
import { defaultSet, labelValue } from './labels.js';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'dockyard-eks-inputs-'));
  writeFileSync(
    join(ws, 'app.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: app, image: "web:v1" }] } } }\n'
  );
  writeFileSync(join(ws, 'bad.yaml'), 'apiVersion: v1\nkind: [\n');
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const run: RunContext = {
  repository: 'octo/app',
  serverUrl: 'https://github.com',
  sha: '0123456789abcdef0123456789abcdef01234567',
  ref: 'refs/heads/main',
  refName: 'main',
  refType: 'branch',
  runId: '42',
  runAttempt: '1',
  workflow: 'deploy',
  job: 'deploy',
  actor: 'octocat',
  eventName: 'push'
};
const env = () => ({ GITHUB_WORKSPACE: ws, AWS_REGION: 'us-east-1' });
const read = (values: Record<string, string>) => getInputs(recordInputSource(values), env(), run);
const problems = (values: Record<string, string>) => {
  try {
    read(values);
  } catch (error) {
    return (error as InputError).problems.map(p => p.input);
  }
  return [];
};

describe('getInputs', () => {
  it('reads the defaults, renders the manifests, adds the managed-by and set labels and the run annotations', () => {
    const inputs = read({ cluster: 'prod', manifests: 'app.yaml', images: 'web=registry.local:5000/web:v2' });
    expect(inputs).toMatchObject({
      cluster: 'prod',
      region: 'us-east-1',
      namespace: 'default',
      set: 'app.deploy.default',
      prune: false,
      wait: true,
      timeoutMs: 600_000,
      rollback: true,
      forceConflicts: false,
      fieldManager: 'dockyard',
      dryRun: false
    });
    const meta = inputs.manifests[0].object.metadata;
    expect(meta.labels).toEqual({
      'app.kubernetes.io/managed-by': 'dockyard',
      'dockyard.dev/set': 'app.deploy.default'
    });
    expect(meta.annotations).toEqual({
      'dockyard.dev/run': 'https://github.com/octo/app/actions/runs/42',
      'dockyard.dev/commit': '0123456789abcdef0123456789abcdef01234567'
    });
    expect(inputs.images).toEqual([
      expect.objectContaining({ container: 'app', from: 'web:v1', to: 'registry.local:5000/web:v2' })
    ]);
  });

  it('reports every bad input at once, naming each', () => {
    expect(
      problems({
        cluster: 'bad name!',
        manifests: 'app.yaml',
        namespace: 'Not_A_Namespace',
        'role-arn': 'arn:aws:iam::123:user/x',
        images: 'web registry/web:v2',
        labels: 'bad key!=x',
        timeout: 'soon',
        wait: 'maybe',
        'field-manager': 'has space'
      }).sort()
    ).toEqual(
      ['cluster', 'field-manager', 'images', 'labels', 'namespace', 'role-arn', 'timeout', 'wait'].sort()
    );
  });

  it('needs a cluster or a kubeconfig (not both), manifests or kustomize, and a region for EKS', () => {
    expect(problems({ manifests: 'app.yaml' })).toEqual(['cluster']);
    expect(problems({ cluster: 'prod' })).toEqual(['manifests']);
    const noRegion = () =>
      getInputs(recordInputSource({ cluster: 'prod', manifests: 'app.yaml' }), { GITHUB_WORKSPACE: ws }, run);
    expect(noRegion).toThrow(InputError);
    expect(noRegion).toThrow("Input 'region': no AWS region is set.");
    expect(new Set(problems({ cluster: 'prod', kubeconfig: 'k', manifests: 'app.yaml' }))).toEqual(
      new Set(['kubeconfig'])
    );
  });

  it('refuses a kubeconfig outside the workspace', () => {
    expect(problems({ kubeconfig: '../../etc/kubeconfig', manifests: 'app.yaml' })).toEqual(['kubeconfig']);
  });

  it('malformed YAML and an images line that matches nothing fail naming their input', () => {
    expect(problems({ cluster: 'prod', manifests: 'bad.yaml' })).toEqual(['manifests']);
    expect(problems({ cluster: 'prod', manifests: 'app.yaml', images: 'api=api:v2' })).toEqual(['images']);
  });

  it('takes user labels and annotations, and a set name', () => {
    const inputs = read({
      cluster: 'prod',
      manifests: 'app.yaml',
      labels: 'team=payments',
      annotations: 'example.com/owner=Payments Team',
      'prune-set': 'web-prod'
    });
    expect(inputs.manifests[0].object.metadata.labels).toMatchObject({
      team: 'payments',
      'dockyard.dev/set': 'web-prod'
    });
    expect(inputs.manifests[0].object.metadata.annotations).toMatchObject({
      'example.com/owner': 'Payments Team'
    });
  });
});

describe('labels', () => {
  it('makes a valid label value from any text', () => {
    expect(labelValue('octo/app deploy')).toBe('octo-app-deploy');
    expect(labelValue('x'.repeat(80))).toMatch(/^x{54}-[0-9a-f]{8}$/);
    expect(defaultSet(run, 'shop')).toBe('app.deploy.shop');
  });
});
