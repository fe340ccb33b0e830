/**
 * One release to several services of one cluster (`service` lists them): the phases of deploy.ts run once for
 * what the services share and once per service for the rest. One task definition is rendered, verified and
 * registered; each service is checked before anything is written, updated with its own UpdateService, and
 * followed at the same time as the others. The release is all or nothing: when one service fails, the others
 * stop being followed and every service the step changed is put back (services-outcome.ts says how it ends).
 */
import { labelledLogger, type Logger } from '../../../core/log.js';
import { ensureCredentials } from '../../../core/aws.js';
import { runDeploy, type DeployContext, type Ending, type PhaseContext } from '../../../core/deploy.js';
import { describeError, DockyardError, InputError } from '../../../core/errors.js';
import type { Clock } from '../../../core/poll.js';
import { sentence } from '../../../core/text.js';
import { lazyClients, type ClientSource } from './clients.js';
import { describedAsRequest } from './compare.js';
import {
  checkCluster,
  checkService,
  cleanUp,
  dryRun,
  explain,
  oneOffTask,
  registerRevision,
  render,
  rollBackService,
  shiftsTraffic,
  updateService,
  verify,
  wait,
  type Run
} from './deploy.js';
import { diffTaskDefinitions } from './diff.js';
import type { Inputs } from './inputs.js';
import type { FieldProblem } from './normalise.js';
import { taskDefinitionKey } from './render.js';
import { initialResult, type DeployResult } from './result.js';
import { serviceName } from './service-list.js';
import {
  FOLLOWED,
  releaseEnding,
  releaseProgress,
  releaseRollbackEnding,
  stoppedReason,
  type ServiceEnd
} from './services-outcome.js';

/** The release: the step's inputs and result, and one run of deploy.ts's phases per service. */
interface Release {
  inputs: Inputs;
  clients: ClientSource;
  log: Logger;
  result: DeployResult;
  runs: Run[];
  /** The services whose deployment failed, in the order their failure was seen: the first is the cause. */
  failed: Run[];
}

export async function deployServices(
  inputs: Inputs,
  ctx: DeployContext,
  clients: ClientSource = lazyClients(inputs.region, ctx.signal)
): Promise<DeployResult> {
  const runs = inputs.services.map(name => serviceRun(inputs, clients, ctx.log, name));
  const result: DeployResult = { ...initialResult(inputs), services: runs.map(r => r.result) };
  const release: Release = { inputs, clients, log: ctx.log, result, runs, failed: [] };
  try {
    await runDeploy(
      result,
      {
        connect: { title: 'Checking the cluster and the services', run: () => checkAll(release) },
        render: { title: 'Rendering the task definition', run: () => renderOnce(release) },
        verify: inputs.verify
          ? { title: 'Verifying the task definition', run: () => verifyAll(release) }
          : undefined,
        apply: { title: () => applyTitle(inputs), run: phase => applyAll(release, phase) },
        wait: { title: 'Waiting for the deployments', run: phase => waitAll(release, phase) },
        explain: { title: 'Diagnosing', run: () => explainFailed(release) },
        rollback: inputs.rollback
          ? {
              title: 'Rolling back every service',
              afterTimeout: () => runs.some(r => shiftsTraffic(r) && r.result.status === 'TIMED_OUT'),
              run: phase => rollBackAll(release, phase)
            }
          : undefined,
        settle:
          inputs.keepRevisions > 0
            ? { title: 'Cleaning up old revisions', run: () => cleanUpOnce(release) }
            : undefined,
        progress: () => releaseProgress(ends(release))
      },
      ctx,
      inputs.timeoutMs
    );
    return untouched(release);
  } finally {
    clients.destroy();
  }
}

/** The release's result, each service that no phase ended (a dry run, a refusal, a failed one-off task) given its. */
function untouched(release: Release): DeployResult {
  const { result } = release;
  for (const run of release.runs.filter(r => r.result.reason === ''))
    Object.assign(run.result, {
      status: result.status,
      success: result.success,
      reason: result.status === 'DRY_RUN' ? result.reason : 'Not updated.'
    });
  return result;
}

/** One service's run: the step's inputs with `service` set to it, its own result, its lines labelled. */
function serviceRun(inputs: Inputs, clients: ClientSource, log: Logger, name: string): Run {
  const own: Inputs = { ...inputs, service: name };
  return {
    inputs: own,
    clients,
    log: labelledLogger(log, serviceName(name) ?? name),
    result: initialResult(own),
    fileProblems: []
  };
}

