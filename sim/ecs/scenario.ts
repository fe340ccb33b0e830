/**
 * The ECS scenario layer. Moto keeps a service's rollout static: UpdateService changes the service's
 * task definition but its one deployment stays as created (old task definition, IN_PROGRESS, nothing
 * running), ListTasks ignores `serviceName`, tasks never stop with reasons, and every registered target
 * is healthy. This layer, installed as the proxy's handler, animates what moto does not, following the
 * scenario a test selected:
 *
 * - UpdateService (forwarded to moto first, so moto still validates it) starts a deployment of our own;
 * - DescribeServices shows that deployment progress on the clock: tasks started (really run in moto with
 *   `startedBy` = the deployment id), running, stopped with reasons, the rollout COMPLETED or FAILED, a
 *   circuit-breaker rollback, or someone else's deployment taking over, with matching service events;
 * - DescribeTasks shows stop codes, stopped reasons and container exit codes; the failing container's
 *   log lines are written to moto's CloudWatch Logs under its awslogs stream;
 * - DescribeTargetHealth shows the scenario's unhealthy targets (registered in moto's target group);
 * - RunTask's task runs and stops with the scenario's exit code;
 * - every deployment is a service deployment (ListServiceDeployments, DescribeServiceDeployments, …), and a
 *   BLUE_GREEN, LINEAR or CANARY service's follows ECS's own stages, hooks, alarms and rollback
 *   (strategy-layer.ts); CreateService and UpdateService refuse what ECS refuses for them (strategy-config.ts).
 *
 * Plans are written in ECS time from the UpdateService (or RunTask) call. How ECS time moves is the layer's
 * `pace`: with the wall clock (the bench, the demo), an outcome happens at a known moment between the action's
 * polls; paced by looks (the end-to-end tests), it moves only when the action looks, so an outcome is shown by
 * a known look whatever the poll interval and however loaded the machine. `outcomes` records when each
 * outcome happened and when a response first showed it.
 */
