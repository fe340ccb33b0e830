/**
 * Gated promotion while a blue/green, linear or canary deployment is followed: what the step does when a PAUSE
 * lifecycle hook holds the deployment (AWAITING_ACTION).
 *
 * ECS waits for nobody but a hook: without one at POST_TEST_TRAFFIC_SHIFT it moves production traffic one stage
 * after test traffic, whatever a smoke test is doing. So `smoke-test` runs only while a PAUSE hook holds that stage
 * (checked before any write by `smokeTestHold`), and its verdict is the hook's answer: passed, ContinueServiceDeployment
 * CONTINUE; failed, the step fails and its rollback stops the deployment with StopServiceDeployment ROLLBACK. Any
 * other pause ends the step there (IN_PROGRESS, `paused: true`): a second step with `continue-deployment`, after a
 * GitHub environment's approval, continues or rolls back.
 */
import type { DeploymentConfiguration, Service } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DockyardError } from '../../../core/errors.js';
import type { Diagnostic } from '../../../core/report.js';
import { formatDuration } from '../../../core/duration.js';
import type { Logger } from '../../../core/log.js';
import type { Clock } from '../../../core/poll.js';
import { continueDeployment, pausedText, type PausedHook } from './pause.js';
import { taskDefinitionKey } from './render.js';
import type { EcsClients, Verdict } from './rollout.js';
import type { Look } from './service-deployment.js';
import { runSmokeTest, testTrafficEnv, hasTestTraffic, type SmokeTestResult } from './smoke-test.js';
import { shortArn } from './stages.js';
import type { StrategyName } from './strategy-inputs.js';
import { TRAFFIC_SHIFTING } from './strategy-config.js';

/** The stage a smoke test runs at: all test traffic is on the new revision, no production traffic yet. */
export const SMOKE_TEST_STAGE = 'POST_TEST_TRAFFIC_SHIFT';

/**
 * What lets ECS hold the deployment for the smoke test, judged before any write: a BLUE_GREEN, LINEAR or CANARY
 * deployment, test traffic to send requests to, and a PAUSE hook at POST_TEST_TRAFFIC_SHIFT. Returns the notes
 * worth a warning (a hook whose timeout continues to production traffic).
 */
export function smokeTestHold(
  strategy: StrategyName,
  configuration: DeploymentConfiguration,
  service: Service
): string[] {
  const fail = (why: string, hint: string) => {
    throw new DockyardError(why, { input: 'smoke-test', hint });
  };
  if (!TRAFFIC_SHIFTING.has(strategy))
    fail(
      `runs on test traffic, which a ${strategy} deployment has none of. Nothing was registered.`,
      "Deploy with 'strategy: BLUE_GREEN' (or LINEAR, CANARY) and a test listener rule, or remove 'smoke-test'."
    );
  if (!hasTestTraffic(service))
    fail(
      `the service '${service.serviceName}' routes no test traffic: its load balancer has no test listener rule and it has no Service Connect. Nothing was registered.`,
      "Give the load balancer's advancedConfiguration a testListenerRule (or use Service Connect), or remove 'smoke-test'."
    );
  const hook = (configuration.lifecycleHooks ?? []).find(
    h => h.targetType === 'PAUSE' && (h.lifecycleStages ?? []).includes(SMOKE_TEST_STAGE)
  );
  if (!hook)
    fail(
      `needs ECS to hold the deployment at ${SMOKE_TEST_STAGE} while it runs, and the service has no PAUSE lifecycle hook there: ECS would move production traffic one stage later, whatever the smoke test says. Nothing was registered.`,
      `Add to the service's deploymentConfiguration.lifecycleHooks: {"targetType": "PAUSE", "lifecycleStages": ["${SMOKE_TEST_STAGE}"], "timeoutConfiguration": {"timeoutInMinutes": 30, "action": "ROLLBACK"}}; the step continues it once the smoke test passes.`
    );
  if (hook?.timeoutConfiguration?.action === 'CONTINUE')
    return [
      `smoke-test: the PAUSE hook at ${SMOKE_TEST_STAGE} continues when its timeout passes: should this step stop before the smoke test ends (a cancelled job), ECS moves production traffic without it. Set its timeoutConfiguration.action to ROLLBACK to fail safe.`
    ];
  return [];
}

export interface GateOptions {
  clients: EcsClients;
  elb?: ElasticLoadBalancingV2Client;
  smokeTest?: string[];
  /** What the deployment deploys, for messages and the smoke test's environment. */
  deploymentId: string;
  taskDefinitionArn: string;
  pollIntervalMs: number;
  /** The time the step has left for the wait, now. */
  timeLeftMs: () => number;
  signal: AbortSignal;
  clock: Clock;
  /** Where the smoke test runs: the workspace. */
  cwd?: string;
}

/** What the gates did, for the result. */
export interface GateState {
  smokeTest?: SmokeTestResult;
  /** The PAUSE hook the step ended at, with its deployment. */
  paused?: PausedHook & { serviceDeploymentArn: string; text: string };
}

