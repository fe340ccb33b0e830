import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../../core/log.js';
import type { Applied } from './apply.js';
import type { KubeObject } from './kube.js';
import { prune, readRecord, recordName, recordOf, writeRecord } from './prune.js';
import { FakeKube } from './testing/fake-kube.js';

const SET = 'app.deploy.default';
const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  set: string | null = SET
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), labels: set ? { 'dockyard.dev/set': set } : {} }
});
const applied = (...objects: KubeObject[]): Applied[] =>
  objects.map(o => ({
    sent: o,
    live: o,
    result: {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      action: 'unchanged'
    }
  }));

describe('prune', () => {
  it('deletes what carries the set label and left the manifests, and nothing else', async () => {
    const kube = new FakeKube();
    const keep = kube.put(obj('apps/v1', 'Deployment', 'web', 'default'));
    kube.put(obj('apps/v1', 'Deployment', 'old', 'default'));
    kube.put(obj('apps/v1', 'Deployment', 'unlabelled', 'default', null));
    kube.put(obj('apps/v1', 'Deployment', 'other-set', 'default', 'another'));
    const out = await prune(kube, applied(keep), undefined, {
      set: SET,
      namespace: 'default',
      dryRun: false,
      log: memoryLogger()
    });
    expect(out).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'old', action: 'pruned' }
    ]);
    expect(kube.deletes.map(d => d.name)).toEqual(['old']);
  });

  it('looks at kinds and namespaces recorded last time, even when they left the manifests', async () => {
    const kube = new FakeKube();
    const keep = kube.put(obj('apps/v1', 'Deployment', 'web', 'default'));
    kube.put(obj('batch/v1', 'CronJob', 'nightly', 'jobs'));
    kube.put(obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'));
    await writeRecord(
      kube,
      SET,
      'default',
      {
        kinds: ['apps/v1 Deployment', 'batch/v1 CronJob', 'rbac.authorization.k8s.io/v1 ClusterRole'],
        namespaces: ['default', 'jobs']
      },
      'dockyard'
    );
    const previous = await readRecord(kube, SET, 'default');
    const out = await prune(kube, applied(keep), previous, {
      set: SET,
      namespace: 'default',
      dryRun: false,
      log: memoryLogger()
    });
    expect(out.map(r => `${r.kind}/${r.name}`).sort()).toEqual(['ClusterRole/reader', 'CronJob/nightly']);
    // The record itself is never pruned.
    expect(
      await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: recordName(SET) })
    ).toBeDefined();
  });

  it('never deletes a Namespace, even one with the label that left the manifests', async () => {
    const kube = new FakeKube();
    kube.put(obj('v1', 'Namespace', 'shop'));
    const previous = { kinds: ['v1 Namespace'], namespaces: ['default'] };
    expect(
      await prune(kube, [], previous, { set: SET, namespace: 'default', dryRun: false, log: memoryLogger() })
    ).toEqual([]);
    expect(kube.deletes).toEqual([]);
  });

  it('leaves objects a controller owns (the ReplicaSets of a kept Deployment) alone', async () => {
    const kube = new FakeKube();
    const rs = obj('apps/v1', 'ReplicaSet', 'web-abc', 'default');
    rs.metadata.ownerReferences = [{ kind: 'Deployment', name: 'web', uid: 'u', controller: true }];
    kube.put(rs);
    expect(
      await prune(
        kube,
        [],
        { kinds: ['apps/v1 ReplicaSet'], namespaces: ['default'] },
        { set: SET, namespace: 'default', dryRun: false, log: memoryLogger() }
      )
    ).toEqual([]);
  });

  it('keeps an object annotated dockyard.dev/prune: "false", and says so', async () => {
    const kube = new FakeKube();
    const keep = obj('apps/v1', 'Deployment', 'pinned', 'default');
    keep.metadata.annotations = { 'dockyard.dev/prune': 'false' };
    kube.put(keep);
    kube.put(obj('apps/v1', 'Deployment', 'old', 'default'));
    const log = memoryLogger();
    const out = await prune(
      kube,
      [],
      { kinds: ['apps/v1 Deployment'], namespaces: ['default'] },
      { set: SET, namespace: 'default', dryRun: false, log }
    );
    expect(out.map(r => r.name)).toEqual(['old']);
    expect(log.text()).toContain(
      'Deployment default/pinned left the manifests and is kept: it is annotated dockyard.dev/prune: "false".'
    );
  });

  it.each([
    ['CustomResourceDefinition', 'apiextensions.k8s.io/v1', undefined, 'crds', 'prune-crds'],
    ['PersistentVolumeClaim', 'v1', 'default', 'pvcs', 'prune-pvcs']
  ] as const)('keeps a %s unless %s is allowed', async (kind, apiVersion, namespace, option, input) => {
    const kube = new FakeKube();
    kube.put(obj(apiVersion, kind, 'data', namespace));
    const previous = { kinds: [`${apiVersion} ${kind}`], namespaces: ['default'] };
    const log = memoryLogger();
    const base = { set: SET, namespace: 'default', dryRun: false, log };
    expect(await prune(kube, [], previous, base)).toEqual([]);
    expect(log.text()).toContain(`set ${input}: true to prune it`);
    expect(kube.deletes).toEqual([]);
    const out = await prune(kube, [], previous, { ...base, [option]: true });
    expect(out.map(r => `${r.kind}/${r.name}`)).toEqual([`${kind}/data`]);
  });

  it('names the record as a DNS subdomain whatever the set', () => {
    expect(recordName('app.deploy.__octo_dockyard-5a7336f1')).toBe(
      'dockyard-set.app.deploy.octo-dockyard-5a7336f1'
    );
    expect(recordName('Web_Prod')).toBe('dockyard-set.web-prod');
  });

  it('records the kinds and namespaces applied', () => {
    const record = recordOf(
      applied(obj('apps/v1', 'Deployment', 'web', 'shop'), obj('v1', 'Namespace', 'shop')),
      'default'
    );
    expect(record.kinds.sort()).toEqual(['apps/v1 Deployment', 'v1 Namespace']);
    expect(record.namespaces.sort()).toEqual(['default', 'shop']);
  });
});
