/**
 * Status helpers the controllers and the kubelet share: conditions set the way Kubernetes components set them,
 * timestamps at the second, as the API server stores them.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { deepEqual } from './apply.js';

type K = Record<string, any>;

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function condition(o: K, type: string): K | undefined {
  return (o.status?.conditions ?? []).find((c: K) => c.type === type);
}

/** Sets a condition the way controllers do: lastTransitionTime moves only when the status changes. */
export function setCondition(status: K, cond: K, now: number, withUpdateTime: boolean): void {
  status.conditions ??= [];
  const old = status.conditions.find((c: K) => c.type === cond.type);
  const next: K = { type: cond.type, status: cond.status };
  if (withUpdateTime)
    next.lastUpdateTime =
      old && deepEqual(old.reason, cond.reason) && old.status === cond.status && !cond.touch
        ? old.lastUpdateTime
        : iso(now);
  next.lastTransitionTime = old && old.status === cond.status ? old.lastTransitionTime : iso(now);
  if (cond.reason) next.reason = cond.reason;
  if (cond.message) next.message = cond.message;
  if (old) status.conditions[status.conditions.indexOf(old)] = next;
  else status.conditions.push(next);
}

export function podReady(pod: K): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}
