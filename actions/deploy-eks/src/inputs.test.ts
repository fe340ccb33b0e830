import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { controlCharacter } from '../../../core/image.js';
import { recordInputSource } from '../../../core/inputs.js';
import type { RunContext } from '../../../core/github.js';
import { getInputs } from './inputs.js';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'dockyard-eks-inputs-'));
  writeFileSync(
    join(ws, 'app.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: app, image: "web:v1" }] } } }\n'
  );
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
const env = () => ({ GITHUB_WORKSPACE: ws, AWS_REGION: 'us-east-1', GITHUB_ACTION: 'deploy' });
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
  it('names a default prune set per step and per manifests (the legs of a matrix differ in them)', () => {
    const web = read({ cluster: 'prod', manifests: 'app.yaml' }).set;
    expect(read({ cluster: 'prod', manifests: 'app.yaml\n' }).set).toBe(web);
    expect(read({ cluster: 'prod', manifests: 'a*.yaml' }).set).not.toBe(web);
    expect(read({ cluster: 'prod', manifests: 'app.yaml', namespace: 'shop' }).set).not.toBe(web);
  });

  it('reads the defaults, the manifest files, the managed-by and set labels and the run annotations', () => {
    const inputs = read({ cluster: 'prod', manifests: 'app.yaml', images: 'web=registry.local:5000/web:v2' });
    expect(inputs).toMatchObject({
      cluster: 'prod',
      region: 'us-east-1',
      namespace: 'default',
      manifestFiles: [realpathSync(join(ws, 'app.yaml'))],
      imageRules: [{ name: 'web', image: 'registry.local:5000/web:v2', line: 1 }],
      set: expect.stringMatching(/^app\.deploy\.deploy-[0-9a-f]{8}$/),
      prune: false,
      pruneCrds: false,
      prunePvcs: false,
      replaceRunningJobs: false,
      wait: true,
      // A Deployment's default progress deadline (600 s) and the reserve for explain and rollback fit in it.
      timeoutMs: 900_000,
      pollIntervalMs: 2000,
      grace: { failureMs: 90_000, unschedulableMs: 120_000 },
      rollback: true,
      forceConflicts: false,
      fieldManager: 'dockyard',
      dryRun: false
    });
    expect(inputs.labels).toEqual({
      'app.kubernetes.io/managed-by': 'dockyard',
      'dockyard.dev/set': inputs.set
    });
    expect(inputs.annotations).toEqual({
      'dockyard.dev/run': 'https://github.com/octo/app/actions/runs/42',
      'dockyard.dev/commit': '0123456789abcdef0123456789abcdef01234567'
    });
  });

  it('takes the grace periods as durations, and names the input of one that is not', () => {
    expect(
      read({ cluster: 'prod', manifests: 'app.yaml', 'failure-grace': '0s', 'unschedulable-grace': '5m' })
        .grace
    ).toEqual({ failureMs: 0, unschedulableMs: 300_000 });
    expect(() => read({ cluster: 'prod', manifests: 'app.yaml', 'failure-grace': 'soon' })).toThrow(
      /Input 'failure-grace': 'soon' is not a duration/
    );
  });

  it('takes a poll interval in the format deploy-ecs takes it', () => {
    expect(read({ cluster: 'prod', manifests: 'app.yaml', 'poll-interval': '500ms' }).pollIntervalMs).toBe(
      500
    );
    expect(problems({ cluster: 'prod', manifests: 'app.yaml', 'poll-interval': '50ms' })).toEqual([
      'poll-interval'
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

  it('a manifests line that names no file, or a kustomization that is not a directory, is an input problem', () => {
    expect(problems({ cluster: 'prod', manifests: 'app.yaml\nmissing/*.yaml' })).toEqual(['manifests']);
    expect(problems({ cluster: 'prod', kustomize: 'app.yaml' })).toEqual(['kustomize']);
  });

  const imagesError = (images: string) => {
    try {
      read({ cluster: 'prod', manifests: 'app.yaml', images });
    } catch (error) {
      return (error as InputError).message;
    }
    return undefined;
  };

  it.each([
    [
      'shop/web=registry.local:5000/shop/web:<v2>',
      "Input 'images': line 1 (shop/web): 'registry.local:5000/shop/web:<v2>' has a tag ('<v2>')"
    ],
    ['web=web:v1\nweb=web:v2', "Input 'images': line 2: 'web' is given twice."],
    ['web:v1=web:v2', "Input 'images': line 1: 'web:v1' is not an image name"],
    ['web=Registry/Web:v2', "Input 'images': line 1 (web): 'Registry/Web:v2' has a name ('Registry/Web')"],
    ['web=web@sha256:1234', "Input 'images': line 1 (web): 'web@sha256:1234' has a digest"],
    [
      'web=web:v2\r::add-mask::web',
      "Input 'images': line 1 (web): the image holds a control character (\\r)"
    ],
    [
      'web=web:v2\u001b[2K::add-mask::x',
      "Input 'images': line 1 (web): the image holds a control character (U+001B)"
    ],
    ['w\u0007eb=web:v2', "Input 'images': line 1: the name holds a control character (U+0007)"]
  ])('refuses the images line %j, naming images and the line', (images, message) => {
    const error = imagesError(images);
    expect(error).toContain(message);
    expect(error).not.toContain('add-mask');
    expect(controlCharacter(error ?? '')).toBeUndefined();
  });

  it('takes image references by tag, digest, registry port and IPv6 registry', () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    const images = [
      'web=123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2',
      `team/web=registry.local:5000/team/web@${digest}`,
      'registry.local:5000/team/api=[::1]:5000/team/api:1.2.3'
    ].join('\n');
    expect(read({ cluster: 'prod', manifests: 'app.yaml', images }).imageRules.map(r => r.name)).toEqual([
      'web',
      'team/web',
      'registry.local:5000/team/api'
    ]);
  });

  it('kustomize-remote goes with kustomize, and is off unless set', () => {
    expect(problems({ cluster: 'prod', manifests: 'app.yaml', 'kustomize-remote': 'true' })).toEqual([
      'kustomize-remote'
    ]);
    expect(read({ cluster: 'prod', kustomize: '.' }).kustomize).toEqual({
      dir: realpathSync(ws),
      text: '.',
      remote: false
    });
    expect(read({ cluster: 'prod', kustomize: '.', 'kustomize-remote': 'true' }).kustomize?.remote).toBe(
      true
    );
  });

  it('takes user labels and annotations, and a set name', () => {
    const inputs = read({
      cluster: 'prod',
      manifests: 'app.yaml',
      labels: 'team=payments',
      annotations: 'example.com/owner=Payments Team',
      'prune-set': 'web-prod'
    });
    expect(inputs.labels).toMatchObject({ team: 'payments', 'dockyard.dev/set': 'web-prod' });
    expect(inputs.annotations).toMatchObject({ 'example.com/owner': 'Payments Team' });
  });

  it.each([
    ['a custom kind by its group and path', 'CloneSet.apps.kruise.io=spec.template', undefined],
    ['the Rollout at another path', 'Rollout.argoproj.io=spec.workloadTemplate', undefined],
    ['no group', 'Rollout=spec.template', 'pod-template-kinds'],
    ['a built-in kind by name only', 'Deployment.apps=spec.template', 'pod-template-kinds'],
    ['a kind not in UpperCamelCase', 'rollout.argoproj.io=spec.template', 'pod-template-kinds'],
    ['a path that is not one', 'CloneSet.apps.kruise.io=spec..template', 'pod-template-kinds'],
    ['a control character', 'CloneSet.apps.kruise.io=spec.template\u0007', 'pod-template-kinds'],
    [
      'twice',
      'CloneSet.apps.kruise.io=spec.template\nCloneSet.apps.kruise.io=spec.template',
      'pod-template-kinds'
    ]
  ])('pod-template-kinds: %s', (_what, value, input) => {
    const values = { cluster: 'prod', manifests: 'app.yaml', 'pod-template-kinds': value };
    expect(problems(values)).toEqual(input ? [input] : []);
  });

  it('pod-template-kinds: a Rollout is known without a line; a line for it replaces its path', () => {
    expect(read({ cluster: 'prod', manifests: 'app.yaml' }).podTemplateKinds).toEqual([
      { kind: 'Rollout', group: 'argoproj.io', path: ['spec', 'template'] }
    ]);
    expect(
      read({
        cluster: 'prod',
        manifests: 'app.yaml',
        'pod-template-kinds': 'Rollout.argoproj.io=spec.workloadRef\nCloneSet.apps.kruise.io=spec.template'
      }).podTemplateKinds
    ).toEqual([
      { kind: 'Rollout', group: 'argoproj.io', path: ['spec', 'workloadRef'] },
      { kind: 'CloneSet', group: 'apps.kruise.io', path: ['spec', 'template'] }
    ]);
  });

  it.each([
    ['', { loadBalancers: false, volumes: false }],
    ['load-balancers', { loadBalancers: true, volumes: false }],
    ['volumes', { loadBalancers: false, volumes: true }],
    ['load-balancers, volumes', { loadBalancers: true, volumes: true }],
    ['volumes\nload-balancers', { loadBalancers: true, volumes: true }]
  ])('wait-for %j', (value, waitFor) => {
    expect(read({ cluster: 'prod', manifests: 'app.yaml', 'wait-for': value }).waitFor).toEqual(waitFor);
  });

  it.each([
    ['an unknown value', { 'wait-for': 'ingresses' }],
    ['with wait: false', { 'wait-for': 'volumes', wait: 'false' }]
  ])('wait-for: %s is refused, naming it', (_what, values) => {
    expect(problems({ cluster: 'prod', manifests: 'app.yaml', ...values })).toEqual(['wait-for']);
  });
});
