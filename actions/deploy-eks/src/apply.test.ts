import { describe, expect, it } from '@jest/globals';
import { DockyardError } from '../../../core/errors.js';
import { memoryLogger } from '../../../core/log.js';
import { virtualClock } from '../../../core/poll.js';
import { explainApplyError, verifyAll, writeAll, type ApplyOptions } from './apply.js';
import { LAST_APPLIED } from './diff.js';
import { KubeError, type KubeObject } from './kube.js';
import type { Manifest } from './manifests.js';
import { deployment } from './testing/fixtures.js';
import { FakeKube } from './testing/fake-kube.js';

/** The verify phase, then the apply phase, as the deploy runs them. */
const applyAll = async (kube: FakeKube, manifests: Manifest[], options: ApplyOptions) =>
  writeAll(kube, await verifyAll(kube, manifests, options), options);

const m = (object: KubeObject, source = 'k8s/app.yaml') => ({ object, source });
const options = (over: Partial<ApplyOptions> = {}): ApplyOptions => ({
  namespace: 'default',
  fieldManager: 'dockyard',
  force: false,
  dryRun: false,
  log: memoryLogger(),
  clock: virtualClock(),
  ...over
});
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
const writes = (kube: FakeKube) => kube.applies.filter(a => !a.dryRun);
const established = (kube: FakeKube) => (o: KubeObject) => {
  if (o.kind === 'CustomResourceDefinition')
    kube.put({ ...o, status: { conditions: [{ type: 'Established', status: 'True' }] } });
};

/** The API server's refusals, as it words them (sim/eks README cites each source). */
const typo = () =>
  new KubeError(500, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web', {
    message:
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="app"].livenesProbe: field not declared in schema'
  });
const invalid = (name: string) =>
  new KubeError(422, 'PATCH', `/api/v1/namespaces/default/services/${name}`, {
    reason: 'Invalid',
    message: `Service "${name}" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`,
    details: {
      causes: [
        { field: 'spec.ports[0].port', message: 'Invalid value: 0: must be between 1 and 65535, inclusive' }
      ]
    }
  });

