import { describe, expect, it } from '@jest/globals';
import { defaultSet, labelValue, validLabelValue, type SetOwner } from './labels.js';

const owner: SetOwner = {
  repository: 'octo/app',
  job: 'deploy',
  step: 'deploy-web',
  namespace: 'shop',
  manifests: 'k8s/web',
  kustomize: ''
};

describe('labels', () => {
  it('makes a valid label value from any text', () => {
    expect(labelValue('octo/app deploy')).toBe('octo-app-deploy');
    expect(labelValue('x'.repeat(80))).toMatch(/^x{54}-[0-9a-f]{8}$/);
  });
});

describe('defaultSet', () => {
  it('names the repository, job and step, with a hash of what is deployed where', () => {
    expect(defaultSet(owner)).toMatch(/^app\.deploy\.deploy-web-[0-9a-f]{8}$/);
    expect(defaultSet(owner)).toBe(defaultSet({ ...owner }));
  });

  it.each([
    ['another step of the job', { step: 'deploy-worker' }],
    ['a step without an id, used twice in the job', { step: '__octo_dockyard_2' }],
    ['a matrix leg with other manifests', { manifests: 'k8s/worker' }],
    ['a matrix leg into another namespace', { namespace: 'shop-eu' }],
    ['a kustomization', { kustomize: 'overlays/prod' }],
    ['another job', { job: 'deploy-staging' }]
  ])('differs for %s', (_name, change) => {
    expect(defaultSet({ ...owner, ...change })).not.toBe(defaultSet(owner));
  });

  it('is a valid label value whatever the names', () => {
    const long = defaultSet({ ...owner, repository: 'o/' + 'r'.repeat(90), step: '__octo_dockyard' });
    expect(validLabelValue(long)).toBe(true);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(validLabelValue(defaultSet({ ...owner, job: '', step: '' }))).toBe(true);
  });
});
