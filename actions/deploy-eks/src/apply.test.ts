import { describe, expect, it } from '@jest/globals';
import { DockyardError } from '../../../core/errors.js';
import { memoryLogger } from '../../../core/log.js';
import { applyAll, diff, redactSecret } from './apply.js';
import { KubeError, type KubeObject } from './kube.js';
import { FakeKube } from './testing/fake-kube.js';

const m = (object: KubeObject, source = 'k8s/app.yaml') => ({ object, source });
const options = {
  namespace: 'default',
  fieldManager: 'dockyard',
  force: false,
  dryRun: false,
  log: memoryLogger()
};
const cm = (
  name: string,
  data: Record<string, string>,
  annotations: Record<string, string> = {}
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, annotations },
  data
});

describe('applyAll', () => {
  it('applies Namespaces, then CRDs (waited until Established), then the rest in manifest order', async () => {
    const kube = new FakeKube();
    kube.onApply = o => {
      if (o.kind === 'CustomResourceDefinition')
        kube.put({ ...o, status: { conditions: [{ type: 'Established', status: 'True' }] } });
    };
    await applyAll(
      kube,
      [
        m(cm('a', {})),
        m({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'widgets.example.com' }
        }),
        m({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
        m(cm('b', {}))
      ],
      options
    );
    expect(kube.applies.map(a => a.object.metadata.name)).toEqual(['shop', 'widgets.example.com', 'a', 'b']);
    expect(kube.applies.every(a => a.fieldManager === 'dockyard' && !a.force)).toBe(true);
  });

  it('fills the namespace of namespaced objects only, and says created, configured or unchanged', async () => {
    const kube = new FakeKube();
    const first = await applyAll(
      kube,
      [
        m(cm('a', { x: '1' }, { 'dockyard.dev/run': 'run/1' })),
        m({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', namespace: 'x' } })
      ],
      options
    );
    expect(first.map(a => [a.sent.metadata.namespace, a.result.action])).toEqual([
      [undefined, 'created'],
      ['default', 'created']
    ]);
    // Only the run annotation changed: unchanged. Data changed: configured, with the change.
    const again = await applyAll(kube, [m(cm('a', { x: '1' }, { 'dockyard.dev/run': 'run/2' }))], options);
    expect(again[0].result.action).toBe('unchanged');
    const changed = await applyAll(kube, [m(cm('a', { x: '2' }, { 'dockyard.dev/run': 'run/3' }))], options);
    expect(changed[0].result).toMatchObject({ action: 'configured', changes: ['data.x: "1" → "2"'] });
  });

  it('reports a field-manager conflict with the other manager and the field, naming force-conflicts', async () => {
    const kube = new FakeKube();
    kube.failApply = () =>
      new KubeError(409, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web', {
        message:
          'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
        reason: 'Conflict',
        details: {
          causes: [
            {
              type: 'FieldManagerConflict',
              message: 'conflict with "kubectl-client-side-apply" using apps/v1',
              field: '.spec.replicas'
            }
          ]
        }
      });
    const error = await applyAll(kube, [m(cm('web', {}))], options).catch(e => e as DockyardError);
    expect(error).toBeInstanceOf(DockyardError);
    expect((error as DockyardError).input).toBe('force-conflicts');
    expect((error as DockyardError).message).toContain(
      '.spec.replicas is owned by kubectl-client-side-apply'
    );
  });

  it('dry run: sends dryRun and lists what would change', async () => {
    const kube = new FakeKube();
    kube.put({ ...cm('a', { x: '1' }), metadata: { name: 'a', namespace: 'default' } });
    const log = memoryLogger();
    const out = await applyAll(kube, [m(cm('a', { x: '2' }))], { ...options, dryRun: true, log });
    expect(kube.applies[0].dryRun).toBe(true);
    expect(out[0].result.changes).toEqual(['data.x: "1" → "2"']);
    expect(log.text()).toContain('ConfigMap default/a configured (dry run)');
    expect(
      (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'a' }))?.data
    ).toEqual({ x: '1' });
  });
});

describe('applyAll with a CRD in the manifests', () => {
  const crd = m({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' } }
  });
  const widget = m({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });

  it('a dry run says its objects would be created, unchecked, instead of failing on the unknown kind', async () => {
    const kube = new FakeKube();
    const log = memoryLogger();
    const out = await applyAll(kube, [crd, widget], { ...options, dryRun: true, log });
    expect(out.map(a => `${a.result.kind} ${a.result.action}`)).toEqual([
      'CustomResourceDefinition created',
      'Widget created'
    ]);
    expect(log.text()).toContain(
      'Widget w created (dry run; not checked: its CustomResourceDefinition is not installed yet)'
    );
    expect(kube.applies.map(a => a.object.kind)).toEqual(['CustomResourceDefinition']);
  });

  it('a dry run lists the objects of a namespace it would create as created, unchecked', async () => {
    const kube = new FakeKube();
    const log = memoryLogger();
    const out = await applyAll(
      kube,
      [
        m({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
        m({ ...cm('a', {}), metadata: { name: 'a', namespace: 'shop' } })
      ],
      { ...options, dryRun: true, log }
    );
    expect(out.map(a => a.result.action)).toEqual(['created', 'created']);
    expect(log.text()).toContain(
      'ConfigMap shop/a created (dry run; not checked: namespace shop does not exist yet)'
    );
    expect(kube.applies.map(a => a.object.kind)).toEqual(['Namespace']);
  });

  it('a dry run still fails on a kind that no manifest defines', async () => {
    await expect(applyAll(new FakeKube(), [widget], { ...options, dryRun: true })).rejects.toThrow(
      'no kind Widget'
    );
  });
});

describe('redactSecret', () => {
  it('names the changed keys of a Secret without their values', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } };
    const changes = diff(
      { data: { password: 'b2xk' }, type: 'Opaque' },
      { data: { password: 'bmV3' }, type: 'kubernetes.io/basic-auth' }
    );
    expect(redactSecret(secret, changes)).toEqual([
      'data.password: (value changed)',
      'type: "Opaque" → "kubernetes.io/basic-auth"'
    ]);
    expect(redactSecret(cm('c', {}), ['data.x: "1" → "2"'])).toEqual(['data.x: "1" → "2"']);
  });
});

describe('diff', () => {
  it('walks objects and lists', () => {
    expect(diff({ a: [1, 2], b: { c: 'x' } }, { a: [1, 3, 4], b: {} })).toEqual([
      'a[1]: 2 → 3',
      'a[2]: (none) → 4',
      'b.c: "x" → (none)'
    ]);
  });
});
