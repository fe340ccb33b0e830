import { describe, expect, it } from '@jest/globals';
import { deployment } from './testing/fixtures.js';
import {
  currentDaemonPods,
  daemonSetState,
  jobState,
  missingPods,
  progressDeadlineMs,
  replicaFailure,
  rolloutState,
  statefulSetState
} from './status.js';
import type { KubeObject } from './kube.js';

const workload = (
  kind: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  generation = 1
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'w', generation },
  spec,
  status
});

describe('rollout rules (kubectl rollout status)', () => {
  it('Deployment: waits for the new generation to be observed, then updated, old gone, available', () => {
    const d = (status: Record<string, unknown>, generation = 2) =>
      rolloutState(deployment('web', { replicas: 3, generation, status }));
    expect(d({ observedGeneration: 1 })).toMatchObject({
      state: 'progressing',
      message: expect.stringContaining('observed')
    });
    expect(d({ observedGeneration: 2, updatedReplicas: 1, replicas: 3 })).toMatchObject({
      state: 'progressing',
      message: '1 of 3 updated replicas'
    });
    expect(d({ observedGeneration: 2, updatedReplicas: 3, replicas: 4 })).toMatchObject({
      message: '1 old replicas pending termination'
    });
    expect(d({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).toMatchObject(
      { message: '2 of 3 updated replicas available' }
    );
    expect(d({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }).state).toBe(
      'done'
    );
  });

  it('Deployment: ProgressDeadlineExceeded fails it', () => {
    const state = rolloutState(
      deployment('web', {
        status: {
          observedGeneration: 1,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: 'ReplicaSet "web-1" has timed out progressing.'
            }
          ]
        }
      })
    );
    expect(state).toEqual({
      state: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "web-1" has timed out progressing.'
    });
  });

  it('StatefulSet: ready replicas, then the update revision becomes current; partitions; OnDelete not waited', () => {
    const spec = { replicas: 2 };
    expect(
      statefulSetState(workload('StatefulSet', spec, { observedGeneration: 1, readyReplicas: 1 }))
    ).toMatchObject({ state: 'progressing', message: '1 of 2 pods ready' });
    expect(
      statefulSetState(
        workload('StatefulSet', spec, {
          observedGeneration: 1,
          readyReplicas: 2,
          currentRevision: 'a',
          updateRevision: 'b',
          updatedReplicas: 1
        })
      ).state
    ).toBe('progressing');
    expect(
      statefulSetState(
        workload('StatefulSet', spec, {
          observedGeneration: 1,
          readyReplicas: 2,
          currentRevision: 'b',
          updateRevision: 'b'
        })
      ).state
    ).toBe('done');
    const partitioned = {
      replicas: 4,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }
    };
    expect(
      statefulSetState(
        workload('StatefulSet', partitioned, { observedGeneration: 1, readyReplicas: 4, updatedReplicas: 1 })
      ).state
    ).toBe('progressing');
    expect(
      statefulSetState(
        workload('StatefulSet', partitioned, { observedGeneration: 1, readyReplicas: 4, updatedReplicas: 2 })
      ).state
    ).toBe('done');
    expect(
      statefulSetState(workload('StatefulSet', { updateStrategy: { type: 'OnDelete' } }, {})).state
    ).toBe('done');
  });

  it('DaemonSet: updated pods scheduled, then available', () => {
    expect(
      daemonSetState(
        workload(
          'DaemonSet',
          {},
          { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 2 }
        )
      ).state
    ).toBe('progressing');
    expect(
      daemonSetState(
        workload(
          'DaemonSet',
          {},
          { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 }
        )
      ).state
    ).toBe('progressing');
    expect(
      daemonSetState(
        workload(
          'DaemonSet',
          {},
          { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }
        )
      ).state
    ).toBe('done');
    expect(daemonSetState(workload('DaemonSet', {}, { observedGeneration: 0 }, 1)).state).toBe('progressing');
  });

  it("DaemonSet: its current template's pods, by template generation or by a current pod's revision hash", () => {
    const ds = workload('DaemonSet', {}, {});
    ds.metadata.annotations = { 'deprecated.daemonset.template.generation': '3' };
    const daemonPod = (name: string, generation: string, hash: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { 'pod-template-generation': generation, 'controller-revision-hash': hash } }
    });
    const pods = [
      daemonPod('new', '3', 'aaa'),
      daemonPod('rolled-back-to', '1', 'aaa'),
      daemonPod('old', '2', 'bbb')
    ];
    expect(currentDaemonPods(ds, pods).map(p => p.metadata.name)).toEqual(['new', 'rolled-back-to']);
    expect(currentDaemonPods(workload('DaemonSet', {}, {}), pods)).toEqual([]);
  });

  it('Job: Complete or Failed, nothing else ends it', () => {
    expect(jobState(workload('Job', {}, { active: 1 })).state).toBe('progressing');
    expect(
      jobState(workload('Job', {}, { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 }))
        .state
    ).toBe('done');
    expect(
      jobState(
        workload(
          'Job',
          {},
          {
            conditions: [
              {
                type: 'Failed',
                status: 'True',
                reason: 'BackoffLimitExceeded',
                message: 'Job has reached the specified backoff limit'
              }
            ]
          }
        )
      )
    ).toEqual({
      state: 'failed',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit'
    });
  });

  it('Deployment: paused is said at once, whatever its status', () => {
    const paused = deployment('web', { status: { observedGeneration: 0 } });
    (paused.spec as Record<string, unknown>).paused = true;
    expect(rolloutState(paused)).toEqual({
      state: 'paused',
      message: 'paused (spec.paused): no new pods until it is resumed'
    });
  });

  it("Deployment: ReplicaFailure (the new ReplicaSet's, copied by the controller) gives the refusal", () => {
    const refusal =
      'pods "web-7d4b9c-x2x4z" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2';
    const failing = deployment('web', {
      status: {
        observedGeneration: 1,
        conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: refusal }]
      }
    });
    expect(replicaFailure(failing)).toBe(refusal);
    expect(rolloutState(failing).state).toBe('progressing');
    expect(replicaFailure(deployment('web'))).toBeUndefined();
  });

  it('progressDeadlineMs: the spec, or the default 600 s; none for other kinds', () => {
    expect(progressDeadlineMs(deployment('web'))).toBe(600_000);
    const quick = deployment('web');
    (quick.spec as Record<string, unknown>).progressDeadlineSeconds = 120;
    expect(progressDeadlineMs(quick)).toBe(120_000);
    expect(progressDeadlineMs(workload('StatefulSet', {}, {}))).toBeUndefined();
  });

  it('missingPods: a StatefulSet, DaemonSet or Job with fewer pods than it wants', () => {
    expect(missingPods(workload('StatefulSet', { replicas: 3 }, { replicas: 2 }))).toBe(true);
    expect(missingPods(workload('StatefulSet', { replicas: 3 }, { replicas: 3 }))).toBe(false);
    expect(
      missingPods(workload('DaemonSet', {}, { desiredNumberScheduled: 3, currentNumberScheduled: 1 }))
    ).toBe(true);
    expect(missingPods(workload('Job', { parallelism: 2, completions: 4 }, { succeeded: 3 }))).toBe(true);
    expect(
      missingPods(workload('Job', { parallelism: 2, completions: 4 }, { succeeded: 3, active: 1 }))
    ).toBe(false);
    expect(
      missingPods(workload('Job', {}, { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 }))
    ).toBe(false);
    expect(missingPods(workload('Job', { suspend: true }, {}))).toBe(false);
    expect(missingPods(deployment('web'))).toBe(false);
  });

  it('Job: FailureTarget (1.31+ sets it before Failed) fails it already', () => {
    const failing = workload(
      'Job',
      {},
      {
        conditions: [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit'
          }
        ]
      }
    );
    expect(jobState(failing)).toMatchObject({ state: 'failed', reason: 'BackoffLimitExceeded' });
  });

  it('CronJob and other kinds are not waited for', () => {
    expect(rolloutState(workload('CronJob', {}, {})).state).toBe('done');
    expect(rolloutState(workload('ConfigMap', {}, {})).state).toBe('done');
  });
});
