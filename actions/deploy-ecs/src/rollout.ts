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
  type DeploymentConfiguration,
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
  type PollOutcome,
  systemClock,
  type Clock,
  type Logger
} from '../../../core/index.js';
import type { LaunchSettings } from './launch-settings.js';
import { taskDefinitionKey } from './render.js';

/** IN_PROGRESS: a strategy deployment reached the stage `wait-until` names; ECS carries on with the rest. */
export type RolloutStatus =
  'COMPLETED' | 'IN_PROGRESS' | 'FAILED' | 'ROLLED_BACK' | 'SUPERSEDED' | 'TIMED_OUT' | 'CANCELLED';

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
  /** The service's deployment configuration with the step's strategy inputs applied (strategy-config.ts). */
  deploymentConfiguration?: DeploymentConfiguration;
  forceNewDeployment: boolean;
  /** Volumes configured at deployment and ECS Exec; what is undefined is left as the service has it. */
  settings?: LaunchSettings;
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
          deploymentConfiguration: options.deploymentConfiguration,
          forceNewDeployment: options.forceNewDeployment || undefined,
          volumeConfigurations: options.settings?.volumeConfigurations,
          enableExecuteCommand: options.settings?.enableExecuteCommand
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

/** How a wait ended, as classify() sees it in one DescribeServices answer. */
export type Verdict = Omit<RolloutResult, 'polls' | 'elapsedMs' | 'service' | 'events'>;

/**
 * Decides from one DescribeServices answer whether the wait is over. Pure, so every case is unit-tested.
 */
export function classify(service: Service, ctx: Context): Verdict | undefined {
  const deployments = service.deployments ?? [];
  const ours = deployments.find(d => d.id === ctx.deploymentId);
  const primary = deployments.find(d => d.status === 'PRIMARY');
  const isRollback = rollbackOf(ctx);
  if (!ours) return goneVerdict(primary, ctx, isRollback);
  const base = { deploymentId: ctx.deploymentId, deployment: ours };
  if (ours.rolloutState === 'COMPLETED')
    return {
      ...base,
      status: 'COMPLETED',
      reason: `Deployment ${ours.id} completed: ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} tasks running.`
    };
  if (ours.rolloutState === 'FAILED') return failedVerdict(ours, primary, service, isRollback);
  if (primary && primary.id !== ours.id) return takenOverVerdict(ours, primary, isRollback);
  const onlyOne =
    !ours.rolloutState &&
    deployments.length === 1 &&
    ours.desiredCount !== undefined &&
    ours.runningCount === ours.desiredCount &&
    (ours.pendingCount ?? 0) === 0;
  if (!onlyOne) return undefined;
  return {
    ...base,
    status: 'COMPLETED',
    reason: `Deployment ${ours.id} is the only one and runs ${ours.runningCount}/${ours.desiredCount} tasks.`
  };
}

type RollbackTest = (d: Deployment) => boolean;

/** A deployment that puts the service back: not ours, on the previous revision or said to be a rollback. */
function rollbackOf(ctx: Context): RollbackTest {
  const ourKey = taskDefinitionKey(ctx.taskDefinitionArn);
  const previous =
    ctx.previousTaskDefinitionArn !== undefined
      ? taskDefinitionKey(ctx.previousTaskDefinitionArn)
      : undefined;
  return d =>
    d.id !== ctx.deploymentId &&
    taskDefinitionKey(d.taskDefinition) !== ourKey &&
    (taskDefinitionKey(d.taskDefinition) === previous ||
      /roll(ing|ed)?[ -]?back/i.test(d.rolloutStateReason ?? ''));
}

/** ECS rolled back (or is rolling back) by itself, to `otherDeploymentId` when it shows. */
function rolledBackByEcs(
  base: Pick<Verdict, 'deploymentId' | 'deployment'>,
  reason: string,
  otherDeploymentId?: string
): Verdict {
  return {
    ...base,
    status: 'ROLLED_BACK',
    rolledBackByEcs: true,
    reason,
    ...(otherDeploymentId ? { otherDeploymentId } : {})
  };
}

