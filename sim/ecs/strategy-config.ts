/**
 * What ECS refuses in CreateService and UpdateService and moto accepts: a strategy deployment's configuration
 * outside the ranges of the API reference (DeploymentConfiguration, LinearConfiguration, CanaryConfiguration,
 * DeploymentLifecycleHook, DeploymentLifecycleHookTimeoutConfiguration, AdvancedConfiguration, Service Connect's
 * test traffic rules), and a new task definition for a service that ECS does not deploy itself (a CODE_DEPLOY or
 * EXTERNAL deployment controller). Pure: each check returns the refusal, or nothing.
 */
import { Refusal } from './service-deployments.js';
import {
  HOOK_STAGES,
  NO_PAUSE_STAGES,
  STRATEGIES,
  type LifecycleHook,
  type LifecycleStage,
  type StrategyConfiguration
} from './strategy-stages.js';

const invalid = (message: string) => new Refusal('InvalidParameterException', message);

/** ECS's own words for a CODE_DEPLOY service (seen in aws-cdk#23564, boto3#1936, terraform provider issues). */
export const CODE_DEPLOY_TASK_DEFINITION =
  'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.';
/**
 * For an EXTERNAL service: the first sentence follows the CODE_DEPLOY message (ECS's EXTERNAL wording is not in
 * any public source we found); the second is the API reference's instruction (UpdateService: "create a new task
 * set").
 */
export const EXTERNAL_TASK_DEFINITION =
  'Unable to update task definition on services with a EXTERNAL deployment controller. Create a new task set to deploy a new task definition.';

function inRange(value: unknown, min: number, max: number, tenths = false): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) return false;
  return tenths ? Math.abs(value * 10 - Math.round(value * 10)) < 1e-9 : Number.isInteger(value);
}

function checkMinutes(name: string, value: unknown): Refusal | undefined {
  if (value === undefined || inRange(value, 0, 1440)) return undefined;
  return invalid(`${name} must be a whole number of minutes between 0 and 1440.`);
}

function checkPercent(name: string, value: unknown, min: number): Refusal | undefined {
  if (value === undefined || inRange(value, min, 100, true)) return undefined;
  return invalid(`${name} must be a multiple of 0.1 between ${min.toFixed(1)} and 100.0.`);
}

/** LinearConfiguration and CanaryConfiguration: only with their own strategy, and within their ranges. */
function checkSteps(config: StrategyConfiguration): Refusal | undefined {
  if (config.linearConfiguration && config.strategy !== 'LINEAR')
    return invalid('linearConfiguration is only valid when the deployment strategy is LINEAR.');
  if (config.canaryConfiguration && config.strategy !== 'CANARY')
    return invalid('canaryConfiguration is only valid when the deployment strategy is CANARY.');
  const linear = config.linearConfiguration ?? {};
  const canary = config.canaryConfiguration ?? {};
  return (
    checkPercent('linearConfiguration.stepPercent', linear.stepPercent, 3) ??
    checkMinutes('linearConfiguration.stepBakeTimeInMinutes', linear.stepBakeTimeInMinutes) ??
    checkPercent('canaryConfiguration.canaryPercent', canary.canaryPercent, 0.1) ??
    checkMinutes('canaryConfiguration.canaryBakeTimeInMinutes', canary.canaryBakeTimeInMinutes)
  );
}

/** One DeploymentLifecycleHook, as `lifecycleHooks[i]`. */
export function checkHook(hook: LifecycleHook, i: number): Refusal | undefined {
  const at = `lifecycleHooks[${i}]`;
  const type = hook.targetType ?? 'AWS_LAMBDA';
  if (type !== 'AWS_LAMBDA' && type !== 'PAUSE')
    return invalid(`${at}.targetType must be AWS_LAMBDA or PAUSE, not '${String(type)}'.`);
  if (type === 'AWS_LAMBDA' && !hook.hookTargetArn)
    return invalid(`${at}.hookTargetArn is required for an AWS_LAMBDA lifecycle hook.`);
  const stages = hook.lifecycleStages ?? [];
  if (stages.length === 0)
    return invalid(`${at}.lifecycleStages is required and must name at least one stage.`);
  const unknown = stages.find(s => !HOOK_STAGES.includes(s as LifecycleStage));
  if (unknown !== undefined)
    return invalid(
      `${at}.lifecycleStages: '${unknown}' is not a stage a hook can run at (${HOOK_STAGES.join(', ')}).`
    );
  const paused = stages.find(s => NO_PAUSE_STAGES.includes(s as LifecycleStage));
  if (type === 'PAUSE' && paused)
    return invalid(`${at}: PAUSE hooks cannot be configured at ${paused}; only AWS_LAMBDA hooks run there.`);
  const timeout = hook.timeoutConfiguration ?? {};
  if (timeout.timeoutInMinutes !== undefined && !inRange(timeout.timeoutInMinutes, 1, 20160))
    return invalid(`${at}.timeoutConfiguration.timeoutInMinutes must be between 1 and 20160.`);
  if (timeout.action !== undefined && timeout.action !== 'ROLLBACK' && timeout.action !== 'CONTINUE')
    return invalid(`${at}.timeoutConfiguration.action must be ROLLBACK or CONTINUE.`);
  return undefined;
}

