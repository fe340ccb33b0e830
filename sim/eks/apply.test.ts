import { describe, expect, it } from '@jest/globals';
import {
  conflictMessage,
  fieldSet,
  fieldsV1,
  jsonPatch,
  mergePatch,
  parseFieldsV1,
  PatchError,
  serverSideApply,
  strategicMergePatch,
  updateOwnership,
  writtenManagers,
  type JsonObject,
  type ManagerEntry
} from './apply.js';

const NOW = '2026-12-06T10:00:00Z';

function deployment(image: string, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image, args: ['--port', '80'] }] }
      },
      ...extra
    }
  };
}

function apply(
  live: JsonObject | undefined,
  managers: ManagerEntry[],
  applied: JsonObject,
  manager: string,
  force = false
) {
  const result = serverSideApply({ live, managers, applied, manager, force, now: NOW });
  return result;
}

function ok(result: ReturnType<typeof apply>) {
  if (!result.ok) throw new Error(`conflicts: ${JSON.stringify(result.conflicts)}`);
  return result;
}

describe('field sets', () => {
  it('names fields as Kubernetes prints them: list items by key, atomic lists whole', () => {
    const keys = [...fieldSet(deployment('nginx:1')).keys()];
    expect(keys).toEqual(
      expect.arrayContaining([
        '.metadata.labels.app',
        '.spec.replicas',
        '.spec.template.spec.containers[name="app"]',
        '.spec.template.spec.containers[name="app"].image',
        '.spec.template.spec.containers[name="app"].args'
      ])
    );
    expect(keys).not.toContain('.metadata.name');
    expect(keys).not.toContain('.apiVersion');
    expect(keys.some(k => k.includes('args['))).toBe(false);
  });

  it('keys container ports by port and protocol (TCP when unset) and Service ports by port', () => {
    const pod = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } };
    expect([...fieldSet(pod).keys()]).toContain(
      '.spec.containers[name="a"].ports[containerPort=80,protocol="TCP"].containerPort'
    );
    const svc = { spec: { ports: [{ port: 443, targetPort: 8443 }] } };
    expect([...fieldSet(svc).keys()]).toContain('.spec.ports[port=443,protocol="TCP"].targetPort');
  });

  it('reads fieldsV1 back into the same paths, and takes managedFields a client writes as the ownership', () => {
    const fields = fieldSet(deployment('nginx:1', { strategy: {} }));
    expect([...parseFieldsV1(fieldsV1(fields)).keys()].sort()).toEqual([...fields.keys()].sort());
    const written = writtenManagers([
      {
        manager: 'dockyard',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: NOW,
        fieldsV1: fieldsV1(fields)
      },
      { manager: 'kube-controller-manager', operation: 'Update', subresource: 'scale', fieldsV1: {} },
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        subresource: 'status',
        fieldsV1: { 'f:status': {} }
      },
      { operation: 'Update', fieldsV1: {} }
    ]);
    expect(written?.map(e => [e.manager, e.operation, e.subresource, e.fields.size])).toEqual([
      ['dockyard', 'Apply', undefined, fields.size],
      ['kubectl-client-side-apply', 'Update', 'status', 1]
    ]);
    // An absent or empty list keeps the live ownership (managedfields FieldManager.Update).
    expect(writtenManagers([])).toBeUndefined();
    expect(writtenManagers(undefined)).toBeUndefined();
  });

  it('renders fieldsV1 in the real format', () => {
    const v1 = fieldsV1(
      fieldSet({ spec: { template: { spec: { containers: [{ name: 'app', image: 'x' }] } } } })
    );
    expect(v1).toEqual({
      'f:spec': {
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } }
        }
      }
    });
  });
});

