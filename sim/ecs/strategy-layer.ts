/**
 * The scenario layer's part for ECS service deployments: every deployment of a service is a service deployment
 * (DescribeServices `currentServiceDeployment`, ListServiceDeployments), with a service revision per deployment
 * (DescribeServiceRevisions). A deployment of a service whose `deploymentConfiguration.strategy` is BLUE_GREEN,
 * LINEAR or CANARY follows ECS's own stages (service-deployments.ts) instead of the layer's rolling plans: its
 * target revision's tasks start beside the source revision's, both run through the bake, and ECS's own
 * rollback puts the service back on the source revision without any UpdateService. A rolling deployment's service
 * deployment mirrors its `rolloutState`. The layer (scenario.ts) owns services, deployments and tasks, and lends
 * them through `StrategyHost`.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { OutcomeKind, TargetHealthOverride, TaskFailure } from './scenario.js';
import type { DeploymentView, DeploymentsBackend } from './service-deployment-api.js';
import {
  ServiceDeploymentMachine,
  type Effect,
  type Moment,
  type RevisionCounts,
  type RevisionRef,
  type StrategyPlan
} from './service-deployments.js';
import {
  circuitBreakerThreshold,
  digits,
  urlSafeToken,
  type StrategyConfiguration
} from './strategy-stages.js';

/** What a strategy deployment does in a scenario (the rollout plan of a BLUE_GREEN, LINEAR or CANARY service). */
export interface StrategyRollout extends Omit<StrategyPlan, 'tasksFail'> {
  kind: 'strategy';
  /** The target revision's tasks fail this way (stopped tasks, exit codes, log lines), again and again. */
  failure?: TaskFailure;
  /** Their targets fail the load balancer's health checks. */
  unhealthy?: TargetHealthOverride;
}

/** The fields of the layer's deployments this part reads and writes. */
export interface HostDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
}

/** The fields of the layer's services this part reads and writes. */
export interface HostService {
  key: string;
  cluster: string;
  name: string;
  desiredCount: number;
  deployments: HostDeployment[];
  /** What CreateService/UpdateService set; moto accepts it but never returns it. */
  deploymentConfiguration?: Record<string, unknown>;
}

/** What the layer lends: its clock, and what it does to tasks and deployments in moto. */
export interface StrategyHost {
  /** ECS time now (the layer's pace). */
  now(): number;
  /** The wall-clock date of a change made at ECS time `at`. */
  stampOf(at: number): number;
  event(service: HostService, message: string, at: number): void;
  startTasks(service: HostService, d: HostDeployment, count: number, at: number): Promise<void>;
  runTasks(
    service: HostService,
    d: HostDeployment,
    at: number,
    unhealthy?: TargetHealthOverride
  ): Promise<void>;
  crashTasks(service: HostService, d: HostDeployment, failure: TaskFailure, at: number): Promise<void>;
  /** Stops the tasks a deployment runs, as the scheduler scales it in. */
  drain(service: HostService, d: HostDeployment, at: number, reason: string): Promise<void>;
  /** `d` is the service's only deployment, COMPLETED (the others' tasks stopped). */
  complete(service: HostService, d: HostDeployment, at: number): Promise<void>;
  /** A listener rule forwards to these target groups with these weights (ECS shifting traffic). */
  forward(ruleArn: string, targetGroups: { arn: string; weight: number }[]): Promise<void>;
  /** The service's task definition in moto (ECS's rollback, which is no UpdateService of the client's). */
  useTaskDefinition(service: HostService, taskDefinition: string): Promise<void>;
  outcome(kind: OutcomeKind, of: 'rollout' | 'rollback', d: HostDeployment, at: number): void;
  taskDefinition(arn: string): Promise<TaskDefinition>;
  /** ClusterNotFoundException or ServiceNotFoundException, as ECS answers for a service it does not have. */
  service(cluster: string, name: string): Promise<HostService>;
}

/** What ECS shows of the service beyond the layer's own fields, as moto last answered. */
interface ServiceFacts {
  serviceArn: string;
  clusterArn: string;
  deploymentController?: string;
  definition: Record<string, unknown>;
}

