import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../../core/log.js';
import { virtualClock } from '../../../core/poll.js';
import { waitForWorkload, waitForWorkloads, selectorString } from './rollout.js';
import { FakeKube } from './testing/fake-kube.js';
import { crashLooping, deployment, pod, replicaSet, running } from './testing/fixtures.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' };

/** A Deployment at revision 2 whose new ReplicaSet has one pod; `step(n)` changes the world before poll n. */
function world(step: (kube: FakeKube, poll: number, now: number) => void) {
  const kube = new FakeKube();
  const web = kube.put(
    deployment('web', {
      revision: '2',
      generation: 2,
      replicas: 1,
      status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 }
    })
  );
  kube.put(replicaSet(web, '1', 'old', 'web:v1'));
  const rs = kube.put(replicaSet(web, '2', 'new', 'web:v2'));
  let polls = 0;
  const clock = virtualClock(0, (_ms, now) => step(kube, ++polls, now));
  return { kube, web, rs, clock };
}

describe('waitForWorkload', () => {
  it('fails a crash-looping rollout on the first poll that sees CrashLoopBackOff, long before the progress deadline', async () => {
    const { kube, rs, clock } = world((k, n) => {
      if (n === 2) k.put(pod('web-new-1', rs, [running('web:v2')]));
      if (n === 3) k.put(pod('web-new-1', rs, [crashLooping('web:v2')]));
    });
    kube.logLines.set('default/web-new-1/app/previous', ['starting', 'panic: cannot connect to database']);
    const out = await waitForWorkload(kube, ref, {
      timeoutMs: 600_000,
      intervalMs: 2000,
      clock,
      log: memoryLogger()
    });
    expect(out.outcome).toBe('failed');
    expect(out.detectedAt).toBe(6000);
    expect(out.explanation?.rootCause).toBe(
      'web: container app CrashLoopBackOff (exit 1): panic: cannot connect to database'
    );
  });

  it('does not fail a pod that crashes once and then becomes ready', async () => {
    const { kube, rs, clock } = world((k, n) => {
      if (n === 1)
        k.put(
          pod('web-new-1', rs, [
            { ...running('web:v2'), ready: false, state: { terminated: { reason: 'Error', exitCode: 1 } } }
          ])
        );
      if (n === 2) k.put(pod('web-new-1', rs, [running('web:v2', 1)]));
      if (n === 3) {
        const d = deployment('web', {
          revision: '2',
          generation: 2,
          replicas: 1,
          status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }
        });
        k.put(d);
      }
    });
    const out = await waitForWorkload(kube, ref, {
      timeoutMs: 600_000,
      intervalMs: 2000,
      clock,
      log: memoryLogger()
    });
    expect(out.outcome).toBe('ready');
  });

  it('only looks at the pods of the new revision: an old pod crash-looping is not this rollout failing', async () => {
    const { kube, web, clock } = world((k, n) => {
      if (n === 2)
        k.put(
          deployment('web', {
            revision: '2',
            generation: 2,
            replicas: 1,
            status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }
          })
        );
    });
    kube.put(pod('web-old-1', replicaSet(web, '1', 'old', 'web:v1'), [crashLooping('web:v1', 5)]));
    const out = await waitForWorkload(kube, ref, {
      timeoutMs: 600_000,
      intervalMs: 2000,
      clock,
      log: memoryLogger()
    });
    expect(out.outcome).toBe('ready');
  });

  it('does not judge pods before the controller has seen the new generation (they are the previous revision)', async () => {
    const { kube, rs, clock } = world((k, n) => {
      if (n === 2)
        k.put(
          deployment('web', {
            revision: '2',
            generation: 3,
            replicas: 1,
            status: { observedGeneration: 3, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }
          })
        );
    });
    kube.put(
      deployment('web', { revision: '2', generation: 3, replicas: 1, status: { observedGeneration: 2 } })
    );
    kube.put(pod('web-new-1', rs, [crashLooping('web:v2')]));
    const out = await waitForWorkload(kube, ref, {
      timeoutMs: 600_000,
      intervalMs: 2000,
      clock,
      log: memoryLogger()
    });
    expect(out.outcome).toBe('ready');
  });

  it('times out on the clock given, saying where the rollout stood', async () => {
    const { kube, clock } = world(() => {});
    const out = await waitForWorkload(kube, ref, {
      timeoutMs: 10_000,
      intervalMs: 2000,
      clock,
      log: memoryLogger()
    });
    expect(out).toMatchObject({ outcome: 'timeout', message: '1 old replicas pending termination' });
    expect(clock.now()).toBe(10_000);
  });

  it('stops at once when cancelled', async () => {
    const controller = new AbortController();
    const { kube, clock } = world((_k, n) => n === 2 && controller.abort());
    const out = await waitForWorkload(kube, ref, {
      timeoutMs: 600_000,
      intervalMs: 2000,
      clock,
      signal: controller.signal,
      log: memoryLogger()
    });
    expect(out.outcome).toBe('cancelled');
    expect(clock.now()).toBe(4000);
  });
});

describe('waitForWorkloads', () => {
  it('waits for all in parallel; the first failure stops the others, which are reported abandoned', async () => {
    const { kube, rs, web, clock } = world((k, n) => {
      if (n === 1) k.put(pod('web-new-1', rs, [crashLooping('web:v2')]));
    });
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'default' }
    };
    const api = kube.put(
      deployment('api', { revision: '1', replicas: 1, status: { observedGeneration: 0 } })
    );
    const out = await waitForWorkloads(kube, [web, api, cron], {
      timeoutMs: 600_000,
      intervalMs: 2000,
      clock,
      log: memoryLogger()
    });
    expect(out.map(o => [o.ref.name, o.outcome])).toEqual([
      ['web', 'failed'],
      ['api', 'abandoned']
    ]);
  });
});

describe('selectorString', () => {
  it('writes matchLabels and matchExpressions as a labelSelector', () => {
    expect(
      selectorString(
        {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['a', 'b'] },
            { key: 'x', operator: 'Exists' },
            { key: 'y', operator: 'DoesNotExist' }
          ]
        },
        { 'pod-template-hash': 'abc' }
      )
    ).toBe('app=web,pod-template-hash=abc,tier in (a,b),x,!y');
  });
});