describe('server-side apply', () => {
  it('creates, then owns exactly what it applied', () => {
    const first = ok(apply(undefined, [], deployment('nginx:1'), 'dockyard'));
    expect((first.object.spec as JsonObject).replicas).toBe(2);
    expect(first.managers).toHaveLength(1);
    expect(first.managers[0]).toMatchObject({
      manager: 'dockyard',
      operation: 'Apply',
      apiVersion: 'apps/v1'
    });
    expect(first.managers[0].fields.has('.spec.replicas')).toBe(true);
  });

  it('reports a conflict naming the other manager and the field when the value differs', () => {
    const first = ok(apply(undefined, [], deployment('nginx:1'), 'dockyard'));
    const result = apply(first.object, first.managers, deployment('nginx:2'), 'someone-else');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.conflicts).toMatchObject([
      { manager: 'dockyard', field: '.spec.template.spec.containers[name="app"].image', operation: 'Apply' }
    ]);
    // An applier is named alone (managedfields conflict.go printManager).
    expect(conflictMessage(result.conflicts)).toBe(
      'Apply failed with 1 conflict: conflict with "dockyard": .spec.template.spec.containers[name="app"].image'
    );
  });

  it('names an Update manager with its subresource and API version, as the HPA meets an apply', () => {
    const hpa = { manager: 'kube-controller-manager', field: '.spec.replicas', operation: 'Update' as const };
    expect(conflictMessage([{ ...hpa, apiVersion: 'apps/v1', subresource: 'scale' }])).toBe(
      'Apply failed with 1 conflict: conflict with "kube-controller-manager" with subresource "scale" using apps/v1: .spec.replicas'
    );
  });

  it('shares ownership without conflict when the other manager applies the same value', () => {
    const first = ok(apply(undefined, [], deployment('nginx:1'), 'dockyard'));
    const second = ok(apply(first.object, first.managers, deployment('nginx:1'), 'other'));
    expect(second.managers.map(m => m.manager)).toEqual(['dockyard', 'other']);
    expect(second.managers.every(m => m.fields.has('.spec.replicas'))).toBe(true);
  });

  it('with force takes the field from the other manager', () => {
    const first = ok(apply(undefined, [], deployment('nginx:1'), 'dockyard'));
    const forced = ok(apply(first.object, first.managers, deployment('nginx:2'), 'other', true));
    const image = '.spec.template.spec.containers[name="app"].image';
    expect(forced.managers.find(m => m.manager === 'dockyard')!.fields.has(image)).toBe(false);
    expect(forced.managers.find(m => m.manager === 'other')!.fields.has(image)).toBe(true);
    const spec = forced.object.spec as { template: { spec: { containers: { image: string }[] } } };
    expect(spec.template.spec.containers[0].image).toBe('nginx:2');
  });

  it('lists several conflicts by manager', () => {
    const first = ok(apply(undefined, [], deployment('nginx:1'), 'dockyard'));
    const changed = deployment('nginx:2');
    (changed.spec as JsonObject).replicas = 5;
    const result = apply(first.object, first.managers, changed, 'other');
    if (result.ok) throw new Error('expected conflicts');
    expect(conflictMessage(result.conflicts)).toBe(
      'Apply failed with 2 conflicts: conflicts with "dockyard":\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image'
    );
  });

  it('removes a field the manager stops applying, unless another manager owns it', () => {
    const first = ok(
      apply(undefined, [], deployment('nginx:1', { minReadySeconds: 5, paused: false }), 'dockyard')
    );
    const other = ok(
      apply(
        first.object,
        first.managers,
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { paused: false } },
        'hpa'
      )
    );
    const next = ok(apply(other.object, other.managers, deployment('nginx:1'), 'dockyard'));
    const spec = next.object.spec as JsonObject;
    expect(spec.minReadySeconds).toBeUndefined();
    expect(spec.paused).toBe(false);
  });

  it('merges associative lists by key: a container another manager added survives', () => {
    const first = ok(apply(undefined, [], deployment('nginx:1'), 'dockyard'));
    const sidecar = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'proxy', image: 'envoy:1' }] } } }
    };
    const second = ok(apply(first.object, first.managers, sidecar, 'mesh'));
    const third = ok(apply(second.object, second.managers, deployment('nginx:2'), 'dockyard'));
    const containers = (
      third.object.spec as { template: { spec: { containers: { name: string; image: string }[] } } }
    ).template.spec.containers;
    expect(containers.map(c => `${c.name}=${c.image}`)).toEqual(['app=nginx:2', 'proxy=envoy:1']);
  });

  it('drops a list item the manager stops applying', () => {
    const two = deployment('nginx:1');
    ((two.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers.push({
      name: 'old',
      image: 'x:1'
    });
    const first = ok(apply(undefined, [], two, 'dockyard'));
    const next = ok(apply(first.object, first.managers, deployment('nginx:1'), 'dockyard'));
    const containers = (next.object.spec as { template: { spec: { containers: { name: string }[] } } })
      .template.spec.containers;
    expect(containers.map(c => c.name)).toEqual(['app']);
  });

  it('gives an Update the fields it changed and takes them from the appliers, without conflict', () => {
    const first = ok(apply(undefined, [], deployment('nginx:1'), 'dockyard'));
    const scaled = JSON.parse(JSON.stringify(first.object)) as JsonObject;
    (scaled.spec as JsonObject).replicas = 4;
    const managers = updateOwnership(first.object, scaled, first.managers, 'kubectl-scale', 'apps/v1', NOW);
    expect(managers.find(m => m.manager === 'kubectl-scale')).toMatchObject({ operation: 'Update' });
    expect(managers.find(m => m.manager === 'kubectl-scale')!.fields.has('.spec.replicas')).toBe(true);
    expect(managers.find(m => m.manager === 'dockyard')!.fields.has('.spec.replicas')).toBe(false);
    // Now dockyard applying replicas: 2 again conflicts with the scaler.
    const result = apply(scaled, managers, deployment('nginx:1'), 'dockyard');
    expect(result.ok).toBe(false);
  });
});

