/**
 * One deployment to ECS, as the core's deploy pipeline (core/deploy.ts) runs it: check the cluster and service →
 * render the task definition → verify it → register, run the one-off task, UpdateService → follow the deployment
 * → diagnose a failure → roll back → deregister old revisions. The functions below are the phases, in that order.
 */
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionRequest,
  type Service,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import { ensureCredentials } from '../../../core/aws.js';
import { runDeploy, type DeployContext, type Ending, type PhaseContext } from '../../../core/deploy.js';
import { DockyardError, InputError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { cleanupRevisions, taskDefinitionsInUse } from './cleanup.js';
import { lazyClients, type ClientSource } from './clients.js';
import { describedAsRequest, sameTaskDefinition } from './compare.js';
import { diffTaskDefinitions } from './diff.js';
import type { Inputs } from './inputs.js';
import type { FieldProblem } from './normalise.js';
import {
  currentVolumeConfigurations,
  LAUNCH_SETTING_ORIGINS,
  type LaunchSettings
} from './launch-settings.js';
import { asRegistration, latestRevision, registerOrReuse, type Registration } from './register.js';
import { describeRegistered } from './registered-describe.js';
import type { RegisteredRevision } from './registered.js';
import {
  problemsError,
  renderTaskDefinition,
  taskDefinitionKey,
  toRegisterRequest,
  type Rendering
} from './render.js';
import { initialResult, type DeployResult } from './result.js';
import { rollBack } from './rollback.js';
import { describeService, startDeployment, watchDeployment, type Target } from './rollout.js';
import { followServiceDeployment, strategyRootCause } from './service-deployment.js';
import {
  planStrategy,
  refuseOtherControllers,
  TRAFFIC_SHIFTING,
  type StrategyPlan
} from './strategy-config.js';
import { rollbackEnding, stoppable, stopWithRollback } from './strategy-rollback.js';
import { gateCause, pauseGate, SMOKE_TEST_STAGE, smokeTestHold } from './gates.js';
import { notPausedEnding, readPausedTarget, type PausedTarget } from './continue.js';
import { continueDeployment, pausedText } from './pause.js';
import { shortArn } from './stages.js';
import { taskId } from './causes.js';

/** What the phases share: the inputs, the clients, what each phase found, and the result they fill in. */
export interface Run {
  inputs: Inputs;
  clients: ClientSource;
  log: Logger;
  result: DeployResult;
  service?: Service;
  /** The service's task definition before this step. */
  running?: TaskDefinition;
  /** The rendered request, the problems found rendering it (verify reports them with its own), their origins. */
  rendering?: Rendering;
  /** Problems of the task definition file as written. */
  fileProblems: FieldProblem[];
  /** The registered revision `task-definition-arn` names, as described. */
  given?: TaskDefinition;
  registration?: Registration;
  started?: Awaited<ReturnType<typeof startDeployment>>;
  /** The deployment's strategy and configuration (strategy-config.ts). */
  plan?: StrategyPlan;
  /** `continue-deployment`: the deployment a PAUSE hook holds, read (continue.ts). */
  paused?: PausedTarget;
}

export async function deploy(
  inputs: Inputs,
  ctx: DeployContext,
  clients: ClientSource = lazyClients(inputs.region, ctx.signal)
): Promise<DeployResult> {
  const run: Run = { inputs, clients, log: ctx.log, result: initialResult(inputs), fileProblems: [] };
  try {
    return await runDeploy(
      run.result,
      {
        connect: { title: 'Checking the target', run: () => checkTarget(run) },
        render: inputs.continuing
          ? { title: 'Reading the paused service deployment', run: () => readPaused(run) }
          : { title: renderTitle(inputs), run: () => render(run) },
        verify:
          inputs.verify && !inputs.continuing
            ? { title: 'Verifying the task definition', run: () => verify(run) }
            : undefined,
        apply: inputs.continuing
          ? { title: 'Continuing the paused deployment', run: phase => applyContinue(run, phase) }
          : { title: () => applyTitle(inputs), run: phase => apply(run, phase) },
        wait: { title: 'Waiting for the deployment', run: phase => wait(run, phase) },
        explain: { title: 'Diagnosing', run: () => explain(run) },
        rollback: inputs.rollback
          ? {
              title: 'Rolling back',
              // A strategy deployment that timed out is stopped; a rolling one is left to ECS, as before.
              afterTimeout: () => shiftsTraffic(run),
              run: phase => rollBackService(run, phase)
            }
          : undefined,
        settle:
          inputs.keepRevisions > 0
            ? { title: 'Cleaning up old revisions', run: () => cleanUp(run) }
            : undefined,
        progress: () => progress(run.result)
      },
      ctx,
      inputs.timeoutMs
    );
  } finally {
    clients.destroy();
  }
}

/** connect: the credentials work, the cluster is ACTIVE, the service too, and what it runs now. */
async function checkTarget(run: Run): Promise<void> {
  const { ecs } = await run.clients.ecs();
  await ensureCredentials(ecs);
  await checkCluster(ecs, run.inputs.cluster);
  if (run.inputs.service) await checkService(run);
}

/** connect, for the service: ACTIVE, deployed by ECS, what it runs now, and the strategy's plan. */
export async function checkService(run: Run): Promise<void> {
  const { inputs, log, result } = run;
  const { ecs } = await run.clients.ecs();
  if (!inputs.service) return;
  const service = await describeService(ecs, { cluster: inputs.cluster, service: inputs.service });
  if (service.status !== 'ACTIVE') {
    throw new DockyardError(`the service '${inputs.service}' is ${service.status}.`, {
      input: 'service',
      hint: 'Deploy to an ACTIVE service; create it again first if it was deleted.'
    });
  }
  refuseOtherControllers(service);
  log.info(
    `Service ${service.serviceName} in ${inputs.cluster} runs ${taskDefinitionKey(service.taskDefinition)} (${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks).`
  );
  run.service = service;
  planDeployment(run, service);
  if (service.taskDefinition) run.running = await describeTaskDefinition(ecs, service.taskDefinition);
  // The full ARN, even where DescribeServices gives `family:revision`.
  result.previousTaskDefinitionArn = run.running?.taskDefinitionArn ?? service.taskDefinition;
}

/** connect, for the strategy: what the inputs make of the service's deployment configuration. */
function planDeployment(run: Run, service: Service): void {
  const plan = planStrategy(service, run.inputs.strategy);
  run.plan = plan;
  if (run.inputs.smokeTest)
    for (const note of smokeTestHold(plan.strategy, plan.effective, service)) {
      run.log.warning(note);
      run.result.warnings.push(note);
    }
  run.result.strategy = { name: plan.strategy, changes: plan.changes };
  if (plan.changes.length > 0) run.log.info(`Deployment configuration: ${plan.changes.join('; ')}.`);
  else if (TRAFFIC_SHIFTING.has(plan.strategy)) run.log.info(`Strategy: ${plan.strategy} (the service's).`);
}

/** Whether ECS shifts the traffic of this deployment itself, stage by stage. */
export const shiftsTraffic = (run: Run) => run.plan !== undefined && TRAFFIC_SHIFTING.has(run.plan.strategy);

const renderTitle = (inputs: Inputs) =>
  inputs.registered ? 'Reading the registered task definition' : 'Rendering the task definition';

/** render, for `continue-deployment`: the paused deployment, what it deploys and what it replaces. */
async function readPaused(run: Run): Promise<void> {
  const { ecs } = await run.clients.ecs();
  const continuing = run.inputs.continuing!;
  const paused = await readPausedTarget(ecs, continuing, run.service!);
  run.paused = paused;
  run.given = await describeTaskDefinition(ecs, paused.taskDefinitionArn);
  run.result.serviceDeploymentArn = continuing.serviceDeploymentArn;
  run.result.previousTaskDefinitionArn =
    paused.previousTaskDefinitionArn ?? run.result.previousTaskDefinitionArn;
  const { hook, deployment } = paused;
  run.log.info(
    hook
      ? `Service deployment ${continuing.serviceDeploymentArn} to ${taskDefinitionKey(paused.taskDefinitionArn)} is ${pausedText(hook)}.`
      : `Service deployment ${continuing.serviceDeploymentArn} waits on no PAUSE hook: it is ${deployment.status ?? 'without status'}${deployment.lifecycleStage ? ` at ${deployment.lifecycleStage}` : ''}.`
  );
}

/** apply, for `continue-deployment`: ContinueServiceDeployment with `continue-action`, once. */
async function applyContinue(run: Run, phase: PhaseContext): Promise<Ending | void> {
  const { inputs, result } = run;
  const { hook, deployment } = run.paused!;
  const action = inputs.continuing!.action;
  run.registration = asRegistration(run.given!);
  result.taskDefinitionArn = run.registration.taskDefinitionArn;
  result.revision = run.registration.revision;
  const service = run.service!;
  const primary = service.deployments?.find(d => d.status === 'PRIMARY') ?? {};
  run.started = { service, deployment: primary };
  result.deploymentId = primary.id;
  if (!hook) return notPausedEnding(deployment, action);
  const arn = inputs.continuing!.serviceDeploymentArn;
  const ecs = await run.clients.ecs();
  await continueDeployment(ecs, arn, hook, action, {
    log: run.log,
    clock: phase.clock,
    signal: phase.signal
  });
  result.continued = action;
}

/** render: the file (or the service's task definition) with the inputs' changes, and the diff to what runs. */
export async function render(run: Run): Promise<void> {
  const { inputs, log, result, running } = run;
  const rendering = inputs.registered
    ? await readRegistered(run, inputs.registered)
    : renderTaskDefinition(baseTaskDefinition(run), run.fileProblems, inputs);
  // Without verify, the problems found rendering stop the step here; verify reports them with its own.
  if (!inputs.verify && rendering.problems.length > 0)
    throw problemsError(rendering.problems, rendering.origins);
  const { request } = rendering;
  run.rendering = rendering;
  result.rendered = request;
  result.family = request.family;
  const diff = diffTaskDefinitions(running ? describedAsRequest(running) : undefined, request);
  result.diff = diff;
  for (const row of diff.rows)
    log.info(`  ${row.container ? `${row.container} ` : ''}${row.field}: ${row.before} → ${row.after}`);
  if (diff.otherFields.length > 0) log.info(`  also changed: ${diff.otherFields.join(', ')}`);
  if (running && !diff.changed) log.info('  no change against the running task definition.');
}

/** render, for `task-definition-arn`: the registered revision as it is. */
async function readRegistered(run: Run, revision: RegisteredRevision): Promise<Rendering> {
  const { ecs } = await run.clients.ecs();
  run.given = await describeRegistered(ecs, revision);
  run.result.givenRevision = true;
  run.log.info(
    `Deploying the registered revision ${revision.key} as it is: nothing is rendered or registered.`
  );
  return { request: describedAsRequest(run.given), problems: [], origins: new Map() };
}

function baseTaskDefinition(run: Run): RegisterTaskDefinitionRequest {
  const { inputs, log, result, running } = run;
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
    run.fileProblems = normalised.problems;
    return normalised.request;
  }
  if (running) {
    log.info(`Base: the service's task definition ${taskDefinitionKey(running.taskDefinitionArn)}.`);
    return describedAsRequest(running);
  }
  throw new DockyardError('there is no task definition to start from.', {
    input: 'task-definition',
    hint: "Give 'task-definition', or a 'service'."
  });
}

