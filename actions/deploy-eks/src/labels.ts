/**
 * The labels and annotations deploy-eks writes, and the rules for label keys and values.
 */
import { createHash } from 'node:crypto';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const SET_LABEL = 'dockyard.dev/set';
export const RUN_ANNOTATION = 'dockyard.dev/run';
export const COMMIT_ANNOTATION = 'dockyard.dev/commit';
/** On an object, `"false"` keeps prune from ever deleting it. */
export const PRUNE_ANNOTATION = 'dockyard.dev/prune';

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain. */
export function validKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

export function validLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

/** A label value from free text: invalid characters become `-`, long values are cut with a hash. */
export function labelValue(text: string): string {
  let v = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (v.length > 63)
    v = `${v.slice(0, 54).replace(/[^A-Za-z0-9]+$/, '')}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
  return v || 'default';
}

/** What tells one deploy-eks step (or matrix leg) from another. */
export interface SetOwner {
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string;
  /** The job's id (GITHUB_JOB). */
  job: string;
  /** The step's id, or the name the runner gives a step without one (GITHUB_ACTION). */
  step: string;
  /** The inputs that say what is deployed where: the legs of a matrix differ in them, not in job or step. */
  namespace: string;
  manifests: string;
  kustomize: string;
}

/**
 * The default set: `<repository>.<job>.<step>-<hash>`, the hash over all of it and the target inputs. Two steps
 * of a job differ in their step id; the legs of a matrix share job and step (the matrix is not in the runner's
 * environment) but deploy other manifests or into another namespace. So two deployments never prune each
 * other's objects unless they name one `prune-set`.
 */
export function defaultSet(owner: SetOwner): string {
  const repo = owner.repository.split('/').pop() || 'app';
  // A step without an id is named like `__octo_dockyard` by the runner: the underscores say nothing.
  const step = owner.step.replace(/^[^A-Za-z0-9]+/, '') || 'step';
  const readable = labelValue(`${repo}.${owner.job || 'deploy'}.${step}`).slice(0, 54);
  const target = JSON.stringify([
    owner.repository,
    owner.job,
    owner.step,
    owner.namespace,
    owner.manifests.trim(),
    owner.kustomize.trim()
  ]);
  const hash = createHash('sha256').update(target).digest('hex').slice(0, 8);
  return `${readable.replace(/[^A-Za-z0-9]+$/, '')}-${hash}`;
}
