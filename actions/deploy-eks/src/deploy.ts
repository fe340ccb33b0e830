/**
 * One deployment to Kubernetes, as the core's deploy pipeline (core/deploy.ts) runs it: load and render the
 * manifests (from the workspace alone, so before any network call) → reach the cluster (EKS or a kubeconfig) →
 * verify every object with a server-side dry run → apply them (in Helm's order) → wait for every workload →
 * explain a failure (or a wait that ran out of time) → roll back what this run changed, or, once all is healthy,
 * prune. The functions below are the phases, in that order.
 */
import {
  runDeploy,
  waitReserveMs,
  type DeployContext,
  type Ending,
  type PhaseContext
} from '../../../core/deploy.js';
import { formatDuration } from '../../../core/duration.js';
import { describeError } from '../../../core/errors.js';
import { sentence } from '../../../core/text.js';
import type { Logger } from '../../../core/log.js';
import { verifyAll, writeAll, type Applied, type ApplyOptions, type Plan } from './apply.js';
import type { AwsSession } from './aws.js';
import { clusterFromEks, clusterFromKubeconfig, type AwsAccess, type ClusterAccess } from './cluster.js';
import type { Inputs } from './inputs.js';
import { describeRef, KubeClient, KubeError, refKey, type Kube, type KubeObject } from './kube.js';
import type { Manifest } from './manifests.js';
import { loadBalancerAddresses, waitForAllProvisioned } from './provisioned.js';
import { prune, readRecord, recordName, recordOf, writeRecord, type SetRecord } from './prune.js';
import { renderInputs } from './render.js';
import { initialResult, summarizeResources, type DeployResult } from './result.js';
import { ROLLED_BACK_KINDS, rollBackWorkload, type RollbackResult } from './rollback.js';
import { waitForWorkloads, type WaitOptions, type WorkloadOutcome } from './rollout.js';
import { progressDeadlineMs } from './status.js';

/** A cluster reached: how, a client for its API, and what to close at the end. */
export interface Connected {
  access: ClusterAccess;
  kube: Kube;
  close(): Promise<void>;
}

/** Reaches the cluster; tests give a fake one. */
export type Connect = (inputs: Inputs, phase: PhaseContext) => Promise<Connected>;

/** What the phases share: the inputs, the cluster, what each phase made, and the result they fill in. */
interface Run {
  inputs: Inputs;
  log: Logger;
  result: DeployResult;
  cluster?: Connected;
  manifests: Manifest[];
  /** What verify checked, for apply to write. */
  plan?: Plan;
  /** The set's record as the last deploy left it, read by apply. */
  previous?: SetRecord;
  applied: Applied[];
}

export async function deploy(
  inputs: Inputs,
  ctx: DeployContext,
  connect: Connect = connectToCluster
): Promise<DeployResult> {
  const run: Run = { inputs, log: ctx.log, result: initialResult(inputs), manifests: [], applied: [] };
  const dryRun = inputs.dryRun ? ' (server-side dry run)' : '';
  try {
    return await runDeploy(
      run.result,
      {
        render: { title: 'Rendering the manifests', local: true, run: phase => render(run, phase) },
        connect: { title: 'Connecting to the cluster', run: phase => reach(run, phase, connect) },
        verify: {
          title: () => `Verify ${run.manifests.length} objects (server-side dry run)`,
          run: phase => verify(run, phase)
        },
        apply: {
          title: () => `Apply ${run.manifests.length} objects${dryRun}`,
          run: phase => apply(run, phase)
        },
        wait: { title: 'Wait for the rollout', run: phase => wait(run, phase) },
        explain: { title: 'Diagnosing', run: async () => explain(run) },
        rollback: inputs.rollback
          ? { title: 'Roll back', afterTimeout: () => true, run: phase => rollBack(run, phase) }
          : undefined,
        settle: inputs.prune ? { title: 'Prune', run: async () => settle(run) } : undefined,
        progress: () => progress(run.result)
      },
      ctx,
      inputs.timeoutMs
    );
  } finally {
    await run.cluster?.close();
  }
}