/** verify: every problem at once (the file's, the local rules', the remote checks'), before anything is written. */
export async function verify(run: Run, options: { remote?: boolean } = {}): Promise<void> {
  const { inputs, result } = run;
  const rendering = run.rendering as Rendering;
  const [{ verifyTaskDefinition }, clients] = await Promise.all([
    import('./verify.js'),
    run.clients.verify()
  ]);
  const strategy = run.plan && {
    name: run.plan.strategy,
    input: inputs.strategy.strategy ? ('strategy' as const) : ('service' as const)
  };
  const verification = await verifyTaskDefinition(
    rendering,
    clients,
    { service: run.service, region: inputs.region, strategy, launch: inputs.launch, remote: options.remote },
    run.log
  );
  result.verify = verification;
  result.warnings.push(...verification.notes);
  const { problems, refusals } = verification;
  const origins = new Map([...rendering.origins, ...LAUNCH_SETTING_ORIGINS]);
  const input = inputs.registered ? 'task-definition-arn' : 'task-definition';
  const all = [
    ...refusals,
    ...(problems.length > 0 ? [problemsError(problems, origins, 'verify: the task definition', input)] : [])
  ];
  if (all.length > 0) throw all.length === 1 ? all[0] : new InputError(all);
}

function applyTitle(inputs: Inputs): string {
  if (inputs.dryRun) return 'Comparing with the registered revisions (dry run)';
  const steps = [
    inputs.registered ? undefined : 'registering',
    inputs.runTask && 'running the one-off task',
    inputs.service && 'updating the service'
  ].filter(Boolean);
  const title = steps.join(', ');
  return `${title.charAt(0).toUpperCase()}${title.slice(1)}`;
}

