/**
 * Field ownership as the API server records it (metadata.managedFields, fieldsV1), and the move from kubectl's
 * client-side apply to our server-side apply as kubectl makes its own (client-go util/csaupgrade,
 * `UpgradeManagedFieldsPatch`, driven by kubectl apply's `migrateToSSAIfNecessary`):
 *
 * - the client-side managers are the Update managers that own the last-applied annotation;
 * - our Apply entry (or, when we have none yet, the first client-side entry renamed to ours and made an Apply)
 *   takes the union of its fields and those of the client-side entry of the same API version;
 * - every client-side entry is then dropped, and the result is written with a JSON patch that also replaces
 *   resourceVersion, so a write in between makes it fail with 409 instead of undoing that write.
 *
 * Afterwards our apply owns what `kubectl apply` owned: an image change does not conflict, and a field that left
 * the manifest is removed from the object.
 */
import { LAST_APPLIED } from './diff.js';
import { KubeError, type Kube, type KubeObject, type ObjectRef } from './kube.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

/** The fieldsV1 trie: `f:<field>`, `k:<key json>`, `v:<value json>`, `i:<index>`, and `.` for the node itself. */
export type FieldsV1 = { [key: string]: FieldsV1 };

export function managedFields(object: KubeObject | undefined): ManagedFieldsEntry[] {
  return (object?.metadata.managedFields ?? []) as ManagedFieldsEntry[];
}

/** True when the fieldsV1 trie holds the field at `path` (field names, as in `['spec', 'replicas']`). */
export function ownsField(fields: FieldsV1 | undefined, path: string[]): boolean {
  let node = fields;
  for (const name of path) {
    node = node?.[`f:${name}`];
    if (!node) return false;
  }
  return true;
}

/** The managers (entries) that own the field at `path`. */
export function ownersOf(object: KubeObject | undefined, path: string[]): ManagedFieldsEntry[] {
  return managedFields(object).filter(e => ownsField(e.fieldsV1, path));
}

/** The union of two fieldsV1 tries (structured-merge-diff `Set.Union`). */
export function unionFields(a: FieldsV1 = {}, b: FieldsV1 = {}): FieldsV1 {
  const out: FieldsV1 = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) out[key] = unionFields(a[key], b[key]);
  return out;
}

const isClientSide = (name: string) => (e: ManagedFieldsEntry) =>
  e.manager === name && e.operation === 'Update' && !e.subresource;

/** kubectl's client-side apply managers of an object: the Update managers that own the last-applied annotation. */
export function clientSideManagers(object: KubeObject | undefined): string[] {
  const path = ['metadata', 'annotations', LAST_APPLIED];
  const names = managedFields(object)
    .filter(e => e.operation === 'Update' && !e.subresource && ownsField(e.fieldsV1, path))
    .map(e => e.manager ?? '');
  return [...new Set(names)];
}

/** csaupgrade's `upgradedManagedFields` for one client-side manager: returns a new list, the input untouched. */
function upgradeOne(entries: ManagedFieldsEntry[], csa: string, ssa: string): ManagedFieldsEntry[] {
  const list = entries.map(e => ({ ...e }));
  let target = list.findIndex(e => e.manager === ssa && e.operation === 'Apply' && !e.subresource);
  if (target < 0) {
    // The most recent client-side entry (managedFields are sorted newest first) becomes ours.
    target = list.findIndex(isClientSide(csa));
    if (target < 0) return list;
    list[target] = { ...list[target], manager: ssa, operation: 'Apply' };
  }
  const same = list.find(e => isClientSide(csa)(e) && e.apiVersion === list[target].apiVersion);
  if (same) list[target].fieldsV1 = unionFields(list[target].fieldsV1, same.fieldsV1);
  return list.filter(e => !isClientSide(csa)(e));
}

/** managedFields with every client-side manager's fields given to `fieldManager` (csaupgrade UpgradeManagedFields). */
export function upgradeManagedFields(
  entries: ManagedFieldsEntry[],
  clientSide: string[],
  fieldManager: string
): ManagedFieldsEntry[] {
  return clientSide.reduce((list, csa) => upgradeOne(list, csa, fieldManager), entries);
}

/** kubectl's maxPatchRetry: how often the migration is tried again after a write in between (409). */
const MIGRATION_ATTEMPTS = 5;

/**
 * Moves an object from client-side apply to `fieldManager` (see the top of this file). Returns the object as
 * written, or the object given when there was nothing to move.
 */
export async function migrateClientSideApply(
  kube: Kube,
  live: KubeObject,
  fieldManager: string
): Promise<KubeObject> {
  const ref: ObjectRef = {
    apiVersion: live.apiVersion,
    kind: live.kind,
    namespace: live.metadata.namespace,
    name: live.metadata.name
  };
  let current = live;
  for (let attempt = 1; ; attempt++) {
    const clientSide = clientSideManagers(current);
    if (clientSide.length === 0) return current;
    const upgraded = upgradeManagedFields(managedFields(current), clientSide, fieldManager);
    try {
      return await kube.patch(ref, [
        { op: 'replace', path: '/metadata/managedFields', value: upgraded },
        // `replace`, not `test`: a changed object fails with 409 Conflict rather than 422 (as csaupgrade does).
        { op: 'replace', path: '/metadata/resourceVersion', value: current.metadata.resourceVersion }
      ]);
    } catch (error) {
      if (!(error instanceof KubeError && error.status === 409) || attempt >= MIGRATION_ATTEMPTS) throw error;
      const fresh = await kube.get(ref);
      // Deleted in between: the apply creates it, with nothing to move.
      if (!fresh) return current;
      current = fresh;
    }
  }
}