interface Tracked {
  view: DeploymentView;
  service: HostService;
  target: HostDeployment;
  source?: HostDeployment;
  machine?: ServiceDeploymentMachine;
  rollout?: StrategyRollout;
  /** The action's own deployment or its rollback (whose outcome counts); none for ones the scenario started. */
  of?: 'rollout' | 'rollback';
}

const STRATEGIES = ['BLUE_GREEN', 'LINEAR', 'CANARY'];

interface AdvancedRules {
  productionListenerRule?: string;
  testListenerRule?: string;
}
const seconds = (ms: number) => ms / 1000;

function countsOf(d: HostDeployment | undefined): RevisionCounts {
  return { requested: d?.desiredCount ?? 0, running: d?.runningCount ?? 0, pending: d?.pendingCount ?? 0 };
}

/** `arn:aws:ecs:<region>:<account>:` of a service's ARN. */
const arnPrefix = (serviceArn: string) => serviceArn.split(':').slice(0, 5).join(':');

export class StrategyDeployments implements DeploymentsBackend {
  private readonly tracked: Tracked[] = [];
  private readonly revisions = new Map<string, Record<string, unknown>>();
  /** The revision ARN of each of the layer's deployments. */
  private readonly revisionOf = new Map<string, string>();
  private readonly facts = new Map<string, ServiceFacts>();
  /** The target group production traffic goes to, by service, once a strategy deployment moved it. */
  private readonly live = new Map<string, string>();

  constructor(private readonly host: StrategyHost) {}

  reset(): void {
    this.tracked.length = 0;
    this.revisions.clear();
    this.revisionOf.clear();
    this.facts.clear();
    this.live.clear();
  }

  /** Remembers what moto says of a service (its ARNs, controller, load balancers) from a response about it. */
  observe(service: HostService, svc: Record<string, unknown>): void {
    this.facts.set(service.key, {
      serviceArn: String(svc.serviceArn),
      clusterArn: String(svc.clusterArn),
      deploymentController: (svc.deploymentController as { type?: string } | undefined)?.type,
      definition: {
        loadBalancers: svc.loadBalancers,
        serviceConnectConfiguration: svc.serviceConnectConfiguration,
        networkConfiguration: svc.networkConfiguration,
        launchType: svc.launchType,
        platformVersion: svc.platformVersion,
        platformFamily: svc.platformFamily
      }
    });
  }

  controllerOf(service: HostService): string | undefined {
    return this.facts.get(service.key)?.deploymentController;
  }

  /** Whether the service's deployments follow ECS's own BLUE_GREEN, LINEAR or CANARY stages. */
  isStrategy(service: HostService): boolean {
    const strategy = (service.deploymentConfiguration as StrategyConfiguration | undefined)?.strategy;
    return STRATEGIES.includes(strategy ?? '') && this.controllerOf(service) !== 'CODE_DEPLOY';
  }

  // ---- starting deployments -----------------------------------------------------------------------

  /** The service deployment of a deployment the layer started: a strategy one, or a rolling one's mirror. */
  async started(
    service: HostService,
    target: HostDeployment,
    source: HostDeployment | undefined,
    rollout: StrategyRollout | undefined,
    of?: 'rollout' | 'rollback'
  ): Promise<void> {
    const facts = this.facts.get(service.key);
    if (!facts) return;
    const arn = `${arnPrefix(facts.serviceArn)}:service-deployment/${service.cluster}/${service.name}/${urlSafeToken(21)}`;
    for (const t of this.tracked)
      if (t.service === service && t.machine && !t.machine.finished)
        await this.applyTo(t, t.machine.superseded(arn, this.moment()));
    const targetRef = await this.revisionFor(service, target, facts);
    const sourceRef = source ? await this.revisionFor(service, source, facts) : undefined;
    if (this.isStrategy(service) && sourceRef) {
      const machine = this.machine(
        service,
        facts,
        arn,
        targetRef,
        sourceRef,
        rollout ?? { kind: 'strategy' }
      );
      const view = machineView(machine, target, source);
      this.tracked.push({ view, service, target, source, machine, rollout, of });
      return;
    }
    const view = mirrorView(arn, facts, service, target, source, targetRef, sourceRef);
    this.tracked.push({ view, service, target, source, of });
  }

