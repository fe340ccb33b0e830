/**
 * deploy-ecs, declared to the core lifecycle: read inputs → deploy() → outputs, job summary, report.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  createClient,
  describeError,
  ensureCredentials,
  failureMessage,
  runDefinedAction,
  type ActionDefinition,
  type Outcome
} from '../../../core/index.js';
import { perRegion } from './clients.js';
import { deploy, type DeployResult } from './deploy.js';
import { getInputs, type Inputs } from './inputs.js';
import { buildReport, buildSummary } from './summary.js';

export const deployEcs: ActionDefinition<Inputs, DeployResult> = {
  name: 'deploy-ecs',
  inputs: source => getInputs(source),
  timeoutMs: inputs => inputs.timeoutMs,
  // A GitHub deployment when asked for, of a rollout only: not of a dry run or a registration without service.
  deployment: inputs =>
    inputs.github && inputs.service && !inputs.dryRun
      ? {
          ...inputs.github,
          target: `ecs:${lastSegment(inputs.cluster)}/${lastSegment(inputs.service)}`,
          tokenInput: 'github-token'
        }
      : undefined,
  async run(inputs, { log, signal, deadline, clock }) {
    // Standard retries: backoff on throttling and 5xx, without adaptive mode's client-side rate limiting, which
    // after one throttled call would hold every later call of the client for seconds and delay detection.
    const options = { region: inputs.region, retryMode: 'standard' as const, signal };
    const ecs = createClient(ECSClient, options);
    const clients = {
      ecs,
      ecsNoRetry: createClient(ECSClient, { ...options, maxAttempts: 1 }),
      elb: createClient(ElasticLoadBalancingV2Client, options)
    };
    // Containers may log to another region (awslogs-region), and the verify step reads each image, secret
    // and log group in its own region: one client per service and region, made when first needed.
    const logs = perRegion(CloudWatchLogsClient, options);
    const ecr = perRegion(ECRClient, options);
    const ssm = perRegion(SSMClient, options);
    const secrets = perRegion(SecretsManagerClient, options);
    const byRegion = {
      logs: logs.get(inputs.region),
      logsFor: logs.get,
      ecrFor: ecr.get,
      ssmFor: ssm.get,
      secretsFor: secrets.get
    };
    try {
      await ensureCredentials(ecs);
      return await deploy(inputs, { ...clients, ...byRegion }, { log, signal, deadline, clock });
    } finally {
      Object.values(clients).forEach(c => c.destroy());
      [logs, ecr, ssm, secrets].forEach(c => c.destroy());
    }
  },
  finish(outcome) {
    const result = resultOf(outcome);
    const region = outcome.inputs?.region ?? '';
    const report = buildReport(result, { region, startedAt: outcome.startedAt, run: outcome.run });
    return {
      outputs: {
        'task-definition-arn': result.taskDefinitionArn,
        'task-definition-revision': result.revision,
        registered: result.registered,
        'previous-task-definition-arn': result.previousTaskDefinitionArn,
        'deployment-id': result.deploymentId,
        status: result.status,
        'run-task-arn': result.runTask?.taskArn,
        'run-task-exit-code': result.runTask?.exitCode
      },
      report,
      summary: buildSummary(result, { region, durationMs: report.durationMs }),
      failed: result.success
        ? undefined
        : result.error !== undefined
          ? describeError(result.error)
          : `${result.status}: ${result.reason}`
    };
  }
};

/** The deploy's result; a failure before or around deploy() (bad input, no credentials) becomes one too. */
function resultOf(outcome: Outcome<Inputs, DeployResult>): DeployResult {
  const result: DeployResult = outcome.result ?? {
    status: 'FAILED',
    success: false,
    reason: failureMessage(outcome) ?? '',
    cluster: outcome.inputs?.cluster ?? '',
    service: outcome.inputs?.service,
    diagnostics: [],
    warnings: [],
    error: outcome.error
  };
  // The step's deadline aborts like a cancel; say which it was.
  if (outcome.timedOut && result.status === 'CANCELLED') return { ...result, status: 'TIMED_OUT' };
  if (outcome.cancelled && !outcome.result) return { ...result, status: 'CANCELLED' };
  return result;
}

/** A name, or the name at the end of an ARN. */
const lastSegment = (nameOrArn: string) => nameOrArn.split('/').pop() ?? nameOrArn;

export const main = () => runDefinedAction(deployEcs);