import { randomUUID } from 'node:crypto';
import { CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import {
  DeregisterTargetsCommand,
  ModifyRuleCommand,
  RegisterTargetsCommand
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  errorResponse,
  type Fault,
  type ProxyRequest,
  type ProxyResponse,
  type RecordingProxy
} from './proxy.js';
import type { MotoClients } from './seed.js';
import {
  SERVICE_DEPLOYMENT_OPERATIONS,
  serviceDeploymentCall,
  type ServiceDeploymentOperation
} from './service-deployment-api.js';
import { Refusal } from './service-deployments.js';
import { checkServiceRequest } from './strategy-config.js';
import {
  StrategyDeployments,
  type HostDeployment,
  type HostService,
  type StrategyHost,
  type StrategyRollout
} from './strategy-layer.js';

export interface TaskFailure {
  /** The container that exits (its log lines are the ones written). */
  container: string;
  /** Its exit code; none for a task that never started its containers. */
  exitCode?: number;
  /** The tasks stop before they run (CannotPullContainerError, ResourceInitializationError): never RUNNING. */
  neverStarted?: boolean;
  /** The failing container's health status as DescribeTasks shows it (UNHEALTHY for a failing health check). */
  healthStatus?: string;
  stopCode: string;
  stoppedReason: string;
  /** The container's `reason`, e.g. `OutOfMemoryError: Container killed due to memory usage`. */
  containerReason?: string;
  logLines: string[];
}

export interface TargetHealthOverride {
  state: string;
  reason: string;
  description: string;
}

export type RolloutPlan =
  /**
   * Tasks start, run, and the rollout is COMPLETED `afterMs` after UpdateService. With `noRolloutState`,
   * deployments carry no rolloutState (as on services without the circuit breaker in older accounts): the
   * old deployment drains and the new one is the only one, running = desired.
   */
  | { kind: 'complete'; afterMs: number; noRolloutState?: boolean }
  /**
   * A first batch of tasks crashes (stopped with `failure`), a second batch runs but fails its load
   * balancer health checks, and at `afterMs` the circuit breaker trips: rolloutState FAILED, or with
   * `ecsRollback` the deployment disappears and a new PRIMARY on the previous task definition takes over.
   */
  | {
      kind: 'fail';
      afterMs: number;
      failure: TaskFailure;
      unhealthy?: TargetHealthOverride;
      ecsRollback?: boolean;
      /** With `ecsRollback`: how long ECS shows the deployment FAILED before its rollback deployment appears. */
      ecsRollbackAfterMs?: number;
      rollbackCompletesAfterMs?: number;
    }
  /** At `afterMs` someone else's UpdateService (a new revision with `image`) takes over. */
  | { kind: 'supersede'; afterMs: number; image: string }
  /** One task runs, the other can never be placed: the rollout never ends. */
  | { kind: 'stall' }
  /** A BLUE_GREEN, LINEAR or CANARY service's deployment: ECS's own stages (strategy-layer.ts). */
  | StrategyRollout;

export interface RunTaskPlan {
  /** When the task stops, from RunTask. */
  afterMs: number;
  exitCode: number;
  container?: string;
  containerReason?: string;
  logLines: string[];
}

export interface Scenario {
  name: string;
  /** What happens to the deployment the action starts. */
  rollout: RolloutPlan;
  /** What happens to a deployment that puts the service back on a revision it ran before (the action's rollback). */
  rollback?: RolloutPlan;
  runTask?: RunTaskPlan;
  faults?: Fault[];
}

export type OutcomeKind = 'COMPLETED' | 'FAILED' | 'ROLLED_BACK' | 'SUPERSEDED' | 'TASK_STOPPED';

export interface Outcome {
  kind: OutcomeKind;
  /** `rollout` for the action's deployment, `rollback` for the deployment that undoes it, `run-task` for the one-off task. */
  of: 'rollout' | 'rollback' | 'run-task';
  deploymentId?: string;
  taskArn?: string;
  /** The moment the scenario reached the outcome (ms since epoch). */
  at: number;
  /** When a response (DescribeServices, or DescribeTasks for a task) first showed it. */
  shownAt?: number;
}

export interface StartedDeployment {
  id: string;
  taskDefinition: string;
  at: number;
  plan: 'rollout' | 'rollback' | 'external';
  /** The deployment started by the UpdateService of `byAction` (false: started by the scenario itself). */
  byAction: boolean;
}

/** A deployment as DescribeServices shows it (the fields the service deployments read are HostDeployment's). */
interface VDeployment extends HostDeployment {
  extra: Record<string, unknown>;
}

interface VTask {
  arn: string;
  id: string;
  cluster: string;
  group: string;
  startedBy: string;
  taskDefinitionArn: string;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  ip: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  failedContainer?: string;
  exitCode?: number;
  containerReason?: string;
  healthStatus?: string;
}

interface VService extends HostService {
  deployments: VDeployment[];
  events: { id: string; createdAt: number; message: string }[];
  targetGroupArn?: string;
  /** Task definitions this service completed a rollout of. */
  completed: Set<string>;
  extra: Record<string, unknown>;
  launchType?: string;
  networkConfiguration?: unknown;
}

/**
 * How ECS time moves in the layer.
 *
 * - `clock`: ECS time is the wall clock. An outcome `afterMs` after UpdateService happens at that moment,
 *   between two of the action's looks: `npm run bench` measures how soon the action notices, the demo plays
 *   in real time.
 * - `looks`: ECS time moves `msPerLook` at each look of the action (a DescribeServices, or a DescribeTasks of
 *   a one-off task) and at no other time. An outcome `afterMs` after UpdateService is shown by look
 *   ⌈afterMs / msPerLook⌉ after it (3300 ms at 1000 ms a look: the 4th), however fast the action polls and
 *   however loaded the machine: the end-to-end tests, which poll at the smallest interval the action accepts.
 */
export type Pace = { kind: 'clock' } | { kind: 'looks'; msPerLook: number };

interface Step {
  /** When, in ECS time. */
  at: number;
  seq: number;
  /** `stamp`: the wall-clock moment the change is dated (its `at` on the clock; when it is applied, by looks). */
  apply: (stamp: number) => Promise<void>;
}

export const DEFAULT_ROLLBACK: RolloutPlan = { kind: 'complete', afterMs: 0 };

const JSON_TYPE = 'application/x-amz-json-1.1';

/** `arn:aws:ecs:…:cluster/name` or `name` → `name`; unset is `default`, as ECS does. */
export function clusterName(value: unknown): string {
  const text = typeof value === 'string' && value !== '' ? value : 'default';
  return text.includes(':cluster/') ? text.slice(text.indexOf(':cluster/') + 9) : text;
}

/** `arn:aws:ecs:…:service/cluster/name`, `service/name` or `name` → `name`. */
export function serviceName(value: unknown): string {
  const text = String(value ?? '');
  return text.slice(text.lastIndexOf('/') + 1);
}

function deploymentId(): string {
  let digits = String(1 + Math.floor(Math.random() * 9));
  while (digits.length < 19) digits += String(Math.floor(Math.random() * 10));
  return `ecs-svc/${digits}`;
}

const seconds = (ms: number) => ms / 1000;

/** The task's address from its ENI attachment, which moto creates for awsvpc tasks. */
function privateIp(
  attachments: { details?: { name?: string; value?: string }[] }[] | undefined
): string | undefined {
  for (const a of attachments ?? []) {
    const ip = a.details?.find(d => d.name === 'privateIPv4Address')?.value;
    if (ip) return ip;
  }
  return undefined;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): ProxyResponse {
  return { status, headers: { ...headers, 'content-type': JSON_TYPE }, body: JSON.stringify(value) };
}

export class EcsScenarioLayer {
  scenario?: Scenario;
  /** How ECS time moves (see `Pace`); the wall clock unless set. */
  pace: Pace = { kind: 'clock' };
  /** ECS time when paced by looks: `msPerLook` per look so far. */
  private lookTime = 0;
  readonly outcomes: Outcome[] = [];
  readonly started: StartedDeployment[] = [];
  private services = new Map<string, VService>();
  private tasks = new Map<string, VTask>();
  private health = new Map<string, TargetHealthOverride>();
  private steps: Step[] = [];
  private seq = 0;
  private ipCounter = 0;
  private taskDefinitions = new Map<string, TaskDefinition>();
  private runTaskOutcomes = new Map<string, Outcome>();
  /** The tasks started by RunTask (not by a deployment): a DescribeTasks of one is a look. */
  private oneOffTasks = new Set<string>();
  /** Which service each deployment belongs to. */
  private deploymentOwners = new Map<string, VService>();
  /** Deployment configurations by `cluster/service`, as the service was created with them. */
  private configurations = new Map<string, Record<string, unknown>>();
  /** The last look, to count a DescribeServices and a DescribeServiceDeployments in a row as one. */
  private lastLook?: { operation: string; counted: boolean };
  /** Service deployments and revisions, and ECS's own BLUE_GREEN, LINEAR and CANARY deployments. */
  readonly strategies = new StrategyDeployments(this.strategyHost());

  constructor(
    private readonly proxy: RecordingProxy,
    private readonly moto: MotoClients
  ) {
    proxy.setHandler((request, forward) => this.handle(request, forward));
  }

  /** Scenarios of particular services (`cluster/service`), for runs of several services at once. */
  private readonly byService = new Map<string, Scenario>();

  /** The scenario of one service's deployments, when several services run different ones at once. */
  useFor(cluster: string, service: string, scenario: Scenario): void {
    this.byService.set(`${cluster}/${service}`, scenario);
  }

  private scenarioOf(service: VService): Scenario | undefined {
    return this.byService.get(service.key) ?? this.scenario;
  }

  /** Outcomes of one service's deployments (the action's rollout first). */
  outcomesOf(cluster: string, service: string): Outcome[] {
    const key = `${cluster}/${service}`;
    return this.outcomes.filter(o => this.deploymentOwners.get(o.deploymentId ?? '')?.key === key);
  }

  /** Selects the scenario for the next run; forgets recorded calls and outcomes, keeps the services' state. */
  use(scenario: Scenario): void {
    this.scenario = scenario;
    this.outcomes.length = 0;
    this.started.length = 0;
    this.runTaskOutcomes.clear();
    this.proxy.resetCalls(scenario.faults ?? []);
  }

  /** Forgets everything (after moto itself was reset). */
  reset(): void {
    this.services.clear();
    this.tasks.clear();
    this.health.clear();
    this.steps = [];
    this.taskDefinitions.clear();
    this.deploymentOwners.clear();
    this.configurations.clear();
    this.byService.clear();
    this.outcomes.length = 0;
    this.started.length = 0;
    this.runTaskOutcomes.clear();
    this.oneOffTasks.clear();
    this.lookTime = 0;
    this.lastLook = undefined;
    this.strategies.reset();
    this.proxy.resetCalls();
  }

  /**
   * Tells the layer a service's deployment configuration (circuit breaker, percentages): moto accepts it on
   * CreateService but drops it, and ECS returns it in every DescribeServices.
   */
  configure(cluster: string, service: string, deploymentConfiguration: Record<string, unknown>): void {
    this.configurations.set(`${cluster}/${service}`, deploymentConfiguration);
    const known = this.services.get(`${cluster}/${service}`);
    if (known) known.deploymentConfiguration = deploymentConfiguration;
  }

  /** The outcome of the action's own deployment (or of its one-off task when no deployment was started). */
  mainOutcome(): Outcome | undefined {
    return this.outcomes.find(o => o.of === 'rollout') ?? this.outcomes.find(o => o.of === 'run-task');
  }

  /** The deployments the service shows now, as DescribeServices would (for assertions). */
  deployments(
    cluster: string,
    service: string
  ): { id: string; status: string; taskDefinition: string; rolloutState: string }[] {
    return (this.services.get(`${cluster}/${service}`)?.deployments ?? []).map(d => ({
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      rolloutState: d.rolloutState
    }));
  }

  async handle(request: ProxyRequest, forward: () => Promise<ProxyResponse>): Promise<ProxyResponse> {
    if (this.pace.kind === 'looks' && this.countsAsLook(request)) this.lookTime += this.pace.msPerLook;
    await this.advance(this.now());
    if (request.service === 'ecs') {
      if ((SERVICE_DEPLOYMENT_OPERATIONS as readonly string[]).includes(request.operation))
        return this.serviceDeployments(request);
      switch (request.operation) {
        case 'CreateService':
          return this.createService(request, forward);
        case 'DescribeServices':
          return this.describeServices(request, forward);
        case 'UpdateService':
          return this.updateService(request, forward);
        case 'ListTasks':
          return this.listTasks(request, forward);
        case 'DescribeTasks':
          return this.describeTasks(request, forward);
        case 'RunTask':
          return this.runTask(request, forward);
        case 'RegisterTaskDefinition':
          return this.register(request, forward);
      }
    }
    if (request.service === 'elasticloadbalancing' && request.operation === 'DescribeTargetHealth')
      return this.targetHealth(forward);
    return forward();
  }

  // ---- the clock ----------------------------------------------------------------------------------

  /** ECS time now: the wall clock, or the looks so far. */
  private now(): number {
    return this.pace.kind === 'clock' ? Date.now() : this.lookTime;
  }

  /**
   * A look of the action at what it waits for: a service or its service deployment, or a one-off task the layer
   * runs. A DescribeServices and a DescribeServiceDeployments in a row are one look (one poll of a strategy
   * deployment), whichever comes first.
   */
  private countsAsLook(request: ProxyRequest): boolean {
    if (!this.isLook(request)) return false;
    const pair = ['DescribeServices', 'DescribeServiceDeployments'];
    const last = this.lastLook;
    const paired =
      last !== undefined &&
      last.counted &&
      last.operation !== request.operation &&
      pair.includes(last.operation) &&
      pair.includes(request.operation);
    this.lastLook = { operation: request.operation, counted: !paired };
    return !paired;
  }

  private isLook(request: ProxyRequest): boolean {
    if (request.service !== 'ecs') return false;
    if (request.operation === 'DescribeServices' || request.operation === 'DescribeServiceDeployments')
      return true;
    const tasks = request.params.tasks;
    return (
      request.operation === 'DescribeTasks' &&
      Array.isArray(tasks) &&
      tasks.some(arn => this.oneOffTasks.has(String(arn)))
    );
  }

  private schedule(at: number, apply: (stamp: number) => Promise<void>): void {
    this.steps.push({ at, seq: this.seq++, apply });
    this.steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Applies, in order, every scheduled change whose moment (ECS time) has come. */
  private async advance(now: number): Promise<void> {
    while (this.steps.length > 0 && this.steps[0].at <= now) {
      const step = this.steps.shift()!;
      await step.apply(this.stampOf(step.at));
    }
    await this.strategies.advance(now);
  }

  /** The wall-clock date of a change made at ECS time `at`: `at` itself on the clock, now when paced by looks. */
  private stampOf(at: number): number {
    return this.pace.kind === 'clock' ? at : Date.now();
  }

  // ---- services and deployments -------------------------------------------------------------------

  private async trackedService(cluster: string, name: string): Promise<VService | undefined> {
    const key = `${cluster}/${name}`;
    const known = this.services.get(key);
    if (known) return known;
    let described;
    try {
      described = await this.moto.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
    } catch {
      return undefined;
    }
    const svc = described.services?.[0];
    if (!svc || svc.status !== 'ACTIVE') return undefined;
    const moto = svc.deployments?.find(d => d.status === 'PRIMARY');
    const now = Date.now();
    const desired = svc.desiredCount ?? 0;
    // Moto leaves the service's first deployment IN_PROGRESS with nothing running; the scenario starts
    // from a service that is steady on its task definition.
    const initial: VDeployment = {
      id: moto?.id ?? deploymentId(),
      status: 'PRIMARY',
      taskDefinition: svc.taskDefinition ?? '',
      desiredCount: desired,
      pendingCount: 0,
      runningCount: desired,
      failedTasks: 0,
      createdAt: moto?.createdAt?.getTime() ?? now,
      updatedAt: now,
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${moto?.id ?? ''} completed.`,
      extra: {
        launchType: svc.launchType,
        platformFamily: svc.launchType === 'FARGATE' ? 'Linux' : undefined,
        networkConfiguration: svc.networkConfiguration
      }
    };
    const service: VService = {
      key,
      cluster,
      name,
      desiredCount: desired,
      deployments: [initial],
      events: [],
      targetGroupArn: svc.loadBalancers?.[0]?.targetGroupArn,
      completed: new Set([initial.taskDefinition]),
      deploymentConfiguration: this.configurations.get(key),
      extra: {},
      launchType: svc.launchType,
      networkConfiguration: svc.networkConfiguration
    };
    this.services.set(key, service);
    this.event(service, `(service ${name}) has reached a steady state.`, initial.createdAt);
    this.strategies.observe(service, svc as unknown as Record<string, unknown>);
    await this.strategies.started(service, initial, undefined, undefined);
    return service;
  }

  private event(service: VService, message: string, at = Date.now()): void {
    service.events.unshift({ id: randomUUID(), createdAt: at, message });
    if (service.events.length > 100) service.events.length = 100;
  }

  private withoutRolloutState(service: VService): boolean {
    const rollout = this.scenarioOf(service)?.rollout;
    return rollout?.kind === 'complete' && rollout.noRolloutState === true;
  }

  private renderDeployment(service: VService, d: VDeployment): Record<string, unknown> {
    return {
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      desiredCount: d.desiredCount,
      pendingCount: d.pendingCount,
      runningCount: d.runningCount,
      failedTasks: d.failedTasks,
      createdAt: seconds(d.createdAt),
      updatedAt: seconds(d.updatedAt),
      ...Object.fromEntries(Object.entries(d.extra).filter(([, v]) => v !== undefined)),
      ...(this.withoutRolloutState(service)
        ? {}
        : { rolloutState: d.rolloutState, rolloutStateReason: d.rolloutStateReason })
    };
  }

  private render(service: VService, svc: Record<string, unknown>): void {
    const primary = service.deployments.find(d => d.status === 'PRIMARY') ?? service.deployments[0];
    svc.taskDefinition = primary.taskDefinition;
    svc.desiredCount = service.desiredCount;
    svc.runningCount = service.deployments.reduce((n, d) => n + d.runningCount, 0);
    svc.pendingCount = service.deployments.reduce((n, d) => n + d.pendingCount, 0);
    svc.deployments = service.deployments.map(d => this.renderDeployment(service, d));
    if (service.deploymentConfiguration) svc.deploymentConfiguration = service.deploymentConfiguration;
    svc.events = service.events.map(e => ({ id: e.id, createdAt: seconds(e.createdAt), message: e.message }));
    this.strategies.render(service, svc);
  }

  private async describeServices(
    request: ProxyRequest,
    forward: () => Promise<ProxyResponse>
  ): Promise<ProxyResponse> {
    const response = await forward();
    if (response.status !== 200) return response;
    const body = JSON.parse(response.body) as { services?: Record<string, unknown>[] };
    const now = Date.now();
    for (const svc of body.services ?? []) {
      if (svc.status !== 'ACTIVE') continue;
      const service = await this.trackedService(
        clusterName(svc.clusterArn ?? request.params.cluster),
        String(svc.serviceName)
      );
      if (!service) continue;
      this.strategies.observe(service, svc);
      this.render(service, svc);
      this.outcomesShown(service, now);
    }
    return json(200, body, response.headers);
  }

  /** Marks the outcomes of a service's deployments that have happened as shown by a response at `now`. */
  private outcomesShown(service: VService, now: number): void {
    for (const outcome of this.outcomes) {
      if (outcome.of === 'run-task' || outcome.at > now) continue;
      if (this.deploymentOwners.get(outcome.deploymentId ?? '') !== service) continue;
      outcome.shownAt ??= now;
    }
  }

  private async updateService(
    request: ProxyRequest,
    forward: () => Promise<ProxyResponse>
  ): Promise<ProxyResponse> {
    const cluster = clusterName(request.params.cluster);
    const name = serviceName(request.params.service);
    const service = await this.trackedService(cluster, name);
    const refusal = service && checkServiceRequest(request.params, this.strategies.controllerOf(service));
    if (refusal) return errorResponse(request, 400, refusal.code, refusal.message);
    const response = await forward();
    if (response.status !== 200 || !service) return response;
    const body = JSON.parse(response.body) as { service: Record<string, unknown> };
    this.strategies.observe(service, body.service);
    const taskDefinition = String(body.service.taskDefinition);
    const primary = service.deployments.find(d => d.status === 'PRIMARY')!;
    if (typeof request.params.desiredCount === 'number') service.desiredCount = request.params.desiredCount;
    const configuration = request.params.deploymentConfiguration;
    if (configuration && typeof configuration === 'object') {
      service.deploymentConfiguration = { ...service.deploymentConfiguration, ...configuration };
      this.configurations.set(service.key, service.deploymentConfiguration);
    }
    if (taskDefinition !== primary.taskDefinition || request.params.forceNewDeployment === true) {
      const back = taskDefinition !== primary.taskDefinition && service.completed.has(taskDefinition);
      await this.startDeployment(service, taskDefinition, back ? 'rollback' : 'rollout', true);
    } else {
      primary.desiredCount = service.desiredCount;
    }
    this.render(service, body.service);
    return json(200, body, response.headers);
  }

  /** Starts a deployment of `taskDefinition` at ECS time `at` (dated `stamp`), following the plan of its kind. */
  private async startDeployment(
    service: VService,
    taskDefinition: string,
    plan: StartedDeployment['plan'],
    byAction: boolean,
    at = this.now(),
    stamp = Date.now()
  ): Promise<VDeployment> {
    const id = deploymentId();
    const previous = service.deployments.find(d => d.status === 'PRIMARY');
    const deployment: VDeployment = {
      id,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: stamp,
      updatedAt: stamp,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      extra: { ...(previous?.extra ?? {}) }
    };
    for (const d of service.deployments) d.status = 'ACTIVE';
    service.deployments.unshift(deployment);
    this.deploymentOwners.set(id, service);
    this.started.push({ id, taskDefinition, at: stamp, plan, byAction });
    const scenario: Scenario = this.scenarioOf(service) ?? {
      name: 'default',
      rollout: { kind: 'complete', afterMs: 2000 }
    };
    const rolloutPlan =
      plan === 'rollback'
        ? (scenario.rollback ?? DEFAULT_ROLLBACK)
        : plan === 'external'
          ? ({ kind: 'complete', afterMs: 3000 } as const)
          : scenario.rollout;
    const of = plan === 'external' ? undefined : plan;
    if (this.strategies.isStrategy(service)) {
      const strategy = rolloutPlan.kind === 'strategy' ? rolloutPlan : undefined;
      await this.strategies.started(service, deployment, previous, strategy, of);
      return deployment;
    }
    await this.strategies.started(service, deployment, previous, undefined, of);
    const rolling =
      rolloutPlan.kind === 'strategy' ? ({ kind: 'complete', afterMs: 2000 } as const) : rolloutPlan;
    this.plan(service, deployment, rolling, of, at);
    return deployment;
  }

  private outcome(
    kind: OutcomeKind,
    of: Outcome['of'] | undefined,
    deployment: VDeployment,
    stamp: number
  ): void {
    if (of) this.outcomes.push({ kind, of, deploymentId: deployment.id, at: stamp });
  }

  /** Schedules what happens to deployment `d` from ECS time `t0` on. */
  private plan(
    service: VService,
    d: VDeployment,
    plan: RolloutPlan,
    of: Outcome['of'] | undefined,
    t0: number
  ): void {
    const n = Math.max(1, d.desiredCount);
    switch (plan.kind) {
      case 'complete': {
        const t = plan.afterMs;
        this.schedule(t0 + 0.2 * t, stamp => this.startTasks(service, d, n, stamp));
        this.schedule(t0 + 0.5 * t, stamp => this.runTasks(service, d, stamp));
        this.schedule(t0 + t, async stamp => {
          await this.complete(service, d, stamp);
          this.outcome('COMPLETED', of, d, stamp);
        });
        return;
      }
      case 'fail':
        return this.planFailure(service, d, plan, of, t0);
      case 'supersede': {
        const t = plan.afterMs;
        this.schedule(t0 + 0.2 * t, stamp => this.startTasks(service, d, n, stamp));
        this.schedule(t0 + 0.5 * t, stamp => this.runTasks(service, d, stamp));
        this.schedule(t0 + t, stamp => this.supersede(service, d, plan.image, of, t0 + t, stamp));
        return;
      }
      case 'stall': {
        this.schedule(t0 + 200, stamp => this.startTasks(service, d, n, stamp));
        this.schedule(t0 + 1000, async stamp => {
          const first = [...this.tasks.values()].find(
            t => t.startedBy === d.id && t.lastStatus === 'PENDING'
          );
          if (first) {
            first.lastStatus = 'RUNNING';
            first.startedAt = stamp;
            d.runningCount += 1;
            d.pendingCount -= 1;
          }
          this.event(
            service,
            `(service ${service.name}) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.`,
            stamp
          );
        });
        return;
      }
    }
  }

  /** Tasks crash and are replaced, then the circuit breaker trips: FAILED, or ECS's own rollback. */
  private planFailure(
    service: VService,
    d: VDeployment,
    plan: Extract<RolloutPlan, { kind: 'fail' }>,
    of: Outcome['of'] | undefined,
    t0: number
  ): void {
    const n = Math.max(1, d.desiredCount);
    const t = plan.afterMs;
    this.schedule(t0 + 0.15 * t, stamp => this.startTasks(service, d, n, stamp));
    const runs = !plan.failure.neverStarted;
    if (runs) this.schedule(t0 + 0.35 * t, stamp => this.runTasks(service, d, stamp, plan.unhealthy));
    this.schedule(t0 + 0.6 * t, async stamp => {
      await this.crashTasks(service, d, plan.failure, stamp);
      await this.startTasks(service, d, n, stamp);
    });
    if (runs) this.schedule(t0 + 0.8 * t, stamp => this.runTasks(service, d, stamp, plan.unhealthy));
    this.schedule(t0 + t, async stamp => {
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      d.updatedAt = stamp;
      this.event(
        service,
        `(service ${service.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`,
        stamp
      );
      const completesAfterMs = plan.rollbackCompletesAfterMs ?? 2000;
      if (plan.ecsRollback && plan.ecsRollbackAfterMs) {
        // The circuit breaker has tripped (FAILED is visible now); ECS starts its rollback a bit later.
        this.outcome('FAILED', of, d, stamp);
        const later = t0 + t + plan.ecsRollbackAfterMs;
        this.schedule(later, laterStamp => this.ecsRollback(service, d, completesAfterMs, later, laterStamp));
      } else if (plan.ecsRollback) {
        await this.ecsRollback(service, d, completesAfterMs, t0 + t, stamp);
        this.outcome('ROLLED_BACK', of, d, stamp);
      } else {
        this.outcome('FAILED', of, d, stamp);
      }
    });
  }

  /** Someone else's UpdateService: a new revision with `image` takes over from `d`. */
  private async supersede(
    service: VService,
    d: VDeployment,
    image: string,
    of: Outcome['of'] | undefined,
    at: number,
    stamp: number
  ): Promise<void> {
    const base = await this.taskDefinition(d.taskDefinition);
    const registered = await this.moto.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: base.family!,
        networkMode: base.networkMode,
        requiresCompatibilities: base.requiresCompatibilities,
        cpu: base.cpu,
        memory: base.memory,
        executionRoleArn: base.executionRoleArn,
        taskRoleArn: base.taskRoleArn,
        containerDefinitions: (base.containerDefinitions ?? []).map((c, i) => (i === 0 ? { ...c, image } : c))
      })
    );
    const arn = registered.taskDefinition!.taskDefinitionArn!;
    await this.moto.ecs.send(
      new UpdateServiceCommand({ cluster: service.cluster, service: service.name, taskDefinition: arn })
    );
    await this.startDeployment(service, arn, 'external', false, at, stamp);
    this.outcome('SUPERSEDED', of, d, stamp);
  }

  private async startTasks(service: VService, d: VDeployment, count: number, at: number): Promise<void> {
    const result = await this.moto.ecs.send(
      new RunTaskCommand({
        cluster: service.cluster,
        taskDefinition: d.taskDefinition,
        count,
        launchType: service.launchType === 'FARGATE' ? 'FARGATE' : undefined,
        startedBy: d.id,
        group: `service:${service.name}`,
        networkConfiguration: service.networkConfiguration as never
      })
    );
    const ids: string[] = [];
    for (const task of result.tasks ?? []) {
      const arn = task.taskArn!;
      const id = arn.slice(arn.lastIndexOf('/') + 1);
      ids.push(id);
      this.tasks.set(arn, {
        arn,
        id,
        cluster: service.cluster,
        group: `service:${service.name}`,
        startedBy: d.id,
        taskDefinitionArn: d.taskDefinition,
        lastStatus: 'PENDING',
        desiredStatus: 'RUNNING',
        ip: privateIp(task.attachments) ?? this.nextIp(),
        createdAt: at
      });
    }
    d.pendingCount += ids.length;
    d.updatedAt = at;
    this.event(
      service,
      `(service ${service.name}) has started ${ids.length} tasks: ${ids.map(i => `(task ${i})`).join(' ')}.`,
      at
    );
  }

  private nextIp(): string {
    this.ipCounter += 1;
    return `10.0.${Math.floor(this.ipCounter / 250)}.${(this.ipCounter % 250) + 2}`;
  }

  private async runTasks(
    service: VService,
    d: VDeployment,
    at: number,
    unhealthy?: TargetHealthOverride
  ): Promise<void> {
    const tasks = [...this.tasks.values()].filter(t => t.startedBy === d.id && t.lastStatus === 'PENDING');
    for (const task of tasks) {
      task.lastStatus = 'RUNNING';
      task.startedAt = at;
      if (unhealthy) this.health.set(task.ip, unhealthy);
    }
    d.pendingCount -= tasks.length;
    d.runningCount += tasks.length;
    d.updatedAt = at;
    if (service.targetGroupArn && tasks.length > 0) {
      await this.moto.elb.send(
        new RegisterTargetsCommand({
          TargetGroupArn: service.targetGroupArn,
          Targets: tasks.map(t => ({ Id: t.ip, Port: 80 }))
        })
      );
      this.event(
        service,
        `(service ${service.name}) registered ${tasks.length} targets in (target-group ${service.targetGroupArn})`,
        at
      );
      if (unhealthy) {
        this.event(
          service,
          `(service ${service.name}) (port 80) is unhealthy in (target-group ${service.targetGroupArn}) due to (reason ${unhealthy.description}).`,
          at
        );
      }
    }
  }

  private async stopTasks(
    service: VService,
    tasks: VTask[],
    at: number,
    stop: { stopCode: string; reason: string }
  ): Promise<void> {
    for (const task of tasks) {
      await this.moto.ecs.send(
        new StopTaskCommand({ cluster: task.cluster, task: task.arn, reason: stop.reason })
      );
      task.lastStatus = 'STOPPED';
      task.desiredStatus = 'STOPPED';
      task.stoppedAt = at;
      task.stopCode = stop.stopCode;
      task.stoppedReason = stop.reason;
      this.health.delete(task.ip);
    }
    // Only tasks that ran were registered as targets.
    const registered = tasks.filter(t => t.startedAt !== undefined);
    if (service.targetGroupArn && registered.length > 0) {
      await this.moto.elb.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: service.targetGroupArn,
          Targets: registered.map(t => ({ Id: t.ip, Port: 80 }))
        })
      );
    }
  }

  private async crashTasks(
    service: VService,
    d: VDeployment,
    failure: TaskFailure,
    at: number
  ): Promise<void> {
    const tasks = [...this.tasks.values()].filter(t => t.startedBy === d.id && t.lastStatus !== 'STOPPED');
    await this.stopTasks(service, tasks, at, { stopCode: failure.stopCode, reason: failure.stoppedReason });
    const running = tasks.filter(t => t.startedAt !== undefined).length;
    for (const task of tasks) {
      // A container that exits with a code ran first (a crash on boot included); only `neverStarted` never did.
      if (!failure.neverStarted) task.startedAt ??= at;
      task.failedContainer = failure.container;
      task.exitCode = failure.exitCode;
      task.containerReason = failure.containerReason;
      task.healthStatus = failure.healthStatus;
      await this.writeLogs(task, failure.container, failure.logLines, at);
    }
    d.runningCount -= running;
    d.pendingCount -= tasks.length - running;
    d.failedTasks += tasks.length;
    d.updatedAt = at;
    this.event(
      service,
      `(service ${service.name}) has stopped ${tasks.length} running tasks: ${tasks.map(t => `(task ${t.id})`).join(' ')}.`,
      at
    );
  }

  private async complete(service: VService, d: VDeployment, at: number): Promise<void> {
    d.rolloutState = 'COMPLETED';
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    d.updatedAt = at;
    const old = service.deployments.filter(x => x !== d);
    const oldTasks = [...this.tasks.values()].filter(
      t => old.some(o => o.id === t.startedBy) && t.desiredStatus === 'RUNNING'
    );
    if (oldTasks.length > 0) {
      await this.stopTasks(service, oldTasks, at, {
        stopCode: 'ServiceSchedulerInitiated',
        reason: `Scaling activity initiated by (deployment ${d.id})`
      });
      this.event(
        service,
        `(service ${service.name}) has stopped ${oldTasks.length} running tasks: ${oldTasks.map(t => `(task ${t.id})`).join(' ')}.`,
        at
      );
    }
    service.deployments = [d];
    service.completed.add(d.taskDefinition);
    this.event(service, `(service ${service.name}) (deployment ${d.id}) deployment completed.`, at);
    this.event(service, `(service ${service.name}) has reached a steady state.`, at);
  }

  /** What the circuit breaker does with rollback on: the failed deployment goes, the last completed one comes back. */
  private async ecsRollback(
    service: VService,
    failed: VDeployment,
    completesAfterMs: number,
    at: number,
    stamp: number
  ): Promise<void> {
    const previous =
      service.deployments.find(d => d !== failed && d.rolloutState === 'COMPLETED') ??
      service.deployments.find(d => d !== failed);
    const leftover = [...this.tasks.values()].filter(
      t => t.startedBy === failed.id && t.desiredStatus === 'RUNNING'
    );
    await this.stopTasks(service, leftover, stamp, {
      stopCode: 'ServiceSchedulerInitiated',
      reason: 'Deployment rolled back by the deployment circuit breaker'
    });
    await this.moto.ecs.send(
      new UpdateServiceCommand({
        cluster: service.cluster,
        service: service.name,
        taskDefinition: previous?.taskDefinition
      })
    );
    const id = deploymentId();
    const rollback: VDeployment = {
      id,
      status: 'PRIMARY',
      taskDefinition: previous?.taskDefinition ?? failed.taskDefinition,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: previous?.runningCount ?? 0,
      failedTasks: 0,
      createdAt: stamp,
      updatedAt: stamp,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      extra: { ...failed.extra }
    };
    service.deployments = [rollback];
    this.deploymentOwners.set(id, service);
    this.started.push({
      id,
      taskDefinition: rollback.taskDefinition,
      at: stamp,
      plan: 'external',
      byAction: false
    });
    this.event(service, `(service ${service.name}) rolling back to deployment ${id}.`, stamp);
    this.schedule(at + completesAfterMs, completedStamp => this.complete(service, rollback, completedStamp));
  }

  // ---- service deployments ------------------------------------------------------------------------

  /** What the layer lends to its part for service deployments (strategy-layer.ts). */
  private strategyHost(): StrategyHost {
    const v = (s: unknown) => s as VService;
    const d = (x: unknown) => x as VDeployment;
    return {
      now: () => this.now(),
      stampOf: at => this.stampOf(at),
      event: (s, message, at) => this.event(v(s), message, at),
      startTasks: (s, x, count, at) => this.startTasks(v(s), d(x), count, at),
      runTasks: (s, x, at, unhealthy) => this.runTasks(v(s), d(x), at, unhealthy),
      crashTasks: (s, x, failure, at) => this.crashTasks(v(s), d(x), failure, at),
      drain: (s, x, at, reason) => this.drain(v(s), d(x), at, reason),
      complete: (s, x, at) => this.complete(v(s), d(x), at),
      forward: async (ruleArn, targetGroups) => {
        const forward = {
          TargetGroups: targetGroups.map(g => ({ TargetGroupArn: g.arn, Weight: g.weight }))
        };
        await this.moto.elb.send(
          new ModifyRuleCommand({ RuleArn: ruleArn, Actions: [{ Type: 'forward', ForwardConfig: forward }] })
        );
      },
      useTaskDefinition: async (s, taskDefinition) => {
        await this.moto.ecs.send(
          new UpdateServiceCommand({ cluster: s.cluster, service: s.name, taskDefinition })
        );
      },
      outcome: (kind, of, x, at) => this.outcome(kind, of, d(x), at),
      taskDefinition: arn => this.taskDefinition(arn),
      service: (cluster, name) => this.existingService(cluster, name)
    };
  }

  /** The service, or the exception ECS answers for a cluster or service it does not have. */
  private async existingService(cluster: string, name: string): Promise<VService> {
    const described = await this.moto.ecs
      .send(new DescribeServicesCommand({ cluster: clusterName(cluster), services: [name] }))
      .catch((e: Error) => {
        if (e.name === 'ClusterNotFoundException') throw new Refusal(e.name, 'Cluster not found.');
        throw e;
      });
    const service =
      described.services?.[0]?.status === 'ACTIVE'
        ? await this.trackedService(clusterName(cluster), serviceName(name))
        : undefined;
    if (!service) throw new Refusal('ServiceNotFoundException', 'Service not found.');
    return service;
  }

  /** ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions, Stop-/ContinueServiceDeployment. */
  private async serviceDeployments(request: ProxyRequest): Promise<ProxyResponse> {
    const operation = request.operation as ServiceDeploymentOperation;
    let body: Record<string, unknown>;
    try {
      body = await serviceDeploymentCall(operation, request.params, this.strategies);
    } catch (error) {
      if (error instanceof Refusal) return errorResponse(request, 400, error.code, error.message);
      throw error;
    }
    if (operation === 'DescribeServiceDeployments') {
      const now = Date.now();
      for (const shown of (body.serviceDeployments as { serviceDeploymentArn: string }[]) ?? []) {
        const service = this.strategies.shown(shown.serviceDeploymentArn, now);
        if (service) this.outcomesShown(service as VService, now);
      }
    }
    return json(200, body, { 'x-amzn-requestid': randomUUID() });
  }

  /**
   * CreateService: refused as ECS refuses a strategy's configuration (strategy-config.ts), and the deployment
   * configuration kept (moto drops it on create).
   */
  private async createService(
    request: ProxyRequest,
    forward: () => Promise<ProxyResponse>
  ): Promise<ProxyResponse> {
    const controller = (request.params.deploymentController as { type?: string } | undefined)?.type;
    const refusal = checkServiceRequest({ ...request.params, taskDefinition: undefined }, controller);
    if (refusal) return errorResponse(request, 400, refusal.code, refusal.message);
    const response = await forward();
    const configuration = request.params.deploymentConfiguration;
    if (response.status === 200 && configuration && typeof configuration === 'object')
      this.configure(
        clusterName(request.params.cluster),
        String(request.params.serviceName),
        configuration as Record<string, unknown>
      );
    return response;
  }

  /** The scheduler scales a deployment in: its tasks stop, and it runs none. */
  private async drain(service: VService, d: VDeployment, at: number, reason: string): Promise<void> {
    const tasks = [...this.tasks.values()].filter(t => t.startedBy === d.id && t.desiredStatus === 'RUNNING');
    await this.stopTasks(service, tasks, at, { stopCode: 'ServiceSchedulerInitiated', reason });
    if (tasks.length > 0)
      this.event(
        service,
        `(service ${service.name}) has stopped ${tasks.length} running tasks: ${tasks.map(t => `(task ${t.id})`).join(' ')}.`,
        at
      );
    d.runningCount = 0;
    d.pendingCount = 0;
    d.updatedAt = at;
  }

  private async taskDefinition(arn: string): Promise<TaskDefinition> {
    const cached = this.taskDefinitions.get(arn);
    if (cached) return cached;
    const described = await this.moto.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    this.taskDefinitions.set(arn, described.taskDefinition!);
    return described.taskDefinition!;
  }

  /** Writes a container's log lines where awslogs would: `<prefix>/<container>/<task id>` in its log group. */
  private async writeLogs(task: VTask, container: string, lines: string[], at: number): Promise<void> {
    if (lines.length === 0) return;
    const td = await this.taskDefinition(task.taskDefinitionArn);
    const options = td.containerDefinitions?.find(c => c.name === container)?.logConfiguration?.options ?? {};
    const group = options['awslogs-group'];
    const prefix = options['awslogs-stream-prefix'];
    if (!group || !prefix) return;
    const stream = `${prefix}/${container}/${task.id}`;
    await this.moto.logs
      .send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))
      .catch((e: Error) => {
        if (e.name !== 'ResourceAlreadyExistsException') throw e;
      });
    const start = Math.round(at) - lines.length * 10;
    await this.moto.logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: lines.map((message, i) => ({ timestamp: start + i * 10, message }))
      })
    );
  }

  // ---- registration -------------------------------------------------------------------------------

  /**
   * What ECS does on RegisterTaskDefinition and moto does not: refuse what ECS refuses (a request over 64 KiB,
   * an empty task memory or cpu, an empty container name, a log configuration without a driver, empty
   * registry credentials), and store the task's cpu and memory as integers (`.25 vcpu` → `256`, `.5 gb` →
   * `512`) and an EFS volume's rootDirectory as `/` when it was left out.
   */
  private async register(
    request: ProxyRequest,
    forward: () => Promise<ProxyResponse>
  ): Promise<ProxyResponse> {
    const refuse = (message: string) => errorResponse(request, 400, 'ClientException', message);
    const bytes = Buffer.byteLength(request.body);
    if (bytes > 65536) return refuse(`Actual length: '${bytes}'. Max allowed length is '65536' bytes.`);
    const td = request.params as Record<string, unknown> & {
      containerDefinitions?: Record<string, unknown>[];
      volumes?: { efsVolumeConfiguration?: Record<string, unknown> }[];
    };
    for (const key of ['cpu', 'memory'] as const) {
      const value = td[key];
      if (value === undefined) continue;
      const text = String(value).trim();
      const m = /^(\d+(?:\.\d*)?|\.\d+)\s*(vcpus?|gb)$/i.exec(text);
      if (/^\d+$/.test(text)) td[key] = text;
      else if (m) td[key] = String(Math.round(Number(m[1]) * 1024));
      else return refuse(`Invalid '${key}' setting for task.`);
    }
    for (const c of td.containerDefinitions ?? []) {
      if (typeof c.name !== 'string' || c.name === '')
        return refuse('Container.name should not be null or empty.');
      const log = c.logConfiguration as Record<string, unknown> | undefined;
      if (log && !log.logDriver)
        return refuse('Container.logConfiguration.logDriver should not be null or empty.');
      const credentials = c.repositoryCredentials as Record<string, unknown> | undefined;
      if (credentials && !credentials.credentialsParameter)
        return refuse('Container.repositoryCredentials.credentialsParameter should not be null or empty.');
      for (const e of (c.environment as Record<string, unknown>[] | undefined) ?? [])
        if (!e.name) return refuse('Container.environment.name should not be null or empty.');
    }
    for (const v of td.volumes ?? []) {
      if (v.efsVolumeConfiguration && v.efsVolumeConfiguration.rootDirectory === undefined)
        v.efsVolumeConfiguration.rootDirectory = '/';
    }
    request.body = JSON.stringify(td);
    return forward();
  }

  // ---- tasks --------------------------------------------------------------------------------------

  private async runTask(
    request: ProxyRequest,
    forward: () => Promise<ProxyResponse>
  ): Promise<ProxyResponse> {
    const response = await forward();
    if (response.status !== 200) return response;
    const body = JSON.parse(response.body) as { tasks?: Record<string, unknown>[] };
    const plan: RunTaskPlan = this.scenario?.runTask ?? { afterMs: 1500, exitCode: 0, logLines: [] };
    const t0 = this.now();
    const createdAt = Date.now();
    for (const raw of body.tasks ?? []) {
      const arn = String(raw.taskArn);
      const task: VTask = {
        arn,
        id: arn.slice(arn.lastIndexOf('/') + 1),
        cluster: clusterName(request.params.cluster),
        group: String(raw.group ?? ''),
        startedBy: String(raw.startedBy ?? ''),
        taskDefinitionArn: String(raw.taskDefinitionArn),
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        ip: privateIp(raw.attachments as never) ?? this.nextIp(),
        createdAt
      };
      this.tasks.set(arn, task);
      this.oneOffTasks.add(arn);
      const containers = (raw.containers as { name: string }[] | undefined) ?? [];
      const td = await this.taskDefinition(task.taskDefinitionArn);
      const container =
        plan.container ??
        td.containerDefinitions?.find(c => c.essential !== false)?.name ??
        containers[0]?.name ??
        '';
      this.schedule(t0 + 0.3 * plan.afterMs, async stamp => {
        task.lastStatus = 'RUNNING';
        task.startedAt = stamp;
      });
      this.schedule(t0 + plan.afterMs, async at => {
        await this.writeLogs(task, container, plan.logLines, at);
        await this.moto.ecs.send(
          new StopTaskCommand({
            cluster: task.cluster,
            task: arn,
            reason: 'Essential container in task exited'
          })
        );
        Object.assign(task, {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stoppedAt: at,
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          failedContainer: container,
          exitCode: plan.exitCode,
          containerReason: plan.containerReason
        });
        const outcome: Outcome = {
          kind: 'TASK_STOPPED',
          of: 'run-task',
          taskArn: arn,
          at
        };
        this.outcomes.push(outcome);
        this.runTaskOutcomes.set(arn, outcome);
      });
      this.renderTask(task, raw);
    }
    return json(200, body, response.headers);
  }

  private renderTask(task: VTask, raw: Record<string, unknown>): void {
    raw.lastStatus = task.lastStatus;
    raw.desiredStatus = task.desiredStatus;
    raw.group = task.group;
    raw.startedBy = task.startedBy;
    raw.createdAt = seconds(task.createdAt);
    if (task.startedAt !== undefined) raw.startedAt = seconds(task.startedAt);
    if (task.stoppedAt !== undefined) {
      raw.stoppedAt = seconds(task.stoppedAt);
      raw.stoppingAt = seconds(task.stoppedAt);
      raw.executionStoppedAt = seconds(task.stoppedAt);
      raw.stopCode = task.stopCode;
      raw.stoppedReason = task.stoppedReason;
    } else {
      delete raw.stoppedReason;
    }
    const attachments =
      (raw.attachments as { status?: string; details?: { name: string; value: string }[] }[] | undefined) ??
      [];
    if (attachments.length === 0)
      attachments.push({ details: [{ name: 'privateIPv4Address', value: task.ip }] });
    for (const a of attachments) a.status = task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED';
    raw.attachments = attachments;
    const containers = (raw.containers as Record<string, unknown>[] | undefined) ?? [];
    for (const c of containers) {
      c.taskArn = task.arn;
      c.lastStatus = task.lastStatus === 'PROVISIONING' ? 'PENDING' : task.lastStatus;
      delete c.healthStatus;
      if (task.lastStatus === 'STOPPED') {
        const failing = c.name === task.failedContainer;
        // A task that never ran has no exit codes at all.
        const code =
          task.startedAt === undefined ? undefined : failing ? task.exitCode : task.failedContainer ? 143 : 0;
        if (code === undefined) delete c.exitCode;
        else c.exitCode = code;
        if (failing && task.containerReason) c.reason = task.containerReason;
        else delete c.reason;
        if (failing && task.healthStatus) c.healthStatus = task.healthStatus;
      } else {
        delete c.exitCode;
        delete c.reason;
      }
    }
  }

  private async describeTasks(
    _request: ProxyRequest,
    forward: () => Promise<ProxyResponse>
  ): Promise<ProxyResponse> {
    const response = await forward();
    if (response.status !== 200) return response;
    const body = JSON.parse(response.body) as { tasks?: Record<string, unknown>[] };
    const now = Date.now();
    for (const raw of body.tasks ?? []) {
      const task = this.tasks.get(String(raw.taskArn));
      if (!task) continue;
      this.renderTask(task, raw);
      const outcome = this.runTaskOutcomes.get(task.arn);
      if (outcome && outcome.at <= now) outcome.shownAt ??= now;
    }
    return json(200, body, response.headers);
  }

  private async listTasks(
    request: ProxyRequest,
    forward: () => Promise<ProxyResponse>
  ): Promise<ProxyResponse> {
    const response = await forward();
    if (response.status !== 200) return response;
    const body = JSON.parse(response.body) as { taskArns?: string[] };
    const desired =
      typeof request.params.desiredStatus === 'string' ? request.params.desiredStatus : 'RUNNING';
    const service =
      typeof request.params.serviceName === 'string' ? serviceName(request.params.serviceName) : undefined;
    body.taskArns = (body.taskArns ?? []).filter(arn => {
      const task = this.tasks.get(arn);
      if (!task) return service === undefined;
      // Moto ignores serviceName and returns every status when none is given; ECS does neither.
      if (service !== undefined && task.group !== `service:${service}`) return false;
      return task.desiredStatus === desired;
    });
    return json(200, body, response.headers);
  }

  // ---- load balancer ------------------------------------------------------------------------------

  private async targetHealth(forward: () => Promise<ProxyResponse>): Promise<ProxyResponse> {
    const response = await forward();
    if (response.status !== 200 || this.health.size === 0) return response;
    const body = response.body.replace(/<member>([\s\S]*?)<\/member>/g, (member: string, inner: string) => {
      const id = /<Target>[\s\S]*?<Id>([^<]+)<\/Id>/.exec(inner)?.[1];
      const override = id ? this.health.get(id) : undefined;
      if (!override) return member;
      return member.replace(
        /<TargetHealth>[\s\S]*?<\/TargetHealth>/,
        `<TargetHealth><State>${override.state}</State><Reason>${override.reason}</Reason><Description>${override.description}</Description></TargetHealth>`
      );
    });
    return { ...response, body };
  }
}
