import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../../core/log.js';
import {
  findAutoscalers,
  handOverReplicas,
  handoverManager,
  ownsReplicasAlone,
  withoutReplicas
} from './autoscaler.js';
import { KubeError, refKey, type KubeObject } from './kube.js';
import { deployment } from './testing/fixtures.js';
import { FakeKube } from './testing/fake-kube.js';

/** The HPA of the Kubernetes docs' walkthrough, targeting `name` in `default`. */
const hpa = (name: string, target: string, kind = 'Deployment'): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name, namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind, name: target },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }
    ]
  }
});

const key = (name: string, kind = 'Deployment') =>
  refKey({ apiVersion: 'apps/v1', kind, namespace: 'default', name });

describe('findAutoscalers', () => {
  it('finds the HPAs of the cluster and of the manifests, by their target', async () => {
    const kube = new FakeKube();
    kube.put(hpa('php-apache', 'php-apache'));
    kube.put(hpa('db', 'db', 'StatefulSet'));
    const found = await findAutoscalers(
      kube,
      [deployment('php-apache'), deployment('web'), hpa('web', 'web')],
      { log: memoryLogger() }
    );
    expect(found.get(key('php-apache'))).toBe('HorizontalPodAutoscaler default/php-apache');
    expect(found.get(key('web'))).toBe('HorizontalPodAutoscaler default/web');
    expect(found.get(key('db', 'StatefulSet'))).toBe('HorizontalPodAutoscaler default/db');
  });

  it('lists nothing when no object can be scaled, and warns once when listing is forbidden', async () => {
    const kube = new FakeKube();
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' }
    };
    let lists = 0;
    const list = kube.list.bind(kube);
    kube.list = async (...args) => {
      lists++;
      return list(...args);
    };
    expect((await findAutoscalers(kube, [cm], { log: memoryLogger() })).size).toBe(0);
    expect(lists).toBe(0);
    kube.list = async () => {
      throw new KubeError(403, 'GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', {
        message: 'horizontalpodautoscalers.autoscaling is forbidden'
      });
    };
    const log = memoryLogger();
    expect((await findAutoscalers(kube, [deployment('web')], { log })).size).toBe(0);
    expect(log.text()).toContain('warning: Could not list the HorizontalPodAutoscalers in default');
  });
});

describe('replicas and the handover', () => {
  const owned = (managers: { manager: string; operation: string; subresource?: string }[]) => {
    const d = deployment('web', { replicas: 4 });
    d.metadata.managedFields = managers.map(m => ({ ...m, fieldsV1: { 'f:spec': { 'f:replicas': {} } } }));
    return d;
  };

  it.each([
    ['only our apply', [{ manager: 'dockyard', operation: 'Apply' }], true],
    [
      'the autoscaler too',
      [
        { manager: 'dockyard', operation: 'Apply' },
        { manager: 'kube-controller-manager', operation: 'Update', subresource: 'scale' }
      ],
      false
    ],
    [
      'only the autoscaler',
      [{ manager: 'kube-controller-manager', operation: 'Update', subresource: 'scale' }],
      false
    ],
    ['nobody', [], false]
  ])('we own spec.replicas alone with %s: %s', (_name, managers, expected) => {
    expect(ownsReplicasAlone(owned(managers), 'dockyard')).toBe(expected);
  });

  it('hands the live count to a private manager, and takes a conflict as the autoscaler owning it', async () => {
    const kube = new FakeKube();
    await handOverReplicas(kube, deployment('web', { replicas: 4 }), 'dockyard');
    expect(kube.applies).toEqual([
      {
        object: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'default' },
          spec: { replicas: 4 }
        },
        fieldManager: 'dockyard-handover-to-hpa'
      }
    ]);
    kube.failApply = () => new KubeError(409, 'PATCH', '/x', { reason: 'Conflict' });
    await expect(handOverReplicas(kube, deployment('web'), 'dockyard')).resolves.toBeUndefined();
    expect(handoverManager('m'.repeat(140))).toHaveLength(128);
  });

  it('strips spec.replicas from a copy', () => {
    const d = deployment('web', { replicas: 2 });
    expect(withoutReplicas(d).spec).not.toHaveProperty('replicas');
    expect(d.spec).toHaveProperty('replicas', 2);
  });
});