/** connect: the cluster's endpoint, CA and credentials (from EKS or the kubeconfig), and an API client. */
async function reach(run: Run, phase: PhaseContext, connect: Connect): Promise<void> {
  const cluster = await connect(run.inputs, phase);
  run.cluster = cluster;
  const { access } = cluster;
  for (const secret of access.secrets ?? []) run.log.mask(secret);
  run.log.info(
    `Cluster ${access.name}: ${access.server} (${access.via === 'eks' ? 'EKS DescribeCluster' : 'kubeconfig'})`
  );
  run.result.cluster = access.name;
  run.result.server = access.server;
}

/** render: the manifests read (kustomize run under the step's signal), checked, filled in and labelled. */
async function render(run: Run, phase: PhaseContext): Promise<void> {
  const { log, result } = run;
  const rendered = await renderInputs(run.inputs, phase);
  run.manifests = rendered.manifests;
  result.images = rendered.images;
  for (const warning of rendered.warnings) {
    log.warning(warning);
    result.warnings.push(warning);
  }
  log.info(`${rendered.manifests.length} objects.`);
  for (const change of rendered.images)
    log.info(`${change.object} container ${change.container}: ${change.from} → ${change.to}`);
}

function applyOptions(run: Run, phase: PhaseContext): ApplyOptions {
  const { inputs } = run;
  return {
    namespace: inputs.namespace,
    fieldManager: inputs.fieldManager,
    force: inputs.forceConflicts,
    dryRun: inputs.dryRun,
    replaceRunningJobs: inputs.replaceRunningJobs,
    log: run.log,
    clock: phase.clock,
    signal: phase.signal
  };
}

/** verify: every object through a server-side dry run; every refusal at once, before anything is written. */
async function verify(run: Run, phase: PhaseContext): Promise<void> {
  run.plan = await verifyAll(run.cluster!.kube, run.manifests, applyOptions(run, phase));
}

/**
 * apply: the objects as verified, and the set's record (the kinds of this and the last deploys, so a prune after a
 * failed one still looks at them). A dry run lists what prune would delete, and ends here; so does `wait: false`.
 */
async function apply(run: Run, phase: PhaseContext): Promise<Ending | void> {
  const { inputs, result } = run;
  const kube = run.cluster!.kube;
  run.previous = await readSetRecord(run);
  run.applied = await writeAll(kube, run.plan!, applyOptions(run, phase));
  result.resources = run.applied.map(a => a.result);
  const namespaces = new Set(run.applied.map(a => a.sent.metadata.namespace).filter(Boolean));
  if (namespaces.size === 1) result.namespace = [...namespaces][0]!;
  // Stopped while applying: neither prune nor the set's record.
  if (phase.signal.aborted) return;
  if (inputs.dryRun) {
    if (inputs.prune) result.resources.push(...(await pruneSet(run)));
    return {
      status: 'DRY_RUN',
      reason: `Dry run: ${summarizeResources(result.resources)} (nothing was written).`
    };
  }
  await writeSetRecord(run, union(run.previous, recordOf(run.applied, inputs.namespace)));
  if (!inputs.wait)
    return {
      status: 'COMPLETED',
      reason: `Applied: ${summarizeResources(result.resources)}; not waited for (wait: false).`
    };
}

/** settle (after every workload is healthy, or after the apply with `wait: false`): prune, then the new record. */
async function settle(run: Run): Promise<void> {
  const pruned = await pruneSet(run);
  run.result.resources.push(...pruned);
  await writeSetRecord(run, recordOf(run.applied, run.inputs.namespace));
  if (pruned.length > 0) run.result.reason = sentence(run.result.reason, `Pruned ${pruned.length}.`);
}

function pruneSet(run: Run) {
  const { inputs, log } = run;
  return prune(run.cluster!.kube, run.applied, run.previous, {
    set: inputs.set,
    namespace: inputs.namespace,
    dryRun: inputs.dryRun,
    crds: inputs.pruneCrds,
    pvcs: inputs.prunePvcs,
    log
  });
}

