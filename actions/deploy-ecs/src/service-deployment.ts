/**
 * Following a blue/green, linear or canary deployment the way ECS runs it: through its service deployment
 * (`currentServiceDeployment`, DescribeServiceDeployments), stage by stage, until ECS says it is over, ECS's own
 * rollback has ended, or the stage `wait-until` names is reached.
 *
 * One look per poll: DescribeServices (the service events, whether another deployment took over) and
 * DescribeServiceDeployments (status, lifecycle stage, hooks, alarms, circuit breaker, traffic). The log gets one
 * line per transition (a new stage, a traffic step, a status, a hook's result), never one per poll. The verdict
 * functions below decide, one per situation, from what the look saw (stage-progress.ts keeps what was seen).
 */
import {
  DescribeServiceDeploymentsCommand,
  type ECSClient,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import type { Logger } from '../../../core/log.js';
import { oneLine } from '../../../core/text.js';
import {
  classify,
  followUntil,
  lookAtService,
  unfinished,
  type EcsClients,
  type Pacing,
  type RolloutResult,
  type Target,
  type Verdict,
  type WatchOptions
} from './rollout.js';
import { pausedHook, type PausedHook } from './pause.js';
import { taskDefinitionKey } from './render.js';
import { reached, readStage, shortArn, waitUntilStage } from './stages.js';
import { StageProgress, type StrategyOptions, type StrategyView } from './stage-progress.js';

export type StrategyResult = RolloutResult & { strategy: StrategyView };

export interface StrategyWatchOptions extends Pacing, StrategyOptions {
  /** The rolling deployment UpdateService started (`ecs-svc/…`): its tasks are the new revision's. */
  deploymentId: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn?: string;
  knownEvents?: WatchOptions['knownEvents'];
  /** Set when following the rollback this step asked for (StopServiceDeployment ROLLBACK). */
  stopRequested?: boolean;
  /**
   * What the step does when a PAUSE hook holds the deployment going forward (gates.ts): a verdict ends the follow,
   * undefined looks again. Without it a pause is followed like any stage.
   */
  atPause?: (hook: PausedHook, look: Look) => Promise<Verdict | undefined>;
}

/** What one look saw: the service, and our service deployment once it is known and described. */
export interface Look {
  service: Service;
  deployment?: ServiceDeployment;
}

/** Follows the service deployment until a verdict, the time left, or cancellation. */
export async function followServiceDeployment(
  clients: EcsClients,
  target: Target,
  options: StrategyWatchOptions,
  log: Logger
): Promise<StrategyResult> {
  const progress = new StageProgress(options, log);
  log.info(progress.opening());
  let last: Look | undefined;
  const outcome = await followUntil<Verdict>(
    options,
    async () => {
      const service = await lookAtService(clients, target, options.signal);
      if (!service) return undefined;
      last = { service, deployment: await describeOurs(clients.ecsNoRetry, progress, service, options) };
      await progress.show(last, clients.ecs);
      const paused = options.atPause && forward(last.deployment) ? pausedHook(last.deployment) : undefined;
      const gated = paused && (await options.atPause!(paused, last));
      return gated || judge(last, progress, options);
    },
    log,
    'DescribeServices / DescribeServiceDeployments'
  );
  const counted = { events: progress.events.lines, polls: outcome.attempts, elapsedMs: outcome.elapsedMs };
  const seen = { service: last?.service, strategy: progress.view(), ...counted };
  if (outcome.kind === 'done') return { ...outcome.value, ...seen };
  const rollingBack = progress.rollingBack();
  if (outcome.kind === 'timeout' && rollingBack) return { ...rollingBack, ...seen };
  return { deploymentId: options.deploymentId, ...seen, ...unfinished(outcome, progress.where(), log) };
}

const forward = (d: ServiceDeployment | undefined) => d?.status === 'IN_PROGRESS';

/** Our service deployment, described; undefined until ECS names it (or while it cannot be described yet). */
async function describeOurs(
  ecs: ECSClient,
  progress: StageProgress,
  service: Service,
  options: StrategyWatchOptions
): Promise<ServiceDeployment | undefined> {
  const arn = progress.adopt(service);
  if (!arn) return undefined;
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), {
    abortSignal: options.signal
  });
  const found = out.serviceDeployments?.find(d => d.serviceDeploymentArn === arn);
  if (!found) progress.notDescribed(arn, out.failures?.[0]?.reason);
  return found;
}