describe('applyAll: verify, then write', () => {
  it("applies in Helm's order: a ConfigMap listed after its Deployment is written before it; CRDs waited for", async () => {
    const kube = new FakeKube();
    kube.onApply = established(kube);
    await applyAll(
      kube,
      [
        m(deployment('web')),
        m(cm('settings', {})),
        m({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'widgets.example.com' }
        }),
        m({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })
      ],
      options()
    );
    expect(writes(kube).map(a => a.object.metadata.name)).toEqual([
      'shop',
      'widgets.example.com',
      'settings',
      'web'
    ]);
    // Every object was dry-run first, in the same order.
    expect(kube.applies.filter(a => a.dryRun).map(a => a.object.metadata.name)).toEqual([
      'shop',
      'settings',
      'widgets.example.com',
      'web'
    ]);
    expect(kube.applies.every(a => a.fieldManager === 'dockyard' && !a.force)).toBe(true);
  });

  it('reports every refusal of the dry run at once, each naming the object and its manifest; nothing is written', async () => {
    const kube = new FakeKube();
    kube.failApply = o =>
      o.kind === 'Deployment' ? typo() : o.metadata.name === 'api' ? invalid('api') : undefined;
    const service = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: {}
    });
    const error = (await applyAll(
      kube,
      [m(deployment('web'), 'k8s/web.yaml'), m(service('api'), 'k8s/api.yaml'), m(service('ok'))],
      options()
    ).catch(e => e)) as DockyardError;
    expect(error).toBeInstanceOf(DockyardError);
    expect(error.input).toBe('manifests');
    expect(error.message.split('\n')).toEqual([
      '2 of 3 objects were refused by the server-side dry run, so nothing was written:',
      "  - Input 'manifests': Service default/api (k8s/api.yaml) was refused: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive. Fix the manifest.",
      "  - Input 'manifests': Deployment default/web (k8s/web.yaml): unknown field .spec.template.spec.containers[name=\"app\"].livenesProbe (not in the schema of apps/v1 Deployment). Check the spelling (kubectl explain deployment.spec), and that the field belongs to this apiVersion and the cluster's Kubernetes version."
    ]);
    expect(writes(kube)).toEqual([]);
  });

  it("an unreachable server is the deploy's failure, not a refused object", async () => {
    const kube = new FakeKube();
    const unreachable = new DockyardError('Could not reach the API server 10.0.0.1:443 (connect ETIMEDOUT).');
    kube.get = async () => {
      throw unreachable;
    };
    await expect(applyAll(kube, [m(cm('a', {}))], options())).rejects.toBe(unreachable);
  });

  it('fills the namespace of namespaced objects only, and says created, configured or unchanged', async () => {
    const kube = new FakeKube();
    const first = await applyAll(
      kube,
      [
        m(cm('a', { x: '1' }, { 'dockyard.dev/run': 'run/1' })),
        m({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', namespace: 'x' } })
      ],
      options()
    );
    expect(first.map(a => [a.sent.metadata.namespace, a.result.action])).toEqual([
      [undefined, 'created'],
      ['default', 'created']
    ]);
    // Only the run annotation changed: unchanged. Data changed: configured, with the change.
    const again = await applyAll(kube, [m(cm('a', { x: '1' }, { 'dockyard.dev/run': 'run/2' }))], options());
    expect(again[0].result.action).toBe('unchanged');
    const changed = await applyAll(
      kube,
      [m(cm('a', { x: '2' }, { 'dockyard.dev/run': 'run/3' }))],
      options()
    );
    expect(changed[0].result).toMatchObject({ action: 'configured', changes: ['data.x: "1" → "2"'] });
  });

  it('reports a field-manager conflict with the other manager and the field, naming force-conflicts', async () => {
    const kube = new FakeKube();
    kube.failApply = () =>
      new KubeError(409, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web', {
        message: 'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas',
        reason: 'Conflict',
        details: {
          causes: [
            { type: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }
          ]
        }
      });
    const error = (await applyAll(kube, [m(deployment('web'))], options()).catch(e => e)) as DockyardError;
    expect(error.input).toBe('force-conflicts');
    expect(error.message).toContain(
      'Deployment default/web (k8s/app.yaml): field-manager conflict: .spec.replicas is owned by kubectl'
    );
    expect(error.message).toContain('nothing was written');
  });

  it("prints the API server's warnings once per object, naming it", async () => {
    const kube = new FakeKube();
    kube.warnApply = o =>
      o.kind === 'Deployment'
        ? [
            'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)'
          ]
        : [];
    const log = memoryLogger();
    await applyAll(kube, [m(deployment('web')), m(cm('c', {}))], options({ log }));
    const warnings = log.lines.filter(l => l.startsWith('warning:'));
    expect(warnings).toEqual([
      'warning: Deployment default/web: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)'
    ]);
  });

  it('dry run: checks every object, lists what would change, writes nothing', async () => {
    const kube = new FakeKube();
    kube.put({ ...cm('a', { x: '1' }), metadata: { name: 'a', namespace: 'default' } });
    const log = memoryLogger();
    const out = await applyAll(kube, [m(cm('a', { x: '2' }))], options({ dryRun: true, log }));
    expect(kube.applies.map(a => a.dryRun)).toEqual([true]);
    expect(out[0].result.changes).toEqual(['data.x: "1" → "2"']);
    expect(log.text()).toContain('ConfigMap default/a configured (dry run)');
  });
});