/** apply: register (or reuse), the one-off task, UpdateService. Ends here for a dry run, or without a wait. */
async function apply(run: Run, phase: PhaseContext): Promise<Ending | void> {
  const { inputs, result } = run;
  if (inputs.dryRun) return dryRun(run);
  const registration = await registerRevision(run, phase);
  if (inputs.runTask) {
    const failed = await oneOffTask(run, phase);
    if (failed) return failed;
  }
  if (!inputs.service || !run.service)
    return {
      status: 'REGISTERED',
      reason: `${registration.registered ? 'Registered' : run.given ? 'Ran the one-off task on' : 'Reused'} ${revisionKey(run)}; no service to update.`
    };
  await updateService(run, phase);
  if (!inputs.wait)
    return {
      status: 'IN_PROGRESS',
      reason: `Deployment ${result.deploymentId} started; not waiting (wait: false).`
    };
}

/** apply: the rendered task definition registered, or the identical latest revision reused, or the one given. */
export async function registerRevision(run: Run, phase: PhaseContext): Promise<Registration> {
  const { result } = run;
  const ecs = await run.clients.ecs();
  const registration = run.given
    ? asRegistration(run.given)
    : await registerOrReuse(ecs, run.rendering!.request, run.log, { clock: phase.clock });
  run.registration = registration;
  result.taskDefinitionArn = registration.taskDefinitionArn;
  result.revision = registration.revision;
  result.registered = registration.registered;
  return registration;
}

