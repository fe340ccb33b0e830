/**
 * deploy-ecs entry: read inputs → deploy() → outputs, job summary, report. No AWS logic here.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  DockyardError,
  actionsInputSource,
  createClient,
  describeError,
  ensureCredentials,
  resolveRegion,
  runAction,
  runContext,
  setOutputs,
  writeSummary
} from '../../../core/index.js';
import { perRegion } from './clients.js';
import { deploy, type DeployResult } from './deploy.js';
import { getInputs, type Inputs } from './inputs.js';
import { buildReport, buildSummary } from './summary.js';

export async function main(): Promise<void> {
  await runAction(async ({ log, signal, startedAt }) => {
    let inputs: Inputs;
    try {
      inputs = getInputs(actionsInputSource);
    } catch (error) {
      const failed: DeployResult = {
        status: 'FAILED',
        success: false,
        reason: describeError(error),
        cluster: actionsInputSource('cluster'),
        service: actionsInputSource('service') || undefined,
        diagnostics: [],
        warnings: []
      };
      setOutputs({
        status: 'FAILED',
        report: buildReport(failed, {
          region: resolveRegion(actionsInputSource('region')) ?? '',
          startedAt,
          run: runContext()
        })
      });
      throw error;
    }
    // Standard retries: backoff on throttling and 5xx, without adaptive mode's client-side rate limiting, which
    // after one throttled call would hold every later call of the client for seconds and delay detection.
    const options = { region: inputs.region, retryMode: 'standard' as const };
    const ecs = createClient(ECSClient, options);
    const clients = {
      ecs,
      ecsNoRetry: createClient(ECSClient, { ...options, maxAttempts: 1 }),
      elb: createClient(ElasticLoadBalancingV2Client, options),
      logs: createClient(CloudWatchLogsClient, options)
    };
    // Containers may log to another region (awslogs-region): a client for it, made when needed.
    const otherRegions = new Map<string, CloudWatchLogsClient>();
    const logsFor = (region: string) =>
      otherRegions.get(region) ??
      otherRegions.set(region, createClient(CloudWatchLogsClient, { ...options, region })).get(region)!;
    // The verify step's read-only checks, in the region of each image, secret and log group.
    const ecr = perRegion(ECRClient, options);
    const ssm = perRegion(SSMClient, options);
    const secrets = perRegion(SecretsManagerClient, options);
    const verifyClients = { ecrFor: ecr.get, ssmFor: ssm.get, secretsFor: secrets.get };
    let result: DeployResult;
    try {
      await ensureCredentials(ecs);
      result = await deploy(inputs, { ...clients, logsFor, ...verifyClients }, { log, signal });
    } catch (error) {
      result = {
        status: 'FAILED',
        success: false,
        reason: describeError(error),
        cluster: inputs.cluster,
        service: inputs.service,
        diagnostics: [],
        warnings: [],
        error
      };
    } finally {
      [...Object.values(clients), ...otherRegions.values()].forEach(c => c.destroy());
      [ecr, ssm, secrets].forEach(c => c.destroy());
    }
    const durationMs = Date.now() - startedAt.getTime();
    setOutputs({
      'task-definition-arn': result.taskDefinitionArn,
      'task-definition-revision': result.revision,
      registered: result.registered,
      'previous-task-definition-arn': result.previousTaskDefinitionArn,
      'deployment-id': result.deploymentId,
      status: result.status,
      'run-task-arn': result.runTask?.taskArn,
      'run-task-exit-code': result.runTask?.exitCode,
      report: buildReport(result, { region: inputs.region, startedAt, run: runContext() })
    });
    await writeSummary(buildSummary(result, { region: inputs.region, durationMs }), log);
    if (!result.success) {
      if (result.error instanceof DockyardError) throw result.error;
      throw new DockyardError(`${result.status}: ${result.reason}`, { cause: result.error });
    }
  });
}