describe('a Namespace or CRD the manifests create', () => {
  const crd = m({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' } }
  });
  const widget = m({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
  const shop = m({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  const inShop = m({ ...cm('a', {}), metadata: { name: 'a', namespace: 'shop' } });
  const serveWidgets = (kube: FakeKube) =>
    kube.resources.push({ name: 'widgets', kind: 'Widget', namespaced: true, base: '/apis/example.com/v1' });

  it('a dry run lists what it cannot check yet as created, unchecked', async () => {
    const kube = new FakeKube();
    const log = memoryLogger();
    const out = await applyAll(kube, [widget, inShop, crd, shop], options({ dryRun: true, log }));
    expect(out.map(a => `${a.result.kind} ${a.result.action}`)).toEqual([
      'Namespace created',
      'ConfigMap created',
      'CustomResourceDefinition created',
      'Widget created'
    ]);
    expect(log.text()).toContain(
      'Widget default/w created (dry run; not checked: its CustomResourceDefinition is not installed yet)'
    );
    expect(log.text()).toContain(
      'ConfigMap shop/a created (dry run; not checked: namespace shop does not exist yet)'
    );
    expect(kube.applies.map(a => a.object.kind)).toEqual(['Namespace', 'CustomResourceDefinition']);
  });

  it('writes them first, then checks what depends on them before writing anything else', async () => {
    const kube = new FakeKube();
    kube.onApply = o => {
      established(kube)(o);
      if (o.kind === 'CustomResourceDefinition') serveWidgets(kube);
    };
    await applyAll(kube, [widget, m(deployment('web')), inShop, crd, shop], options());
    expect(kube.applies.map(a => `${a.dryRun ? 'check' : 'write'} ${a.object.kind}`)).toEqual([
      'check Namespace',
      'check CustomResourceDefinition',
      'check Deployment',
      'write Namespace',
      'write CustomResourceDefinition',
      'check ConfigMap',
      'check Widget',
      'write ConfigMap',
      'write Deployment',
      'write Widget'
    ]);
  });

  it('stops after the Namespaces and CRDs when what depends on them is refused', async () => {
    const kube = new FakeKube();
    kube.failApply = (o, opts) => (o.kind === 'ConfigMap' && opts.dryRun ? invalid('a') : undefined);
    const error = (await applyAll(kube, [m(deployment('web')), inShop, shop], options()).catch(
      e => e
    )) as Error;
    expect(error.message).toContain(
      'only the Namespaces and CustomResourceDefinitions they need were written'
    );
    expect(writes(kube).map(a => a.object.kind)).toEqual(['Namespace']);
  });

  it('still refuses a kind that no manifest defines', async () => {
    const error = (await applyAll(new FakeKube(), [widget], options({ dryRun: true })).catch(
      e => e
    )) as Error;
    expect(error.message).toContain(
      'Widget w (k8s/app.yaml): the cluster does not serve kind Widget in example.com/v1.'
    );
  });
});

describe('autoscaled workloads', () => {
  const hpa: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10
    }
  };
  const live = (managers: { manager: string; operation: string; subresource?: string }[]) => {
    const d = deployment('web', { replicas: 5 });
    d.metadata.managedFields = managers.map(e => ({ ...e, fieldsV1: { 'f:spec': { 'f:replicas': {} } } }));
    return d;
  };

  it('leaves spec.replicas to the autoscaler and says so once; the dry run keeps the live count', async () => {
    const kube = new FakeKube();
    kube.put(hpa);
    kube.put(live([{ manager: 'kube-controller-manager', operation: 'Update', subresource: 'scale' }]));
    const log = memoryLogger();
    const [applied] = await applyAll(
      kube,
      [m(deployment('web', { replicas: 2 }))],
      options({ log, force: true })
    );
    const [check, write] = kube.applies;
    expect((check.object.spec as { replicas?: number }).replicas).toBe(5);
    expect(write.object.spec).not.toHaveProperty('replicas');
    expect(applied.sent.spec).not.toHaveProperty('replicas');
    expect(log.lines.filter(l => l.includes('spec.replicas belongs to'))).toEqual([
      "Deployment default/web: spec.replicas belongs to HorizontalPodAutoscaler default/web; the manifest's 2 is not applied."
    ]);
  });

  it('hands the count over first while our apply is its only owner (Transferring ownership)', async () => {
    const kube = new FakeKube();
    kube.put(hpa);
    kube.put(live([{ manager: 'dockyard', operation: 'Apply' }]));
    await applyAll(kube, [m(deployment('web', { replicas: 2 }))], options());
    expect(
      writes(kube).map(a => [a.fieldManager, (a.object.spec as { replicas?: number }).replicas])
    ).toEqual([
      ['dockyard-handover-to-hpa', 5],
      ['dockyard', undefined]
    ]);
  });

  it('creates a new workload with the manifest count, then hands it over (the HPA among the manifests)', async () => {
    const kube = new FakeKube();
    await applyAll(kube, [m(hpa), m(deployment('web', { replicas: 3 }))], options());
    expect(
      writes(kube).map(a => [
        a.object.kind,
        a.fieldManager,
        (a.object.spec as { replicas?: number }).replicas
      ])
    ).toEqual([
      ['Deployment', 'dockyard', 3],
      ['Deployment', 'dockyard-handover-to-hpa', 3],
      ['HorizontalPodAutoscaler', 'dockyard', undefined]
    ]);
  });
});

describe('objects made with client-side kubectl apply', () => {
  const csaLive = () => {
    const d = deployment('web', { image: 'web:v1' });
    d.metadata.annotations = { ...d.metadata.annotations, [LAST_APPLIED]: '{"kind":"Deployment"}' };
    d.metadata.managedFields = [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsV1: {
          'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
          'f:spec': {
            'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:image': {} } } } }
          }
        }
      }
    ];
    return d;
  };
  const conflict = new KubeError(409, 'PATCH', '/x', {
    reason: 'Conflict',
    details: {
      causes: [
        {
          type: 'FieldManagerConflict',
          message: 'conflict with "kubectl-client-side-apply" using apps/v1',
          field: '.spec.template.spec.containers[name="app"].image'
        }
      ]
    }
  });

  it("moves kubectl's fields to ours before the first apply; the check forces only that conflict", async () => {
    const kube = new FakeKube();
    kube.put(csaLive());
    kube.failApply = (_o, opts) => (opts.dryRun && !opts.force ? conflict : undefined);
    const log = memoryLogger();
    await applyAll(kube, [m(deployment('web', { image: 'web:v2' }))], options({ log }));
    expect(kube.applies.map(a => [a.dryRun ?? false, a.force])).toEqual([
      [true, false],
      [true, true],
      [false, false]
    ]);
    expect(kube.patches).toHaveLength(1);
    expect(JSON.stringify(kube.patches[0].operations)).toContain('"manager":"dockyard","operation":"Apply"');
    expect(log.text()).toContain(
      "the fields of kubectl's client-side apply (kubectl-client-side-apply) are now dockyard's"
    );
  });

  it('does not force a conflict with anyone else', async () => {
    const kube = new FakeKube();
    kube.put(csaLive());
    kube.failApply = () =>
      new KubeError(409, 'PATCH', '/x', {
        reason: 'Conflict',
        details: {
          causes: [{ type: 'FieldManagerConflict', message: 'conflict with "helm"', field: '.spec.replicas' }]
        }
      });
    await expect(applyAll(kube, [m(deployment('web'))], options())).rejects.toThrow(
      '.spec.replicas is owned by helm'
    );
    expect(kube.applies.filter(a => a.force)).toEqual([]);
    expect(kube.patches).toEqual([]);
  });
});