/** A deploymentConfiguration as CreateService or UpdateService sends it. */
export function checkDeploymentConfiguration(config: StrategyConfiguration): Refusal | undefined {
  if (config.strategy !== undefined && !(STRATEGIES as readonly string[]).includes(config.strategy))
    return invalid(
      `Invalid deploymentConfiguration.strategy '${config.strategy}'. Valid values: ${STRATEGIES.join(', ')}.`
    );
  const hooks = config.lifecycleHooks ?? [];
  const alarms = config.alarms;
  if (
    alarms &&
    (!Array.isArray(alarms.alarmNames) || alarms.alarmNames.some(n => typeof n !== 'string' || n === ''))
  )
    return invalid('deploymentConfiguration.alarms.alarmNames must be a list of CloudWatch alarm names.');
  return (
    checkMinutes('deploymentConfiguration.bakeTimeInMinutes', config.bakeTimeInMinutes) ??
    checkSteps(config) ??
    hooks.map((h, i) => checkHook(h, i)).find(r => r !== undefined)
  );
}

interface LoadBalancer {
  targetGroupArn?: string;
  advancedConfiguration?: Record<string, unknown>;
}

/** AdvancedConfiguration: the alternate target group, the production listener rule and the role go together. */
export function checkLoadBalancers(loadBalancers: unknown): Refusal | undefined {
  if (!Array.isArray(loadBalancers)) return undefined;
  for (const [i, lb] of (loadBalancers as LoadBalancer[]).entries()) {
    const advanced = lb.advancedConfiguration;
    if (!advanced) continue;
    const missing = ['alternateTargetGroupArn', 'productionListenerRule', 'roleArn'].filter(
      k => !advanced[k]
    );
    if (missing.length > 0)
      return invalid(`loadBalancers[${i}].advancedConfiguration is missing ${missing.join(', ')}.`);
    if (advanced.alternateTargetGroupArn === lb.targetGroupArn)
      return invalid(
        `loadBalancers[${i}].advancedConfiguration.alternateTargetGroupArn must differ from targetGroupArn.`
      );
  }
  return undefined;
}

interface ServiceConnectService {
  clientAliases?: {
    port?: number;
    testTrafficRules?: { header?: { name?: string; value?: { exact?: string } } };
  }[];
}

/** Service Connect test traffic rules: a header rule names its header, and a value rule its exact value. */
export function checkServiceConnect(configuration: unknown): Refusal | undefined {
  const services = (configuration as { services?: ServiceConnectService[] } | undefined)?.services ?? [];
  for (const [i, service] of services.entries()) {
    for (const [j, alias] of (service.clientAliases ?? []).entries()) {
      const rules = alias.testTrafficRules;
      if (!rules) continue;
      const at = `serviceConnectConfiguration.services[${i}].clientAliases[${j}].testTrafficRules`;
      if (!rules.header?.name) return invalid(`${at}.header.name is required.`);
      if (rules.header.value && !rules.header.value.exact)
        return invalid(`${at}.header.value.exact is required.`);
    }
  }
  return undefined;
}

/**
 * What UpdateService refuses for a service ECS does not deploy itself: a task definition (ECS's own message), or a
 * deployment strategy, which only the ECS deployment controller has.
 */
export function checkController(
  controller: string | undefined,
  params: Record<string, unknown>
): Refusal | undefined {
  if (controller !== 'CODE_DEPLOY' && controller !== 'EXTERNAL') return undefined;
  if (params.taskDefinition !== undefined)
    return invalid(controller === 'CODE_DEPLOY' ? CODE_DEPLOY_TASK_DEFINITION : EXTERNAL_TASK_DEFINITION);
  const strategy = (params.deploymentConfiguration as StrategyConfiguration | undefined)?.strategy;
  if (strategy !== undefined && strategy !== 'ROLLING')
    return invalid(
      `The ${strategy} deployment strategy is only supported with the ECS deployment controller.`
    );
  return undefined;
}

/** Everything a CreateService or UpdateService request must pass before moto sees it. */
export function checkServiceRequest(
  params: Record<string, unknown>,
  controller: string | undefined
): Refusal | undefined {
  return (
    checkController(controller, params) ??
    checkDeploymentConfiguration((params.deploymentConfiguration ?? {}) as StrategyConfiguration) ??
    checkLoadBalancers(params.loadBalancers) ??
    checkServiceConnect(params.serviceConnectConfiguration)
  );
}
