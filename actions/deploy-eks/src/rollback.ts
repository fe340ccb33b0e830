/**
 * Rollback of a failed Deployment to its previous revision's pod template, as `kubectl rollout undo` does,
 * then waited for. It is written by server-side apply with the same field manager as the deploy, sending
 * the object as it was applied with only the pod template replaced: the deploy's manager keeps owning the
 * same fields, so the next deploy applies cleanly (a rollback under another manager would own the image
 * and make the next apply conflict).
 */
import type { Logger } from '../../../core/log.js';
import type { Clock } from '../../../core/poll.js';
import { describeRef, type Kube, type KubeObject } from './kube.js';
import { REVISION, replicaSets, waitForWorkload } from './rollout.js';

export interface RollbackResult {
  ok: boolean;
  message: string;
  /** The revision rolled back to. */
  revision?: string;
}

/** The pod template of the revision before the current one, without the controller's pod-template-hash label. */
export async function previousTemplate(
  kube: Kube,
  live: KubeObject
): Promise<{ template: Record<string, unknown>; revision: string } | undefined> {
  const current = Number(live.metadata.annotations?.[REVISION] ?? 0);
  const previous = (await replicaSets(kube, live)).find(
    s => Number(s.metadata.annotations?.[REVISION] ?? 0) < current
  );
  const template = (
    previous?.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined
  )?.template;
  if (!previous || !template) return undefined;
  const copy = structuredClone(template) as { metadata?: { labels?: Record<string, string> } } & Record<
    string,
    unknown
  >;
  if (copy.metadata?.labels) delete copy.metadata.labels['pod-template-hash'];
  return { template: copy, revision: previous.metadata.annotations?.[REVISION] ?? '?' };
}

export async function rollbackDeployment(
  kube: Kube,
  sent: KubeObject,
  live: KubeObject,
  options: {
    fieldManager: string;
    timeoutMs: number;
    intervalMs: number;
    clock?: Clock;
    signal?: AbortSignal;
    log: Logger;
  }
): Promise<RollbackResult> {
  const name = describeRef({ kind: live.kind, namespace: live.metadata.namespace, name: live.metadata.name });
  const previous = await previousTemplate(kube, live);
  if (!previous) return { ok: false, message: `${name} has no previous revision to roll back to.` };
  const object = structuredClone(sent);
  object.spec = { ...(object.spec as Record<string, unknown>), template: previous.template };
  options.log.info(`${name}: rolling back to revision ${previous.revision}`);
  await kube.apply(object, { fieldManager: options.fieldManager, force: true });
  const outcome = await waitForWorkload(
    kube,
    {
      apiVersion: live.apiVersion,
      kind: live.kind,
      namespace: live.metadata.namespace,
      name: live.metadata.name
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs,
      clock: options.clock,
      signal: options.signal,
      log: options.log
    }
  );
  if (outcome.outcome === 'ready')
    return {
      ok: true,
      revision: previous.revision,
      message: `${name} rolled back to revision ${previous.revision}.`
    };
  return {
    ok: false,
    revision: previous.revision,
    message: `${name}: the rollback to revision ${previous.revision} did not complete (${outcome.outcome}: ${outcome.explanation?.rootCause ?? outcome.message}).`
  };
}