const ends = (release: Release): ServiceEnd[] =>
  release.runs.map(run => ({
    name: run.inputs.service ?? '',
    result: run.result,
    started: run.started !== undefined
  }));

/** connect: the cluster once; then every service, all problems reported together; one base to render from. */
async function checkAll(release: Release): Promise<void> {
  const { ecs } = await release.clients.ecs();
  await ensureCredentials(ecs);
  await checkCluster(ecs, release.inputs.cluster);
  const problems: DockyardError[] = [];
  for (const run of release.runs) {
    try {
      await checkService(run);
    } catch (error) {
      if (!(error instanceof DockyardError)) throw error;
      problems.push(...(error instanceof InputError ? error.problems : [error]));
    }
  }
  if (problems.length > 0) throw problems.length === 1 ? problems[0] : new InputError(problems);
  release.result.previousTaskDefinitionArn = sameForAll(
    release.runs.map(r => r.result.previousTaskDefinitionArn)
  );
  if (!release.inputs.taskDefinition && release.result.previousTaskDefinitionArn === undefined)
    throw new DockyardError(
      `the services run different task definitions (${release.runs.map(r => `${r.inputs.service}: ${taskDefinitionKey(r.result.previousTaskDefinitionArn)}`).join(', ')}), so none of them is the one base to render from.`,
      {
        input: 'service',
        hint: "Give 'task-definition' (the file all of them are to run), or list only services that run the same revision."
      }
    );
}

/** The value when every one is the same, else undefined. */
function sameForAll(values: (string | undefined)[]): string | undefined {
  return values.every(v => v === values[0]) ? values[0] : undefined;
}

/** render: once, from the file or the services' one task definition; the diff against what each service runs. */
async function renderOnce(release: Release): Promise<void> {
  const [first, ...others] = release.runs;
  await render(first);
  const { result } = release;
  Object.assign(result, {
    rendered: first.result.rendered,
    family: first.result.family,
    diff: first.result.diff,
    removed: first.result.removed
  });
  result.warnings.push(...first.result.warnings.filter(w => !result.warnings.includes(w)));
  const request = first.rendering!.request;
  for (const run of others) {
    run.rendering = first.rendering;
    run.fileProblems = first.fileProblems;
    run.result.rendered = request;
    run.result.family = request.family;
    const running = run.running ? describedAsRequest(run.running) : undefined;
    run.result.diff = diffTaskDefinitions(running, request);
    if (run.running && run.running.family !== request.family) {
      const moved = `service '${run.inputs.service}' runs the family '${run.running.family}'; this step moves it to '${request.family}'.`;
      release.log.warning(moved);
      result.warnings.push(moved);
    }
  }
}

/** verify: every service (its strategy's needs, its load balancer's container and port); problems together. */
async function verifyAll(release: Release): Promise<void> {
  const problems: DockyardError[] = [];
  for (const [i, run] of release.runs.entries()) {
    try {
      // What the task definition references (images, secrets, roles) is checked once, with the first service.
      await verify(run, { remote: i === 0 });
    } catch (error) {
      if (!(error instanceof DockyardError)) throw error;
      const each = error instanceof InputError ? error.problems : [error];
      problems.push(...each.filter(p => !problems.some(q => q.describe() === p.describe())));
    } finally {
      release.result.verify = withProblemsOf(release.result.verify, run.result.verify);
    }
  }
  if (problems.length > 0) throw problems.length === 1 ? problems[0] : new InputError(problems);
}

/** The release's verification: the first service's checks, every service's problems once each. */
function withProblemsOf(
  release: DeployResult['verify'],
  service: DeployResult['verify']
): DeployResult['verify'] {
  if (!release || !service) return release ?? service;
  const known = (p: FieldProblem) => release.problems.some(q => q.path === p.path && q.message === p.message);
  return { ...release, problems: [...release.problems, ...service.problems.filter(p => !known(p))] };
}

function applyTitle(inputs: Inputs): string {
  if (inputs.dryRun) return 'Comparing with the registered revisions (dry run)';
  const oneOff = inputs.runTask ? ', running the one-off task' : '';
  return `Registering${oneOff}, updating ${inputs.services.length} services`;
}

