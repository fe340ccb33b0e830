/**
 * One deployment, in the order it happens: apply (Namespaces, CRDs, the rest) → prune → wait for every
 * workload → explain a failure → roll failed Deployments back. Returns the result on every path (failure,
 * timeout, cancel); it throws only for bugs.
 */
import { describeError } from '../../../core/errors.js';
import { workspaceDir } from '../../../core/inputs.js';
import type { Logger } from '../../../core/log.js';
import { systemClock, type Clock } from '../../../core/poll.js';
import type { Diagnostic } from '../../../core/report.js';
import { applyAll, type Applied, type ResourceResult } from './apply.js';
import { awsSession, type AwsSession } from './aws.js';
import { clusterFromEks, clusterFromKubeconfig, type AwsAccess, type ClusterAccess } from './cluster.js';
import type { Inputs } from './inputs.js';
import { describeRef, KubeClient, KubeError, refKey, type Kube } from './kube.js';
import type { ImageChange } from './manifests.js';
import { prune, readRecord, recordName, recordOf, writeRecord } from './prune.js';
import { ROLLED_BACK_KINDS, rollBackWorkload, type RollbackResult } from './rollback.js';
import { POLL_INTERVAL_MS, waitForWorkloads, type WorkloadOutcome } from './rollout.js';

export type DeployStatus = 'COMPLETED' | 'FAILED' | 'ROLLED_BACK' | 'TIMED_OUT' | 'DRY_RUN' | 'CANCELLED';

export interface DeployResult {
  status: DeployStatus;
  success: boolean;
  /** One sentence: what happened, or the root cause. */
  reason: string;
  cluster: string;
  namespace: string;
  server?: string;
  resources: ResourceResult[];
  images: ImageChange[];
  workloads: WorkloadOutcome[];
  rollbacks: { name: string; result: RollbackResult }[];
  rootCause?: string;
  diagnostics: Diagnostic[];
  /** Where the deployment stopped, for a cancel or failure: applying, pruning, waiting, rolling back, done. */
  phase: string;
  error?: unknown;
}

export interface DeployContext {
  log: Logger;
  signal: AbortSignal;
  clock?: Clock;
  /** Epoch ms (by `clock`) when the step must be over. */
  deadline: number;
  /** Poll interval override (tests, bench). */
  intervalMs?: number;
}

/** Time kept back from the deadline, to print and set outputs before the step is cut. */
const RESERVE_MS = 1500;

export function summarizeResources(resources: ResourceResult[]): string {
  const count = (a: string) => resources.filter(r => r.action === a).length;
  const parts = ['created', 'configured', 'unchanged', 'pruned']
    .map(a => [a, count(a)] as const)
    .filter(([, n]) => n > 0);
  return parts.length ? parts.map(([a, n]) => `${n} ${a}`).join(', ') : 'nothing';
}