/** Our deployment's rolloutState is FAILED: rolled back by ECS (done or under way), or failed. */
function failedVerdict(
  ours: Deployment,
  primary: Deployment | undefined,
  service: Service,
  isRollback: RollbackTest
): Verdict {
  const base = { deploymentId: ours.id ?? '', deployment: ours };
  const why = ours.rolloutStateReason ? ` ${ours.rolloutStateReason}` : '';
  if (primary && isRollback(primary))
    return rolledBackByEcs(
      base,
      `Deployment ${ours.id} failed and ECS rolled back to ${taskDefinitionKey(primary.taskDefinition)}.${why}`,
      primary.id
    );
  if (service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback)
    return rolledBackByEcs(
      base,
      `Deployment ${ours.id} failed; ECS's circuit breaker is rolling back to the last completed deployment.${why}`
    );
  return { ...base, status: 'FAILED', reason: `Deployment ${ours.id} failed.${why}` };
}

/** Another deployment is PRIMARY while ours is still there: ECS's rollback, or someone else's deployment. */
function takenOverVerdict(ours: Deployment, primary: Deployment, isRollback: RollbackTest): Verdict {
  const base = { deploymentId: ours.id ?? '', deployment: ours };
  const revision = taskDefinitionKey(primary.taskDefinition);
  const why = primary.rolloutStateReason ? ` ${primary.rolloutStateReason}` : '';
  if (isRollback(primary))
    return rolledBackByEcs(
      base,
      `ECS rolled deployment ${ours.id} back to ${revision} (${primary.id}).${why}`,
      primary.id
    );
  return {
    ...base,
    otherDeploymentId: primary.id,
    status: 'SUPERSEDED',
    reason: `Deployment ${ours.id} was superseded by ${primary.id} (${revision}), started by someone else.`
  };
}