const revisionKey = (run: Run) => `${run.rendering!.request.family}:${run.registration!.revision}`;

/** apply: UpdateService to the registered revision, with the strategy's configuration. */
export async function updateService(run: Run, phase: PhaseContext): Promise<void> {
  const { inputs, result } = run;
  const ecs = await run.clients.ecs();
  const registration = run.registration!;
  const target = { cluster: inputs.cluster, service: inputs.service ?? '' };
  const options = {
    taskDefinitionArn: registration.taskDefinitionArn,
    desiredCount: inputs.desiredCount,
    forceNewDeployment: inputs.forceNewDeployment,
    settings: inputs.launch,
    deploymentConfiguration: run.plan?.deploymentConfiguration,
    clock: phase.clock
  };
  run.started = await startDeployment(ecs, target, options, run.log);
  result.deploymentId = run.started.deployment.id;
  const named = run.started.service.currentServiceDeployment;
  if (named !== run.service?.currentServiceDeployment) result.serviceDeploymentArn = named;
  run.log.info(`UpdateService: ${target.service} → ${revisionKey(run)}; deployment ${result.deploymentId}.`);
}

/** The dry run: would a new revision be registered, or the latest reused? Nothing is written. */
export async function dryRun(run: Run): Promise<Ending> {
  const { inputs, result } = run;
  if (run.given) return dryRunGiven(run, run.given);
  const rendered = run.rendering!.request;
  const { ecs } = await run.clients.ecs();
  const latest = await latestRevision(ecs, rendered.family ?? '');
  result.wouldRegister = !(latest && sameTaskDefinition(latest.request, rendered));
  if (latest && !result.wouldRegister) {
    result.taskDefinitionArn = latest.taskDefinition.taskDefinitionArn;
    result.revision = latest.taskDefinition.revision;
  }
  const reason = result.wouldRegister
    ? `Dry run: a new revision of ${rendered.family} would be registered${inputs.service ? ` and rolled out to ${inputs.services.join(', ')}` : ''}.`
    : `Dry run: identical to ${rendered.family}:${latest?.taskDefinition.revision}, which would be reused.`;
  run.log.info(reason);
  return { status: 'DRY_RUN', reason };
}