export async function deploy(
  inputs: Inputs,
  access: ClusterAccess,
  ctx: DeployContext,
  makeClient: (access: ClusterAccess, signal: AbortSignal, clock: Clock) => Kube = (a, signal, clock) =>
    new KubeClient(a.connection, { signal, clock, deadline: ctx.deadline })
): Promise<DeployResult> {
  const clock = ctx.clock ?? systemClock;
  const kube = makeClient(access, ctx.signal, clock);
  const result: DeployResult = {
    status: 'FAILED',
    success: false,
    reason: '',
    cluster: access.name,
    namespace: inputs.namespace,
    server: access.server,
    resources: [],
    images: inputs.images,
    workloads: [],
    rollbacks: [],
    diagnostics: [],
    phase: 'applying'
  };
  const remaining = () => ctx.deadline - clock.now() - RESERVE_MS;
  let applied: Applied[] = [];
  try {
    const { log } = ctx;
    for (const change of inputs.images)
      log.info(`${change.object} container ${change.container}: ${change.from} → ${change.to}`);
    // The set's record only serves prune: a record that cannot be read or written is a warning, not a failure.
    // Only an answer of the API server (403, a missing namespace) is tolerated: a refused token, a cancel or an
    // unreachable server is the deploy's failure, not the record's.
    const previous = await readRecord(kube, inputs.set, inputs.namespace).catch((error: unknown) => {
      if (!(error instanceof KubeError)) throw error;
      if (inputs.prune)
        log.warning(
          `Could not read the record of set ${inputs.set}: ${describeError(error)}. Prune looks at the kinds of these manifests only.`
        );
      return undefined;
    });
    applied = await log.group(
      `Apply ${inputs.manifests.length} objects${inputs.dryRun ? ' (server-side dry run)' : ''}`,
      () =>
        applyAll(kube, inputs.manifests, {
          namespace: inputs.namespace,
          fieldManager: inputs.fieldManager,
          force: inputs.forceConflicts,
          dryRun: inputs.dryRun,
          log,
          clock,
          signal: ctx.signal
        })
    );
    result.resources = applied.map(a => a.result);
    const namespaces = new Set(applied.map(a => a.sent.metadata.namespace).filter(Boolean));
    if (namespaces.size === 1) result.namespace = [...namespaces][0]!;
    if (ctx.signal.aborted) return cancelled(result, ctx.signal);

    result.phase = 'pruning';
    if (inputs.prune) {
      const pruned = await log.group('Prune', () =>
        prune(kube, applied, previous, {
          set: inputs.set,
          namespace: inputs.namespace,
          dryRun: inputs.dryRun,
          log
        })
      );
      result.resources.push(...pruned);
    }
    if (!inputs.dryRun) {
      // Remember the kinds and namespaces of this set for the next prune; without prune, the old ones still count.
      const current = recordOf(applied, inputs.namespace);
      const record =
        inputs.prune || !previous
          ? current
          : {
              kinds: [...new Set([...previous.kinds, ...current.kinds])],
              namespaces: [...new Set([...previous.namespaces, ...current.namespaces])]
            };
      await writeRecord(kube, inputs.set, inputs.namespace, record, inputs.fieldManager).catch(
        (error: unknown) => {
          if (!(error instanceof KubeError)) throw error;
          log.warning(
            `Could not record the kinds of set ${inputs.set} (ConfigMap ${recordName(inputs.set)} in ${inputs.namespace}): ${describeError(error)}. A later prune may miss kinds that leave the manifests.`
          );
        }
      );
    }
    if (ctx.signal.aborted) return cancelled(result, ctx.signal);

    if (inputs.dryRun) {
      result.status = 'DRY_RUN';
      result.success = true;
      result.phase = 'done';
      result.reason = `Dry run: ${summarizeResources(result.resources)} (nothing was written).`;
      return result;
    }
    if (!inputs.wait) {
      result.status = 'COMPLETED';
      result.success = true;
      result.phase = 'done';
      result.reason = `Applied: ${summarizeResources(result.resources)}; not waited for (wait: false).`;
      return result;
    }

    result.phase = 'waiting';
    result.workloads = await log.group('Wait for the rollout', () =>
      waitForWorkloads(
        kube,
        applied.map(a => a.live),
        {
          timeoutMs: Math.max(0, remaining()),
          intervalMs: ctx.intervalMs ?? POLL_INTERVAL_MS,
          clock,
          signal: ctx.signal,
          log
        }
      )
    );
    if (ctx.signal.aborted) return cancelled(result, ctx.signal);
    const failed = result.workloads.filter(w => w.outcome === 'failed');
    if (failed.length > 0) {
      result.rootCause = failed[0].explanation?.rootCause;
      for (const [i, f] of failed.entries()) {
        if (f.explanation) {
          // The first root cause leads the reason; the others lead their own diagnostics.
          if (i > 0)
            result.diagnostics.push({
              title: `Also failed: ${describeRef(f.ref)}`,
              severity: 'error',
              lines: [f.explanation.rootCause]
            });
          result.diagnostics.push(...f.explanation.diagnostics);
        }
        log.error(f.explanation?.rootCause ?? `${describeRef(f.ref)}: ${f.message}`, {
          title: 'Rollout failed'
        });
        for (const d of f.explanation?.diagnostics ?? [])
          log.info([`${d.title}:`, ...d.lines.map(l => `  ${l}`)].join('\n'));
      }
      result.phase = 'rolling back';
      if (inputs.rollback) {
        for (const f of failed.filter(w => ROLLED_BACK_KINDS.has(w.ref.kind) && w.live)) {
          const a = applied.find(x => refKey(x.result) === refKey(f.ref));
          if (!a) continue;
          let rb: RollbackResult;
          try {
            rb = await log.group(`Roll back ${describeRef(f.ref)}`, () =>
              rollBackWorkload(kube, a, f, {
                fieldManager: inputs.fieldManager,
                timeoutMs: Math.max(0, remaining()),
                clock,
                signal: ctx.signal,
                log
              })
            );
          } catch (error) {
            rb = {
              ok: false,
              message: `${describeRef(f.ref)}: the rollback failed: ${describeError(error)}`
            };
          }
          log.untrusted(rb.message);
          result.rollbacks.push({ name: describeRef(f.ref), result: rb });
        }
      }
      if (ctx.signal.aborted) return cancelled(result, ctx.signal);
      const done = result.rollbacks.filter(r => !r.result.skipped);
      const rolledBack = done.length > 0 && done.every(r => r.result.ok);
      result.status = rolledBack ? 'ROLLED_BACK' : 'FAILED';
      const cause = result.rootCause ?? 'A workload failed to roll out';
      result.reason = `${cause}${/[.!?]$/.test(cause) ? '' : '.'}${result.rollbacks.length ? ` ${result.rollbacks.map(r => r.result.message).join(' ')}` : ''}`;
      result.phase = 'done';
      return result;
    }
    const late = result.workloads.filter(w => w.outcome === 'timeout');
    if (late.length > 0) {
      result.status = 'TIMED_OUT';
      result.reason = `Timed out waiting for ${late.map(w => `${describeRef(w.ref)} (${w.message})`).join(', ')}.`;
      result.phase = 'done';
      return result;
    }
    result.status = 'COMPLETED';
    result.success = true;
    result.phase = 'done';
    result.reason = `Applied ${summarizeResources(result.resources)}; ${result.workloads.length} workload${result.workloads.length === 1 ? '' : 's'} rolled out.`;
    return result;
  } catch (error) {
    if (ctx.signal.aborted) return cancelled(result, ctx.signal, error);
    result.status = 'FAILED';
    result.error = error;
    result.reason = describeError(error);
    return result;
  } finally {
    kube.close();
  }
}

