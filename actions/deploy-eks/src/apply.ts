/**
 * Server-side apply of the rendered manifests, verified before anything is written.
 *
 * verify: every object, in Helm's install order (order.ts), is read and applied with a server-side dry run
 * (`dryRun=All`, `fieldValidation=Strict`): the API server runs its validation, defaulting and admission and
 * stores nothing. Every refusal is collected and reported at once, each naming the object, its manifest and the
 * server's message; only when all pass is anything written. An object in a Namespace the manifests create, or
 * of a kind a CustomResourceDefinition in them defines, cannot be checked before that exists: such Namespaces
 * and CRDs (checked themselves) are written first, then those objects are checked, and only then is anything
 * else written.
 *
 * write: in the same order, each object as checked: kubectl's client-side apply history moved to our field
 * manager first (ownership.ts), `spec.replicas` left to a HorizontalPodAutoscaler (autoscaler.ts), a finished Job
 * whose spec changed replaced (jobs.ts), each CRD waited for until Established. Each object is compared with what
 * the cluster held to say created, configured, unchanged or replaced; a dry run says what would change.
 * `Warning:` headers of the API server (deprecations, PodSecurity, admission webhooks) are printed once per object.
 */
import { DockyardError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { poll, systemClock, type Clock } from '../../../core/poll.js';
import { oneLine, sentence } from '../../../core/text.js';
import {
  findAutoscalers,
  handOverReplicas,
  ownsReplicasAlone,
  replicasOf,
  withoutReplicas
} from './autoscaler.js';
import { changes, maskSecret } from './diff.js';
import { deleteAndWait, finished, onlyImmutableSpec, runningJobRefusal } from './jobs.js';
import {
  describeRef,
  groupOf,
  isRetryableKube,
  KubeError,
  refKey,
  type Kube,
  type KubeObject,
  type ObjectRef
} from './kube.js';
import type { Manifest } from './manifests.js';
import { inInstallOrder } from './order.js';
import { clientSideManagers, migrateClientSideApply } from './ownership.js';

export type ResourceAction = 'created' | 'configured' | 'unchanged' | 'replaced' | 'pruned';

export interface ResourceResult {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  action: ResourceAction;
  /** What changed (`spec.replicas: 2 → 3`); a dry run's diff. */
  changes?: string[];
}

export interface Applied {
  /** The object as sent (namespace filled in; without spec.replicas when an autoscaler owns them). */
  sent: KubeObject;
  /** The object as the cluster answered. */
  live: KubeObject;
  /** Before the apply, when it existed. */
  before?: KubeObject;
  result: ResourceResult;
}

export interface ApplyOptions {
  namespace: string;
  fieldManager: string;
  force: boolean;
  dryRun: boolean;
  /** Replace a Job whose spec changed even while it runs (its pods are stopped). */
  replaceRunningJobs?: boolean;
  log: Logger;
  clock?: Clock;
  signal?: AbortSignal;
  /** How long a CRD may take to become Established. */
  crdTimeoutMs?: number;
  /** How long a Job being replaced may take to go. */
  jobDeleteTimeoutMs?: number;
}

/** One object, from its check to its write. */
export interface Planned {
  source: string;
  /** What is applied: the manifest with its namespace set, without spec.replicas when an autoscaler owns them. */
  object: KubeObject;
  ref: ObjectRef;
  before?: KubeObject;
  /** The dry run's answer: what the apply makes. */
  expected?: KubeObject;
  /** Not checked yet: its Namespace or its CustomResourceDefinition is created by these manifests. */
  deferred?: 'namespace' | 'crd';
  /** The HorizontalPodAutoscaler that owns spec.replicas. */
  autoscaler?: string;
  /** The manifest's replicas, sent only to create an autoscaled object (so it does not start at 1). */
  replicas?: number;
  /** kubectl client-side apply managers whose fields move to ours before the apply. */
  clientSide: string[];
  /** A Job to delete and create again: its spec changed, and a Job's spec is immutable. */
  replace?: boolean;
}

export interface Plan {
  items: Planned[];
  /** The HorizontalPodAutoscalers of the objects, by the object's refKey. */
  autoscalers: Map<string, string>;
  /** Warnings printed, by object and text, so the write does not print them again. */
  warned: Set<string>;
}

/** What the checks of one pass share. */
interface Checking {
  kube: Kube;
  options: ApplyOptions;
  plan: Plan;
  manifests: Manifest[];
  autoscalers: Map<string, string>;
  /** Namespaces these manifests create (a dry run cannot look into them). */
  newNamespaces: Set<string>;
  /** Whether the CRDs of these manifests are still to be written. */
  crdsPending: boolean;
  refusals: unknown[];
  /** Objects already refused (not looked at again). */
  refused: Set<Planned>;
}

const FIRST_WRITTEN = new Set(['Namespace', 'CustomResourceDefinition']);

/** verify: a server-side dry run of every object; throws every refusal at once. */
export async function verifyAll(kube: Kube, manifests: Manifest[], options: ApplyOptions): Promise<Plan> {
  const plan: Plan = { items: [], autoscalers: new Map(), warned: new Set() };
  for (const m of inInstallOrder(manifests, x => x.object.kind))
    plan.items.push({
      source: m.source,
      object: structuredClone(m.object),
      ref: refOf(m.object),
      clientSide: []
    });
  const ctx: Checking = {
    kube,
    options,
    plan,
    manifests,
    autoscalers: new Map(),
    newNamespaces: new Set(),
    crdsPending: true,
    refusals: [],
    refused: new Set()
  };
  for (const item of plan.items) await settleNamespace(ctx, item);
  plan.autoscalers = ctx.autoscalers = await findAutoscalers(
    kube,
    plan.items.map(i => i.object),
    { log: options.log }
  );
  for (const item of plan.items) {
    if (options.signal?.aborted) break;
    await checkOne(ctx, item);
  }
  throwRefusals(ctx.refusals, plan.items.length, 'nothing was written');
  return plan;
}

/** write: every object as checked (see the top of this file). A dry run writes nothing and reports the check. */
export async function writeAll(kube: Kube, plan: Plan, options: ApplyOptions): Promise<Applied[]> {
  if (options.dryRun) return plan.items.map(item => dryRunResult(item, options.log));
  const first = plan.items.filter(i => FIRST_WRITTEN.has(i.object.kind));
  const rest = plan.items.filter(i => !FIRST_WRITTEN.has(i.object.kind));
  const applied: Applied[] = [];
  for (const item of first) {
    if (options.signal?.aborted) return applied;
    applied.push(await writeOne(kube, item, plan, options));
  }
  await checkDeferred(kube, plan, rest, options);
  for (const item of rest) {
    if (options.signal?.aborted) return applied;
    applied.push(await writeOne(kube, item, plan, options));
  }
  return applied;
}

function refOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name
  };
}

