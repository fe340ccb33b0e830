/**
 * `smoke-test`: a command of the user's, run once ECS has put test traffic on the new revision (the
 * POST_TEST_TRAFFIC_SHIFT stage of a blue/green, linear or canary deployment). Its environment says where test
 * traffic goes: the test listener of the load balancer (`advancedConfiguration.testListenerRule`: the listener's
 * URL, and the host or header the rule matches on), or Service Connect's test header. It runs without a shell
 * (parsed like `run-task`), its output printed as untrusted text, bounded by the step's deadline. When it fails, the
 * deployment is rolled back and the end of its output is the root cause.
 */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  type RuleCondition
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Service } from '@aws-sdk/client-ecs';
import { lastLines, runCommand } from '../../../core/exec.js';
import {
  formatDuration,
  oneLine,
  rootCauseLine,
  systemClock,
  type Clock,
  type Logger
} from '../../../core/index.js';

/** Service Connect's test header when the service names none (developer guide, "Service Connect resources for
 * Amazon ECS blue/green deployments"). */
export const DEFAULT_TEST_HEADER = 'x-amzn-ecs-blue-green-test';

/** The environment variables that tell the smoke test where test traffic goes. */
export type TestTrafficEnv = Record<string, string>;

/**
 * Where test traffic reaches the new revision, as environment variables: DOCKYARD_TEST_URL (an HTTP or HTTPS test
 * listener), DOCKYARD_TEST_HOST and DOCKYARD_TEST_PORT (any listener), DOCKYARD_TEST_HOST_HEADER (a rule on one
 * host), DOCKYARD_TEST_HEADER_NAME and DOCKYARD_TEST_HEADER_VALUE (a rule on a header, or Service Connect's test
 * header), DOCKYARD_TEST_SERVICE_URL (Service Connect's client alias). Reads the load balancer's rule, listener and
 * DNS name (elasticloadbalancing:Describe*).
 */
export async function testTrafficEnv(
  service: Service,
  elb: ElasticLoadBalancingV2Client | undefined
): Promise<TestTrafficEnv> {
  const rule = service.loadBalancers?.find(lb => lb.advancedConfiguration?.testListenerRule)
    ?.advancedConfiguration?.testListenerRule;
  return {
    ...(rule && elb ? await listenerEnv(elb, rule) : {}),
    ...serviceConnectEnv(service)
  };
}

/** `…:listener-rule/app/web/50dc…/f2f7…/9683…` → `…:listener/app/web/50dc…/f2f7…`. */
export function listenerOfRule(ruleArn: string): string {
  return ruleArn.replace(':listener-rule/', ':listener/').replace(/\/[^/]+$/, '');
}

async function listenerEnv(elb: ElasticLoadBalancingV2Client, ruleArn: string): Promise<TestTrafficEnv> {
  const [rules, listeners] = await Promise.all([
    elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] })),
    elb.send(new DescribeListenersCommand({ ListenerArns: [listenerOfRule(ruleArn)] }))
  ]);
  const listener = listeners.Listeners?.[0];
  const lbArn = listener?.LoadBalancerArn;
  const lbs = lbArn
    ? await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))
    : undefined;
  const host = lbs?.LoadBalancers?.[0]?.DNSName;
  if (!listener || !host) return {};
  const port = listener.Port ?? 0;
  const scheme = listener.Protocol === 'HTTPS' ? 'https' : listener.Protocol === 'HTTP' ? 'http' : undefined;
  const standard = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return {
    DOCKYARD_TEST_HOST: host,
    DOCKYARD_TEST_PORT: String(port),
    ...(scheme ? { DOCKYARD_TEST_URL: `${scheme}://${host}${standard ? '' : `:${port}`}` } : {}),
    ...ruleMatch(rules.Rules?.[0]?.Conditions ?? [])
  };
}

/** What a request must carry for the rule to send it to test traffic: one host, or one header value. */
function ruleMatch(conditions: RuleCondition[]): TestTrafficEnv {
  const exact = (values: string[] | undefined) =>
    values?.length === 1 && !/[*?]/.test(values[0]) ? values[0] : undefined;
  const env: TestTrafficEnv = {};
  for (const c of conditions) {
    const host = c.Field === 'host-header' ? exact(c.HostHeaderConfig?.Values ?? c.Values) : undefined;
    if (host) env.DOCKYARD_TEST_HOST_HEADER = host;
    const header = c.Field === 'http-header' ? c.HttpHeaderConfig : undefined;
    const value = exact(header?.Values);
    if (header?.HttpHeaderName && value) {
      env.DOCKYARD_TEST_HEADER_NAME = header.HttpHeaderName;
      env.DOCKYARD_TEST_HEADER_VALUE = value;
    }
  }
  return env;
}

