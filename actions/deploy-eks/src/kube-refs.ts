/**
 * References to Kubernetes objects: how one is named in messages and keys, and where it lives in the REST API
 * (its kind's resource, learned from discovery, and the URL path of the object or of its collection).
 */
import { DockyardError } from '../../../core/errors.js';

export interface Resource {
  /** Plural resource name: deployments. */
  name: string;
  kind: string;
  namespaced: boolean;
  /** /api/v1 or /apis/apps/v1 */
  base: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** `group/version` → group ('' for the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** A stable key for an object: group/Kind/namespace/name. */
export function refKey(ref: ObjectRef): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `Deployment web` or `Deployment shop/web`. */
export function describeRef(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** The discovery path of an API version: `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
export function apiBase(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The URL path of an object (or, without a name, of its collection), with the query values that are set. */
export function objectPath(
  resource: Resource,
  ref: { namespace?: string; name?: string },
  query: Record<string, string | undefined> = {}
): string {
  const ns = resource.namespaced && ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
  const q = Object.entries(query)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${resource.base}${ns}/${resource.name}${name}${q ? `?${q}` : ''}`;
}

/** A discovery document's resource list (`GET /apis/<group>/<version>`), or undefined when it is not served. */
export type DiscoveryFetch = (
  base: string
) => Promise<{ resources?: { name: string; kind: string; namespaced: boolean }[] } | undefined>;

/**
 * Kind → resource, from discovery, each API version asked once. A kind not found makes discovery be asked
 * again once (a CRD that has just become Established), then it is the manifests' error.
 */
export class Discovery {
  private readonly known = new Map<string, Promise<Resource[]>>();

  constructor(private readonly fetch: DiscoveryFetch) {}

  async resource(apiVersion: string, kind: string): Promise<Resource> {
    for (let fresh = false; ; fresh = true) {
      if (fresh) this.known.delete(apiVersion);
      const found = (await this.resources(apiVersion)).find(r => r.kind === kind);
      if (found) return found;
      if (fresh)
        throw new DockyardError(`the cluster does not serve kind ${kind} in ${apiVersion}.`, {
          input: 'manifests',
          hint: 'Check the apiVersion and kind, and that the CustomResourceDefinition is installed (or listed in the manifests).'
        });
    }
  }

  private resources(apiVersion: string): Promise<Resource[]> {
    let found = this.known.get(apiVersion);
    if (!found) {
      const base = apiBase(apiVersion);
      found = this.fetch(base)
        .then(list =>
          (list?.resources ?? [])
            // Subresources (deployments/status) are not kinds of their own.
            .filter(r => !r.name.includes('/'))
            .map(r => ({ name: r.name, kind: r.kind, namespaced: r.namespaced, base }))
        )
        .catch((error: unknown) => {
          // A failed look is not remembered: the next call asks again.
          this.known.delete(apiVersion);
          throw error;
        });
      this.known.set(apiVersion, found);
    }
    return found;
  }
}
