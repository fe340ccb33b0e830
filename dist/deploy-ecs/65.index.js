export const id = 65;
export const ids = [65];
export const modules = {

/***/ 9257:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BS: () => (/* binding */ taskId),
/* harmony export */   F7: () => (/* binding */ placementCause),
/* harmony export */   FR: () => (/* binding */ failureRank),
/* harmony export */   JH: () => (/* binding */ targetCause),
/* harmony export */   Om: () => (/* binding */ groupDiagnostics),
/* harmony export */   Vv: () => (/* binding */ taskCause),
/* harmony export */   Yr: () => (/* binding */ causeWithLogLine),
/* harmony export */   es: () => (/* binding */ rootCause),
/* harmony export */   ok: () => (/* binding */ failingContainer),
/* harmony export */   us: () => (/* binding */ describeStoppedTask),
/* harmony export */   wn: () => (/* binding */ groupByCause)
/* harmony export */ });
/* unused harmony export groupTitle */
/* harmony import */ var _core_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2208);

/** A stopped reason or container reason is shown up to this length; a log line up to oneLine's default. */
const REASON_MAX = 500;
const INIT_ERRORS = /(CannotPullContainerError|ResourceInitializationError|CannotStartContainerError|CannotCreateVolumeError|ContainerRuntimeError|CannotInspectContainerError|InternalError|SpotInterruption)[^]*/;
function taskId(taskArn) {
    return (taskArn ?? '').split('/').pop() ?? '';
}
/**
 * Tasks that show the failure first: a container that exited non-zero or a task that failed to start, then an
 * essential container that exited, then tasks stopped by the scheduler or a person (scaling in, replacement).
 */
