/**
 * The labels and annotations deploy-eks writes, and the rules for label keys and values.
 */
import { createHash } from 'node:crypto';
import type { RunContext } from '../../../core/github.js';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const SET_LABEL = 'dockyard.dev/set';
export const RUN_ANNOTATION = 'dockyard.dev/run';
export const COMMIT_ANNOTATION = 'dockyard.dev/commit';

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

/** The default set: the repository, the job and the namespace, so two deployments never prune each other. */
export function defaultSet(run: RunContext, namespace: string): string {
  const repo = run.repository.split('/').pop() || 'app';
  return labelValue(`${repo}.${run.job || 'deploy'}.${namespace}`);
}