  private machine(
    service: HostService,
    facts: ServiceFacts,
    arn: string,
    target: RevisionRef,
    source: RevisionRef,
    rollout: StrategyRollout
  ): ServiceDeploymentMachine {
    const now = this.host.now();
    const configuration = { ...(service.deploymentConfiguration ?? {}) } as StrategyConfiguration &
      Record<string, unknown>;
    return new ServiceDeploymentMachine({
      arn,
      serviceArn: facts.serviceArn,
      clusterArn: facts.clusterArn,
      serviceName: service.name,
      strategy: configuration.strategy as 'BLUE_GREEN' | 'LINEAR' | 'CANARY',
      configuration,
      target,
      source,
      desiredCount: service.desiredCount,
      plan: { ...rollout, tasksFail: rollout.failure !== undefined },
      reconcile: service.deployments.filter(d => d.runningCount > 0).length > 1,
      at: { ecs: now, wall: this.host.stampOf(now) }
    });
  }

  /** The service revision of one of the layer's deployments (created once: its task definition and service). */
  private async revisionFor(
    service: HostService,
    d: HostDeployment,
    facts: ServiceFacts
  ): Promise<RevisionRef> {
    const known = this.revisionOf.get(d.id);
    const ref = (arn: string) => ({ arn, taskDefinition: d.taskDefinition, deploymentId: d.id });
    if (known) return ref(known);
    const arn = `${arnPrefix(facts.serviceArn)}:service-revision/${service.cluster}/${service.name}/${digits(19)}`;
    const td = await this.host.taskDefinition(d.taskDefinition);
    this.revisionOf.set(d.id, arn);
    this.revisions.set(arn, {
      serviceRevisionArn: arn,
      serviceArn: facts.serviceArn,
      clusterArn: facts.clusterArn,
      taskDefinition: d.taskDefinition,
      ...Object.fromEntries(Object.entries(facts.definition).filter(([, v]) => v !== undefined)),
      containerImages: (td.containerDefinitions ?? []).map(c => ({ containerName: c.name, image: c.image })),
      createdAt: seconds(d.createdAt)
    });
    return ref(arn);
  }

  // ---- moving on ----------------------------------------------------------------------------------

  /** Moves every strategy deployment to ECS time `now` and applies what changed. */
  async advance(now: number): Promise<void> {
    for (const t of this.tracked) {
      if (!t.machine || t.machine.finished) continue;
      await this.applyTo(
        t,
        t.machine.advance(now, at => this.host.stampOf(at))
      );
    }
  }

  async apply(view: DeploymentView, effects: Effect[]): Promise<void> {
    const t = this.tracked.find(x => x.view === view);
    if (t) await this.applyTo(t, effects);
  }

  moment(): Moment {
    const now = this.host.now();
    return { ecs: now, wall: this.host.stampOf(now) };
  }

  private async applyTo(t: Tracked, effects: Effect[]): Promise<void> {
    const at = this.host.stampOf(this.host.now());
    for (const effect of effects) await this.applyOne(t, effect, at);
  }

  private async applyOne(t: Tracked, effect: Effect, at: number): Promise<void> {
    const { service, target, source } = t;
    switch (effect.kind) {
      case 'event':
        return this.host.event(service, effect.message, at);
      case 'scale-up':
        return this.host.startTasks(service, target, Math.max(1, service.desiredCount), at);
      case 'target-running':
        return this.host.runTasks(service, target, at, t.rollout?.unhealthy);
      case 'target-failed':
        await this.host.crashTasks(service, target, t.rollout!.failure!, at);
        return this.host.startTasks(service, target, Math.max(1, service.desiredCount), at);
      case 'source-drained':
        if (source)
          await this.host.drain(
            service,
            source,
            at,
            `Scaling activity initiated by (deployment ${target.id})`
          );
        return;
      case 'target-drained':
        return this.host.drain(
          service,
          target,
          at,
          `Service deployment rolled back: ${t.machine?.statusReason ?? ''}`
        );
      case 'traffic':
        return this.shiftTraffic(t, effect.test, effect.production);
      case 'rollback-started':
        return this.rollbackStarted(t, effect.reason);
      case 'finished':
        return this.finished(t, effect, at);
    }
  }