function union(previous: SetRecord | undefined, current: SetRecord): SetRecord {
  if (!previous) return current;
  return {
    kinds: [...new Set([...previous.kinds, ...current.kinds])],
    namespaces: [...new Set([...previous.namespaces, ...current.namespaces])]
  };
}

/**
 * The set's record only serves prune: one that cannot be read is a warning, not a failure. Only an answer of the
 * API server (403, a missing namespace) is tolerated: a refused token, a cancel or an unreachable server is the
 * deploy's failure, not the record's.
 */
async function readSetRecord(run: Run): Promise<SetRecord | undefined> {
  const { inputs } = run;
  return readRecord(run.cluster!.kube, inputs.set, inputs.namespace).catch((error: unknown) => {
    if (!(error instanceof KubeError)) throw error;
    if (inputs.prune)
      run.log.warning(
        `Could not read the record of set ${inputs.set}: ${describeError(error)}. Prune looks at the kinds of these manifests only.`
      );
    return undefined;
  });
}

/** Remembers the kinds and namespaces of this set for the next prune. */
async function writeSetRecord(run: Run, record: SetRecord): Promise<void> {
  const { inputs } = run;
  await writeRecord(run.cluster!.kube, inputs.set, inputs.namespace, record, inputs.fieldManager).catch(
    (error: unknown) => {
      if (!(error instanceof KubeError)) throw error;
      run.log.warning(
        `Could not record the kinds of set ${inputs.set} (ConfigMap ${recordName(inputs.set)} in ${inputs.namespace}): ${describeError(error)}. A later prune may miss kinds that leave the manifests.`
      );
    }
  );
}

/**
 * wait: every workload at once, the first failure ending the wait; with `wait-for`, the LoadBalancer Services'
 * addresses and the claims Bound alongside.
 */
async function wait(run: Run, phase: PhaseContext): Promise<Ending | void> {
  const { result, inputs } = run;
  const kube = run.cluster!.kube;
  const asked = run.applied.filter(a => !pausedByManifest(a)).map(a => a.live);
  sayDeadlines(run, asked, phase.timeLeftMs());
  // The first failure, of a workload or of what the cloud provisions, ends the other waits.
  const stop = new AbortController();
  const options = { ...waitOptions(run, phase), signal: AbortSignal.any([phase.signal, stop.signal]) };
  const [workloads, provisioned] = await Promise.all([
    waitForWorkloads(kube, asked, options).then(ws => {
      if (ws.some(w => w.outcome === 'failed')) stop.abort();
      return ws;
    }),
    waitForAllProvisioned(kube, asked, inputs.waitFor, options, () => stop.abort())
  ]);
  const abandoned = (w: WorkloadOutcome): WorkloadOutcome =>
    w.outcome === 'cancelled' && !phase.signal.aborted ? { ...w, outcome: 'abandoned' } : w;
  result.workloads = [
    ...run.applied.filter(pausedByManifest).map(pausedOutcome),
    ...[...workloads, ...provisioned].map(abandoned)
  ];
  result.loadBalancers = loadBalancerAddresses(provisioned);
  for (const lb of result.loadBalancers)
    run.log.untrusted(`Service ${lb.namespace}/${lb.name}: load balancer ${lb.addresses.join(', ')}`);
  if (phase.signal.aborted) return;
  return waitEnding(result);
}

const provisionedKind = (w: WorkloadOutcome) =>
  w.ref.kind === 'Service' || w.ref.kind === 'PersistentVolumeClaim';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function waitEnding(result: DeployResult): Ending {
  const failed = result.workloads.filter(w => w.outcome === 'failed');
  if (failed.length > 0)
    return {
      status: 'FAILED',
      reason: `${failed.map(w => describeRef(w.ref)).join(', ')} failed to ${failed.every(provisionedKind) ? 'be provisioned' : 'roll out'}.`
    };
  const late = result.workloads.filter(w => w.outcome === 'timeout');
  if (late.length > 0)
    return {
      status: 'TIMED_OUT',
      reason: `Timed out waiting for ${late.map(w => `${describeRef(w.ref)} (${w.message})`).join(', ')}.`
    };
  const count = (kind: string) => result.workloads.filter(w => w.ref.kind === kind).length;
  const ready = [
    `${plural(result.workloads.filter(w => !provisionedKind(w)).length, 'workload')} rolled out`,
    ...result.loadBalancers.map(lb => `Service ${lb.name} at ${lb.addresses[0]}`),
    ...(count('PersistentVolumeClaim')
      ? [`${plural(count('PersistentVolumeClaim'), 'volume claim')} ready`]
      : [])
  ];
  return {
    status: 'COMPLETED',
    reason: `Applied ${summarizeResources(result.resources)}; ${ready.join('; ')}.`
  };
}