/**
 * The verdict of one look, or undefined to look again. Another deployment taking over comes first; then the
 * service deployment's status; then the stage `wait-until` names.
 */
export function judge(
  look: Look,
  progress: StageProgress,
  options: StrategyWatchOptions
): Verdict | undefined {
  const { service, deployment } = look;
  const base = { deploymentId: options.deploymentId };
  const ours = progress.arn;
  if (!ours) return noServiceDeployment(service, options);
  if (!deployment) return undefined;
  const current = service.currentServiceDeployment;
  if (current && current !== ours && !progress.rollingBack()) return supersededVerdict(base, ours, current);
  switch (deployment.status) {
    case 'SUCCESSFUL':
      return completedVerdict(base, deployment, options);
    case 'ROLLBACK_SUCCESSFUL':
      return rolledBackVerdict(base, progress, options);
    case 'ROLLBACK_FAILED':
      return rollbackFailedVerdict(base, deployment, progress);
    case 'STOPPED':
      return stoppedVerdict(base, deployment, options);
    default:
      return reachedVerdict(base, deployment, progress, options);
  }
}

/**
 * No service deployment of ours yet. When the update started none (nothing changed), the service's rolling view
 * says the deployment is complete, as a rolling deployment would; otherwise look again.
 */
function noServiceDeployment(service: Service, options: StrategyWatchOptions): Verdict | undefined {
  const rolling = classify(service, options);
  return rolling?.status === 'COMPLETED' ? rolling : undefined;
}

function supersededVerdict(base: { deploymentId: string }, ours: string, current: string): Verdict {
  return {
    ...base,
    status: 'SUPERSEDED',
    otherDeploymentId: current,
    reason: `Service deployment ${shortArn(ours)} was superseded by ${shortArn(current)}, started by someone else.`
  };
}

function completedVerdict(
  base: { deploymentId: string },
  deployment: ServiceDeployment,
  options: StrategyWatchOptions
): Verdict {
  const target = deployment.targetServiceRevision;
  const tasks = target
    ? ` ${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} tasks running;`
    : '';
  return {
    ...base,
    status: 'COMPLETED',
    reason: `Service deployment ${shortArn(deployment.serviceDeploymentArn)} (${options.strategy}) completed:${tasks} ${taskDefinitionKey(options.taskDefinitionArn)} takes all production traffic.`
  };
}

/** ECS rolled back: by itself (an alarm, a hook, the circuit breaker) or because this step asked it to. */
function rolledBackVerdict(
  base: { deploymentId: string },
  progress: StageProgress,
  options: StrategyWatchOptions
): Verdict {
  const to = progress.rollbackTarget() ?? 'the previous revision';
  const who = options.stopRequested ? 'as this step asked' : 'by itself';
  return {
    ...base,
    status: 'ROLLED_BACK',
    rolledBackByEcs: !options.stopRequested,
    reason: `ECS rolled service deployment ${shortArn(progress.arn)} back to ${to} ${who} (${options.strategy}, ROLLBACK_SUCCESSFUL).`
  };
}

function rollbackFailedVerdict(
  base: { deploymentId: string },
  deployment: ServiceDeployment,
  progress: StageProgress
): Verdict {
  const to = progress.rollbackTarget() ?? 'the previous revision';
  return {
    ...base,
    status: 'FAILED',
    reason: `ECS's rollback of service deployment ${shortArn(deployment.serviceDeploymentArn)} to ${to} failed (ROLLBACK_FAILED); the service may run both revisions. Look at the service in the ECS console before deploying again.`
  };
}

