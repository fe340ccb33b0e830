/**
 * Rolling out: UpdateService, then following *that* deployment by its id until it completes or fails.
 *
 * One DescribeServices call per poll, through a client that does not retry by itself: throttling and 5xx are
 * retried by the poller with backoff, never end the wait early, and never multiply the calls within a poll.
 * Each poll prints new service events and changes in the deployment's counts, and decides at once:
 *   - COMPLETED: the deployment's rolloutState is COMPLETED (or, without rolloutState, it is the only
 *     deployment and running equals desired);
 *   - FAILED: rolloutState FAILED and ECS is not rolling back;
 *   - ROLLED_BACK: ECS's circuit breaker rolled back (the deployment failed or is gone, and the service is back
 *     on another revision);
 *   - SUPERSEDED: another deployment took over;
 *   - TIMED_OUT / CANCELLED: the deadline passed, or the runner cancelled the job.
 */
import {
  DescribeServicesCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type Service,
  type ServiceEvent
} from '@aws-sdk/client-ecs';
import {
  DockyardError,
  errorName,
  formatDuration,
  poll,
  sendOnce,
  systemClock,
  type Clock,
  type Logger
} from '../../../core/index.js';
import { taskDefinitionKey } from './render.js';

export type RolloutStatus = 'COMPLETED' | 'FAILED' | 'ROLLED_BACK' | 'SUPERSEDED' | 'TIMED_OUT' | 'CANCELLED';

export interface RolloutResult {
  status: RolloutStatus;
  /** One sentence: why the wait ended. */
  reason: string;
  deploymentId: string;
  /** The deployment as last seen (absent when it was gone). */
  deployment?: Deployment;
  /** The service as last seen. */
  service?: Service;
  /** ROLLED_BACK by ECS's circuit breaker (true), rather than by this action. */
  rolledBackByEcs?: boolean;
  /** The deployment that took over (SUPERSEDED) or ECS's rollback deployment. */
  otherDeploymentId?: string;
  /** The service events that appeared while waiting, oldest first, as printed. */
  events: string[];
  polls: number;
  elapsedMs: number;
}

export interface Target {
  cluster: string;
  service: string;
}

export interface EcsClients {
  ecs: ECSClient;
  /** maxAttempts 1: the poller (or the caller) decides about retries. */
  ecsNoRetry: ECSClient;
}

export async function describeService(
  ecs: ECSClient,
  target: Target,
  signal?: AbortSignal
): Promise<Service> {
  const out = await ecs.send(
    new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }),
    { abortSignal: signal }
  );
  const service = out.services?.[0];
  if (!service) {
    const failure = out.failures?.[0];
    throw new DockyardError(
      `the service '${target.service}' does not exist in the cluster '${target.cluster}'${failure?.reason ? ` (${failure.reason})` : ''}.`,
      {
        input: 'service',
        hint: 'Check the service name and the cluster.'
      }
    );
  }
  return service;
}

export interface StartOptions {
  taskDefinitionArn: string;
  desiredCount?: number;
  forceNewDeployment: boolean;
  clock?: Clock;
  attempts?: number;
  baseDelayMs?: number;
}

/**
 * Calls UpdateService and returns the deployment it started (the PRIMARY one in the answer). With
 * forceNewDeployment a blind retry would start a second deployment, so after a transient error the service is
 * described first: a PRIMARY deployment of our revision created since we started is ours.
 */
export async function startDeployment(
  clients: EcsClients,
  target: Target,
  options: StartOptions,
  log: Logger
): Promise<{ deployment: Deployment; service: Service }> {
  const startedAt = (options.clock ?? systemClock).now();
  return sendOnce({
    operation: 'UpdateService',
    log,
    clock: options.clock,
    attempts: options.attempts,
    baseDelayMs: options.baseDelayMs,
    send: async () => {
      const out = await clients.ecsNoRetry.send(
        new UpdateServiceCommand({
          cluster: target.cluster,
          service: target.service,
          taskDefinition: options.taskDefinitionArn,
          desiredCount: options.desiredCount,
          forceNewDeployment: options.forceNewDeployment || undefined
        })
      );
      const service = out.service;
      const deployment = service?.deployments?.find(d => d.status === 'PRIMARY');
      if (!service || !deployment?.id) throw new Error('UpdateService returned no PRIMARY deployment.');
      return { deployment, service };
    },
    check: async () => {
      const service = await describeService(clients.ecs, target);
      const primary = service.deployments?.find(d => d.status === 'PRIMARY');
      const created = primary?.createdAt ? new Date(primary.createdAt).getTime() : 0;
      if (
        primary?.id &&
        taskDefinitionKey(primary.taskDefinition) === taskDefinitionKey(options.taskDefinitionArn) &&
        (!options.forceNewDeployment || created >= startedAt - 5_000)
      ) {
        log.info(`The update went through: following ${primary.id}.`);
        return { deployment: primary, service };
      }
      return undefined;
    }
  });
}

