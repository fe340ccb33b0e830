import { describe, expect, it } from '@jest/globals';
import { virtualClock } from '../../../core/poll.js';
import { deleteAndWait, finished, onlyImmutableSpec, runningJobRefusal } from './jobs.js';
import { KubeError, type KubeObject } from './kube.js';
import { FakeKube } from './testing/fake-kube.js';

const job = (status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', namespace: 'default', uid: 'uid-1' },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'app:v2' }] } }
  },
  status
});

/** The API server's answer to a changed Job template (pkg/apis/batch/validation), cut. */
const immutable = (causes: { field: string; message: string }[]) =>
  new KubeError(422, 'PATCH', '/apis/batch/v1/namespaces/default/jobs/migrate', {
    reason: 'Invalid',
    message:
      'Job.batch "migrate" is invalid: spec.template: Invalid value: core.PodTemplateSpec{…}: field is immutable',
    details: { causes: causes.map(c => ({ reason: 'FieldValueInvalid', ...c })) }
  });

describe('onlyImmutableSpec', () => {
  it.each([
    [
      'the template',
      [{ field: 'spec.template', message: 'Invalid value: core.PodTemplateSpec{}: field is immutable' }],
      true
    ],
    [
      'the template and completions',
      [
        { field: 'spec.template', message: 'Invalid value: core.PodTemplateSpec{}: field is immutable' },
        { field: 'spec.completions', message: 'Invalid value: 2: field is immutable' }
      ],
      true
    ],
    [
      'the template and a bad restart policy',
      [
        { field: 'spec.template', message: 'Invalid value: core.PodTemplateSpec{}: field is immutable' },
        { field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Always"' }
      ],
      false
    ]
  ])('%s: %s', (_name, causes, expected) => {
    expect(onlyImmutableSpec(immutable(causes), job())).toBe(expected);
  });

  it('is false for other kinds and other errors', () => {
    const error = immutable([{ field: 'spec.selector', message: 'field is immutable' }]);
    expect(onlyImmutableSpec(error, { ...job(), kind: 'Deployment' })).toBe(false);
    expect(onlyImmutableSpec(new Error('x'), job())).toBe(false);
  });
});

describe('finished', () => {
  it.each([
    [{ conditions: [{ type: 'Complete', status: 'True' }] }, true],
    [{ conditions: [{ type: 'Failed', status: 'True' }] }, true],
    [{ conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }], active: 1 }, false],
    [{ active: 1 }, false]
  ])('%j: %s', (status, expected) => {
    expect(finished(job(status))).toBe(expected);
  });

  it('says why a running Job is not replaced, naming replace-running-jobs', () => {
    const error = runningJobRefusal(job({ active: 2 }), 'k8s/job.yaml');
    expect(error.input).toBe('replace-running-jobs');
    expect(error.message).toContain('Job default/migrate (k8s/job.yaml) has not finished (2 active pods)');
  });
});

describe('deleteAndWait', () => {
  it('deletes this uid with foreground propagation and waits until it is gone', async () => {
    const kube = new FakeKube();
    const live = kube.put(job({ conditions: [{ type: 'Complete', status: 'True' }] }));
    await deleteAndWait(kube, live, { timeoutMs: 10_000, clock: virtualClock() });
    expect(kube.deletes).toEqual([
      expect.objectContaining({ name: 'migrate', propagationPolicy: 'Foreground', uid: 'uid-1' })
    ]);
  });

  it('says so when the Job is still there at the bound', async () => {
    const kube = new FakeKube();
    const live = kube.put(job());
    kube.delete = async () => true;
    await expect(deleteAndWait(kube, live, { timeoutMs: 5_000, clock: virtualClock() })).rejects.toThrow(
      'Job default/migrate was deleted to be replaced, but was still there after 5s'
    );
  });
});
