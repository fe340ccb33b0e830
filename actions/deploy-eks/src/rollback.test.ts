import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../../core/log.js';
import { virtualClock } from '../../../core/poll.js';
import type { Applied } from './apply.js';
import type { KubeObject } from './kube.js';
import { changedTemplate, rollBackWorkload } from './rollback.js';
import type { WorkloadOutcome } from './rollout.js';
import { FakeKube } from './testing/fake-kube.js';
import { crashLooping, deployment, GRACE, pod, running } from './testing/fixtures.js';

type Template = { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } };
const templateOf = (o: KubeObject) => (o.spec as { template: Template }).template;
const options = {
  fieldManager: 'dockyard',
  timeoutMs: 60_000,
  intervalMs: 2000,
  log: memoryLogger(),
  grace: GRACE
};

/** What the apply phase recorded for `web`: before (v1, revision 3), as sent and as answered (v2). */
function appliedWeb(kube: FakeKube, sent: KubeObject = deployment('web', { image: 'web:v2' })): Applied {
  const before = deployment('web', { image: 'web:v1', revision: '3', generation: 4 });
  const live = kube.put(deployment('web', { image: 'web:v2', revision: '4', generation: 5 }));
  delete (sent as { status?: unknown }).status;
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' };
  return { sent, live, before, result: { ...ref, action: 'configured' } };
}

const failedOf = (a: Applied): WorkloadOutcome => ({
  ref: { apiVersion: a.live.apiVersion, kind: a.live.kind, namespace: 'default', name: a.live.metadata.name },
  outcome: 'failed',
  message: 'm',
  live: a.live
});

/** The controller: once a template is applied, the rollout completes. */
function completes(kube: FakeKube): void {
  kube.onApply = o =>
    kube.put({
      ...o,
      status: {
        observedGeneration: o.metadata.generation,
        replicas: 2,
        updatedReplicas: 2,
        availableReplicas: 2
      }
    });
}

describe('rollBackWorkload', () => {
  it('puts back the template the Deployment had before this run, under the deploy field manager, and waits', async () => {
    const kube = new FakeKube();
    completes(kube);
    const applied = appliedWeb(kube);
    const result = await rollBackWorkload(kube, applied, failedOf(applied), {
      ...options,
      clock: virtualClock()
    });
    expect(result).toEqual({
      ok: true,
      revision: '3',
      message: 'Deployment default/web rolled back to revision 3.'
    });
    const [call] = kube.applies;
    expect(call).toMatchObject({ fieldManager: 'dockyard', force: true });
    expect(templateOf(call.object).spec.containers[0].image).toBe('web:v1');
    // Everything else is what the deploy applied, so the manager keeps owning the same fields.
    expect((call.object.spec as { replicas: number }).replicas).toBe(2);
    expect(call.object.metadata.labels).toEqual(applied.sent.metadata.labels);
  });

  it('sends no replicas when the deploy sent none (an autoscaler owns them)', async () => {
    const kube = new FakeKube();
    completes(kube);
    const sent = deployment('web', { image: 'web:v2' });
    delete (sent.spec as { replicas?: number }).replicas;
    const applied = appliedWeb(kube, sent);
    await rollBackWorkload(kube, applied, failedOf(applied), { ...options, clock: virtualClock() });
    expect(kube.applies[0].object.spec).not.toHaveProperty('replicas');
  });

  it.each([
    [
      'not changed by this run',
      (a: Applied) => ({ ...a, before: a.live }),
      'was not changed by this run: it is not rolled back.'
    ],
    [
      'created by this run',
      (a: Applied) => ({ ...a, before: undefined }),
      'was created by this run: nothing ran before it to go back to.'
    ],
    [
      'paused',
      (a: Applied) => ({ ...a, live: { ...a.live, spec: { ...(a.live.spec as object), paused: true } } }),
      'is paused: nothing of this run was rolled out.'
    ]
  ])('%s: left alone, said, nothing written', async (_case, change, words) => {
    const kube = new FakeKube();
    const applied = change(appliedWeb(kube));
    const result = await rollBackWorkload(kube, applied, failedOf(applied), {
      ...options,
      clock: virtualClock()
    });
    expect(result).toEqual({ ok: false, skipped: true, message: `Deployment default/web ${words}` });
    expect(kube.applies).toEqual([]);
  });

  it('a template that only this run’s replicas changed is not a change to roll back', () => {
    const kube = new FakeKube();
    const applied = appliedWeb(kube);
    expect(changedTemplate(applied)).toBe(true);
    expect(changedTemplate({ ...applied, before: deployment('web', { image: 'web:v2', replicas: 5 }) })).toBe(
      false
    );
  });

  it('a StatefulSet: the template back, then its pod stuck at the bad revision deleted so the old one runs again', async () => {
    const kube = new FakeKube();
    const sts = (image: string, revision: string, generation: number): KubeObject => ({
      ...deployment('db', { image, generation }),
      kind: 'StatefulSet',
      metadata: { ...deployment('db').metadata, uid: 'uid-sts-db', generation },
      status: {
        observedGeneration: generation,
        replicas: 2,
        readyReplicas: 1,
        currentRevision: 'db-old',
        updateRevision: revision
      }
    });
    const before = sts('db:v1', 'db-old', 1);
    const live = kube.put(sts('db:crashloop', 'db-bad', 2));
    const owner = { ...live, metadata: { ...live.metadata } };
    const member = (name: string, revision: string, containers: Parameters<typeof pod>[2]) => {
      const p = pod(name, owner, containers);
      p.metadata.labels = { app: 'db', 'controller-revision-hash': revision };
      p.status!.conditions = [{ type: 'Ready', status: String(containers.every(c => c.ready)) }];
      return kube.put(p);
    };
    member('db-0', 'db-old', [running('db:v1')]);
    member('db-1', 'db-bad', [crashLooping('db:crashloop', 3)]);
    kube.onApply = o => {
      // The controller: the old template is the update revision again; once db-1 is gone, both pods are ready.
      kube.put({
        ...o,
        status: {
          ...(live.status as object),
          observedGeneration: o.metadata.generation,
          updateRevision: 'db-old'
        }
      });
    };
    const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'default', name: 'db' };
    const onDelete = kube.delete.bind(kube);
    kube.delete = async podRef => {
      const gone = await onDelete(podRef);
      const now = (await kube.get(ref))!;
      kube.put({
        ...now,
        status: { ...(now.status as object), readyReplicas: 2, updatedReplicas: 2, currentRevision: 'db-old' }
      });
      return gone;
    };
    const applied: Applied = {
      sent: sts('db:crashloop', '', 2),
      live,
      before,
      result: { ...ref, action: 'configured' }
    };
    const result = await rollBackWorkload(kube, applied, failedOf(applied), {
      ...options,
      clock: virtualClock()
    });
    expect(kube.deletes.map(d => d.name)).toEqual(['db-1']);
    expect(result).toEqual({
      ok: true,
      revision: 'db-old',
      message: 'StatefulSet default/db rolled back to revision db-old (stuck pod db-1 replaced).'
    });
    expect(templateOf(kube.applies[0].object).spec.containers[0].image).toBe('db:v1');
  });
});