/** The dry run of `task-definition-arn`: nothing to compare; the revision would be rolled out as it is. */
function dryRunGiven(run: Run, given: TaskDefinition): Ending {
  const { inputs, result } = run;
  result.taskDefinitionArn = given.taskDefinitionArn;
  result.revision = given.revision;
  result.wouldRegister = false;
  const what = taskDefinitionKey(given.taskDefinitionArn);
  const then = inputs.service ? `rolled out to ${inputs.service}` : 'run as the one-off task';
  const reason = `Dry run: the registered revision ${what} would be ${then}, as it is.`;
  run.log.info(reason);
  return { status: 'DRY_RUN', reason };
}

/** The one-off task on the new revision, before the service is updated; its failure ends the deploy. */
export async function oneOffTask(
  run: Run,
  phase: PhaseContext,
  notUpdated = 'The service was not updated.'
): Promise<Ending | undefined> {
  const { inputs, result } = run;
  const [{ runOneOffTask }, { ecs }, logs] = await Promise.all([
    import('./runtask.js'),
    run.clients.ecs(),
    run.clients.logs()
  ]);
  const task = await runOneOffTask(
    { ecs, ...logs },
    {
      cluster: inputs.cluster,
      taskDefinition: run.registration!.taskDefinition,
      command: inputs.runTask ?? [],
      container: inputs.container,
      service: run.service,
      launch: inputs.launch,
      region: inputs.region,
      ...pacing(run, phase)
    },
    run.log
  );
  result.runTask = task;
  if (task.ok) return undefined;
  if (task.status === 'STOPPED') result.rootCause = task.cause;
  result.diagnostics.push({
    title: `One-off task ${taskId(task.taskArn)}`,
    severity: 'error',
    lines: [...task.details, ...(task.logLines.length > 0 ? ['Last log lines:', ...task.logLines] : [])]
  });
  return {
    status: task.status === 'STOPPED' ? 'FAILED' : task.status,
    reason: `${task.reason} ${notUpdated}`
  };
}

/** wait: follow the deployment until ECS says it is over, or the time left runs out. */
export async function wait(run: Run, phase: PhaseContext): Promise<Ending> {
  if (shiftsTraffic(run)) return followStrategy(run, phase);
  const { inputs, result } = run;
  const started = run.started!;
  const rollout = await watchDeployment(
    await run.clients.ecs(),
    target(inputs),
    {
      ...pacing(run, phase),
      knownEvents: started.service.events,
      deploymentId: started.deployment.id ?? '',
      initial: started.deployment,
      taskDefinitionArn: run.registration!.taskDefinitionArn,
      previousTaskDefinitionArn: result.previousTaskDefinitionArn
    },
    run.log
  );
  result.rollout = rollout;
  if (rollout.status === 'COMPLETED') run.log.info(rollout.reason);
  return { status: rollout.status, reason: rollout.reason };
}

/** wait, for BLUE_GREEN, LINEAR and CANARY: the service deployment, stage by stage (service-deployment.ts). */
async function followStrategy(run: Run, phase: PhaseContext): Promise<Ending> {
  const { inputs, result } = run;
  const started = run.started!;
  const plan = run.plan!;
  const rollingBack = result.continued === 'ROLLBACK';
  const rollout = await followServiceDeployment(
    await run.clients.ecs(),
    target(inputs),
    {
      ...pacing(run, phase),
      strategy: plan.strategy,
      waitUntil: rollingBack ? 'completed' : inputs.strategy.waitUntil,
      configuration: plan.effective,
      serviceDeploymentArn: result.serviceDeploymentArn,
      // A paused deployment being continued is the service's current one already.
      before: inputs.continuing ? undefined : run.service?.currentServiceDeployment,
      stopRequested: rollingBack,
      atPause: rollingBack ? undefined : await gate(run, phase),
      knownEvents: started.service.events,
      deploymentId: started.deployment.id ?? '',
      taskDefinitionArn: run.registration!.taskDefinitionArn,
      previousTaskDefinitionArn: result.previousTaskDefinitionArn
    },
    run.log
  );
  result.rollout = rollout;
  result.strategy = { name: plan.strategy, changes: plan.changes, view: rollout.strategy };
  result.serviceDeploymentArn = rollout.strategy.serviceDeploymentArn ?? result.serviceDeploymentArn;
  if (rollout.status === 'COMPLETED' || rollout.status === 'IN_PROGRESS') run.log.info(rollout.reason);
  if (rollout.status === 'COMPLETED' && inputs.smokeTest && !result.gates?.smokeTest) {
    // The service had the hook when the step began; ECS did not hold the stage (the hook was changed meanwhile).
    const note = `smoke-test: ECS never held the deployment at ${SMOKE_TEST_STAGE}, so the smoke test did not run; production traffic moved without it.`;
    run.log.warning(note);
    result.warnings.push(note);
  }
  return { status: rollout.status, reason: rollout.reason };
}