/** How a wait (the rollout's, a rollback's) polls: the inputs' pace and graces, the phase's time and signal. */
function waitOptions(run: Run, phase: PhaseContext): WaitOptions {
  const { inputs } = run;
  return {
    timeoutMs: phase.timeLeftMs(),
    intervalMs: inputs.pollIntervalMs,
    grace: inputs.grace,
    clock: phase.clock,
    signal: phase.signal,
    log: run.log
  };
}

/** A Deployment its manifest pauses: what it asks for is to change the template without rolling it out. */
const pausedByManifest = (a: Applied) =>
  a.sent.kind === 'Deployment' && (a.sent.spec as { paused?: unknown } | undefined)?.paused === true;

function pausedOutcome(a: Applied): WorkloadOutcome {
  const { kind, namespace, name } = a.result;
  return {
    ref: { apiVersion: a.live.apiVersion, kind, namespace, name },
    outcome: 'ready',
    message: 'paused by its manifest (spec.paused): not rolled out, not waited for',
    live: a.live
  };
}

/**
 * A Deployment whose progress deadline comes after this wait ends would not get to say
 * ProgressDeadlineExceeded: the wait's own time ends it (explained and rolled back all the same). Said once.
 */
function sayDeadlines(run: Run, objects: KubeObject[], waitMs: number): void {
  for (const o of objects) {
    const deadline = progressDeadlineMs(o);
    if (deadline === undefined || deadline < waitMs) continue;
    const ref = describeRef({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
    run.log.info(
      `${ref}: its progress deadline (${formatDuration(deadline)}) is after this wait ends (in ${formatDuration(waitMs)}): a rollout that stalls ends TIMED_OUT rather than ProgressDeadlineExceeded. A timeout over ${formatDuration(deadline + waitReserveMs(run.inputs.timeoutMs))} leaves the deadline to the Deployment.`
    );
  }
}

/**
 * explain: the first failure's root cause leads (a wait that ran out of time has one too: what its last look
 * saw); every such workload's diagnostics follow, printed as data.
 */
function explain(run: Run): string | undefined {
  const { log, result } = run;
  const explained = result.workloads.filter(w => w.outcome === 'failed' || w.outcome === 'timeout');
  for (const [i, w] of explained.entries()) {
    const cause = w.explanation?.rootCause ?? `${describeRef(w.ref)}: ${w.message}`;
    // The first root cause leads the reason; the others lead their own diagnostics.
    if (i > 0)
      result.diagnostics.push({ title: `Also: ${describeRef(w.ref)}`, severity: 'error', lines: [cause] });
    result.diagnostics.push(...(w.explanation?.diagnostics ?? []));
    log.info(`${describeRef(w.ref)} ${w.outcome === 'failed' ? 'failed' : 'did not finish in time'}:`);
    log.untrusted(cause);
    for (const d of w.explanation?.diagnostics ?? []) {
      log.info(`${d.title}:`);
      log.untrusted(d.lines.map(l => `  ${l}`));
    }
  }
  const lead = explained.find(w => w.outcome === 'failed') ?? explained[0];
  return lead && (lead.explanation?.rootCause ?? `${describeRef(lead.ref)}: ${lead.message}`);
}

/**
 * rollback: each failed (or stalled) Deployment, StatefulSet and DaemonSet this run changed goes back to the
 * template it had before, waited for; the others are said to be left alone.
 */
async function rollBack(run: Run, phase: PhaseContext): Promise<Ending | void> {
  const { result } = run;
  for (const w of result.workloads.filter(rolledBackKind)) {
    const applied = run.applied.find(a => refKey(a.result) === refKey(w.ref));
    if (!applied) continue;
    const back = await rollBackOne(run, phase, applied, w);
    // It may quote a pod's log line (the reason a rollback did not complete): printed as data.
    run.log.untrusted(back.message);
    result.rollbacks.push({ name: describeRef(w.ref), result: back });
  }
  if (phase.signal.aborted || result.rollbacks.length === 0) return;
  const done = result.rollbacks.filter(r => !r.result.skipped);
  const reason = result.rollbacks.map(r => r.result.message).join(' ');
  // Nothing rolled back (each was left alone, and says why): the wait's outcome stands.
  if (done.length === 0) return { status: result.status, reason };
  return { status: done.every(r => r.result.ok) ? 'ROLLED_BACK' : 'FAILED', reason };
}

const rolledBackKind = (w: WorkloadOutcome) =>
  (w.outcome === 'failed' || w.outcome === 'timeout') && ROLLED_BACK_KINDS.has(w.ref.kind);

async function rollBackOne(
  run: Run,
  phase: PhaseContext,
  applied: Applied,
  w: WorkloadOutcome
): Promise<RollbackResult> {
  try {
    return await rollBackWorkload(run.cluster!.kube, applied, w, {
      ...waitOptions(run, phase),
      fieldManager: run.inputs.fieldManager
    });
  } catch (error) {
    return { ok: false, message: `${describeRef(w.ref)}: the rollback failed: ${describeError(error)}` };
  }
}

/** What had been applied, and what was still rolling out, when the step was stopped. */
function progress(result: DeployResult): string {
  if (result.resources.length === 0) return 'Nothing was applied.';
  const waiting = result.workloads
    .filter(w => w.outcome !== 'ready')
    .map(w => `${describeRef(w.ref)} (${w.message})`);
  return `${result.resources.length} objects applied (${summarizeResources(result.resources)})${waiting.length ? `; not yet rolled out: ${waiting.join(', ')}` : ''}.`;
}

/** The cluster from EKS (or a kubeconfig), with AWS made only when first needed: a static token never touches it. */
export async function connectToCluster(inputs: Inputs, phase: PhaseContext): Promise<Connected> {
  const aws = lazyAws(inputs, phase);
  try {
    const access = inputs.kubeconfig
      ? clusterFromKubeconfig(inputs.kubeconfig, {
          workspace: inputs.workspace,
          region: inputs.region,
          aws: aws.access,
          clock: phase.clock,
          mask: secret => phase.log.mask(secret)
        })
      : await clusterFromEks(inputs.cluster!, inputs.region!, aws.access(inputs.region!), {
          log: phase.log,
          clock: phase.clock
        });
    const kube = new KubeClient(access.connection, {
      signal: phase.signal,
      clock: phase.clock,
      deadline: phase.deadline
    });
    return {
      access,
      kube,
      close: async () => {
        kube.close();
        await aws.destroy();
      }
    };
  } catch (error) {
    await aws.destroy();
    throw error;
  }
}

/** One AWS session per region, its SDK modules loaded on first use. */
function lazyAws(inputs: Inputs, { signal, log, clock }: PhaseContext) {
  const sessions = new Map<string, Promise<AwsSession>>();
  const session = (region: string) => {
    let s = sessions.get(region);
    if (!s) {
      s = import('./aws.js').then(m => m.awsSession({ region, roleArn: inputs.roleArn, signal, log, clock }));
      sessions.set(region, s);
    }
    return s;
  };
  return {
    access: (region: string): AwsAccess => ({
      credentials: async () => (await session(region)).credentials(),
      describeCluster: async name => (await session(region)).describeCluster(name),
      callerArn: async () => (await session(region)).callerArn()
    }),
    destroy: async () => {
      for (const s of sessions.values()) (await s.catch(() => undefined))?.destroy();
    }
  };
}