export interface Context {
  deploymentId: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn?: string;
}

/**
 * Decides from one DescribeServices answer whether the wait is over. Pure, so every case is unit-tested.
 */
export function classify(
  service: Service,
  ctx: Context
): Omit<RolloutResult, 'polls' | 'elapsedMs' | 'service' | 'events'> | undefined {
  const deployments = service.deployments ?? [];
  const ours = deployments.find(d => d.id === ctx.deploymentId);
  const primary = deployments.find(d => d.status === 'PRIMARY');
  const ourKey = taskDefinitionKey(ctx.taskDefinitionArn);
  const isRollback = (d: Deployment | undefined) =>
    !!d &&
    d.id !== ctx.deploymentId &&
    taskDefinitionKey(d.taskDefinition) !== ourKey &&
    ((ctx.previousTaskDefinitionArn !== undefined &&
      taskDefinitionKey(d.taskDefinition) === taskDefinitionKey(ctx.previousTaskDefinitionArn)) ||
      /roll(ing|ed)?[ -]?back/i.test(d.rolloutStateReason ?? ''));
  const base = { deploymentId: ctx.deploymentId, deployment: ours };

  if (ours) {
    if (ours.rolloutState === 'COMPLETED') {
      return {
        ...base,
        status: 'COMPLETED',
        reason: `Deployment ${ours.id} completed: ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} tasks running.`
      };
    }
    if (ours.rolloutState === 'FAILED') {
      const why = ours.rolloutStateReason ? ` ${ours.rolloutStateReason}` : '';
      if (isRollback(primary)) {
        return {
          ...base,
          status: 'ROLLED_BACK',
          rolledBackByEcs: true,
          otherDeploymentId: primary?.id,
          reason: `Deployment ${ours.id} failed and ECS rolled back to ${taskDefinitionKey(primary?.taskDefinition)}.${why}`
        };
      }
      if (service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback) {
        return {
          ...base,
          status: 'ROLLED_BACK',
          rolledBackByEcs: true,
          reason: `Deployment ${ours.id} failed; ECS's circuit breaker is rolling back to the last completed deployment.${why}`
        };
      }
      return { ...base, status: 'FAILED', reason: `Deployment ${ours.id} failed.${why}` };
    }
    if (primary && primary.id !== ours.id) {
      if (isRollback(primary)) {
        return {
          ...base,
          status: 'ROLLED_BACK',
          rolledBackByEcs: true,
          otherDeploymentId: primary.id,
          reason: `ECS rolled deployment ${ours.id} back to ${taskDefinitionKey(primary.taskDefinition)} (${primary.id}).${primary.rolloutStateReason ? ` ${primary.rolloutStateReason}` : ''}`
        };
      }
      return {
        ...base,
        status: 'SUPERSEDED',
        otherDeploymentId: primary.id,
        reason: `Deployment ${ours.id} was superseded by ${primary.id} (${taskDefinitionKey(primary.taskDefinition)}), started by someone else.`
      };
    }
    if (
      !ours.rolloutState &&
      deployments.length === 1 &&
      ours.desiredCount !== undefined &&
      ours.runningCount === ours.desiredCount &&
      (ours.pendingCount ?? 0) === 0
    ) {
      return {
        ...base,
        status: 'COMPLETED',
        reason: `Deployment ${ours.id} is the only one and runs ${ours.runningCount}/${ours.desiredCount} tasks.`
      };
    }
    return undefined;
  }
  // Our deployment is gone.
  if (primary && isRollback(primary)) {
    return {
      ...base,
      status: 'ROLLED_BACK',
      rolledBackByEcs: true,
      otherDeploymentId: primary.id,
      reason: `Deployment ${ctx.deploymentId} is gone and the service is back on ${taskDefinitionKey(primary.taskDefinition)} (${primary.id}): ECS rolled back.`
    };
  }
  if (primary && primary.id !== ctx.deploymentId) {
    return {
      ...base,
      status: 'SUPERSEDED',
      otherDeploymentId: primary.id,
      reason: `Deployment ${ctx.deploymentId} is gone; ${primary.id} (${taskDefinitionKey(primary.taskDefinition)}) took over.`
    };
  }
  return {
    ...base,
    status: 'FAILED',
    reason: `Deployment ${ctx.deploymentId} is gone and the service has no primary deployment.`
  };
}

