export const id = 932;
export const ids = [932];
export const modules = {

/***/ 4932:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  deployServices: () => (/* binding */ deployServices)
});

// EXTERNAL MODULE: ./core/log.ts
var core_log = __webpack_require__(6810);
// EXTERNAL MODULE: ./core/aws.ts + 1 modules
var aws = __webpack_require__(2637);
// EXTERNAL MODULE: ./core/deploy.ts
var deploy = __webpack_require__(5705);
// EXTERNAL MODULE: ./core/errors.ts
var errors = __webpack_require__(265);
// EXTERNAL MODULE: ./core/text.ts
var core_text = __webpack_require__(1509);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/clients.ts
var src_clients = __webpack_require__(7573);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/compare.ts + 1 modules
var compare = __webpack_require__(8939);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/deploy.ts + 14 modules
var src_deploy = __webpack_require__(6823);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/diff.ts
var diff = __webpack_require__(558);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/render.ts
var render = __webpack_require__(9393);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/result.ts
var src_result = __webpack_require__(6928);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/service-list.ts
var service_list = __webpack_require__(6111);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/stages.ts
var stages = __webpack_require__(6526);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/services-outcome.ts



/** The statuses of a service's wait that are well: its deployment completed, or reached `wait-until`'s stage. */
const FOLLOWED = new Set(['COMPLETED', 'IN_PROGRESS']);
/** The wait's outcome: COMPLETED or IN_PROGRESS when every service is; else the failures first, in order seen. */
function releaseEnding(services, failed) {
    const revision = (0,render/* taskDefinitionKey */.MT)(services[0]?.result.taskDefinitionArn);
    if (failed.length === 0) {
        if (services.every(s => s.result.status === 'COMPLETED'))
            return {
                status: 'COMPLETED',
                reason: `${revision} runs on all ${services.length} services: ${services.map(s => s.name).join(', ')}.`
            };
        return {
            status: 'IN_PROGRESS',
            reason: services.map(s => `${s.name}: ${(0,core_text/* sentence */.em)(s.result.reason)}`).join(' ')
        };
    }
    const bad = services.filter(s => failed.includes(s.name));
    const status = bad.every(s => s.result.status === 'TIMED_OUT') ? 'TIMED_OUT' : 'FAILED';
    const first = failed.map(name => bad.find(s => s.name === name));
    const lead = first.map(s => `${s.name} ${s.result.status}: ${(0,core_text/* sentence */.em)(s.result.reason)}`);
    const rest = services.filter(s => !failed.includes(s.name)).map(s => `${s.name} ${otherState(s)}.`);
    return { status, reason: [...lead, ...rest].join(' ') };
}
function otherState(s) {
    if (!s.started)
        return 'was not updated';
    if (s.result.status === 'CANCELLED')
        return 'was no longer followed';
    if (s.result.status === 'COMPLETED')
        return 'had completed';
    return s.result.status;
}
/** The reason of a service whose wait the first failure stopped: that failure, then where it stood. */
function stoppedReason(cause, status, reason) {
    const where = reason.replace(/^Cancelled while waiting\.\s*/, '');
    return (0,core_text/* sentence */.em)(`Stopped following when ${cause} ended ${status}`, where);
}
/**
 * The rollback's outcome: ROLLED_BACK when every service the step changed is back where it was (ECS's rollback or
 * the step's), CANCELLED when the step was stopped rolling back, else FAILED naming what stays on the new revision.
 */