function failureRank(task) {
    // Stopped by the scheduler for failing health checks: a failure, whatever the stop code says.
    if (/failed (ELB|container) health checks/i.test(task.stoppedReason ?? ''))
        return 1;
    // The scheduler stops healthy old tasks with SIGTERM (exit 143): that is no failure.
    if (task.stopCode === 'ServiceSchedulerInitiated' || task.stopCode === 'UserInitiated')
        return 2;
    if ((task.containers ?? []).some(c => c.exitCode !== undefined && c.exitCode !== 0))
        return 0;
    if (task.stopCode === 'TaskFailedToStart')
        return 0;
    if (task.stopCode === 'EssentialContainerExited')
        return 1;
    return 2;
}
/** A task's stop as lines: its reason and code, and each container's status, exit code and reason. */
function describeStoppedTask(task) {
    const lines = [];
    if (task.stoppedReason)
        lines.push(`stoppedReason: ${task.stoppedReason}`);
    if (task.stopCode)
        lines.push(`stopCode: ${task.stopCode}`);
    for (const c of task.containers ?? []) {
        const exit = c.exitCode !== undefined ? `exit code ${c.exitCode}` : 'no exit code';
        const line = `container ${c.name}: ${c.lastStatus ?? ''} ${exit}${c.reason ? ` (${c.reason})` : ''}`;
        lines.push((0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(line, { max: REASON_MAX }));
    }
    return lines;
}
/**
 * The container whose exit stopped the task: one that exited non-zero, preferring a code other than 143, which
 * is what the others show when ECS stops them with SIGTERM after an essential container exited.
 */
function exitedContainer(task) {
    const exited = (task.containers ?? []).filter(c => c.exitCode !== undefined && c.exitCode !== 0);
    return exited.find(c => c.exitCode !== 143) ?? exited[0];
}
/** The container to read logs of: the one that exited, else one with a reason, else the first essential. */
function failingContainer(task, definitions) {
    const containers = task.containers ?? [];
    const bad = exitedContainer(task) ?? containers.find(c => c.reason);
    if (bad?.name)
        return bad.name;
    return definitions.find(d => d.essential !== false)?.name ?? containers[0]?.name;
}
/**
 * One task's reason for stopping: an error that kept it from starting, a container out of memory, failed
 * health checks, or the exit code of the container that exited.
 */
function taskCause(task, definitions = []) {
    const reason = task.stoppedReason ?? '';
    const containers = task.containers ?? [];
    for (const text of [reason, ...containers.map(c => c.reason ?? '')]) {
        const init = INIT_ERRORS.exec(text);
        if (init)
            return { text: (0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(init[0], { max: REASON_MAX }) };
    }
    const oom = containers.find(c => /OutOfMemory/i.test(c.reason ?? '') || (c.exitCode === 137 && /memory/i.test(reason)));
    if (oom) {
        const limit = definitions.find(d => d.name === oom.name)?.memory;
        const text = `${oom.name} ran out of memory (exit code ${oom.exitCode ?? 137}${limit ? `, limit ${limit} MiB` : ''}): ${oom.reason ?? reason}`;
        return { text: (0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(text, { max: REASON_MAX }) };
    }
    if (/failed ELB health checks/i.test(reason))
        return { text: (0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(reason, { max: REASON_MAX }) };
    if (/failed container health checks/i.test(reason)) {
        const unhealthy = containers.find(c => c.healthStatus === 'UNHEALTHY') ?? containers[0];
        const check = definitions.find(d => d.name === unhealthy?.name)?.healthCheck?.command;
        const text = `${unhealthy?.name ?? 'a container'} never became healthy: ${reason}${check ? ` (health check: ${check.join(' ')})` : ''}`;
        return { text: (0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(text, { max: REASON_MAX }) };
    }
    // A task the scheduler or a person stopped exits 143 (SIGTERM): its reason says why, not the code.
    const exited = failureRank(task) < 2 ? exitedContainer(task) : undefined;
    if (exited?.name !== undefined && exited.exitCode !== undefined)
        return {
            text: `${exited.name} exited with code ${exited.exitCode}`,
            exited: { container: exited.name, code: exited.exitCode }
        };
    return { text: (0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(reason || task.stopCode || 'stopped without a reason', { max: REASON_MAX }) };
}
/**
 * The cause in one line with the error line of the exited container's own log (`app exited with code 1:
 * Error: DATABASE_URL is not set`); a log of another container, or a cause that is no exit, adds nothing.
 */
function causeWithLogLine(cause, log) {
    const own = cause.exited !== undefined && log !== undefined && log.container === cause.exited.container;
    const line = own ? (0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .rootCauseLine */ .Yc)(log.lines) : undefined;
    return line ? `${cause.text}: ${(0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(line)}` : cause.text;
}
/** Stopped tasks grouped by cause, the largest group of failures first. */
function groupByCause(tasks, definitions = []) {
    const groups = new Map();
    for (const task of tasks) {
        const cause = taskCause(task, definitions);
        const group = groups.get(cause.text) ?? { cause, tasks: [] };
        group.tasks.push(task);
        groups.set(cause.text, group);
    }
    return [...groups.values()].sort((a, b) => failureRank(a.tasks[0]) - failureRank(b.tasks[0]) || b.tasks.length - a.tasks.length);
}
/** `3 tasks stopped: …` or `Task 1b1b stopped: …`. */
function groupTitle(group) {
    return group.tasks.length === 1
        ? `Task ${taskId(group.tasks[0].taskArn)} stopped: ${group.cause.text}`
        : `${group.tasks.length} tasks stopped: ${group.cause.text}`;
}
/** Unhealthy targets with the same description, as one line: `target 10.0.1.17:8080 unhealthy: …`. */
function targetCause(targets) {
    if (targets.length === 0)
        return undefined;
    const byText = new Map();
    for (const t of targets)
        byText.set(t.text, [...(byText.get(t.text) ?? []), t.where]);
    const [text, where] = [...byText.entries()].sort((a, b) => b[1].length - a[1].length)[0];
    const line = (0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(text, { max: REASON_MAX });
    return where.length === 1
        ? `target ${where[0]} unhealthy: ${line}`
        : `${where.length} targets unhealthy (${where.slice(0, 3).join(', ')}${where.length > 3 ? ', …' : ''}): ${line}`;
}
/** A task ECS could not place, from the service events: `ECS was unable to place a task: …`. */
function placementCause(events) {
    const event = [...events].reverse().find(e => /unable to place a task/i.test(e));
    if (!event)
        return undefined;
    return (0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(`ECS was ${event.slice(event.search(/unable to place a task/i))}`, { max: REASON_MAX });
}
/**
 * The one line: tasks that failed (an exit with the exited container's error line), unless they were stopped
 * for failing the load balancer's health checks and the targets say why; then unhealthy targets; then a task
 * ECS could not place.
 */
function rootCause(evidence) {
    const { groups, failing, targets, placement, log } = evidence;
    const top = failing > 0 ? groups[0] : undefined;
    if (top && !(targets && /ELB health checks/i.test(top.cause.text))) {
        const cause = causeWithLogLine(top.cause, log);
        return top.tasks.length > 1 ? `${top.tasks.length} tasks stopped: ${cause}` : cause;
    }
    return targets ?? placement;
}
/** Each group of stopped tasks as a diagnostic (the first `max` groups; a line says how many more there are). */
function groupDiagnostics(groups, max) {
    const diagnostics = groups.slice(0, max).map(group => {
        const sample = group.tasks[0];
        const several = group.tasks.length > 1;
        return {
            title: groupTitle(group),
            severity: failureRank(sample) < 2 ? 'error' : 'info',
            lines: [
                ...(several ? [`tasks: ${group.tasks.map(t => taskId(t.taskArn)).join(', ')}`] : []),
                ...(several ? [`task ${taskId(sample.taskArn)}:`] : []),
                ...describeStoppedTask(sample)
            ]
        };
    });
    if (groups.length > max)
        diagnostics.push({
            title: 'Stopped tasks',
            severity: 'info',
            lines: [`${groups.length - max} more groups of stopped tasks are not shown.`]
        });
    return diagnostics;
}


/***/ }),

/***/ 7065:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   diagnose: () => (/* binding */ diagnose)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(212);
/* harmony import */ var _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(586);
/* harmony import */ var _core_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2208);
/* harmony import */ var _causes_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9257);
/* harmony import */ var _logs_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9274);





async function diagnose(clients, options, log) {
    const definitions = options.taskDefinition?.containerDefinitions ?? [];
    const stopped = await stoppedTasks(clients.ecs, options);
    const groups = (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .groupByCause */ .wn)(stopped.tasks, definitions);
    const diagnostics = [...stopped.diagnostics, ...(0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .groupDiagnostics */ .Om)(groups, options.maxTasks ?? 5)];
    const health = clients.elb
        ? await targetHealth(clients.elb, options.service)
        : { diagnostics: [], unhealthy: [] };
    diagnostics.push(...health.diagnostics);
    let tail;
    const logs = clients.logs;
    if (stopped.tasks.length > 0 && logs) {
        const found = await failingLog({ ...clients, logs }, stopped.tasks, definitions, options);
        diagnostics.push(found.diagnostic);
        tail = found.tail;
    }
    const cause = (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .rootCause */ .es)({
        groups,
        failing: stopped.tasks.filter(t => (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .failureRank */ .FR)(t) < 2).length,
        targets: (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .targetCause */ .JH)(health.unhealthy),
        placement: (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .placementCause */ .F7)(options.events ?? []),
        log: tail
    });
    log.untrusted(diagnostics.flatMap(d => [`${d.title}:`, ...d.lines.map(l => `  ${l}`)]));
    return { diagnostics, rootCause: cause };
}
/** The deployment's stopped tasks, those that show the failure first, then the newest. */
async function stoppedTasks(ecs, options) {
    try {
        const listed = await ecs.send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_2__.ListTasksCommand({
            cluster: options.cluster,
            startedBy: options.deploymentId,
            desiredStatus: 'STOPPED',
            maxResults: 100
        }));
        const arns = listed.taskArns ?? [];
        if (arns.length === 0) {
            const none = `No stopped tasks were started by ${options.deploymentId}.`;
            return { tasks: [], diagnostics: [{ title: 'Stopped tasks', severity: 'info', lines: [none] }] };
        }
        const described = await ecs.send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_2__.DescribeTasksCommand({ cluster: options.cluster, tasks: arns }));
        const tasks = [...(described.tasks ?? [])].sort((a, b) => (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .failureRank */ .FR)(a) - (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .failureRank */ .FR)(b) || time(b.stoppedAt) - time(a.stoppedAt));
        return { tasks, diagnostics: [] };
    }
    catch (error) {
        const line = `Could not list the stopped tasks: ${(0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .describeError */ .Uc)(error)}`;
        return { tasks: [], diagnostics: [{ title: 'Stopped tasks', severity: 'warning', lines: [line] }] };
    }
}
/** The targets of the service's target groups that are not healthy, one diagnostic per group. */
async function targetHealth(elb, service) {
    const diagnostics = [];
    const unhealthy = [];
    const arns = (service?.loadBalancers ?? []).map(lb => lb.targetGroupArn).filter(a => a !== undefined);
    for (const arn of new Set(arns)) {
        try {
            const out = await elb.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_3__.DescribeTargetHealthCommand({ TargetGroupArn: arn }));
            const bad = (out.TargetHealthDescriptions ?? []).filter(t => t.TargetHealth?.State !== 'healthy');
            if (bad.length === 0)
                continue;
            const lines = bad.map(t => {
                const h = t.TargetHealth;
                const where = `${t.Target?.Id ?? '?'}${t.Target?.Port !== undefined ? `:${t.Target.Port}` : ''}`;
                if (h?.State === 'unhealthy')
                    unhealthy.push({ where, text: h.Description ?? h.Reason ?? 'unhealthy' });
                return `${where} ${h?.State ?? 'unknown'}${h?.Reason ? ` ${h.Reason}` : ''}${h?.Description ? `: ${h.Description}` : ''}`;
            });
            diagnostics.push({ title: `Unhealthy targets in ${arn.split(':').pop()}`, severity: 'error', lines });
        }
        catch (error) {
            const line = `Could not read the health of ${arn}: ${(0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .describeError */ .Uc)(error)}`;
            diagnostics.push({ title: 'Target health', severity: 'warning', lines: [line] });
        }
    }
    return { diagnostics, unhealthy };
}
/**
 * The last lines of the failing container's log: from the first task (in failure order) whose stream exists.
 * A task that never started has no stream, so up to three tasks that show the failure are tried.
 */