/** The CustomResourceDefinition among the manifests that defines the object's kind. */
function definingCrd(manifests: Manifest[], object: KubeObject): KubeObject | undefined {
  const group = groupOf(object.apiVersion);
  return manifests.find(m => {
    const spec = m.object.spec as { group?: string; names?: { kind?: string } } | undefined;
    return (
      m.object.kind === 'CustomResourceDefinition' &&
      spec?.group === group &&
      spec?.names?.kind === object.kind
    );
  })?.object;
}

/**
 * Sets the object's namespace (the `namespace` input when a namespaced object names none; none for a cluster-scoped
 * one), from discovery, or, for a kind a CRD of these manifests defines, from that CRD's scope.
 */
async function settleNamespace(ctx: Checking, item: Planned): Promise<void> {
  const { object } = item;
  let namespaced: boolean;
  try {
    namespaced = (await ctx.kube.resource(object.apiVersion, object.kind)).namespaced;
  } catch (error) {
    const crd = ctx.crdsPending ? definingCrd(ctx.manifests, object) : undefined;
    if (!crd) return refuse(ctx, item, error);
    namespaced = (crd.spec as { scope?: string } | undefined)?.scope !== 'Cluster';
    item.deferred = 'crd';
  }
  if (namespaced) object.metadata.namespace ??= ctx.options.namespace;
  else delete object.metadata.namespace;
  item.ref = refOf(object);
}

/**
 * Records a refusal of the API server (an error answer, or a kind discovery says it does not serve) for the
 * object; anything else (the server unreachable, a cancel) is the deploy's failure and is thrown.
 */
function refuse(ctx: Checking, item: Planned, error: unknown): void {
  const unserved = error instanceof DockyardError && error.input === 'manifests';
  if (!(error instanceof KubeError || unserved)) throw error;
  ctx.refusals.push(
    unserved
      ? new DockyardError(`${describeRef(item.ref)} (${item.source}): ${error.message}`, {
          input: error.input,
          hint: error.hint,
          cause: error
        })
      : explainApplyError(error, item.object, item.source)
  );
  ctx.refused.add(item);
}