/** The follow's answer to a pause (StrategyWatchOptions.atPause): a verdict ends the follow, undefined goes on. */
export function pauseGate(
  options: GateOptions,
  state: GateState,
  log: Logger
): (hook: PausedHook, look: Look) => Promise<Verdict | undefined> {
  // A hook is acted on once; one whose action threw (a throttled call, retried at the next look) is acted on again.
  const acted = new Set<string>();
  let smokeHook: string | undefined;
  return async (hook, look) => {
    if (acted.has(hook.hookId)) return undefined;
    const arn = look.deployment?.serviceDeploymentArn ?? '';
    if (options.smokeTest && hook.stage === SMOKE_TEST_STAGE && (smokeHook ?? hook.hookId) === hook.hookId) {
      smokeHook = hook.hookId;
      const verdict = await smokeTestAtPause(options, state, { hook, look, arn }, log);
      acted.add(hook.hookId);
      return verdict;
    }
    acted.add(hook.hookId);
    state.paused = { ...hook, serviceDeploymentArn: arn, text: pausedText(hook) };
    return {
      deploymentId: options.deploymentId,
      status: 'IN_PROGRESS',
      reason: `Service deployment ${shortArn(arn)} is ${pausedText(hook)}: ECS waits for ContinueServiceDeployment. Continue it with 'continue-deployment: ${arn}' ('continue-action: continue' or 'rollback'); the step ends here.`
    };
  };
}

/**
 * The smoke test while the hook holds test traffic; its verdict is the hook's answer. Run once: after a retried
 * look only the ContinueServiceDeployment of a passed test is sent again.
 */
async function smokeTestAtPause(
  options: GateOptions,
  state: GateState,
  at: { hook: PausedHook; look: Look; arn: string },
  log: Logger
): Promise<Verdict | undefined> {
  const { hook, arn } = at;
  const base = { deploymentId: options.deploymentId };
  const held = `while hook ${hook.hookId} held service deployment ${shortArn(arn)} at ${SMOKE_TEST_STAGE}`;
  const result = state.smokeTest ?? (await smokeTestOnce(options, at, held, log));
  state.smokeTest = result;
  if (result.status === 'PASSED') {
    log.info(`Smoke test passed in ${formatDuration(result.durationMs)}.`);
    await continueDeployment(options.clients, arn, hook, 'CONTINUE', { log, ...options });
    return undefined;
  }
  if (result.status === 'CANCELLED')
    return { ...base, status: 'CANCELLED', reason: `The step was cancelled during the smoke test ${held}.` };
  return {
    ...base,
    status: 'FAILED',
    reason: `The smoke test failed ${held}; no production traffic had moved to ${taskDefinitionKey(options.taskDefinitionArn)}.`
  };
}

async function smokeTestOnce(
  options: GateOptions,
  at: { hook: PausedHook; look: Look; arn: string },
  held: string,
  log: Logger
): Promise<SmokeTestResult> {
  const { hook, look, arn } = at;
  const timeoutMs = smokeTestTime(options, hook);
  const env = {
    ...(await testTrafficEnv(look.service, options.elb)),
    DOCKYARD_SERVICE_DEPLOYMENT_ARN: arn,
    DOCKYARD_TASK_DEFINITION_ARN: options.taskDefinitionArn
  };
  const command = options.smokeTest ?? [];
  if (timeoutMs <= 0) return notRun(command, hook);
  log.info(
    `All test traffic is on ${taskDefinitionKey(options.taskDefinitionArn)}: running the smoke test ${held}.`
  );
  return runSmokeTest(command, { env, timeoutMs, ...options }, log);
}

/** No time before the hook expires: ECS would take its timeout action before the test could decide. */
function notRun(command: string[], hook: PausedHook): SmokeTestResult {
  const when = hook.expiresAt ? new Date(hook.expiresAt).toISOString() : 'soon';
  return {
    status: 'FAILED',
    command,
    durationMs: 0,
    tail: [],
    cause: `smoke test not run: the PAUSE hook expires at ${when}, too soon for it and the ContinueServiceDeployment after it (or the step has no time left)`
  };
}

/**
 * The smoke test's time: what the step has left, and never past the hook's expiry (less two polls for the
 * ContinueServiceDeployment), after which ECS would take the hook's timeout action instead of the test's verdict.
 */
function smokeTestTime(options: GateOptions, hook: PausedHook): number {
  const left = options.timeLeftMs();
  if (!hook.expiresAt) return left;
  const margin = Math.max(10_000, 2 * options.pollIntervalMs);
  const untilExpiry = new Date(hook.expiresAt).getTime() - options.clock.now() - margin;
  return Math.max(0, Math.min(left, untilExpiry));
}

/**
 * The root cause when a gate decided the outcome, else undefined: the smoke test's end (its output tail goes to
 * the diagnostics), or the rollback `continue-action` asked for.
 */
export function gateCause(result: {
  gates?: GateState;
  continued?: string;
  diagnostics: Diagnostic[];
}): string | undefined {
  const smoke = result.gates?.smokeTest;
  if (smoke && smoke.status !== 'PASSED') {
    result.diagnostics.push({
      title: `Smoke test (${smoke.status}${smoke.exitCode !== undefined ? `, exit ${smoke.exitCode}` : ''}): the last lines it printed`,
      severity: 'error',
      lines: smoke.tail.length > 0 ? smoke.tail : ['(it printed nothing)']
    });
    return smoke.cause;
  }
  if (result.continued === 'ROLLBACK') return "rolled back as 'continue-action: rollback' asked";
  return undefined;
}