async function failingLog(clients, tasks, definitions, options) {
    const failing = tasks.filter(t => (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .failureRank */ .FR)(t) < 2).slice(0, 3);
    const missing = [];
    for (const task of failing.length > 0 ? failing : tasks.slice(0, 1)) {
        const name = (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .failingContainer */ .ok)(task, definitions);
        const definition = definitions.find(d => d.name === name);
        const stream = (0,_logs_js__WEBPACK_IMPORTED_MODULE_4__/* .awslogsStream */ .Bs)(definition, (0,_causes_js__WEBPACK_IMPORTED_MODULE_1__/* .taskId */ .BS)(task.taskArn), options.region);
        if (!name || !stream) {
            const line = 'The container does not log through awslogs with a stream prefix, so its log cannot be read here.';
            return { diagnostic: { title: `Logs of ${name}`, severity: 'info', lines: [line] } };
        }
        const where = `${stream.group} ${stream.stream}`;
        try {
            const logs = (0,_logs_js__WEBPACK_IMPORTED_MODULE_4__/* .logsClientFor */ .qW)(clients, stream.region, options.region) ?? clients.logs;
            const lines = await (0,_logs_js__WEBPACK_IMPORTED_MODULE_4__/* .tailLog */ .px)(logs, stream.group, stream.stream, options.logLines ?? 30);
            return {
                diagnostic: {
                    title: `Last ${lines.length} log lines of ${name} (${where})`,
                    severity: 'info',
                    lines: lines.length > 0 ? lines : ['(the log stream is empty)']
                },
                tail: { container: name, lines }
            };
        }
        catch (error) {
            const line = `Could not read ${where}: ${(0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .describeError */ .Uc)(error)}`;
            if ((0,_core_index_js__WEBPACK_IMPORTED_MODULE_0__/* .errorName */ .Is)(error) !== 'ResourceNotFoundException')
                return { diagnostic: { title: `Logs of ${name}`, severity: 'warning', lines: [line] } };
            missing.push(line);
        }
    }
    return { diagnostic: { title: 'Logs of the failing container', severity: 'warning', lines: missing } };
}
function time(value) {
    return value ? new Date(value).getTime() : 0;
}