/** The follow's answer to a PAUSE hook (gates.ts): the smoke test at its stage, else the step ends there. */
async function gate(run: Run, phase: PhaseContext) {
  const { inputs, result } = run;
  result.gates ??= {};
  const options = {
    clients: await run.clients.ecs(),
    elb: inputs.smokeTest ? await run.clients.elb() : undefined,
    smokeTest: inputs.smokeTest,
    deploymentId: result.deploymentId ?? '',
    taskDefinitionArn: run.registration!.taskDefinitionArn,
    pollIntervalMs: inputs.pollIntervalMs,
    timeLeftMs: () => phase.timeLeftMs(),
    signal: phase.signal,
    clock: phase.clock,
    cwd: process.env.GITHUB_WORKSPACE
  };
  return pauseGate(options, result.gates, run.log);
}

/** explain: the service's events, the stopped tasks, the targets and the app's log, and the root cause. */
export async function explain(run: Run): Promise<string | undefined> {
  const { inputs, result } = run;
  const rollout = result.rollout!;
  const gated = gateCause(result);
  if (gated) return gated;
  if (rollout.events.length > 0)
    result.diagnostics.push({
      title: 'Service events while waiting',
      severity: 'info',
      lines: rollout.events.slice(-15)
    });
  const [{ diagnose }, { ecs }, logs, elb] = await Promise.all([
    import('./diagnose.js'),
    run.clients.ecs(),
    run.clients.logs(),
    run.clients.elb()
  ]);
  const diagnosis = await diagnose(
    { ecs, elb, ...logs },
    {
      cluster: inputs.cluster,
      deploymentId: rollout.deploymentId,
      service: rollout.service ?? run.service,
      taskDefinition: run.registration!.taskDefinition,
      region: inputs.region,
      events: rollout.events
    },
    run.log
  );
  result.diagnostics.push(...diagnosis.diagnostics);
  // A strategy deployment's own evidence (an alarm, a hook) comes first; the circuit breaker's is the tasks'.
  const view = result.strategy?.view;
  return view ? strategyRootCause(view, diagnosis.rootCause) : diagnosis.rootCause;
}

/**
 * rollback: the service back on the revision it ran before, unless ECS already did or it ran the same one. A
 * BLUE_GREEN, LINEAR or CANARY deployment is stopped with ECS's own rollback instead, and only while it is in
 * progress (after FAILED, or after TIMED_OUT).
 */
export async function rollBackService(run: Run, phase: PhaseContext): Promise<Ending | undefined> {
  if (shiftsTraffic(run)) return stopStrategy(run, phase);
  const { inputs, result } = run;
  const previous = result.previousTaskDefinitionArn;
  const failed = run.registration!.taskDefinitionArn;
  if (!previous || taskDefinitionKey(previous) === taskDefinitionKey(failed)) {
    run.log.warning('Not rolling back: the service ran the same revision before this step.');
    return undefined;
  }
  const rollback = await rollBack(
    await run.clients.ecs(),
    target(inputs),
    {
      ...pacing(run, phase),
      previousTaskDefinitionArn: previous,
      failedTaskDefinitionArn: failed,
      settings: settingsBefore(inputs.launch, run.service),
      knownEvents: result.rollout?.service?.events
    },
    run.log
  );
  result.rollback = rollback;
  const key = taskDefinitionKey(previous);
  if (rollback.ok) return { status: 'ROLLED_BACK', reason: `Rolled back to ${key}.` };
  if (rollback.outcome.status === 'CANCELLED')
    return {
      status: 'CANCELLED',
      reason: `Cancelled during the rollback to ${key}: ${rollback.outcome.reason}`
    };
  return {
    status: 'FAILED',
    reason: `The rollback to ${key} did not complete: ${rollback.outcome.reason}`
  };
}