/**
 * Checks one object: reads it, and applies it with a server-side dry run. What cannot be checked yet is left
 * deferred; a refusal is recorded, and anything that is not an answer of the API server (a network failure, a
 * cancel) is thrown.
 */
async function checkOne(ctx: Checking, item: Planned): Promise<void> {
  const { kube, options } = ctx;
  if (ctx.refused.has(item) || item.deferred === 'crd') return;
  if (item.ref.namespace && ctx.newNamespaces.has(item.ref.namespace))
    return void (item.deferred = 'namespace');
  item.deferred = undefined;
  try {
    item.before = await kube.get(item.ref);
    maskSecret(item.object, options.log);
    maskSecret(item.before, options.log);
    leaveReplicas(ctx, item);
    item.clientSide = clientSideManagers(item.before);
    item.expected = await dryRunApply(ctx, item);
  } catch (error) {
    if (onlyImmutableSpec(error, item.object) && item.before) return checkJobReplacement(ctx, item);
    return refuse(ctx, item, error);
  }
  if (item.object.kind === 'Namespace' && !item.before) ctx.newNamespaces.add(item.ref.name);
}

/** An autoscaled object: spec.replicas is not applied (kept only to create it), and that is said once. */
function leaveReplicas(ctx: Checking, item: Planned): void {
  const autoscaler = ctx.autoscalers.get(refKey(item.ref));
  if (!autoscaler || item.autoscaler) return;
  item.autoscaler = autoscaler;
  item.replicas = replicasOf(item.object);
  if (item.replicas === undefined) return;
  item.object = withoutReplicas(item.object);
  ctx.options.log.info(
    `${describeRef(item.ref)}: spec.replicas belongs to ${autoscaler}; the manifest's ${item.replicas} is not applied${item.before ? '' : ' (only to create it)'}.`
  );
}

/**
 * The dry run of one object. An autoscaled object is checked with its live count (what the write leaves in
 * place). A conflict only with kubectl's client-side apply managers, whose fields the write moves to ours first,
 * is checked again with force, which is what the apply after that move does.
 */
async function dryRunApply(ctx: Checking, item: Planned): Promise<KubeObject> {
  const { kube, options } = ctx;
  const live = replicasOf(item.before) ?? item.replicas;
  const body =
    item.autoscaler && live !== undefined
      ? { ...item.object, spec: { ...(item.object.spec as object), replicas: live } }
      : item.object;
  const apply = (force: boolean) =>
    kube.apply(body, {
      fieldManager: options.fieldManager,
      force,
      dryRun: true,
      onWarning: text => warn(ctx.plan, item.ref, text, options.log)
    });
  try {
    return await apply(options.force);
  } catch (error) {
    if (!conflictsOnlyWith(error, item.clientSide)) throw error;
    return apply(true);
  }
}

/** True for a 409 whose every conflict is with one of `managers`. */
function conflictsOnlyWith(error: unknown, managers: string[]): boolean {
  if (!(error instanceof KubeError) || error.status !== 409 || managers.length === 0) return false;
  const causes = error.body.details?.causes ?? [];
  return (
    causes.length > 0 &&
    causes.every(c => managers.includes(/conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? ''))
  );
}

/** A Job whose spec changed: replaced when it has finished (or when running ones may be), else refused. */
async function checkJobReplacement(ctx: Checking, item: Planned): Promise<void> {
  if (!finished(item.before) && !ctx.options.replaceRunningJobs) {
    ctx.refusals.push(runningJobRefusal(item.before!, item.source));
    ctx.refused.add(item);
    return;
  }
  try {
    await ctx.kube.delete(item.ref, { dryRun: true, propagationPolicy: 'Foreground' });
    item.replace = true;
  } catch (error) {
    refuse(ctx, item, error);
  }
}

/** Prints a `Warning:` header of the API server once per object. */
function warn(plan: Plan, ref: ObjectRef, text: string, log: Logger): void {
  const key = `${refKey(ref)} ${text}`;
  if (plan.warned.has(key)) return;
  plan.warned.add(key);
  log.warning(`${describeRef(ref)}: ${oneLine(text, { max: 500 })}`);
}

