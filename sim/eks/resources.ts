/**
 * The kinds the test API server serves: the built-in ones (group, version, resource, scope, short names,
 * subresources, the fields a field selector may name) and those CRDs define once Established. Builds the
 * legacy discovery documents (`/api`, `/api/v1`, `/apis`, `/apis/<group>[/<version>]`) from them.
 */
import type { JsonObject } from './apply.js';

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural resource name, as in the URL: `deployments`. */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  /** Fields a `fieldSelector` may name besides metadata.name and metadata.namespace. */
  fieldSelectors?: string[];
  /** The CustomResourceDefinition that defines this kind. */
  crd?: string;
  /** The warning every request for a deprecated API version gets. */
  deprecation?: string;
}

export const apiVersionOf = (r: Pick<ResourceInfo, 'group' | 'version'>): string =>
  r.group ? `${r.group}/${r.version}` : r.version;

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function kind(
  group: string,
  version: string,
  resource: string,
  kindName: string,
  namespaced: boolean,
  extra: Partial<ResourceInfo> = {}
): ResourceInfo {
  return { group, version, resource, kind: kindName, singular: kindName.toLowerCase(), namespaced, ...extra };
}

const ALL = ['all'];

export const BUILTIN: readonly ResourceInfo[] = [
  kind('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    fieldSelectors: ['status.phase']
  }),
  kind('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status'] }),
  kind('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  kind('', 'v1', 'secrets', 'Secret', true, { fieldSelectors: ['type'] }),
  kind('', 'v1', 'services', 'Service', true, {
    shortNames: ['svc'],
    categories: ALL,
    subresources: ['status']
  }),
  kind('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  kind('', 'v1', 'resourcequotas', 'ResourceQuota', true, {
    shortNames: ['quota'],
    subresources: ['status']
  }),
  kind('', 'v1', 'endpoints', 'Endpoints', true, {
    shortNames: ['ep'],
    singular: 'endpoints',
    deprecation: 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice'
  }),
  kind('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, {
    shortNames: ['pvc'],
    subresources: ['status']
  }),
  kind('', 'v1', 'persistentvolumes', 'PersistentVolume', false, {
    shortNames: ['pv'],
    subresources: ['status']
  }),
  kind('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  kind('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: ALL,
    subresources: ['status', 'log'],
    fieldSelectors: [
      'status.phase',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.serviceAccountName',
      'status.podIP'
    ]
  }),
  kind('', 'v1', 'events', 'Event', true, {
    shortNames: ['ev'],
    fieldSelectors: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type'
    ]
  }),
  kind('apps', 'v1', 'deployments', 'Deployment', true, {
    shortNames: ['deploy'],
    categories: ALL,
    subresources: ['status', 'scale']
  }),
  kind('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
    shortNames: ['rs'],
    categories: ALL,
    subresources: ['status', 'scale']
  }),
  kind('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
    shortNames: ['sts'],
    categories: ALL,
    subresources: ['status', 'scale']
  }),
  kind('apps', 'v1', 'daemonsets', 'DaemonSet', true, {
    shortNames: ['ds'],
    categories: ALL,
    subresources: ['status']
  }),
  kind('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  kind('batch', 'v1', 'jobs', 'Job', true, { categories: ALL, subresources: ['status'] }),
  kind('batch', 'v1', 'cronjobs', 'CronJob', true, {
    shortNames: ['cj'],
    categories: ALL,
    subresources: ['status']
  }),
  kind('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ALL,
    subresources: ['status']
  }),
  kind('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    shortNames: ['pdb'],
    subresources: ['status']
  }),
  kind('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, {
    shortNames: ['ing'],
    subresources: ['status']
  }),
  kind('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  kind('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  kind('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  kind('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  kind('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  kind('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  kind('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    subresources: ['status']
  })
];

/** The kinds a CRD object defines (one per served version). */
export function crdResources(crd: JsonObject): ResourceInfo[] {
  const spec = (crd.spec ?? {}) as JsonObject;
  const names = (spec.names ?? {}) as JsonObject;
  const versions = (spec.versions ?? []) as JsonObject[];
  const name = String((crd.metadata as JsonObject | undefined)?.name ?? '');
  const current = versions.find(v => v.served !== false && !v.deprecated);
  const deprecation = (v: JsonObject) => {
    if (!v.deprecated) return undefined;
    if (v.deprecationWarning) return String(v.deprecationWarning);
    // apiextensions-apiserver's default wording, naming a served version that is not deprecated.
    const base = `${String(spec.group)}/${String(v.name)} ${String(names.kind)} is deprecated`;
    return current
      ? `${base}; use ${String(spec.group)}/${String(current.name)} ${String(names.kind)}`
      : base;
  };
  return versions
    .filter(v => v.served !== false)
    .map(v => ({
      group: String(spec.group ?? ''),
      version: String(v.name ?? ''),
      resource: String(names.plural ?? ''),
      kind: String(names.kind ?? ''),
      singular: String(names.singular ?? String(names.kind ?? '').toLowerCase()),
      namespaced: spec.scope !== 'Cluster',
      shortNames: (names.shortNames as string[] | undefined) ?? undefined,
      categories: (names.categories as string[] | undefined) ?? undefined,
      subresources: Object.keys((v.subresources ?? {}) as JsonObject),
      crd: name,
      deprecation: deprecation(v)
    }));
}

export class ResourceRegistry {
  private readonly custom = new Map<string, ResourceInfo[]>();

  all(): ResourceInfo[] {
    return [...BUILTIN, ...[...this.custom.values()].flat()];
  }

  setCrd(name: string, resources: ResourceInfo[]): void {
    this.custom.set(name, resources);
  }

  removeCrd(name: string): void {
    this.custom.delete(name);
  }

  reset(): void {
    this.custom.clear();
  }

  byResource(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.all().find(r => r.group === group && r.version === version && r.resource === resource);
  }

  byKind(apiVersion: string, kindName: string): ResourceInfo | undefined {
    return this.all().find(r => apiVersionOf(r) === apiVersion && r.kind === kindName);
  }

  /** Legacy discovery: `/api`. */
  coreVersions(serverAddress: string): JsonObject {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }]
    };
  }

  private groups(): { name: string; versions: string[] }[] {
    const out: { name: string; versions: string[] }[] = [];
    for (const r of this.all()) {
      if (!r.group) continue;
      let g = out.find(x => x.name === r.group);
      if (!g) out.push((g = { name: r.group, versions: [] }));
      if (!g.versions.includes(r.version)) g.versions.push(r.version);
    }
    return out;
  }

  private groupDocument(g: { name: string; versions: string[] }): JsonObject {
    const versions = g.versions.map(v => ({ groupVersion: `${g.name}/${v}`, version: v }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }

  /** `/apis`. */
  groupList(): JsonObject {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups().map(g => this.groupDocument(g)) };
  }

  /** `/apis/<group>`, or undefined when no such group is served. */
  group(name: string): JsonObject | undefined {
    const g = this.groups().find(x => x.name === name);
    return g ? { kind: 'APIGroup', apiVersion: 'v1', ...this.groupDocument(g) } : undefined;
  }

  /** `/api/v1` or `/apis/<group>/<version>`, or undefined when that group version is not served. */
  resourceList(group: string, version: string): JsonObject | undefined {
    const rs = this.all().filter(r => r.group === group && r.version === version);
    if (!rs.length) return undefined;
    const resources: JsonObject[] = [];
    for (const r of rs) {
      const entry: JsonObject = {
        name: r.resource,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: VERBS
      };
      if (r.shortNames?.length) entry.shortNames = r.shortNames;
      if (r.categories?.length) entry.categories = r.categories;
      resources.push(entry);
      for (const sub of r.subresources ?? []) {
        resources.push({
          name: `${r.resource}/${sub}`,
          singularName: '',
          namespaced: r.namespaced,
          kind: sub === 'scale' ? 'Scale' : r.kind,
          ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
          verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update']
        });
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: apiVersionOf({ group, version }),
      resources
    };
  }
}

/**
 * A minimal OpenAPI v3: the root lists every group version, and each group version's document has the PATCH
 * operations with their `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter. That is
 * what kubectl reads to learn that the server validates fields itself (it then sends `fieldValidation=Strict`
 * and downloads no schema). No schemas are served.
 */
export function openApiV3(registry: ResourceRegistry, path: string): JsonObject | undefined {
  const groupVersions = new Map<string, ResourceInfo[]>();
  for (const r of registry.all()) {
    const key = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
    groupVersions.set(key, [...(groupVersions.get(key) ?? []), r]);
  }
  if (path === '') {
    return {
      paths: Object.fromEntries(
        [...groupVersions.keys()].map(k => [
          k,
          { serverRelativeURL: `/openapi/v3/${k}?hash=${hashOf(k, groupVersions.get(k)!)}` }
        ])
      )
    };
  }
  const resources = groupVersions.get(path);
  if (!resources) return undefined;
  const paths: JsonObject = {};
  for (const r of resources) {
    const prefix = `/${path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
    paths[prefix] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map(name => ({
          name,
          in: 'query',
          schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true }
        })),
        responses: { '200': { description: 'OK' } }
      }
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.34.0' }, paths };
}

function hashOf(key: string, resources: ResourceInfo[]): string {
  let h = 0;
  for (const ch of key + resources.map(r => r.kind).join(',')) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return (h >>> 0).toString(16).toUpperCase().padStart(16, '0');
}