export interface WatchOptions extends Context {
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Events already seen (from UpdateService's answer) are not printed again. */
  knownEvents?: ServiceEvent[];
  /** The deployment as UpdateService returned it, for saying where it stands before the first look. */
  initial?: Deployment;
}

export function countsLine(d: Deployment | undefined): string {
  if (!d) return 'deployment gone';
  const state = d.rolloutState ? `${d.rolloutState}, ` : '';
  return `${state}running ${d.runningCount ?? 0}/${d.desiredCount ?? 0}, pending ${d.pendingCount ?? 0}, failed ${d.failedTasks ?? 0}`;
}

/** Follows one deployment until classify() says it is over, the timeout, or cancellation. */
export async function watchDeployment(
  clients: EcsClients,
  target: Target,
  options: WatchOptions,
  log: Logger
): Promise<RolloutResult> {
  const clock = options.clock ?? systemClock;
  const seen = new Set((options.knownEvents ?? []).map(e => e.id ?? `${e.createdAt}${e.message}`));
  const printed: string[] = [];
  let lastCounts = '';
  let lastService: Service | undefined;
  let lastDeployment: Deployment | undefined = options.initial;
  log.info(
    `Waiting for deployment ${options.deploymentId} (${taskDefinitionKey(options.taskDefinitionArn)}), up to ${formatDuration(options.timeoutMs)}, looking every ${formatDuration(options.intervalMs)}.`
  );

  const outcome = await poll<Omit<RolloutResult, 'polls' | 'elapsedMs' | 'events'>>({
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    clock,
    maxIntervalMs: Math.max(options.intervalMs * 6, 30_000),
    onRetry: (error, attempt, delay) =>
      log.warning(
        `DescribeServices (poll ${attempt}): ${errorName(error)}: ${(error as Error).message}. Still waiting; next look in ${formatDuration(delay)}.`
      ),
    check: async () => {
      let service: Service;
      try {
        service = await describeService(clients.ecsNoRetry, target, options.signal);
      } catch (error) {
        if (options.signal?.aborted) return { done: false };
        throw error;
      }
      lastService = service;
      if (service.status && service.status !== 'ACTIVE') {
        throw new DockyardError(
          `the service '${target.service}' became ${service.status} during the deployment.`,
          { input: 'service' }
        );
      }
      const events = [...(service.events ?? [])].reverse();
      for (const e of events) {
        const id = e.id ?? `${e.createdAt}${e.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const line = `${e.createdAt ? new Date(e.createdAt).toISOString() : ''} ${e.message ?? ''}`.trim();
        printed.push(line);
        log.info(`  event ${line}`);
      }
      const ours = service.deployments?.find(d => d.id === options.deploymentId);
      if (ours) lastDeployment = ours;
      const counts = countsLine(ours);
      if (counts !== lastCounts) {
        log.info(`  ${options.deploymentId}: ${counts}`);
        lastCounts = counts;
      }
      const verdict = classify(service, options);
      return verdict ? { done: true, value: { ...verdict, service } } : { done: false };
    }
  });

  if (outcome.kind === 'done')
    return { ...outcome.value, events: printed, polls: outcome.attempts, elapsedMs: outcome.elapsedMs };
  const where = `Deployment ${options.deploymentId} stands at: ${countsLine(lastDeployment)}.`;
  if (outcome.kind === 'cancelled') {
    log.warning(
      `Cancelled after ${formatDuration(outcome.elapsedMs)}; stopped waiting. ${where} ECS carries on with the deployment.`
    );
    return {
      status: 'CANCELLED',
      reason: `Cancelled while waiting. ${where}`,
      deploymentId: options.deploymentId,
      deployment: lastDeployment,
      service: lastService,
      events: printed,
      polls: outcome.attempts,
      elapsedMs: outcome.elapsedMs
    };
  }
  const lastError = outcome.lastError ? ` The last look failed with ${errorName(outcome.lastError)}.` : '';
  return {
    status: 'TIMED_OUT',
    reason: `Timed out after ${formatDuration(outcome.elapsedMs)}. ${where}${lastError}`,
    deploymentId: options.deploymentId,
    deployment: lastDeployment,
    service: lastService,
    events: printed,
    polls: outcome.attempts,
    elapsedMs: outcome.elapsedMs
  };
}