/**
 * apply: one registration (or reuse) for every service, the one-off task once (on the first service's network),
 * then UpdateService for each in order. An UpdateService that fails after another succeeded leaves the rest
 * untouched and lets the wait and the rollback put back what was changed.
 */
async function applyAll(release: Release, phase: PhaseContext): Promise<Ending | void> {
  const { inputs, result, runs } = release;
  const [first] = runs;
  // What is done once for all services is logged unlabelled.
  const lead: Run = { ...first, log: release.log };
  if (inputs.dryRun) return shareDryRun(release, await dryRun(lead));
  const registration = await registerRevision(lead, phase);
  Object.assign(result, {
    taskDefinitionArn: registration.taskDefinitionArn,
    revision: registration.revision,
    registered: registration.registered
  });
  for (const run of runs) {
    run.registration = registration;
    Object.assign(run.result, {
      taskDefinitionArn: result.taskDefinitionArn,
      revision: result.revision,
      registered: result.registered
    });
  }
  if (inputs.runTask) {
    const failed = await oneOffTask(first, phase, 'No service was updated.');
    result.runTask = first.result.runTask;
    result.rootCause = first.result.rootCause;
    result.diagnostics.push(...first.result.diagnostics.splice(0));
    if (failed) return failed;
  }
  return updateAll(release, phase);
}

/** apply, the writes: UpdateService for each service in order; the first refused one ends the updates. */
async function updateAll(release: Release, phase: PhaseContext): Promise<Ending | void> {
  for (const run of release.runs) {
    try {
      await updateService(run, phase);
    } catch (error) {
      if (!release.runs.some(r => r.started)) throw error;
      end(run, { status: 'FAILED', reason: `UpdateService failed: ${describeError(error)}` });
      release.failed.push(run);
      run.log.error(run.result.reason);
      break;
    }
  }
  const refused = release.failed[0]?.inputs.service;
  for (const run of release.runs.filter(r => !r.started && r.result.reason === '' && refused))
    end(run, { status: 'CANCELLED', reason: `Not updated: the UpdateService of ${refused} was refused.` });
  if (release.inputs.wait || release.failed.length > 0) return;
  for (const run of release.runs)
    end(run, {
      status: 'IN_PROGRESS',
      reason: `Deployment ${run.result.deploymentId} started; not waiting (wait: false).`
    });
  return releaseEnding(ends(release), []);
}

function shareDryRun(release: Release, ending: Ending): Ending {
  const { result } = release;
  const from = release.runs[0].result;
  Object.assign(result, {
    wouldRegister: from.wouldRegister,
    taskDefinitionArn: from.taskDefinitionArn,
    revision: from.revision
  });
  return ending;
}

/** A run's outcome, as the pipeline would set it for one service. */
function end(run: Run, ending: Ending): void {
  run.result.status = ending.status;
  run.result.reason = ending.reason;
  run.result.success = FOLLOWED.has(ending.status);
}

/**
 * wait: every started service followed at once, each with its own lines. The first failure, when the release is
 * to be rolled back, stops following the others (each after its first look, so that what it is doing is known)
 * instead of waiting for deployments that will be put back anyway.
 */
async function waitAll(release: Release, phase: PhaseContext): Promise<Ending> {
  const started = release.runs.filter(r => r.started);
  const stop = failFast(release.inputs.rollback, started);
  if (release.failed.length > 0) stop.failed();
  await Promise.all(
    started.map(async run => {
      const clock = stop.clock(run, phase.clock);
      const signal = AbortSignal.any([phase.signal, stop.signal(run)]);
      const own = run.log;
      run.log = stoppedQuietly(own, stop.signal(run));
      const ending = await wait(run, { ...phase, clock, signal })
        .catch((error: unknown): Ending => ({ status: 'FAILED', reason: describeError(error) }))
        .finally(() => (run.log = own));
      end(run, ending);
      if (FOLLOWED.has(ending.status) || (ending.status === 'CANCELLED' && signal.aborted)) return;
      release.failed.push(run);
      // At the step's deadline every wait ends on its own; each says where its deployment stands.
      if (ending.status !== 'TIMED_OUT') stop.failed();
    })
  );
  // Failures in the order seen, the first being the cause; timeouts (all at the step's deadline) in the services'.
  const timedOut = (r: Run) => r.result.status === 'TIMED_OUT';
  release.failed = [
    ...release.failed.filter(r => !timedOut(r)),
    ...release.runs.filter(r => timedOut(r) && release.failed.includes(r))
  ];
  const cause = release.failed[0];
  const stopped = started.filter(r => r.result.status === 'CANCELLED' && !phase.signal.aborted && cause);
  for (const run of stopped)
    run.result.reason = stoppedReason(cause.inputs.service ?? '', cause.result.status, run.result.reason);
  if (stopped.length > 0)
    release.log.info(
      `Stopped following ${stopped.map(r => r.inputs.service).join(', ')}: ${cause.inputs.service} ended ${cause.result.status}, and the release is rolled back whole.`
    );
  return releaseEnding(
    ends(release),
    release.failed.map(r => r.inputs.service ?? '')
  );
}

