import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../../core/log.js';
import { virtualClock, type Clock } from '../../../core/poll.js';
import { waitForWorkload, waitForWorkloads, type WaitOptions } from './rollout.js';
import { FakeKube } from './testing/fake-kube.js';
import { crashLooping, deployment, event, GRACE, pod, replicaSet, running } from './testing/fixtures.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' };

/** A wait of `timeoutMs` on `clock`, polling every 2 s with the default graces. */
const waitOptions = (clock: Clock, timeoutMs: number, over: Partial<WaitOptions> = {}): WaitOptions => ({
  timeoutMs,
  intervalMs: 2000,
  clock,
  log: memoryLogger(),
  grace: GRACE,
  ...over
});

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
    const out = await waitForWorkload(kube, ref, waitOptions(clock, 600_000));
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
    const out = await waitForWorkload(kube, ref, waitOptions(clock, 600_000));
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
    const out = await waitForWorkload(kube, ref, waitOptions(clock, 600_000));
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
    const out = await waitForWorkload(kube, ref, waitOptions(clock, 600_000));
    expect(out.outcome).toBe('ready');
  });

  it('times out on the clock given, saying where the rollout stood', async () => {
    const { kube, clock } = world(() => {});
    const out = await waitForWorkload(kube, ref, waitOptions(clock, 10_000));
    expect(out).toMatchObject({ outcome: 'timeout', message: '1 old replicas pending termination' });
    expect(clock.now()).toBe(10_000);
  });

  it('a paused Deployment is failed at the first poll, saying what resumes it', async () => {
    const { kube, clock } = world(() => {});
    const paused = deployment('web', {
      revision: '2',
      generation: 2,
      replicas: 1,
      status: { observedGeneration: 2 }
    });
    (paused.spec as Record<string, unknown>).paused = true;
    kube.put(paused);
    const out = await waitForWorkload(kube, ref, waitOptions(clock, 600_000));
    expect(out.outcome).toBe('failed');
    expect(out.explanation?.rootCause).toBe(
      'Deployment default/web is paused (spec.paused): its new pod template is not rolled out until it is resumed (kubectl rollout resume deployment/web -n default)'
    );
    expect(clock.now()).toBe(0);
  });

  it('a wait that runs out of time is explained from its last poll: a readiness probe that never passed', async () => {
    const { kube, rs, clock } = world(() => {});
    const p = kube.put(pod('web-new-1', rs, [{ ...running('web:v2'), ready: false }]));
    kube.put(
      event(p, 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 3)
    );
    kube.logLines.set('default/web-new-1/app', ['listening on :8080']);
    const out = await waitForWorkload(kube, ref, waitOptions(clock, 10_000));
    expect(out.outcome).toBe('timeout');
    expect(out.explanation?.rootCause).toBe(
      'web: container app is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 503'
    );
  });

  it('stops at once when cancelled', async () => {
    const controller = new AbortController();
    const { kube, clock } = world((_k, n) => n === 2 && controller.abort());
    const out = await waitForWorkload(kube, ref, waitOptions(clock, 600_000, { signal: controller.signal }));
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
    const out = await waitForWorkloads(kube, [web, api, cron], waitOptions(clock, 600_000));
    expect(out.map(o => [o.ref.name, o.outcome])).toEqual([
      ['web', 'failed'],
      ['api', 'abandoned']
    ]);
  });
});
