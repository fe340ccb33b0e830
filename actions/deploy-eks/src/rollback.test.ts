import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../../core/log.js';
import { virtualClock } from '../../../core/poll.js';
import { previousTemplate, rollbackDeployment } from './rollback.js';
import { FakeKube } from './testing/fake-kube.js';
import { deployment, replicaSet } from './testing/fixtures.js';

describe('rollbackDeployment', () => {
  it('applies the previous revision pod template with the deploy field manager and waits for it', async () => {
    const kube = new FakeKube();
    const sent = deployment('web', { image: 'web:v2', replicas: 2 });
    delete (sent as { status?: unknown }).status;
    const live = kube.put(deployment('web', { image: 'web:v2', revision: '3', generation: 2 }));
    kube.put(replicaSet(live, '1', 'one', 'web:v0'));
    kube.put(replicaSet(live, '2', 'two', 'web:v1'));
    kube.put(replicaSet(live, '3', 'three', 'web:v2'));
    // The controller: once the template is back, the rollout completes.
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
    const result = await rollbackDeployment(kube, sent, live, {
      fieldManager: 'dockyard',
      timeoutMs: 60_000,
      intervalMs: 2000,
      clock: virtualClock(),
      log: memoryLogger()
    });
    expect(result).toEqual({
      ok: true,
      revision: '2',
      message: 'Deployment default/web rolled back to revision 2.'
    });
    const call = kube.applies[0];
    expect(call.fieldManager).toBe('dockyard');
    expect(call.force).toBe(true);
    const template = (
      call.object.spec as {
        template: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } };
      }
    ).template;
    expect(template.spec.containers[0].image).toBe('web:v1');
    expect(template.metadata.labels).toEqual({ app: 'web' });
    // Everything else is what the deploy applied, so the manager keeps owning the same fields.
    expect((call.object.spec as { replicas: number }).replicas).toBe(2);
    expect(call.object.metadata.labels).toEqual(sent.metadata.labels);
  });

  it('says so when there is no previous revision', async () => {
    const kube = new FakeKube();
    const live = kube.put(deployment('web', { revision: '1' }));
    kube.put(replicaSet(live, '1', 'one', 'web:v1'));
    expect(await previousTemplate(kube, live)).toBeUndefined();
    const result = await rollbackDeployment(kube, live, live, {
      fieldManager: 'dockyard',
      timeoutMs: 1000,
      intervalMs: 2000,
      clock: virtualClock(),
      log: memoryLogger()
    });
    expect(result).toEqual({
      ok: false,
      message: 'Deployment default/web has no previous revision to roll back to.'
    });
    expect(kube.applies).toEqual([]);
  });
});