/** Service Connect's configuration, as the service's newest deployment (PRIMARY) has it. */
const serviceConnect = (service: Service) =>
  service.deployments?.find(d => d.status === 'PRIMARY')?.serviceConnectConfiguration;

/** Service Connect: the client alias with test traffic rules (else the first), and its header. */
function serviceConnectEnv(service: Service): TestTrafficEnv {
  const config = serviceConnect(service);
  if (!config?.enabled) return {};
  const aliases = (config.services ?? []).flatMap(s => s.clientAliases ?? []);
  const alias = aliases.find(a => a.testTrafficRules) ?? aliases[0];
  const header = alias?.testTrafficRules?.header;
  return {
    DOCKYARD_TEST_HEADER_NAME: header?.name ?? DEFAULT_TEST_HEADER,
    ...(header?.value?.exact ? { DOCKYARD_TEST_HEADER_VALUE: header.value.exact } : {}),
    ...(alias?.dnsName ? { DOCKYARD_TEST_SERVICE_URL: `http://${alias.dnsName}:${alias.port}` } : {})
  };
}

/** Whether the service routes test traffic at all: a test listener rule, or Service Connect. */
export function hasTestTraffic(service: Service): boolean {
  const rule = service.loadBalancers?.some(lb => lb.advancedConfiguration?.testListenerRule);
  return Boolean(rule || serviceConnect(service)?.enabled);
}

export interface SmokeTestOptions {
  /** Where test traffic goes (testTrafficEnv) and what was deployed. */
  env: Record<string, string>;
  /** What is left of the step's time for it. */
  timeoutMs: number;
  /** The step's signal: a cancel stops it. */
  signal: AbortSignal;
  /** The workspace, where the command runs. */
  cwd?: string;
  clock?: Clock;
}

export interface SmokeTestResult {
  status: 'PASSED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED';
  command: string[];
  exitCode?: number;
  durationMs: number;
  /** The last lines it printed (untrusted text). */
  tail: string[];
  /** Why it failed, in one line: `smoke test exited with code 1: curl: (22) … 503`. */
  cause?: string;
}

/** Runs the smoke test to its end, the time left, or the step's cancel. Never throws on its failure. */
export async function runSmokeTest(
  command: string[],
  options: SmokeTestOptions,
  log: Logger
): Promise<SmokeTestResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('deadline')), options.timeoutMs);
  timer.unref();
  const signal = AbortSignal.any([options.signal, deadline.signal]);
  log.info(`Smoke test, with ${Object.keys(options.env).sort().join(', ')} set:`);
  const base = { command, durationMs: 0 };
  try {
    const out = await runCommand(command[0], command.slice(1), {
      log,
      env: options.env,
      signal,
      cwd: options.cwd,
      keepWhenStopped: true,
      withoutInputs: true
    });
    const tail = lastLines(out, 30);
    const result = { ...base, exitCode: out.code, durationMs: clock.now() - started, tail };
    return judged(result, out.stopped !== undefined, deadline.signal.aborted, options.timeoutMs);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is not on PATH' : 'could not start';
    const cause = `smoke test '${command[0]}' ${why}: ${oneLine((error as Error).message)}`;
    return { ...base, status: 'FAILED', durationMs: clock.now() - started, tail: [], cause };
  } finally {
    clearTimeout(timer);
  }
}

function judged(
  result: Omit<SmokeTestResult, 'status'>,
  stopped: boolean,
  timedOut: boolean,
  timeoutMs: number
): SmokeTestResult {
  const said = rootCauseLine(result.tail);
  const line = said ? `: ${oneLine(said, { max: 300 })}` : '';
  if (stopped && timedOut)
    return {
      ...result,
      status: 'TIMED_OUT',
      cause: `smoke test did not finish within ${formatDuration(timeoutMs)}, the time the step had left${line}`
    };
  if (stopped) return { ...result, status: 'CANCELLED', cause: 'smoke test stopped: the step was cancelled' };
  if (result.exitCode === 0) return { ...result, status: 'PASSED' };
  return { ...result, status: 'FAILED', cause: `smoke test exited with code ${result.exitCode}${line}` };
}
