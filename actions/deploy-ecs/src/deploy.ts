/**
 * One deployment, start to end: check the target → render (pure) → diff → register or reuse → one-off task →
 * UpdateService → follow the deployment → diagnose / roll back on failure → clean up old revisions.
 * Returns a typed result whatever happens; main.ts turns it into outputs, a summary and the report.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionRequest,
  type Service,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import {
  DockyardError,
  describeError,
  sentence,
  systemClock,
  type Clock,
  type Diagnostic,
  type Logger
} from '../../../core/index.js';
import { cleanupRevisions, taskDefinitionsInUse, type CleanupResult } from './cleanup.js';
import { describedAsRequest, sameTaskDefinition } from './compare.js';
import { diagnose } from './diagnose.js';
import { diffTaskDefinitions, type TaskDefinitionDiff } from './diff.js';
import type { Inputs } from './inputs.js';
import { latestRevision, registerOrReuse } from './register.js';
import type { FieldProblem } from './normalise.js';
import { problemsError, renderTaskDefinition, taskDefinitionKey, toRegisterRequest } from './render.js';
import { rollBack, type RollbackResult } from './rollback.js';
import {
  describeService,
  startDeployment,
  watchDeployment,
  type RolloutResult,
  type RolloutStatus
} from './rollout.js';
import { runOneOffTask, type RunTaskResult } from './runtask.js';
import { verifyTaskDefinition } from './verify.js';

export type DeployStatus = RolloutStatus | 'DRY_RUN' | 'REGISTERED' | 'IN_PROGRESS';

export interface DeployClients {
  ecs: ECSClient;
  ecsNoRetry: ECSClient;
  elb?: ElasticLoadBalancingV2Client;
  logs?: CloudWatchLogsClient;
  logsFor?: (region: string) => CloudWatchLogsClient;
  /** For the verify step's read-only checks, by region. */
  ecrFor?: (region: string) => ECRClient;
  ssmFor?: (region: string) => SSMClient;
  secretsFor?: (region: string) => SecretsManagerClient;
}

export interface DeployResult {
  status: DeployStatus;
  /** true for COMPLETED, DRY_RUN, REGISTERED and IN_PROGRESS (wait: false). */
  success: boolean;
  reason: string;
  /** Why it failed, in one line (the largest group of stopped tasks, unhealthy targets, placement). */
  rootCause?: string;
  cluster: string;
  service?: string;
  family?: string;
  taskDefinitionArn?: string;
  revision?: number;
  registered?: boolean;
  /** Dry run: whether a new revision would be registered. */
  wouldRegister?: boolean;
  previousTaskDefinitionArn?: string;
  deploymentId?: string;
  rendered?: RegisterTaskDefinitionRequest;
  diff?: TaskDefinitionDiff;
  runTask?: RunTaskResult;
  rollout?: RolloutResult;
  rollback?: RollbackResult;
  cleanup?: CleanupResult;
  diagnostics: Diagnostic[];
  warnings: string[];
  /** The verify step: problems found (the step then stopped before any write) and checks skipped. */
  verify?: { problems: FieldProblem[]; skipped: string[]; checked: string[] };
  /** Empty values removed from the task definition file, by field path. */
  removed?: string[];
  /** An error that ended the step early (bad input, AccessDenied, …). */
  error?: unknown;
}

export interface DeployOptions {
  log: Logger;
  signal?: AbortSignal;
  clock?: Clock;
  /** Epoch ms (on `clock`) by which the whole step must end; the waits leave time for diagnosis and rollback. */
  deadline?: number;
}

/** A wait may take what is left of the step's `timeout`, less this reserve for diagnosing and rolling back. */
export function waitReserveMs(timeoutMs: number): number {
  return Math.min(60_000, timeoutMs / 5);
}

export async function deploy(
  inputs: Inputs,
  clients: DeployClients,
  options: DeployOptions
): Promise<DeployResult> {
  const result: DeployResult = {
    status: 'FAILED',
    success: false,
    reason: '',
    cluster: inputs.cluster,
    service: inputs.service,
    diagnostics: [],
    warnings: [...inputs.warnings]
  };
  try {
    await run(inputs, clients, options, result);
  } catch (error) {
    result.error = error;
    result.status = options.signal?.aborted ? 'CANCELLED' : 'FAILED';
    result.success = false;
    result.reason = describeError(error);
  }
  return result;
}

