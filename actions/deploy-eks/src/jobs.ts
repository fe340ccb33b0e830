/**
 * Jobs whose pod template changed. The API server refuses such an apply (422 Invalid, `spec.template: Invalid
 * value: …: field is immutable`): a Job runs once, and re-running a migration with a new image means a new Job.
 * A finished Job (Complete or Failed) is replaced: deleted with foreground propagation (its pods go first),
 * waited for until it is gone, then created anew, and waited for like any workload. A Job still running is
 * refused, since replacing it kills its pods mid-run, unless `replace-running-jobs` says to.
 */
import { DockyardError } from '../../../core/errors.js';
import { poll, systemClock, type Clock } from '../../../core/poll.js';
import { formatDuration } from '../../../core/duration.js';
import {
  describeRef,
  isRetryableKube,
  KubeError,
  type Kube,
  type KubeObject,
  type ObjectRef
} from './kube.js';

interface Condition {
  type: string;
  status: string;
}

/**
 * True when the API server refused a Job's apply only because immutable fields of its spec changed: every cause
 * is `field is immutable` on `spec.…`. Any other cause is a real problem of the manifest.
 */
export function onlyImmutableSpec(error: unknown, object: KubeObject): boolean {
  if (object.kind !== 'Job' || !(error instanceof KubeError) || error.status !== 422) return false;
  const causes = error.body.details?.causes ?? [];
  return (
    causes.length > 0 &&
    causes.every(c => (c.field ?? '').startsWith('spec.') && /field is immutable/.test(c.message ?? ''))
  );
}

/** True when the Job has finished: its Complete or Failed condition is True. */
export function finished(job: KubeObject | undefined): boolean {
  const conditions = ((job?.status as { conditions?: Condition[] } | undefined)?.conditions ??
    []) as Condition[];
  return conditions.some(c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** Why a running Job is not replaced, and what to do. */
export function runningJobRefusal(job: KubeObject, source: string): DockyardError {
  const active = (job.status as { active?: number } | undefined)?.active ?? 0;
  const what = describeRef({ kind: job.kind, namespace: job.metadata.namespace, name: job.metadata.name });
  return new DockyardError(
    `${what} (${source}) has not finished (${active} active pod${active === 1 ? '' : 's'}), and its spec changed: a Job's pod template cannot be changed in place, and replacing it would stop its pods mid-run.`,
    {
      input: 'replace-running-jobs',
      hint: 'Let it finish and deploy again (a finished Job is replaced), delete it yourself, or set replace-running-jobs: true to delete and recreate it now.'
    }
  );
}

export interface ReplaceOptions {
  /** How long the old Job may take to go (its pods are deleted first). */
  timeoutMs: number;
  clock?: Clock;
  signal?: AbortSignal;
}

/** Deletes the live Job (foreground, this uid only) and waits until it is gone; the caller creates the new one. */
export async function deleteAndWait(kube: Kube, live: KubeObject, options: ReplaceOptions): Promise<void> {
  const ref: ObjectRef = {
    apiVersion: live.apiVersion,
    kind: live.kind,
    namespace: live.metadata.namespace,
    name: live.metadata.name
  };
  const uid = live.metadata.uid;
  await kube.delete(ref, { propagationPolicy: 'Foreground', uid });
  const outcome = await poll({
    check: async () => {
      const now = await kube.get(ref);
      return !now || now.metadata.uid !== uid ? { done: true, value: true } : { done: false };
    },
    intervalMs: 500,
    timeoutMs: options.timeoutMs,
    clock: options.clock ?? systemClock,
    signal: options.signal,
    isRetryable: isRetryableKube
  });
  if (outcome.kind === 'timeout')
    throw new DockyardError(
      `${describeRef(ref)} was deleted to be replaced, but was still there after ${formatDuration(options.timeoutMs)} (its pods are deleted first).`,
      {
        hint: `Look at its pods and their finalizers: kubectl get pods -n ${ref.namespace} -l job-name=${ref.name}`
      }
    );
}
