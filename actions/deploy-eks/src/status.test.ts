import { describe, expect, it } from '@jest/globals';
import { deployment } from './testing/fixtures.js';
import { daemonSetState, jobState, rolloutState, statefulSetState } from './status.js';
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

  it('CronJob and other kinds are not waited for', () => {
    expect(rolloutState(workload('CronJob', {}, {})).state).toBe('done');
    expect(rolloutState(workload('ConfigMap', {}, {})).state).toBe('done');
  });
});