  /**
   * The target groups of a service's load balancer with `advancedConfiguration`, as a deployment uses them: the
   * source revision's (the one production traffic goes to now) and the target revision's (the other one). After a
   * successful deployment they swap, as they do in ECS.
   */
  private targetGroups(
    service: HostService
  ): (AdvancedRules & { source: string; target: string }) | undefined {
    const loadBalancers = (this.facts.get(service.key)?.definition.loadBalancers ?? []) as {
      targetGroupArn?: string;
      advancedConfiguration?: { alternateTargetGroupArn?: string } & AdvancedRules;
    }[];
    const lb = loadBalancers.find(l => l.targetGroupArn && l.advancedConfiguration?.alternateTargetGroupArn);
    if (!lb) return undefined;
    const [primary, alternate] = [lb.targetGroupArn!, lb.advancedConfiguration!.alternateTargetGroupArn!];
    const source = this.live.get(service.key) ?? primary;
    return { ...lb.advancedConfiguration, source, target: source === primary ? alternate : primary };
  }

  /**
   * ECS moves traffic by the listener rules of `advancedConfiguration`: the production and test rules' weights
   * between the source and target revisions' target groups. A service without them (Service Connect, headless)
   * has no rules to change.
   */
  private async shiftTraffic(t: Tracked, test: number, production: number): Promise<void> {
    const groups = this.targetGroups(t.service);
    if (!groups) return;
    const split = (share: number) => [
      { arn: groups.source, weight: Math.round(100 - share) },
      { arn: groups.target, weight: Math.round(share) }
    ];
    if (groups.productionListenerRule)
      await this.host.forward(groups.productionListenerRule, split(production));
    if (groups.testListenerRule) await this.host.forward(groups.testListenerRule, split(test));
  }

  /** ECS puts the service back on the source revision: the source is PRIMARY again, the target FAILED. */
  private async rollbackStarted(t: Tracked, reason: string): Promise<void> {
    if (!t.source) return;
    await this.host.useTaskDefinition(t.service, t.source.taskDefinition);
    t.target.status = 'ACTIVE';
    t.target.rolloutState = 'FAILED';
    t.target.rolloutStateReason = reason;
    t.source.status = 'PRIMARY';
  }

  private async finished(
    t: Tracked,
    effect: Extract<Effect, { kind: 'finished' }>,
    at: number
  ): Promise<void> {
    const { status, reason } = effect;
    if (status === 'SUCCESSFUL') {
      const groups = this.targetGroups(t.service);
      if (groups) this.live.set(t.service.key, groups.target);
      await this.host.complete(t.service, t.target, at);
    } else if (status === 'ROLLBACK_SUCCESSFUL' && t.source)
      await this.host.complete(t.service, t.source, at);
    else if (reason && !effect.supersededBy && t.target.rolloutState === 'IN_PROGRESS') {
      t.target.rolloutState = 'FAILED';
      t.target.rolloutStateReason = reason;
    }
    if (t.of) this.host.outcome(outcomeOf(effect), t.of, t.target, at);
  }

  // ---- what responses show ------------------------------------------------------------------------

  /** DescribeServices: `currentServiceDeployment` and `currentServiceRevisions` of the service. */
  render(service: HostService, svc: Record<string, unknown>): void {
    const latest = this.tracked.filter(t => t.service === service).at(-1);
    if (!latest) return;
    svc.currentServiceDeployment = latest.view.arn;
    const running = service.deployments.filter(d => this.revisionOf.has(d.id));
    svc.currentServiceRevisions = running.map(d => ({
      arn: this.revisionOf.get(d.id),
      requestedTaskCount: d.desiredCount,
      runningTaskCount: d.runningCount,
      pendingTaskCount: d.pendingCount
    }));
  }

  /** Marks the transitions of a service deployment a response showed; its service. */
  shown(arn: string, wall: number): HostService | undefined {
    const t = this.tracked.find(x => x.view.arn === arn);
    t?.machine?.markShown(wall);
    return t?.service;
  }