/** Stopped by the cancel or the deadline: what was applied, what was still rolling out, the call cut short. */
function cancelled(result: DeployResult, signal: AbortSignal, error?: unknown): DeployResult {
  result.status = 'CANCELLED';
  result.success = false;
  const why = (signal.reason as Error | undefined)?.message;
  const stillWaiting = result.workloads
    .filter(w => w.outcome !== 'ready')
    .map(w => `${describeRef(w.ref)} (${w.message})`);
  const cut = error ? ` ${describeError(error)}` : why ? ` ${why}.` : '';
  result.reason = `Stopped while ${result.phase}:${cut} ${result.resources.length} objects applied (${summarizeResources(result.resources)})${stillWaiting.length ? `; not yet rolled out: ${stillWaiting.join(', ')}` : ''}.`;
  return result;
}

/**
 * AWS, made when first needed: a kubeconfig with a static token never touches AWS. One session per region.
 */
function lazyAws(inputs: Inputs, { signal, log, clock }: DeployContext) {
  const sessions = new Map<string, Promise<AwsSession>>();
  const session = (region: string) => {
    let s = sessions.get(region);
    if (!s) sessions.set(region, (s = awsSession({ region, roleArn: inputs.roleArn, signal, log, clock })));
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

/** The action's function: reach the cluster (EKS or kubeconfig), then deploy. */
export async function deployToCluster(inputs: Inputs, ctx: DeployContext): Promise<DeployResult> {
  const aws = lazyAws(inputs, ctx);
  try {
    const access = inputs.kubeconfig
      ? clusterFromKubeconfig(inputs.kubeconfig, {
          workspace: workspaceDir(),
          region: inputs.region,
          aws: aws.access,
          clock: ctx.clock,
          mask: secret => ctx.log.mask(secret)
        })
      : await clusterFromEks(inputs.cluster!, inputs.region!, aws.access(inputs.region!), {
          log: ctx.log,
          clock: ctx.clock
        });
    for (const secret of access.secrets ?? []) ctx.log.mask(secret);
    ctx.log.info(
      `Cluster ${access.name}: ${access.server} (${access.via === 'eks' ? 'EKS DescribeCluster' : 'kubeconfig'})`
    );
    return await deploy(inputs, access, ctx);
  } finally {
    await aws.destroy();
  }
}
