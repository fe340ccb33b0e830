/**
 * The move from client-side apply, against the cases of client-go's own tests (staging/src/k8s.io/client-go/util/
 * csaupgrade/upgrade_test.go, TestUpgradeCSA: csa-basic-direct-conversion, csa-combine-with-ssa-additional-keys,
 * csa-single-applicable-version, multipleTargetsNewInsertion), and the JSON patch that writes it.
 */
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { KubeError, type KubeObject } from './kube.js';
import {
  clientSideManagers,
  migrateClientSideApply,
  ownersOf,
  unionFields,
  upgradeManagedFields,
  type ManagedFieldsEntry
} from './ownership.js';
import { FakeKube } from './testing/fake-kube.js';

const entries = (text: string) => parse(text) as ManagedFieldsEntry[];

const csa = entries(`
- apiVersion: v1
  fieldsType: FieldsV1
  fieldsV1:
    f:data: { .: {}, f:key: {}, f:legacy: {} }
    f:metadata: { f:annotations: { .: {}, f:kubectl.kubernetes.io/last-applied-configuration: {} } }
  manager: kubectl-client-side-apply
  operation: Update
  time: "2022-08-22T23:08:23Z"
`);

describe('upgradeManagedFields (csaupgrade)', () => {
  it('renames the client-side entry to ours and makes it an Apply when we have none (csa-basic-direct-conversion)', () => {
    expect(upgradeManagedFields(csa, ['kubectl-client-side-apply'], 'dockyard')).toEqual([
      { ...csa[0], manager: 'dockyard', operation: 'Apply' }
    ]);
  });

  it('unions the client-side fields into our Apply entry and drops it (csa-combine-with-ssa-additional-keys)', () => {
    const ours = entries(`
- apiVersion: v1
  fieldsType: FieldsV1
  fieldsV1:
    f:data: { .: {}, f:key: {} }
  manager: dockyard
  operation: Apply
  time: "2022-08-23T23:08:23Z"
`);
    const out = upgradeManagedFields([...ours, ...csa], ['kubectl-client-side-apply'], 'dockyard');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ manager: 'dockyard', operation: 'Apply', time: '2022-08-23T23:08:23Z' });
    expect(out[0].fieldsV1).toEqual(csa[0].fieldsV1);
  });

  it('merges only the client-side entry of our API version; the others are dropped (csa-single-applicable-version)', () => {
    const list = entries(`
- { apiVersion: v5, manager: dockyard, operation: Apply, fieldsV1: { f:data: { f:key: {} } } }
- { apiVersion: v5, manager: kubectl-client-side-apply, operation: Update, fieldsV1: { f:data: { f:key2: {} } } }
- { apiVersion: v2, manager: kubectl-client-side-apply, operation: Update, fieldsV1: { f:data: { f:key3: {} } } }
- { apiVersion: v1, manager: kube-controller-manager, operation: Update, subresource: scale, fieldsV1: { f:spec: { f:replicas: {} } } }
`);
    const out = upgradeManagedFields(list, ['kubectl-client-side-apply'], 'dockyard');
    expect(out.map(e => [e.manager, e.apiVersion])).toEqual([
      ['dockyard', 'v5'],
      ['kube-controller-manager', 'v1']
    ]);
    expect(out[0].fieldsV1).toEqual({ 'f:data': { 'f:key': {}, 'f:key2': {} } });
    // The input is left as it was.
    expect(list).toHaveLength(4);
  });

  it('merges several client-side managers into a new one (multipleTargetsNewInsertion)', () => {
    const list = entries(`
- { apiVersion: v1, manager: kube-scheduler, operation: Update, fieldsV1: { f:status: { f:conditions: { .: {} } } } }
- { apiVersion: v1, manager: kubectl-client-side-apply, operation: Update, fieldsV1: { f:spec: { f:dnsPolicy: {} } } }
`);
    const out = upgradeManagedFields(list, ['kubectl-client-side-apply', 'kube-scheduler'], 'dockyard');
    expect(out).toEqual([
      {
        apiVersion: 'v1',
        manager: 'dockyard',
        operation: 'Apply',
        fieldsV1: { 'f:spec': { 'f:dnsPolicy': {} }, 'f:status': { 'f:conditions': { '.': {} } } }
      }
    ]);
  });

  it('leaves what has no client-side manager alone', () => {
    expect(upgradeManagedFields(csa, ['someone-else'], 'dockyard')).toEqual(csa);
  });
});

describe('field owners', () => {
  it('finds the client-side managers by the last-applied annotation they own (kubectl apply.go)', () => {
    const object = {
      metadata: {
        managedFields: [
          ...csa,
          { manager: 'kubectl', operation: 'Apply', fieldsV1: csa[0].fieldsV1 },
          { manager: 'helm', operation: 'Update', fieldsV1: { 'f:data': { 'f:other': {} } } }
        ]
      }
    } as unknown as KubeObject;
    expect(clientSideManagers(object)).toEqual(['kubectl-client-side-apply']);
    expect(ownersOf(object, ['data', 'key']).map(e => e.manager)).toEqual([
      'kubectl-client-side-apply',
      'kubectl'
    ]);
    expect(clientSideManagers(undefined)).toEqual([]);
  });

  it('unions fieldsV1 tries', () => {
    expect(unionFields({ 'f:a': { 'f:b': {} } }, { 'f:a': { '.': {} }, 'f:c': {} })).toEqual({
      'f:a': { 'f:b': {}, '.': {} },
      'f:c': {}
    });
  });
});

describe('migrateClientSideApply', () => {
  const live = (): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'test', namespace: 'default', managedFields: structuredClone(csa) },
    data: { key: 'value' }
  });

  it('writes the upgraded managedFields with a JSON patch that replaces resourceVersion', async () => {
    const kube = new FakeKube();
    const stored = kube.put(live());
    const out = await migrateClientSideApply(kube, stored, 'dockyard');
    expect(kube.patches[0].operations).toEqual([
      {
        op: 'replace',
        path: '/metadata/managedFields',
        value: [{ ...csa[0], manager: 'dockyard', operation: 'Apply' }]
      },
      { op: 'replace', path: '/metadata/resourceVersion', value: stored.metadata.resourceVersion }
    ]);
    expect(clientSideManagers(out)).toEqual([]);
  });

  it('reads the object again and retries when it changed in between (409)', async () => {
    const kube = new FakeKube();
    const stale = kube.put(live());
    kube.put(live());
    const out = await migrateClientSideApply(kube, stale, 'dockyard');
    expect(kube.patches).toHaveLength(2);
    expect(out.metadata.managedFields).toEqual([{ ...csa[0], manager: 'dockyard', operation: 'Apply' }]);
  });

  it('does nothing for an object without client-side history, and gives up after five conflicts', async () => {
    const kube = new FakeKube();
    const plain = kube.put({ ...live(), metadata: { name: 'test', namespace: 'default' } });
    expect(await migrateClientSideApply(kube, plain, 'dockyard')).toBe(plain);
    expect(kube.patches).toEqual([]);
    kube.patch = async () => {
      throw new KubeError(409, 'PATCH', '/x', {
        reason: 'Conflict',
        message: 'the object has been modified'
      });
    };
    await expect(migrateClientSideApply(kube, kube.put(live()), 'dockyard')).rejects.toThrow(
      'the object has been modified'
    );
  });
});