  /** The stages and statuses each strategy deployment of a service went through, and when each was first shown. */
  transitionsOf(cluster: string, name: string) {
    return this.tracked
      .filter(t => t.service.key === `${cluster}/${name}` && t.machine)
      .map(t => ({ arn: t.view.arn, transitions: t.machine!.transitions }));
  }

  async deploymentsOf(cluster: string, name: string): Promise<DeploymentView[]> {
    const service = await this.host.service(cluster, name);
    return this.tracked.filter(t => t.service === service).map(t => t.view);
  }

  deployment(arn: string): DeploymentView | undefined {
    return this.tracked.find(t => t.view.arn === arn)?.view;
  }

  revision(arn: string): Record<string, unknown> | undefined {
    return this.revisions.get(arn);
  }
}

/** The layer's outcome of a finished service deployment. */
function outcomeOf(effect: Extract<Effect, { kind: 'finished' }>): OutcomeKind {
  if (effect.supersededBy) return 'SUPERSEDED';
  if (effect.status === 'SUCCESSFUL') return 'COMPLETED';
  return effect.status === 'ROLLBACK_SUCCESSFUL' ? 'ROLLED_BACK' : 'FAILED';
}

function machineView(
  machine: ServiceDeploymentMachine,
  target: HostDeployment,
  source: HostDeployment | undefined
): DeploymentView {
  return {
    arn: machine.arn,
    createdAt: machine.createdAt,
    get status() {
      return machine.status;
    },
    describe: () => machine.describe({ target: countsOf(target), source: countsOf(source) }),
    brief: () => machine.brief(),
    machine
  };
}

/**
 * A rolling deployment's service deployment, read off the deployment itself: IN_PROGRESS while its rollout is,
 * SUCCESSFUL once COMPLETED, STOPPED once FAILED or replaced before it completed (the circuit breaker's rollback
 * shows as STOPPED: the layer runs it as a deployment of its own).
 */
function mirrorView(
  arn: string,
  facts: ServiceFacts,
  service: HostService,
  target: HostDeployment,
  source: HostDeployment | undefined,
  targetRef: RevisionRef,
  sourceRef: RevisionRef | undefined
): DeploymentView {
  const status = () => {
    if (target.rolloutState === 'COMPLETED') return 'SUCCESSFUL';
    if (target.rolloutState === 'FAILED' || !service.deployments.includes(target)) return 'STOPPED';
    return service.deployments[0] === target ? 'IN_PROGRESS' : 'STOPPED';
  };
  const summary = (ref: RevisionRef, d: HostDeployment) => ({
    arn: ref.arn,
    requestedTaskCount: d.desiredCount,
    runningTaskCount: d.runningCount,
    pendingTaskCount: d.pendingCount
  });
  const common = () => ({
    serviceDeploymentArn: arn,
    serviceArn: facts.serviceArn,
    clusterArn: facts.clusterArn,
    createdAt: seconds(target.createdAt),
    startedAt: seconds(target.createdAt),
    ...(status() === 'IN_PROGRESS' ? {} : { finishedAt: seconds(target.updatedAt) }),
    status: status(),
    ...(status() === 'STOPPED' ? { statusReason: target.rolloutStateReason } : {})
  });
  const configuration = (service.deploymentConfiguration ?? {}) as StrategyConfiguration &
    Record<string, unknown>;
  const breaker = configuration.deploymentCircuitBreaker;
  return {
    arn,
    createdAt: target.createdAt,
    get status() {
      return status();
    },
    brief: () => ({ ...common(), targetServiceRevisionArn: targetRef.arn }),
    describe: () => ({
      ...common(),
      updatedAt: seconds(target.updatedAt),
      sourceServiceRevisions: sourceRef && source ? [summary(sourceRef, source)] : [],
      targetServiceRevision: summary(targetRef, target),
      deploymentConfiguration: configuration,
      deploymentCircuitBreaker: {
        status: !breaker?.enable ? 'DISABLED' : target.rolloutState === 'FAILED' ? 'TRIGGERED' : 'MONITORING',
        failureCount: target.failedTasks,
        threshold: circuitBreakerThreshold(service.desiredCount, breaker?.thresholdConfiguration)
      },
      alarms: { status: configuration.alarms?.enable ? 'MONITORING' : 'DISABLED' }
    })
  };
}