/** What the service had of the settings this step changed, for the rollback to put back (none: an empty list). */
function settingsBefore(launch: LaunchSettings, service: Service | undefined): LaunchSettings {
  return {
    volumeConfigurations: launch.volumeConfigurations && (currentVolumeConfigurations(service) ?? []),
    enableExecuteCommand:
      launch.enableExecuteCommand === undefined ? undefined : (service?.enableExecuteCommand ?? false)
  };
}

/** rollback, for BLUE_GREEN, LINEAR and CANARY: StopServiceDeployment ROLLBACK, followed to its end. */
async function stopStrategy(run: Run, phase: PhaseContext): Promise<Ending | undefined> {
  const { inputs, result } = run;
  const outcome = result.strategy!;
  if (!stoppable(outcome.view)) {
    const status = outcome.view?.status;
    run.log.info(
      `Not rolling back: ${status ? `ECS has the service deployment ${status}` : 'ECS had not named the service deployment'}; the step starts no deployment of its own.`
    );
    return undefined;
  }
  const rollback = await stopWithRollback(
    await run.clients.ecs(),
    target(inputs),
    {
      ...pacing(run, phase),
      strategy: outcome.name,
      waitUntil: 'completed',
      serviceDeploymentArn: outcome.view.serviceDeploymentArn,
      origin: outcome.view.origin,
      knownEvents: result.rollout?.service?.events,
      deploymentId: result.deploymentId ?? '',
      taskDefinitionArn: run.registration!.taskDefinitionArn,
      previousTaskDefinitionArn: result.previousTaskDefinitionArn
    },
    run.log
  );
  outcome.rollback = rollback;
  outcome.view = {
    ...rollback.outcome.strategy,
    stages: [...outcome.view.stages, ...rollback.outcome.strategy.stages]
  };
  return rollbackEnding(rollback, result.status);
}

/**
 * settle: deregister old revisions of the family, keeping the newest ones and every one in use (by the
 * deployments `rollouts` saw: this run's, or every service's of a release to several).
 */
export async function cleanUp(run: Run, rollouts = [run.result.rollout]): Promise<void> {
  const { inputs, result } = run;
  if (!result.family || !result.taskDefinitionArn) return;
  const { ecs } = await run.clients.ecs();
  const inUse = [
    ...rollouts.flatMap(r => r?.service?.deployments ?? []).map(d => d.taskDefinition ?? ''),
    ...(await taskDefinitionsInUse(ecs, inputs.cluster)),
    result.taskDefinitionArn
  ];
  result.cleanup = await cleanupRevisions(
    ecs,
    { family: result.family, keep: inputs.keepRevisions, inUse },
    run.log
  );
}

/** What had been written when the step was stopped: a deploy cut short must say whether the service changed. */
function progress(result: DeployResult): string {
  const sd = result.serviceDeploymentArn
    ? ` (service deployment ${shortArn(result.serviceDeploymentArn)})`
    : '';
  if (result.deploymentId)
    return `Deployment ${result.deploymentId}${sd} had started; ECS carries on with it.`;
  if (result.taskDefinitionArn && result.registered !== undefined)
    return `${taskDefinitionKey(result.taskDefinitionArn)} was ${result.registered ? 'registered' : 'reused'}; the service was not updated.`;
  return '';
}

/** How a wait of this phase goes: the time left, the poll interval, the step's signal and clock. */
export function pacing(run: Run, phase: PhaseContext) {
  return {
    timeoutMs: phase.timeLeftMs(),
    intervalMs: run.inputs.pollIntervalMs,
    signal: phase.signal,
    clock: phase.clock
  };
}

const target = (inputs: Inputs): Target => ({ cluster: inputs.cluster, service: inputs.service ?? '' });

export async function checkCluster(ecs: ECSClient, cluster: string): Promise<void> {
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