describe('patches', () => {
  it('merge patch: null deletes, objects merge, lists replace', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { a: null, b: { c: 5 }, l: [3] })).toEqual({
      b: { c: 5, d: 3 },
      l: [3]
    });
  });

  it('strategic merge patch merges containers by name and honours $patch: delete', () => {
    const live = {
      spec: {
        containers: [
          { name: 'app', image: 'a:1' },
          { name: 'side', image: 's:1' }
        ]
      }
    };
    expect(strategicMergePatch(live, { spec: { containers: [{ name: 'app', image: 'a:2' }] } })).toEqual({
      spec: {
        containers: [
          { name: 'app', image: 'a:2' },
          { name: 'side', image: 's:1' }
        ]
      }
    });
    expect(strategicMergePatch(live, { spec: { containers: [{ name: 'side', $patch: 'delete' }] } })).toEqual(
      {
        spec: { containers: [{ name: 'app', image: 'a:1' }] }
      }
    );
  });

  it('JSON patch replaces the template as kubectl rollout undo does, and tests values', () => {
    const live = { metadata: { annotations: { a: '1' } }, spec: { template: { x: 1 } } };
    const patched = jsonPatch(live, [
      { op: 'replace', path: '/spec/template', value: { y: 2 } },
      { op: 'replace', path: '/metadata/annotations', value: { b: '2' } },
      { op: 'add', path: '/spec/list', value: [] },
      { op: 'add', path: '/spec/list/-', value: 'z' }
    ]);
    expect(patched).toEqual({
      metadata: { annotations: { b: '2' } },
      spec: { template: { y: 2 }, list: ['z'] }
    });
    expect(() => jsonPatch(live, [{ op: 'test', path: '/spec/template/x', value: 2 }])).toThrow(PatchError);
    expect(() => jsonPatch(live, [{ op: 'replace', path: '/spec/missing', value: 1 }])).toThrow(PatchError);
  });
});
