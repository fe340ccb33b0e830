/**
 * What the service and the strategy inputs make of a deployment, judged after the service is described and
 * before anything is written:
 *   - a service whose deployments another controller makes (CODE_DEPLOY, EXTERNAL) is refused: ECS refuses its
 *     UpdateService ("Unable to update task definition on services with a CODE_DEPLOY deployment controller"),
 *     which used to come after the task definition was registered;
 *   - the strategy the deployment will use (the input, else the service's, else ROLLING) and whether the inputs
 *     suit it;
 *   - the `deploymentConfiguration` sent to UpdateService: the service's own, with the inputs applied, so that
 *     nothing the step does not set is reset (and the changes, said in the log).
 */
import type { DeploymentConfiguration, Service } from '@aws-sdk/client-ecs';
import { DockyardError, InputError } from '../../../core/errors.js';
import { STRATEGIES, STRATEGY_OF_INPUT, type StrategyInputs, type StrategyName } from './strategy-inputs.js';

/** The strategies ECS shifts traffic for itself, stage by stage; ROLLING is followed as before. */
export const TRAFFIC_SHIFTING = new Set<StrategyName>(['BLUE_GREEN', 'LINEAR', 'CANARY']);

/** Refuses a service whose deployments are not ECS's to make, before any write, saying what to do instead. */
export function refuseOtherControllers(service: Service): void {
  const type = service.deploymentController?.type ?? 'ECS';
  const name = service.serviceName ?? 'the service';
  if (type === 'CODE_DEPLOY')
    throw new DockyardError(
      `the service '${name}' uses the CODE_DEPLOY deployment controller: AWS CodeDeploy makes its deployments, and ECS refuses a new task definition through UpdateService. Nothing was registered.`,
      {
        input: 'service',
        hint: 'Deploy it with a CodeDeploy deployment (an AppSpec naming the task definition), or move it to ECS\'s own blue/green deployments (deployment controller ECS, strategy BLUE_GREEN; the ECS developer guide\'s "Migrate CodeDeploy blue/green deployments to Amazon ECS blue/green deployments"), which this action follows stage by stage.'
      }
    );
  if (type === 'EXTERNAL')
    throw new DockyardError(
      `the service '${name}' uses the EXTERNAL deployment controller: its task sets are made by another tool (CreateTaskSet, UpdateServicePrimaryTaskSet), and ECS refuses a new task definition through UpdateService. Nothing was registered.`,
      {
        input: 'service',
        hint: 'Deploy it with the tool that manages its task sets, or give the step a service with the ECS deployment controller.'
      }
    );
}

/** The strategy the service uses now (ROLLING when ECS does not say). */
export function serviceStrategy(service: Service): StrategyName {
  const strategy = service.deploymentConfiguration?.strategy;
  return STRATEGIES.find(s => s === strategy) ?? 'ROLLING';
}

export interface StrategyPlan {
  /** The strategy of the deployment this step starts. */
  strategy: StrategyName;
  /** Sent to UpdateService; undefined when the inputs change nothing (the service keeps its own). */
  deploymentConfiguration?: DeploymentConfiguration;
  /** The configuration the deployment runs with, for bake times and steps. */
  effective: DeploymentConfiguration;
  /** What the inputs change, one phrase each (`strategy ROLLING → BLUE_GREEN`). */
  changes: string[];
}

/**
 * The deployment configuration for UpdateService, and the strategy it gives. Throws the problems of inputs that
 * do not suit the service's strategy (when `strategy` was not given), each named by its input.
 */
export function planStrategy(service: Service, inputs: StrategyInputs): StrategyPlan {
  const current = service.deploymentConfiguration ?? {};
  const strategy = inputs.strategy ?? serviceStrategy(service);
  checkAgainstService(service, inputs, strategy);
  const next = applyInputs(current, inputs, strategy);
  const changes = describeChanges(current, next, serviceStrategy(service), strategy);
  return {
    strategy,
    deploymentConfiguration: changes.length > 0 ? next : undefined,
    effective: next,
    changes
  };
}