function stoppedVerdict(
  base: { deploymentId: string },
  deployment: ServiceDeployment,
  options: StrategyWatchOptions
): Verdict {
  return {
    ...base,
    status: 'FAILED',
    reason: `ECS stopped service deployment ${shortArn(deployment.serviceDeploymentArn)} (${options.strategy}) without rolling back; nothing was rolled back.`
  };
}

/** The deployment has reached the stage `wait-until` names: the step ends, ECS carries on. */
function reachedVerdict(
  base: { deploymentId: string },
  deployment: ServiceDeployment,
  progress: StageProgress,
  options: StrategyWatchOptions
): Verdict | undefined {
  const stage = readStage(deployment.lifecycleStage);
  const forward = deployment.status === 'IN_PROGRESS' || deployment.status === 'PENDING';
  if (options.waitUntil === 'completed' || !forward || !reached(stage, options.waitUntil)) return undefined;
  const what = options.waitUntil === 'test-traffic' ? 'Test traffic' : 'Production traffic';
  const rest = progress.remainingText();
  return {
    ...base,
    status: 'IN_PROGRESS',
    reason: `${what} is on ${taskDefinitionKey(options.taskDefinitionArn)}: service deployment ${shortArn(deployment.serviceDeploymentArn)} reached ${stage?.name} (wait-until: ${options.waitUntil}, from ${waitUntilStage(options.waitUntil)}). ECS carries on${rest ? ` with ${rest}` : ''}; the step does not follow it further.`
  };
}

/**
 * The root cause of a failed strategy deployment, in one line: the alarm that went off, the hook that failed or
 * timed out (with its stage), or the tasks the circuit breaker counted (the diagnosis: their stop reason and the
 * app's log line); then what ECS did about it (`alarm web-5xx triggered during BAKE_TIME; ECS rolled back to
 * web:41`).
 */
export function strategyRootCause(view: StrategyView, diagnosed?: string): string | undefined {
  const failure = view.failure;
  const then = afterFailure(view);
  const during = (stage: string | undefined) => (stage ? ` during ${stage}` : '');
  switch (failure?.kind) {
    case 'alarm': {
      const names = failure.alarms.length > 0 ? failure.alarms.join(', ') : 'a deployment alarm';
      return `alarm${failure.alarms.length > 1 ? 's' : ''} ${names} triggered${during(failure.stage)}${then}`;
    }
    case 'hook': {
      const how =
        failure.status === 'TIMED_OUT'
          ? `timed out (timeout action ${failure.timeoutAction ?? 'ROLLBACK'})`
          : 'failed';
      return `lifecycle hook ${failure.hook} ${how}${failure.stage ? ` at ${failure.stage}` : ''}${then}`;
    }
    case 'circuit-breaker': {
      const count = failure.failed !== undefined ? ` after ${failure.failed} failed tasks` : '';
      return (
        diagnosed ?? `ECS's circuit breaker stopped the deployment${during(failure.stage)}${count}${then}`
      );
    }
    case 'other':
      return diagnosed ?? (failure.reason ? `${oneLine(failure.reason)}${then}` : undefined);
    default:
      return diagnosed;
  }
}

/** `; ECS rolled back to web:41`, or what else ECS did after the failure. */
function afterFailure(view: StrategyView): string {
  const to = view.rollbackTo ?? 'the previous revision';
  switch (view.status) {
    case 'ROLLBACK_SUCCESSFUL':
      return `; ECS rolled back to ${to}`;
    case 'ROLLBACK_REQUESTED':
    case 'ROLLBACK_IN_PROGRESS':
      return `; ECS is rolling back to ${to}`;
    case 'ROLLBACK_FAILED':
      return `; ECS's rollback to ${to} failed`;
    case 'STOPPED':
      return '; ECS stopped the deployment';
    default:
      return '';
  }
}
