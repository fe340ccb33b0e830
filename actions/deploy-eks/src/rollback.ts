/**
 * Rollback of what this run changed, to what ran before it, as Helm's `--atomic` puts back the release that was
 * there: a Deployment, StatefulSet or DaemonSet whose pod template this run changed gets back the template it had
 * before the apply (read just before it), and is waited for. One this run did not change is left alone — an
 * unchanged re-run never reverts production to an older revision — and so is one this run created.
 *
 * The template is written by server-side apply with the deploy's field manager, sending the object as it was
 * applied with only the pod template replaced: the manager keeps owning the same fields, so the next deploy
 * applies cleanly, and `spec.replicas` is sent only as the deploy sent it (never when an autoscaler owns it).
 * A StatefulSet with the OrderedReady policy never replaces a pod that is not Ready: the pods the bad revision
 * left stuck are deleted, so the controller makes them again at the old revision (Kubernetes documents this
 * "forced rollback": StatefulSet, Rolling Updates).
 */
import { poll, systemClock } from '../../../core/poll.js';
import type { Applied } from './apply.js';
import type { Pod } from './diagnose.js';
import { describeRef, isRetryableKube, type Kube, type KubeObject, type ObjectRef } from './kube.js';
import { waitForWorkload, type WaitOptions, type WorkloadOutcome } from './rollout.js';
import { observed, TEMPLATE_GENERATION } from './status.js';
import { ownedBy, REVISION, selectorString } from './watch.js';

export interface RollbackResult {
  ok: boolean;
  message: string;
  /** The revision rolled back to. */
  revision?: string;
  /** Not rolled back, by design: created or not changed by this run, paused. */
  skipped?: boolean;
}

/** A rollback waits as the rollout did, and writes under the deploy's field manager. */
export type RollbackOptions = WaitOptions & { fieldManager: string };

/** The kinds a rollback puts back: those whose pod template is their revision. */
export const ROLLED_BACK_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

type Spec = { template?: { metadata?: Record<string, unknown> } & Record<string, unknown>; paused?: boolean };
const specOf = (o: KubeObject | undefined) => o?.spec as Spec | undefined;

/** JSON with every object's keys in order: two answers of the server compare equal when their values do. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v
  );

/** Whether this run changed the workload's pod template: what a rollback would put back. */
export function changedTemplate(applied: Applied): boolean {
  const template = (o: KubeObject | undefined) => canonical(specOf(o)?.template);
  return !!applied.before && template(applied.before) !== template(applied.live);
}

/** Why a failed workload is left as it is, or undefined when it is rolled back. */
export function leftAlone(applied: Applied, failed: WorkloadOutcome): string | undefined {
  const name = describeRef(failed.ref);
  if (specOf(failed.live)?.paused) return `${name} is paused: nothing of this run was rolled out`;
  if (!applied.before) return `${name} was created by this run: nothing ran before it to go back to`;
  if (!changedTemplate(applied)) return `${name} was not changed by this run: it is not rolled back`;
  return undefined;
}

/**
 * What ran before this run, in the workload's own words: a Deployment's revision, a StatefulSet's revision, a
 * DaemonSet's template generation (its revisions have no number it shows).
 */
function revisionOf(before: KubeObject): { revision?: string; words: string } {
  const status = before.status as { updateRevision?: string } | undefined;
  const revision =
    before.kind === 'Deployment'
      ? before.metadata.annotations?.[REVISION]
      : before.kind === 'StatefulSet'
        ? status?.updateRevision
        : before.metadata.annotations?.[TEMPLATE_GENERATION];
  if (!revision) return { words: 'the template it had before this run' };
  return {
    revision,
    words: before.kind === 'DaemonSet' ? `template generation ${revision}` : `revision ${revision}`
  };
}

/** The object as this run applied it, with the pod template it had before. */
function rollbackObject(applied: Applied): KubeObject {
  const object = structuredClone(applied.sent);
  const template = structuredClone(specOf(applied.before)!.template!);
  // The API server shows an empty creationTimestamp in templates (`null`); it is not ours to send.
  if (template.metadata) delete template.metadata.creationTimestamp;
  object.spec = { ...(object.spec as Record<string, unknown>), template };
  return object;
}

/** Puts back what ran before this run and waits for it; says why when it does not. */
export async function rollBackWorkload(
  kube: Kube,
  applied: Applied,
  failed: WorkloadOutcome,
  options: RollbackOptions
): Promise<RollbackResult> {
  const why = leftAlone(applied, failed);
  if (why) return { ok: false, skipped: true, message: `${why}.` };
  const name = describeRef(failed.ref);
  const { revision, words: to } = revisionOf(applied.before!);
  options.log.info(`${name}: rolling back to ${to}`);
  const live = await kube.apply(rollbackObject(applied), { fieldManager: options.fieldManager, force: true });
  const replaced = live.kind === 'StatefulSet' ? await replaceStuckPods(kube, failed.ref, options) : [];
  const outcome = await waitForWorkload(kube, failed.ref, options);
  const also = replaced.length
    ? ` (stuck pod${replaced.length > 1 ? 's' : ''} ${replaced.join(', ')} replaced)`
    : '';
  if (outcome.outcome === 'ready')
    return { ok: true, revision, message: `${name} rolled back to ${to}${also}.` };
  return {
    ok: false,
    revision,
    message: `${name}: the rollback to ${to} did not complete (${outcome.outcome}: ${outcome.explanation?.rootCause ?? outcome.message}).`
  };
}

const ready = (pod: Pod) =>
  pod.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') === true;

/**
 * Once the StatefulSet controller has seen the template put back (its update revision is the old one again),
 * deletes its pods at another revision that are not Ready: OrderedReady waits for them forever otherwise.
 */
async function replaceStuckPods(kube: Kube, ref: ObjectRef, options: RollbackOptions): Promise<string[]> {
  const outcome = await poll<KubeObject>({
    check: async () => {
      const live = await kube.get(ref);
      return live && observed(live) ? { done: true, value: live } : { done: false };
    },
    intervalMs: 500,
    timeoutMs: options.timeoutMs,
    clock: options.clock ?? systemClock,
    signal: options.signal,
    isRetryable: isRetryableKube
  });
  if (outcome.kind !== 'done') return [];
  const live = outcome.value;
  const revision = (live.status as { updateRevision?: string } | undefined)?.updateRevision;
  const selector = selectorString(
    (live.spec as { selector?: Parameters<typeof selectorString>[0] }).selector
  );
  const pods = await kube.list<Pod>(
    { apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace },
    { labelSelector: selector }
  );
  const stuck = pods.filter(
    p => ownedBy(p, live) && p.metadata.labels?.['controller-revision-hash'] !== revision && !ready(p)
  );
  for (const pod of stuck)
    await kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace, name: pod.metadata.name });
  return stuck.map(p => p.metadata.name);
}