async function run(
  inputs: Inputs,
  clients: DeployClients,
  options: DeployOptions,
  result: DeployResult
): Promise<void> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const deadline = options.deadline ?? Infinity;
  const reserve = waitReserveMs(inputs.timeoutMs);
  const waitTimeout = (keep = reserve) =>
    Math.max(1000, Math.min(inputs.timeoutMs, deadline - clock.now() - keep));
  for (const w of inputs.warnings) log.warning(w);

  // 1. The target exists.
  let service: Service | undefined;
  let running: TaskDefinition | undefined;
  let base: RegisterTaskDefinitionRequest;
  let fileProblems: FieldProblem[] = [];
  await log.group('Checking the target', async () => {
    await checkCluster(clients.ecs, inputs.cluster);
    if (inputs.service) {
      service = await describeService(clients.ecs, { cluster: inputs.cluster, service: inputs.service });
      if (service.status !== 'ACTIVE') {
        throw new DockyardError(`the service '${inputs.service}' is ${service.status}.`, {
          input: 'service',
          hint: 'Deploy to an ACTIVE service; create it again first if it was deleted.'
        });
      }
      log.info(
        `Service ${service.serviceName} in ${inputs.cluster} runs ${taskDefinitionKey(service.taskDefinition)} (${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks).`
      );
      if (service.taskDefinition) running = await describeTaskDefinition(clients.ecs, service.taskDefinition);
      // The full ARN, even where DescribeServices gives `family:revision`.
      result.previousTaskDefinitionArn = running?.taskDefinitionArn ?? service.taskDefinition;
    }
  });

  // 2. Render.
  const rendering = await log.group('Rendering the task definition', async () => {
    if (inputs.taskDefinition) {
      const normalised = toRegisterRequest(inputs.taskDefinition);
      for (const w of normalised.warnings) {
        log.warning(`task-definition: ${w}`);
        result.warnings.push(w);
      }
      if (normalised.removed.length > 0) {
        result.removed = normalised.removed;
        log.info(`Removed ${normalised.removed.length} empty values: ${normalised.removed.join(', ')}.`);
      }
      if (normalised.converted.length > 0)
        log.info(`Converted to the type ECS stores: ${normalised.converted.join('; ')}.`);
      fileProblems = normalised.problems;
      base = normalised.request;
    } else if (running) {
      base = describedAsRequest(running);
      log.info(`Base: the service's task definition ${taskDefinitionKey(running.taskDefinitionArn)}.`);
    } else {
      throw new DockyardError('there is no task definition to start from.', {
        input: 'task-definition',
        hint: "Give 'task-definition', or a 'service'."
      });
    }
    const rendering = renderTaskDefinition(base, fileProblems, inputs);
    const request = rendering.request;
    result.rendered = request;
    result.family = request.family;
    result.diff = diffTaskDefinitions(running ? describedAsRequest(running) : undefined, request);
    for (const row of result.diff.rows) {
      log.info(`  ${row.container ? `${row.container} ` : ''}${row.field}: ${row.before} → ${row.after}`);
    }
    if (result.diff.otherFields.length > 0) log.info(`  also changed: ${result.diff.otherFields.join(', ')}`);
    if (running && !result.diff.changed) log.info('  no change against the running task definition.');
    return rendering;
  });
  const rendered = rendering.request;

  // 3. Verify: every problem at once, before anything is written.
  if (inputs.verify) {
    result.verify = await log.group('Verifying the task definition', () =>
      verifyTaskDefinition(rendering, clients, { service, region: inputs.region }, log)
    );
    if (result.verify.problems.length > 0)
      throw problemsError(result.verify.problems, rendering.origins, 'verify: the task definition');
  } else if (rendering.problems.length > 0) {
    throw problemsError(rendering.problems, rendering.origins);
  }

  // 4. Dry run stops here.
  if (inputs.dryRun) {
    const latest = await latestRevision(clients.ecs, rendered.family ?? '');
    result.wouldRegister = !(latest && sameTaskDefinition(latest.request, rendered));
    if (latest && !result.wouldRegister) {
      result.taskDefinitionArn = latest.taskDefinition.taskDefinitionArn;
      result.revision = latest.taskDefinition.revision;
    }
    result.status = 'DRY_RUN';
    result.success = true;
    result.reason = result.wouldRegister
      ? `Dry run: a new revision of ${rendered.family} would be registered${inputs.service ? ` and rolled out to ${inputs.service}` : ''}.`
      : `Dry run: identical to ${rendered.family}:${latest?.taskDefinition.revision}, which would be reused.`;
    log.info(result.reason);
    return;
  }

  // 5. Register or reuse.
  const registration = await log.group('Registering', () =>
    registerOrReuse(clients, rendered, log, { clock })
  );
  result.taskDefinitionArn = registration.taskDefinitionArn;
  result.revision = registration.revision;
  result.registered = registration.registered;

  // 6. The one-off task.
  if (inputs.runTask) {
    const runTask = await log.group('Running the one-off task', () =>
      runOneOffTask(
        clients,
        {
          cluster: inputs.cluster,
          taskDefinition: registration.taskDefinition,
          command: inputs.runTask ?? [],
          container: inputs.container,
          service,
          region: inputs.region,
          timeoutMs: waitTimeout(),
          intervalMs: inputs.pollIntervalMs,
          signal: options.signal,
          clock
        },
        log
      )
    );
    result.runTask = runTask;
    if (!runTask.ok) {
      result.status = runTask.status === 'STOPPED' ? 'FAILED' : runTask.status;
      result.reason = `${runTask.reason} The service was not updated.`;
      if (runTask.status === 'STOPPED') result.rootCause = runTask.cause;
      result.diagnostics.push({
        title: `One-off task ${runTask.taskArn.split('/').pop()}`,
        severity: 'error',
        lines: [
          ...runTask.details,
          ...(runTask.logLines.length > 0 ? ['Last log lines:', ...runTask.logLines] : [])
        ]
      });
      return;
    }
  }

  if (!inputs.service || !service) {
    result.status = 'REGISTERED';
    result.success = true;
    result.reason = `${registration.registered ? 'Registered' : 'Reused'} ${rendered.family}:${registration.revision}; no service to update.`;
    await cleanup(inputs, clients, result, log, []);
    return;
  }
  const target = { cluster: inputs.cluster, service: inputs.service };

  // 7. Roll out.
  const started = await log.group('Updating the service', async () => {
    const s = await startDeployment(
      clients,
      target,
      {
        taskDefinitionArn: registration.taskDefinitionArn,
        desiredCount: inputs.desiredCount,
        forceNewDeployment: inputs.forceNewDeployment,
        clock
      },
      log
    );
    log.info(
      `UpdateService: ${target.service} → ${taskDefinitionKey(registration.taskDefinitionArn)}; deployment ${s.deployment.id}.`
    );
    return s;
  });
  result.deploymentId = started.deployment.id;
  if (!inputs.wait) {
    result.status = 'IN_PROGRESS';
    result.success = true;
    result.reason = `Deployment ${started.deployment.id} started; not waiting (wait: false).`;
    return;
  }
  const watch = {
    timeoutMs: waitTimeout(),
    intervalMs: inputs.pollIntervalMs,
    signal: options.signal,
    clock,
    knownEvents: started.service.events
  };
  const rollout = await log.group('Waiting for the deployment', () =>
    watchDeployment(
      clients,
      target,
      {
        ...watch,
        deploymentId: started.deployment.id ?? '',
        initial: started.deployment,
        taskDefinitionArn: registration.taskDefinitionArn,
        previousTaskDefinitionArn: result.previousTaskDefinitionArn
      },
      log
    )
  );
  result.rollout = rollout;
  result.status = rollout.status;
  result.reason = rollout.reason;
  result.success = rollout.status === 'COMPLETED';
  if (rollout.status === 'COMPLETED') {
    log.info(rollout.reason);
    const inUse = (rollout.service?.deployments ?? []).map(d => d.taskDefinition ?? '');
    await cleanup(inputs, clients, result, log, inUse);
    return;
  }
  if (rollout.status === 'CANCELLED') return;
  if (rollout.status === 'SUPERSEDED') {
    log.error(rollout.reason, { title: `Deployment ${rollout.status}` });
    return;
  }

  // 8. Why (the root cause first, one annotation), and back.
  if (rollout.events.length > 0) {
    result.diagnostics.push({
      title: 'Service events while waiting',
      severity: 'info',
      lines: rollout.events.slice(-15)
    });
  }
  const diagnosis = await log.group('Diagnosing', () =>
    diagnose(
      clients,
      {
        cluster: inputs.cluster,
        deploymentId: rollout.deploymentId,
        service: rollout.service ?? service,
        taskDefinition: registration.taskDefinition,
        region: inputs.region,
        events: rollout.events
      },
      log
    )
  );
  result.diagnostics.push(...diagnosis.diagnostics);
  if (diagnosis.rootCause) {
    result.rootCause = diagnosis.rootCause;
    result.reason = sentence(diagnosis.rootCause, rollout.reason);
  }
  log.error(result.reason, { title: `Deployment ${rollout.status}` });
  const previous = result.previousTaskDefinitionArn;
  if (rollout.status === 'FAILED' && inputs.rollback) {
    if (!previous || taskDefinitionKey(previous) === taskDefinitionKey(registration.taskDefinitionArn)) {
      log.warning('Not rolling back: the service ran the same revision before this step.');
      return;
    }
    const rollback = await log.group('Rolling back', () =>
      rollBack(
        clients,
        target,
        {
          ...watch,
          timeoutMs: waitTimeout(0),
          previousTaskDefinitionArn: previous,
          failedTaskDefinitionArn: registration.taskDefinitionArn,
          knownEvents: rollout.service?.events
        },
        log
      )
    );
    result.rollback = rollback;
    if (rollback.ok) {
      result.status = 'ROLLED_BACK';
      result.reason = `${result.reason} Rolled back to ${taskDefinitionKey(previous)}.`;
    } else if (rollback.outcome.status === 'CANCELLED') {
      result.status = 'CANCELLED';
      result.reason = `${result.reason} Cancelled during the rollback to ${taskDefinitionKey(previous)}: ${rollback.outcome.reason}`;
    } else {
      result.reason = `${result.reason} The rollback to ${taskDefinitionKey(previous)} did not complete: ${rollback.outcome.reason}`;
    }
  }
}