/** Every refusal at once; one alone keeps its own input and hint. */
function throwRefusals(refusals: unknown[], total: number, written: string): void {
  if (refusals.length === 0) return;
  const problems = refusals.map(r =>
    r instanceof DockyardError ? r : new DockyardError(String((r as Error)?.message ?? r), { cause: r })
  );
  if (problems.length === 1) {
    const [p] = problems;
    throw new DockyardError(`${p.message} (Checked with a server-side dry run: ${written}.)`, {
      input: p.input,
      hint: p.hint,
      cause: p
    });
  }
  const inputs = new Set(problems.map(p => p.input));
  throw new DockyardError(
    `${problems.length} of ${total} objects were refused by the server-side dry run, so ${written}:\n${problems.map(p => `  - ${p.describe()}`).join('\n')}`,
    { input: inputs.size === 1 ? problems[0].input : 'manifests' }
  );
}

/**
 * The objects that could not be checked before their Namespace or CRD existed, checked now that those are
 * written (and discovery asked again), before anything else is.
 */
async function checkDeferred(kube: Kube, plan: Plan, items: Planned[], options: ApplyOptions): Promise<void> {
  const deferred = items.filter(i => i.deferred);
  if (deferred.length === 0) return;
  const ctx: Checking = {
    kube,
    options,
    plan,
    manifests: [],
    autoscalers: plan.autoscalers,
    newNamespaces: new Set(),
    crdsPending: false,
    refusals: [],
    refused: new Set()
  };
  for (const item of deferred) {
    item.deferred = undefined;
    await settleNamespace(ctx, item);
  }
  for (const item of deferred) await checkOne(ctx, item);
  throwRefusals(
    ctx.refusals,
    deferred.length,
    'only the Namespaces and CustomResourceDefinitions they need were written'
  );
}

/**
 * Writes one checked object: its client-side apply history moved to us, `spec.replicas` handed to its
 * autoscaler, a changed Job deleted; then the apply, and for a CRD the wait until it is Established.
 */
async function writeOne(kube: Kube, item: Planned, plan: Plan, options: ApplyOptions): Promise<Applied> {
  const { fieldManager, log } = options;
  let live = item.before;
  if (live && item.clientSide.length > 0) {
    live = await migrateClientSideApply(kube, live, fieldManager);
    log.info(
      `${describeRef(item.ref)}: the fields of kubectl's client-side apply (${item.clientSide.join(', ')}) are now ${fieldManager}'s, as kubectl apply --server-side moves them.`
    );
  }
  if (live && item.autoscaler && ownsReplicasAlone(live, fieldManager))
    await handOverReplicas(kube, live, fieldManager);
  if (live && item.replace) {
    await deleteAndWait(kube, live, {
      timeoutMs: options.jobDeleteTimeoutMs ?? 120_000,
      clock: options.clock,
      signal: options.signal
    });
    live = undefined;
  }
  const created = !live;
  const body =
    created && item.autoscaler && item.replicas !== undefined
      ? { ...item.object, spec: { ...(item.object.spec as object), replicas: item.replicas } }
      : item.object;
  let answer: KubeObject;
  try {
    answer = await kube.apply(body, {
      fieldManager,
      force: options.force,
      onWarning: text => warn(plan, item.ref, text, log)
    });
  } catch (error) {
    throw explainApplyError(error, item.object, item.source);
  }
  if (created && body !== item.object) await handOverReplicas(kube, answer, fieldManager);
  if (item.object.kind === 'CustomResourceDefinition') await waitEstablished(kube, item.object, options);
  const result = resultOf(item, answer);
  log.info(`${describeRef(item.ref)} ${result.action}`);
  return { sent: item.object, live: answer, before: item.before, result };
}

const REPLACED = "its spec changed, and a Job's spec cannot be changed in place: deleted and created again";

/** What happened to one object: replaced, created, configured (with what changed) or unchanged. */
function resultOf(item: Planned, after: KubeObject): ResourceResult {
  const found = item.replace ? [REPLACED] : item.before ? changes(item.before, after) : [];
  const action: ResourceAction = item.replace
    ? 'replaced'
    : !item.before
      ? 'created'
      : found.length === 0
        ? 'unchanged'
        : 'configured';
  const result: ResourceResult = { ...item.ref, action, ...(found.length ? { changes: found } : {}) };
  if (!result.namespace) delete result.namespace;
  return result;
}