/** The service's configuration with the inputs applied; a strategy's own settings kept only under it. */
function applyInputs(
  current: DeploymentConfiguration,
  inputs: StrategyInputs,
  strategy: StrategyName
): DeploymentConfiguration {
  const next: DeploymentConfiguration = { ...current };
  if (inputs.strategy !== undefined) next.strategy = inputs.strategy;
  if (inputs.bakeTimeMinutes !== undefined) next.bakeTimeInMinutes = inputs.bakeTimeMinutes;
  const canary = {
    ...current.canaryConfiguration,
    ...defined({ canaryPercent: inputs.canaryPercent, canaryBakeTimeInMinutes: inputs.canaryBakeTimeMinutes })
  };
  const linear = {
    ...current.linearConfiguration,
    ...defined({
      stepPercent: inputs.linearStepPercent,
      stepBakeTimeInMinutes: inputs.linearStepBakeTimeMinutes
    })
  };
  // ECS takes each strategy's settings only under that strategy.
  delete next.canaryConfiguration;
  delete next.linearConfiguration;
  if (strategy === 'CANARY' && Object.keys(canary).length > 0) next.canaryConfiguration = canary;
  if (strategy === 'LINEAR' && Object.keys(linear).length > 0) next.linearConfiguration = linear;
  if (inputs.alarms)
    next.alarms = { alarmNames: inputs.alarms, enable: true, rollback: inputs.alarmRollback };
  return next;
}

function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The inputs set for a strategy the service does not use, when `strategy` did not choose one. */
function checkAgainstService(service: Service, inputs: StrategyInputs, strategy: StrategyName): void {
  const problems: DockyardError[] = [];
  const where = `the service '${service.serviceName}' uses strategy ${strategy}`;
  const given: Record<string, unknown> = {
    'canary-percent': inputs.canaryPercent,
    'canary-bake-time': inputs.canaryBakeTimeMinutes,
    'linear-step-percent': inputs.linearStepPercent,
    'linear-step-bake-time': inputs.linearStepBakeTimeMinutes
  };
  for (const [name, owner] of Object.entries(STRATEGY_OF_INPUT))
    if (given[name] !== undefined && owner !== strategy)
      problems.push(
        fail(
          name,
          `is a setting of strategy ${owner}, and ${where}.`,
          `Set 'strategy: ${owner}' to switch, or remove '${name}'.`
        )
      );
  if (strategy === 'ROLLING' && inputs.bakeTimeMinutes !== undefined)
    problems.push(
      fail(
        'bake-time',
        `needs a BLUE_GREEN, LINEAR or CANARY deployment, and ${where}.`,
        "Set 'strategy' to switch, or remove 'bake-time'."
      )
    );
  if (strategy === 'ROLLING' && inputs.waitUntil !== 'completed')
    problems.push(
      fail(
        'wait-until',
        `'${inputs.waitUntil}' is a stage of BLUE_GREEN, LINEAR and CANARY deployments, and ${where}.`,
        "Set 'strategy' to switch, or leave 'wait-until' at 'completed'."
      )
    );
  const bake = inputs.bakeTimeMinutes ?? service.deploymentConfiguration?.bakeTimeInMinutes;
  if (strategy === 'BLUE_GREEN' && bake === undefined)
    problems.push(
      fail(
        'bake-time',
        `is required: the service '${service.serviceName}' has no bake time, and ECS needs one for a BLUE_GREEN deployment.`,
        "Set 'bake-time', such as '10m' (how long both revisions run after production traffic has moved)."
      )
    );
  if (problems.length > 0) throw new InputError(problems);
}

const fail = (input: string, message: string, hint: string) => new DockyardError(message, { input, hint });

/** One phrase per setting the inputs change: `strategy ROLLING → BLUE_GREEN`, `bake time — → 10m`. */
function describeChanges(
  before: DeploymentConfiguration,
  after: DeploymentConfiguration,
  fromStrategy: StrategyName,
  toStrategy: StrategyName
): string[] {
  const minutes = (m: number | undefined) => (m === undefined ? '—' : `${m}m`);
  const pct = (p: number | undefined) => (p === undefined ? '—' : `${p}%`);
  const settings: [string, (c: DeploymentConfiguration) => string][] = [
    ['bake time', c => minutes(c.bakeTimeInMinutes)],
    ['canary percent', c => pct(c.canaryConfiguration?.canaryPercent)],
    ['canary bake time', c => minutes(c.canaryConfiguration?.canaryBakeTimeInMinutes)],
    ['linear step', c => pct(c.linearConfiguration?.stepPercent)],
    ['linear step bake time', c => minutes(c.linearConfiguration?.stepBakeTimeInMinutes)],
    [
      'alarms',
      c =>
        c.alarms?.enable
          ? `${(c.alarms.alarmNames ?? []).join(', ')} (rollback ${c.alarms.rollback ? 'on' : 'off'})`
          : '—'
    ]
  ];
  const rows: [string, string, string][] = [
    ['strategy', fromStrategy, toStrategy],
    ...settings.map(([what, get]): [string, string, string] => [what, get(before), get(after)])
  ];
  return rows.filter(([, a, b]) => a !== b).map(([what, a, b]) => `${what} ${a} → ${b}`);
}