function releaseRollbackEnding(services) {
    const changed = services.filter(s => s.started && s.result.status !== 'SUPERSEDED');
    const cancelled = changed.filter(s => s.result.status === 'CANCELLED');
    const stays = changed.filter(s => !isBack(s.result));
    const back = changed.filter(s => isBack(s.result));
    const backLine = back.length > 0
        ? `Back on what they ran: ${back.map(s => `${s.name} (${(0,render/* taskDefinitionKey */.MT)(s.result.previousTaskDefinitionArn)})`).join(', ')}.`
        : '';
    if (stays.length === 0)
        return { status: 'ROLLED_BACK', reason: backLine };
    const staysLine = `Still on ${(0,render/* taskDefinitionKey */.MT)(stays[0].result.taskDefinitionArn)}: ${stays.map(s => s.name).join(', ')}.`;
    return {
        status: cancelled.length > 0 ? 'CANCELLED' : 'FAILED',
        reason: [staysLine, backLine].filter(Boolean).join(' ')
    };
}
/** Back on the revision it ran before: rolled back (by ECS or the step), or it never left it. */
function isBack(result) {
    if (result.status === 'ROLLED_BACK')
        return true;
    const before = (0,render/* taskDefinitionKey */.MT)(result.previousTaskDefinitionArn);
    return before !== '' && before === (0,render/* taskDefinitionKey */.MT)(result.taskDefinitionArn);
}
/** What had been written when the step was stopped: which services' deployments had started. */
function releaseProgress(services) {
    const started = services.filter(s => s.started);
    const first = services[0]?.result;
    if (started.length > 0) {
        const each = started.map(s => {
            const arn = s.result.serviceDeploymentArn;
            return `${s.name} ${s.result.deploymentId}${arn ? ` (service deployment ${(0,stages/* shortArn */.k$)(arn)})` : ''}`;
        });
        return `Deployments had started: ${each.join(', ')}; ECS carries on with them.`;
    }
    if (first?.taskDefinitionArn && first.registered !== undefined)
        return `${(0,render/* taskDefinitionKey */.MT)(first.taskDefinitionArn)} was ${first.registered ? 'registered' : 'reused'}; no service was updated.`;
    return '';
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/services.ts
/**
 * One release to several services of one cluster (`service` lists them): the phases of deploy.ts run once for
 * what the services share and once per service for the rest. One task definition is rendered, verified and
 * registered; each service is checked before anything is written, updated with its own UpdateService, and
 * followed at the same time as the others. The release is all or nothing: when one service fails, the others
 * stop being followed and every service the step changed is put back (services-outcome.ts says how it ends).
 */













async function deployServices(inputs, ctx, clients = (0,src_clients/* lazyClients */.x)(inputs.region, ctx.signal)) {
    const runs = inputs.services.map(name => serviceRun(inputs, clients, ctx.log, name));
    const result = { ...(0,src_result/* initialResult */.S)(inputs), services: runs.map(r => r.result) };
    const release = { inputs, clients, log: ctx.log, result, runs, failed: [] };
    try {
        await (0,deploy/* runDeploy */.zt)(result, {
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
                    afterTimeout: () => runs.some(r => (0,src_deploy.shiftsTraffic)(r) && r.result.status === 'TIMED_OUT'),
                    run: phase => rollBackAll(release, phase)
                }
                : undefined,
            settle: inputs.keepRevisions > 0
                ? { title: 'Cleaning up old revisions', run: () => cleanUpOnce(release) }
                : undefined,
            progress: () => releaseProgress(ends(release))
        }, ctx, inputs.timeoutMs);
        return untouched(release);
    }
    finally {
        clients.destroy();
    }
}
/** The release's result, each service that no phase ended (a dry run, a refusal, a failed one-off task) given its. */
function untouched(release) {
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
function serviceRun(inputs, clients, log, name) {
    const own = { ...inputs, service: name };
    return {
        inputs: own,
        clients,
        log: (0,core_log/* labelledLogger */.KH)(log, (0,service_list/* serviceName */.f)(name) ?? name),
        result: (0,src_result/* initialResult */.S)(own),
        fileProblems: []
    };
}
const ends = (release) => release.runs.map(run => ({
    name: run.inputs.service ?? '',
    result: run.result,
    started: run.started !== undefined
}));
/** connect: the cluster once; then every service, all problems reported together; one base to render from. */
async function checkAll(release) {
    const { ecs } = await release.clients.ecs();
    await (0,aws/* ensureCredentials */.jA)(ecs);
    await (0,src_deploy.checkCluster)(ecs, release.inputs.cluster);
    const problems = [];
    for (const run of release.runs) {
        try {
            await (0,src_deploy.checkService)(run);
        }
        catch (error) {
            if (!(error instanceof errors/* DockyardError */.gt))
                throw error;
            problems.push(...(error instanceof errors/* InputError */.dz ? error.problems : [error]));
        }
    }
    if (problems.length > 0)
        throw problems.length === 1 ? problems[0] : new errors/* InputError */.dz(problems);
    release.result.previousTaskDefinitionArn = sameForAll(release.runs.map(r => r.result.previousTaskDefinitionArn));
    if (!release.inputs.taskDefinition && release.result.previousTaskDefinitionArn === undefined)
        throw new errors/* DockyardError */.gt(`the services run different task definitions (${release.runs.map(r => `${r.inputs.service}: ${(0,render/* taskDefinitionKey */.MT)(r.result.previousTaskDefinitionArn)}`).join(', ')}), so none of them is the one base to render from.`, {
            input: 'service',
            hint: "Give 'task-definition' (the file all of them are to run), or list only services that run the same revision."
        });
}
/** The value when every one is the same, else undefined. */
function sameForAll(values) {
    return values.every(v => v === values[0]) ? values[0] : undefined;
}
/** render: once, from the file or the services' one task definition; the diff against what each service runs. */
async function renderOnce(release) {
    const [first, ...others] = release.runs;
    await (0,src_deploy.render)(first);
    const { result } = release;
    Object.assign(result, {
        rendered: first.result.rendered,
        family: first.result.family,
        diff: first.result.diff,
        removed: first.result.removed
    });
    result.warnings.push(...first.result.warnings.filter(w => !result.warnings.includes(w)));
    const request = first.rendering.request;
    for (const run of others) {
        run.rendering = first.rendering;
        run.fileProblems = first.fileProblems;
        run.result.rendered = request;
        run.result.family = request.family;
        const running = run.running ? (0,compare/* describedAsRequest */.lY)(run.running) : undefined;
        run.result.diff = (0,diff/* diffTaskDefinitions */.n)(running, request);
        if (run.running && run.running.family !== request.family) {
            const moved = `service '${run.inputs.service}' runs the family '${run.running.family}'; this step moves it to '${request.family}'.`;
            release.log.warning(moved);
            result.warnings.push(moved);
        }
    }
}
/** verify: every service (its strategy's needs, its load balancer's container and port); problems together. */
async function verifyAll(release) {
    const problems = [];
    for (const [i, run] of release.runs.entries()) {
        try {
            // What the task definition references (images, secrets, roles) is checked once, with the first service.
            await (0,src_deploy.verify)(run, { remote: i === 0 });
        }
        catch (error) {
            if (!(error instanceof errors/* DockyardError */.gt))
                throw error;
            const each = error instanceof errors/* InputError */.dz ? error.problems : [error];
            problems.push(...each.filter(p => !problems.some(q => q.describe() === p.describe())));
        }
        finally {
            release.result.verify = withProblemsOf(release.result.verify, run.result.verify);
        }
    }
    if (problems.length > 0)
        throw problems.length === 1 ? problems[0] : new errors/* InputError */.dz(problems);
}
/** The release's verification: the first service's checks, every service's problems once each. */
function withProblemsOf(release, service) {
    if (!release || !service)
        return release ?? service;
    const known = (p) => release.problems.some(q => q.path === p.path && q.message === p.message);
    return { ...release, problems: [...release.problems, ...service.problems.filter(p => !known(p))] };
}
function applyTitle(inputs) {
    if (inputs.dryRun)
        return 'Comparing with the registered revisions (dry run)';
    const oneOff = inputs.runTask ? ', running the one-off task' : '';
    return `Registering${oneOff}, updating ${inputs.services.length} services`;
}
/**
 * apply: one registration (or reuse) for every service, the one-off task once (on the first service's network),
 * then UpdateService for each in order. An UpdateService that fails after another succeeded leaves the rest
 * untouched and lets the wait and the rollback put back what was changed.
 */
async function applyAll(release, phase) {
    const { inputs, result, runs } = release;
    const [first] = runs;
    // What is done once for all services is logged unlabelled.
    const lead = { ...first, log: release.log };
    if (inputs.dryRun)
        return shareDryRun(release, await (0,src_deploy.dryRun)(lead));
    const registration = await (0,src_deploy.registerRevision)(lead, phase);
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
        const failed = await (0,src_deploy.oneOffTask)(first, phase, 'No service was updated.');
        result.runTask = first.result.runTask;
        result.rootCause = first.result.rootCause;
        result.diagnostics.push(...first.result.diagnostics.splice(0));
        if (failed)
            return failed;
    }
    return updateAll(release, phase);
}
/** apply, the writes: UpdateService for each service in order; the first refused one ends the updates. */
async function updateAll(release, phase) {
    for (const run of release.runs) {
        try {
            await (0,src_deploy.updateService)(run, phase);
        }
        catch (error) {
            if (!release.runs.some(r => r.started))
                throw error;
            end(run, { status: 'FAILED', reason: `UpdateService failed: ${(0,errors/* describeError */.Uc)(error)}` });
            release.failed.push(run);
            run.log.error(run.result.reason);
            break;
        }
    }
    const refused = release.failed[0]?.inputs.service;
    for (const run of release.runs.filter(r => !r.started && r.result.reason === '' && refused))
        end(run, { status: 'CANCELLED', reason: `Not updated: the UpdateService of ${refused} was refused.` });
    if (release.inputs.wait || release.failed.length > 0)
        return;
    for (const run of release.runs)
        end(run, {
            status: 'IN_PROGRESS',
            reason: `Deployment ${run.result.deploymentId} started; not waiting (wait: false).`
        });
    return releaseEnding(ends(release), []);
}
function shareDryRun(release, ending) {
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
function end(run, ending) {
    run.result.status = ending.status;
    run.result.reason = ending.reason;
    run.result.success = FOLLOWED.has(ending.status);
}
/**
 * wait: every started service followed at once, each with its own lines. The first failure, when the release is
 * to be rolled back, stops following the others (each after its first look, so that what it is doing is known)
 * instead of waiting for deployments that will be put back anyway.
 */
async function waitAll(release, phase) {
    const started = release.runs.filter(r => r.started);
    const stop = failFast(release.inputs.rollback, started);
    if (release.failed.length > 0)
        stop.failed();
    await Promise.all(started.map(async (run) => {
        const clock = stop.clock(run, phase.clock);
        const signal = AbortSignal.any([phase.signal, stop.signal(run)]);
        const own = run.log;
        run.log = stoppedQuietly(own, stop.signal(run));
        const ending = await (0,src_deploy.wait)(run, { ...phase, clock, signal })
            .catch((error) => ({ status: 'FAILED', reason: (0,errors/* describeError */.Uc)(error) }))
            .finally(() => (run.log = own));
        end(run, ending);
        if (FOLLOWED.has(ending.status) || (ending.status === 'CANCELLED' && signal.aborted))
            return;
        release.failed.push(run);
        // At the step's deadline every wait ends on its own; each says where its deployment stands.
        if (ending.status !== 'TIMED_OUT')
            stop.failed();
    }));
    // Failures in the order seen, the first being the cause; timeouts (all at the step's deadline) in the services'.
    const timedOut = (r) => r.result.status === 'TIMED_OUT';
    release.failed = [
        ...release.failed.filter(r => !timedOut(r)),
        ...release.runs.filter(r => timedOut(r) && release.failed.includes(r))
    ];
    const cause = release.failed[0];
    const stopped = started.filter(r => r.result.status === 'CANCELLED' && !phase.signal.aborted && cause);
    for (const run of stopped)
        run.result.reason = stoppedReason(cause.inputs.service ?? '', cause.result.status, run.result.reason);
    if (stopped.length > 0)
        release.log.info(`Stopped following ${stopped.map(r => r.inputs.service).join(', ')}: ${cause.inputs.service} ended ${cause.result.status}, and the release is rolled back whole.`);
    return releaseEnding(ends(release), release.failed.map(r => r.inputs.service ?? ''));
}
/**
 * The log of one service's wait: once the release stopped following it, the wait's warning that it stopped is
 * the release's own decision, said once by the release, not an annotation per service.
 */
function stoppedQuietly(log, stop) {
    return { ...log, warning: (m, p) => (stop.aborted ? log.info(m) : log.warning(m, p)) };
}
/**
 * The release's stop, when it is to be rolled back (`enabled`): once a service failed, the wait of every other is
 * stopped between two looks, never during one: at the sleep after a look (`clock(run)` is the wait's clock), so
 * that what its deployment is doing is known, and no call in flight is cut off.
 */
function failFast(enabled, runs) {
    const stops = new Map(runs.map(run => [run, new AbortController()]));
    const sleeping = new Set();
    let failed = false;
    const stop = (run) => stops.get(run).abort(new Error('another service failed'));
    return {
        signal: (run) => stops.get(run).signal,
        clock: (run, clock) => ({
            now: () => clock.now(),
            sleep: async (ms, signal) => {
                if (enabled && failed)
                    stop(run);
                sleeping.add(run);
                try {
                    await clock.sleep(ms, signal);
                }
                finally {
                    sleeping.delete(run);
                }
            }
        }),
        failed: () => {
            failed = true;
            if (enabled)
                for (const run of sleeping)
                    stop(run);
        }
    };
}
/** explain: each service that failed, timed out or was rolled back by ECS; the first failure's cause leads. */
async function explainFailed(release) {
    const explained = release.runs.filter(r => r.result.rollout && ['FAILED', 'TIMED_OUT', 'ROLLED_BACK'].includes(r.result.status));
    for (const run of explained) {
        const cause = await (0,src_deploy.explain)(run);
        if (cause)
            run.result.rootCause = cause;
    }
    for (const run of release.runs)
        release.result.diagnostics.push(...run.result.diagnostics.map(d => ({ ...d, title: `${run.inputs.service}: ${d.title}` })));
    const first = release.failed.find(r => r.result.rootCause) ?? explained.find(r => r.result.rootCause);
    return first && `${first.inputs.service}: ${first.result.rootCause}`;
}
/**
 * rollback: every service the step updated goes back to what it ran, at the same time, so the cluster is on one
 * revision again: a ROLLING one with UpdateService, a BLUE_GREEN, LINEAR or CANARY one that is still under way
 * with StopServiceDeployment ROLLBACK. Left alone: a service ECS rolled back itself (no UpdateService during or
 * after ECS's rollback), one whose deployment someone else's superseded, and one never updated.
 */
async function rollBackAll(release, phase) {
    const back = release.runs.filter(r => r.started && r.result.status !== 'ROLLED_BACK' && r.result.status !== 'SUPERSEDED');
    await Promise.all(back.map(async (run) => {
        const ending = await (0,src_deploy.rollBackService)(run, phase).catch((error) => ({
            status: 'FAILED',
            reason: `The rollback failed: ${(0,errors/* describeError */.Uc)(error)}`
        }));
        if (ending)
            end(run, { status: ending.status, reason: (0,core_text/* sentence */.em)(run.result.reason, ending.reason) });
    }));
    return releaseRollbackEnding(ends(release));
}
/** settle: old revisions deregistered once, keeping every one a deployment of these services uses. */
async function cleanUpOnce(release) {
    const [first] = release.runs;
    await (0,src_deploy.cleanUp)(first, release.runs.map(r => r.result.rollout));
    release.result.cleanup = first.result.cleanup;
}


/***/ })

};