/**
 * The log of one service's wait: once the release stopped following it, the wait's warning that it stopped is
 * the release's own decision, said once by the release, not an annotation per service.
 */
function stoppedQuietly(log: Logger, stop: AbortSignal): Logger {
  return { ...log, warning: (m, p) => (stop.aborted ? log.info(m) : log.warning(m, p)) };
}

/**
 * The release's stop, when it is to be rolled back (`enabled`): once a service failed, the wait of every other is
 * stopped between two looks, never during one: at the sleep after a look (`clock(run)` is the wait's clock), so
 * that what its deployment is doing is known, and no call in flight is cut off.
 */
function failFast(enabled: boolean, runs: Run[]) {
  const stops = new Map(runs.map(run => [run, new AbortController()]));
  const sleeping = new Set<Run>();
  let failed = false;
  const stop = (run: Run) => stops.get(run)!.abort(new Error('another service failed'));
  return {
    signal: (run: Run) => stops.get(run)!.signal,
    clock: (run: Run, clock: Clock): Clock => ({
      now: () => clock.now(),
      sleep: async (ms, signal) => {
        if (enabled && failed) stop(run);
        sleeping.add(run);
        try {
          await clock.sleep(ms, signal);
        } finally {
          sleeping.delete(run);
        }
      }
    }),
    failed: () => {
      failed = true;
      if (enabled) for (const run of sleeping) stop(run);
    }
  };
}

/** explain: each service that failed, timed out or was rolled back by ECS; the first failure's cause leads. */
async function explainFailed(release: Release): Promise<string | undefined> {
  const explained = release.runs.filter(
    r => r.result.rollout && ['FAILED', 'TIMED_OUT', 'ROLLED_BACK'].includes(r.result.status)
  );
  for (const run of explained) {
    const cause = await explain(run);
    if (cause) run.result.rootCause = cause;
  }
  for (const run of release.runs)
    release.result.diagnostics.push(
      ...run.result.diagnostics.map(d => ({ ...d, title: `${run.inputs.service}: ${d.title}` }))
    );
  const first = release.failed.find(r => r.result.rootCause) ?? explained.find(r => r.result.rootCause);
  return first && `${first.inputs.service}: ${first.result.rootCause}`;
}

/**
 * rollback: every service the step updated goes back to what it ran, at the same time, so the cluster is on one
 * revision again: a ROLLING one with UpdateService, a BLUE_GREEN, LINEAR or CANARY one that is still under way
 * with StopServiceDeployment ROLLBACK. Left alone: a service ECS rolled back itself (no UpdateService during or
 * after ECS's rollback), one whose deployment someone else's superseded, and one never updated.
 */
async function rollBackAll(release: Release, phase: PhaseContext): Promise<Ending | undefined> {
  const back = release.runs.filter(
    r => r.started && r.result.status !== 'ROLLED_BACK' && r.result.status !== 'SUPERSEDED'
  );
  await Promise.all(
    back.map(async run => {
      const ending = await rollBackService(run, phase).catch((error: unknown): Ending => ({
        status: 'FAILED',
        reason: `The rollback failed: ${describeError(error)}`
      }));
      if (ending) end(run, { status: ending.status, reason: sentence(run.result.reason, ending.reason) });
    })
  );
  return releaseRollbackEnding(ends(release));
}

/** settle: old revisions deregistered once, keeping every one a deployment of these services uses. */
async function cleanUpOnce(release: Release): Promise<void> {
  const [first] = release.runs;
  await cleanUp(
    first,
    release.runs.map(r => r.result.rollout)
  );
  release.result.cleanup = first.result.cleanup;
}