/** A dry run's report of one object: what the check found, nothing written. */
function dryRunResult(item: Planned, log: Logger): Applied {
  const object = item.object;
  if (item.deferred) {
    const why =
      item.deferred === 'crd'
        ? 'its CustomResourceDefinition is not installed yet'
        : `namespace ${item.ref.namespace} does not exist yet`;
    const result: ResourceResult = { ...item.ref, action: 'created' };
    if (!result.namespace) delete result.namespace;
    log.info(`${describeRef(item.ref)} created (dry run; not checked: ${why})`);
    return { sent: object, live: object, result };
  }
  const live = item.expected ?? object;
  const result = resultOf(item, live);
  log.info(`${describeRef(item.ref)} ${result.action} (dry run)`);
  for (const c of result.changes ?? []) log.info(`    ${c}`);
  return { sent: object, live, before: item.before, result };
}

async function waitEstablished(kube: Kube, crd: KubeObject, options: ApplyOptions): Promise<void> {
  const timeoutMs = options.crdTimeoutMs ?? 60_000;
  const outcome = await poll({
    check: async () => {
      const live = await kube.get<
        KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
      >(refOf(crd));
      const ok = live?.status?.conditions?.some(c => c.type === 'Established' && c.status === 'True');
      return ok ? { done: true, value: true } : { done: false };
    },
    intervalMs: 500,
    timeoutMs,
    clock: options.clock ?? systemClock,
    signal: options.signal,
    isRetryable: isRetryableKube
  });
  if (outcome.kind === 'timeout')
    throw new DockyardError(
      `CustomResourceDefinition ${crd.metadata.name} did not become Established within ${Math.round(timeoutMs / 1000)} s.`,
      {
        input: 'manifests',
        hint: 'Check the CRD with kubectl describe crd; its kinds cannot be applied before it is Established.'
      }
    );
}

/** An API server message, cut to a line a reader can take in (a Job template's %#v dump runs to kilobytes). */
const said = (text: string | undefined) => oneLine(text ?? '', { max: 400 });

/** The unknown fields of a server-side apply the schema refused (`failed to create typed patch object`). */
function undeclaredFields(message: string): string[] {
  return [...message.matchAll(/(\S+): field not declared in schema/g)].map(m => m[1]);
}

/** Turns an apply failure into a message that names the object and, for a conflict, the other manager and field. */
export function explainApplyError(error: unknown, object: KubeObject, source: string): unknown {
  if (!(error instanceof KubeError)) return error;
  const what = `${describeRef({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name })} (${source})`;
  const message = error.body.message ?? error.message;
  const unknown = undeclaredFields(message);
  if (unknown.length > 0)
    return new DockyardError(
      `${what}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (not in the schema of ${object.apiVersion} ${object.kind}).`,
      {
        input: 'manifests',
        hint: `Check the spelling (kubectl explain ${object.kind.toLowerCase()}.spec), and that the field belongs to this apiVersion and the cluster's Kubernetes version.`,
        cause: error
      }
    );
  if (error.status === 409) return conflictError(error, what);
  if (error.status === 403)
    return new DockyardError(sentence(`${what}: the cluster forbids it: ${said(message)}`), {
      hint: "Grant the deploying identity's Kubernetes user or group the RBAC the deploy-eks README lists (get, list, patch, create, delete on these kinds).",
      cause: error
    });
  if (error.status === 404 || error.status === 422 || error.status === 400)
    return new DockyardError(sentence(`${what} was refused: ${refusalText(error)}`), {
      input: 'manifests',
      hint: 'Fix the manifest.',
      cause: error
    });
  return error;
}

/** A 422's causes (`field: message`), or the message. */
function refusalText(error: KubeError): string {
  const causes = (error.body.details?.causes ?? []).filter(c => c.field || c.message);
  if (causes.length === 0) return said(error.body.message ?? error.message);
  return causes.map(c => said(`${c.field ? `${c.field}: ` : ''}${c.message ?? ''}`)).join('; ');
}

function conflictError(error: KubeError, what: string): DockyardError {
  const causes = (error.body.details?.causes ?? []).filter(c => c.type === 'FieldManagerConflict' || c.field);
  const parts = causes.map(
    c =>
      `${c.field ?? '?'} is owned by ${/"([^"]+)"/.exec(c.message ?? '')?.[1] ?? c.message ?? 'another manager'}`
  );
  return new DockyardError(
    `${what}: field-manager conflict: ${parts.length ? parts.join('; ') : said(error.body.message ?? 'conflict')}.`,
    {
      input: 'force-conflicts',
      hint: 'Another tool set these fields. Remove them from the manifest, let that tool stop managing them, or set force-conflicts: true to take them over.',
      cause: error
    }
  );
}