async function checkCluster(ecs: ECSClient, cluster: string): Promise<void> {
  const out = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
  const found = out.clusters?.[0];
  if (!found || found.status === 'INACTIVE') {
    const reason = found
      ? 'is INACTIVE'
      : `does not exist${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ''}`;
    throw new DockyardError(`the cluster '${cluster}' ${reason}.`, {
      input: 'cluster',
      hint: 'Check the cluster name and the region.'
    });
  }
}

async function describeTaskDefinition(ecs: ECSClient, arn: string): Promise<TaskDefinition> {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  if (!out.taskDefinition) throw new DockyardError(`the task definition ${arn} could not be described.`);
  // Keep tags with the definition so that a service-based render registers them again.
  return out.tags && out.tags.length > 0
    ? ({ ...out.taskDefinition, tags: out.tags } as TaskDefinition)
    : out.taskDefinition;
}

async function cleanup(
  inputs: Inputs,
  clients: DeployClients,
  result: DeployResult,
  log: Logger,
  inUse: string[]
): Promise<void> {
  if (inputs.keepRevisions <= 0 || !result.family || !result.taskDefinitionArn) return;
  result.cleanup = await log.group('Cleaning up old revisions', async () => {
    const used = [
      ...inUse,
      ...(await taskDefinitionsInUse(clients.ecs, inputs.cluster)),
      result.taskDefinitionArn ?? ''
    ];
    return cleanupRevisions(
      clients.ecs,
      { family: result.family ?? '', keep: inputs.keepRevisions, inUse: used },
      log
    );
  });
}