/** Our deployment is gone: ECS rolled back, another deployment took over, or the service has none. */
function goneVerdict(primary: Deployment | undefined, ctx: Context, isRollback: RollbackTest): Verdict {
  const base = { deploymentId: ctx.deploymentId };
  const gone = `Deployment ${ctx.deploymentId} is gone`;
  if (primary && isRollback(primary))
    return rolledBackByEcs(
      base,
      `${gone} and the service is back on ${taskDefinitionKey(primary.taskDefinition)} (${primary.id}): ECS rolled back.`,
      primary.id
    );
  if (primary && primary.id !== ctx.deploymentId)
    return {
      ...base,
      status: 'SUPERSEDED',
      otherDeploymentId: primary.id,
      reason: `${gone}; ${primary.id} (${taskDefinitionKey(primary.taskDefinition)}) took over.`
    };
  return { ...base, status: 'FAILED', reason: `${gone} and the service has no primary deployment.` };
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

const eventKey = (e: ServiceEvent) => e.id ?? `${e.createdAt}${e.message}`;

/**
 * The service events a wait has shown, each printed once as untrusted text (ECS quotes load balancer and task
 * reasons in them), oldest first; shared by every follower of a deployment.
 */
export class ServiceEvents {
  /** The service events that appeared while waiting, oldest first, as printed. */
  readonly lines: string[] = [];
  private readonly seen: Set<string>;

  constructor(
    known: ServiceEvent[] | undefined,
    private readonly log: Logger
  ) {
    this.seen = new Set((known ?? []).map(eventKey));
  }

  show(service: Service): void {
    const fresh = [...(service.events ?? [])].reverse().filter(e => !this.seen.has(eventKey(e)));
    const lines = fresh.map(e =>
      `${e.createdAt ? new Date(e.createdAt).toISOString() : ''} ${e.message ?? ''}`.trim()
    );
    fresh.forEach(e => this.seen.add(eventKey(e)));
    this.lines.push(...lines);
    this.log.untrusted(lines.map(line => `  event ${line}`));
  }
}

/** What a rolling wait has shown so far: the events, the deployment's counts when they change, the last answer. */
class RolloutProgress {
  readonly events: ServiceEvents;
  service?: Service;
  deployment?: Deployment;
  private lastCounts = '';

  constructor(
    private readonly options: WatchOptions,
    private readonly log: Logger
  ) {
    this.events = new ServiceEvents(options.knownEvents, log);
    this.deployment = options.initial;
  }

  show(service: Service): void {
    this.service = service;
    this.events.show(service);
    const ours = service.deployments?.find(d => d.id === this.options.deploymentId);
    if (ours) this.deployment = ours;
    const counts = countsLine(ours);
    if (counts !== this.lastCounts) this.log.info(`  ${this.options.deploymentId}: ${counts}`);
    this.lastCounts = counts;
  }

  /** `Deployment … stands at: …` for a wait that ended without a verdict. */
  where(): string {
    return `Deployment ${this.options.deploymentId} stands at: ${countsLine(this.deployment)}.`;
  }
}

/** How often a follower looks and for how long. */
export interface Pacing {
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  clock?: Clock;
}

/**
 * The one follow loop: `look` once per interval until it returns a verdict, the time is up or the step is
 * cancelled. Throttling and 5xx are retried with backoff and never end the wait; anything else ends it.
 */
export function followUntil<V>(
  pacing: Pacing,
  look: () => Promise<V | undefined>,
  log: Logger,
  what = 'Looking at the deployment'
) {
  return poll<V>({
    intervalMs: pacing.intervalMs,
    timeoutMs: pacing.timeoutMs,
    signal: pacing.signal,
    clock: pacing.clock ?? systemClock,
    maxIntervalMs: Math.max(pacing.intervalMs * 6, 30_000),
    onRetry: (error, attempt, delay) =>
      log.warning(
        `${what} (poll ${attempt}): ${errorName(error)}: ${(error as Error).message}. Still waiting; next look in ${formatDuration(delay)}.`
      ),
    check: async () => {
      const verdict = await look();
      return verdict === undefined ? { done: false } : { done: true, value: verdict };
    }
  });
}

/** A wait that ended without a verdict: CANCELLED or TIMED_OUT, with where the deployment stands. */
export function unfinished(
  outcome: Exclude<PollOutcome<unknown>, { kind: 'done' }>,
  where: string,
  log: Logger
): { status: 'CANCELLED' | 'TIMED_OUT'; reason: string } {
  if (outcome.kind === 'cancelled') {
    log.warning(
      `Cancelled after ${formatDuration(outcome.elapsedMs)}; stopped waiting. ${where} ECS carries on with the deployment.`
    );
    return { status: 'CANCELLED', reason: `Cancelled while waiting. ${where}` };
  }
  const lastError = outcome.lastError ? ` The last look failed with ${errorName(outcome.lastError)}.` : '';
  return {
    status: 'TIMED_OUT',
    reason: `Timed out after ${formatDuration(outcome.elapsedMs)}. ${where}${lastError}`
  };
}

/** Follows one deployment until classify() says it is over, the timeout, or cancellation. */
export async function watchDeployment(
  clients: EcsClients,
  target: Target,
  options: WatchOptions,
  log: Logger
): Promise<RolloutResult> {
  const progress = new RolloutProgress(options, log);
  log.info(
    `Waiting for deployment ${options.deploymentId} (${taskDefinitionKey(options.taskDefinitionArn)}), up to ${formatDuration(options.timeoutMs)}, looking every ${formatDuration(options.intervalMs)}.`
  );
  const outcome = await followUntil<Verdict & { service: Service }>(
    options,
    async () => {
      const service = await lookAtService(clients, target, options.signal);
      if (!service) return undefined;
      progress.show(service);
      const verdict = classify(service, options);
      return verdict ? { ...verdict, service } : undefined;
    },
    log,
    'DescribeServices'
  );
  const counted = { events: progress.events.lines, polls: outcome.attempts, elapsedMs: outcome.elapsedMs };
  if (outcome.kind === 'done') return { ...outcome.value, ...counted };
  return {
    deploymentId: options.deploymentId,
    deployment: progress.deployment,
    service: progress.service,
    ...counted,
    ...unfinished(outcome, progress.where(), log)
  };
}

/**
 * One DescribeServices, through the client that does not retry (the poller does): undefined when the wait was
 * cancelled meanwhile; an error when the service is no longer ACTIVE.
 */
export async function lookAtService(
  clients: EcsClients,
  target: Target,
  signal: AbortSignal | undefined
): Promise<Service | undefined> {
  let service: Service;
  try {
    service = await describeService(clients.ecsNoRetry, target, signal);
  } catch (error) {
    if (signal?.aborted) return undefined;
    throw error;
  }
  if (service.status && service.status !== 'ACTIVE')
    throw new DockyardError(
      `the service '${target.service}' became ${service.status} during the deployment.`,
      {
        input: 'service'
      }
    );
  return service;
}