/***/ }),

/***/ 9274:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Bs: () => (/* binding */ awslogsStream),
/* harmony export */   px: () => (/* binding */ tailLog),
/* harmony export */   qW: () => (/* binding */ logsClientFor)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_cloudwatch_logs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2684);
/**
 * A container's log in CloudWatch Logs: where the awslogs driver writes it (`<prefix>/<container>/<task-id>` in
 * the group, in the region the container names), and its last lines. Used by diagnose.ts and runtask.ts.
 */

/** The Logs client for a stream's region: the usual one, or one for the region the container logs to. */
function logsClientFor(clients, streamRegion, region) {
    if (streamRegion !== region && clients.logsFor)
        return clients.logsFor(streamRegion);
    return clients.logs;
}
/** `<prefix>/<container>/<task-id>` in the awslogs group, when the container logs through awslogs with a prefix. */
function awslogsStream(definition, task, region) {
    const log = definition?.logConfiguration;
    if (!definition || log?.logDriver !== 'awslogs')
        return undefined;
    const group = log.options?.['awslogs-group'];
    const prefix = log.options?.['awslogs-stream-prefix'];
    if (!group || !prefix)
        return undefined;
    return {
        group,
        stream: `${prefix}/${definition.name}/${task}`,
        region: log.options?.['awslogs-region'] ?? region
    };
}
/** The last `lines` messages of a stream, oldest first. */
async function tailLog(logs, group, stream, lines) {
    const out = await logs.send(new _aws_sdk_client_cloudwatch_logs__WEBPACK_IMPORTED_MODULE_0__.GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        limit: lines,
        startFromHead: false
    }));
    return (out.events ?? []).slice(-lines).map(e => (e.message ?? '').replace(/\n$/, ''));
}


/***/ })

};