describe('Jobs whose spec changed', () => {
  const job = (image: string, status: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate', namespace: 'default', uid: 'uid-old' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image }] } } },
    status
  });
  const immutable = new KubeError(422, 'PATCH', '/apis/batch/v1/namespaces/default/jobs/migrate', {
    reason: 'Invalid',
    message:
      'Job.batch "migrate" is invalid: spec.template: Invalid value: core.PodTemplateSpec{…}: field is immutable',
    details: {
      causes: [
        { field: 'spec.template', message: 'Invalid value: core.PodTemplateSpec{…}: field is immutable' }
      ]
    }
  });
  const setup = (status: Record<string, unknown>) => {
    const kube = new FakeKube();
    kube.put(job('app:v1', status));
    kube.failApply = (_o, opts) => (opts.dryRun && kube.objects.size > 0 ? immutable : undefined);
    return kube;
  };

  it('replaces a finished Job: checked with a dry-run delete, deleted (foreground), created again', async () => {
    const kube = setup({ conditions: [{ type: 'Complete', status: 'True' }] });
    const [applied] = await applyAll(kube, [m(job('app:v2'))], options());
    expect(kube.deletes.map(d => [d.dryRun ?? false, d.propagationPolicy, d.uid])).toEqual([
      [true, 'Foreground', undefined],
      [false, 'Foreground', 'uid-old']
    ]);
    expect(writes(kube)).toHaveLength(1);
    expect(applied.result).toMatchObject({ action: 'replaced' });
  });

  it('refuses a Job still running, naming replace-running-jobs; replaces it when that says so', async () => {
    const kube = setup({ active: 1 });
    const error = (await applyAll(kube, [m(job('app:v2'))], options()).catch(e => e)) as DockyardError;
    expect(error.input).toBe('replace-running-jobs');
    expect(kube.deletes).toEqual([]);
    const [applied] = await applyAll(kube, [m(job('app:v2'))], options({ replaceRunningJobs: true }));
    expect(applied.result.action).toBe('replaced');
  });

  it('a dry run says replaced and writes nothing', async () => {
    const kube = setup({ conditions: [{ type: 'Failed', status: 'True' }] });
    const log = memoryLogger();
    await applyAll(kube, [m(job('app:v2'))], options({ dryRun: true, log }));
    expect(log.text()).toContain('Job default/migrate replaced (dry run)');
    expect(kube.deletes.every(d => d.dryRun)).toBe(true);
    expect(writes(kube)).toEqual([]);
  });
});

describe('Secrets', () => {
  it('masks their values and names changed keys only', async () => {
    const kube = new FakeKube();
    const secret = (data: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'default' },
      data
    });
    kube.put(secret({}));
    const log = memoryLogger();
    const value = Buffer.from('new-hunter2').toString('base64');
    const out = await applyAll(kube, [m(secret({ password: value }))], options({ dryRun: true, log }));
    expect(out[0].result.changes).toEqual(['data.password: (added)']);
    expect(log.masked).toEqual(expect.arrayContaining(['new-hunter2', value]));
    expect(log.text()).not.toContain(value);
  });
});

describe('explainApplyError', () => {
  it('passes on what is not an answer of the API server', () => {
    const error = new Error('socket hang up');
    expect(explainApplyError(error, cm('a', {}), 'k8s/a.yaml')).toBe(error);
  });

  it('names the RBAC for a 403', () => {
    const error = explainApplyError(
      new KubeError(403, 'PATCH', '/x', {
        message: 'configmaps "a" is forbidden: User "deployer" cannot patch resource "configmaps"'
      }),
      cm('a', {}),
      'k8s/a.yaml'
    ) as DockyardError;
    expect(error.message).toContain(
      'ConfigMap a (k8s/a.yaml): the cluster forbids it: configmaps "a" is forbidden'
    );
  });
});
