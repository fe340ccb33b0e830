export const id = 77;
export const ids = [77];
export const modules = {

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


/***/ }),

/***/ 6077:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runOneOffTask: () => (/* binding */ runOneOffTask),
/* harmony export */   runTaskRequest: () => (/* binding */ runTaskRequest)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(212);
/* harmony import */ var _core_index_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2208);
/* harmony import */ var _launch_settings_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8982);
/* harmony import */ var _causes_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9257);
/* harmony import */ var _logs_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(9274);
/**
 * The one-off task (`run-task`, e.g. migrations): run the new revision with a command override, using the
 * service's network configuration, launch type or capacity providers and platform version; wait until it stops;
 * fail on a non-zero exit of the essential container, with its last log lines. Why it stopped is judged by
 * causes.ts, as for a failed rollout: the error line attached to an exit is always the exited container's own.
 */






/** The RunTask request: pure, so the network copying is unit-tested. */
function runTaskRequest(options, container) {
    const s = options.service;
    const request = {
        cluster: options.cluster,
        taskDefinition: options.taskDefinition.taskDefinitionArn,
        count: 1,
        startedBy: 'dockyard/run-task',
        overrides: { containerOverrides: [{ name: container, command: options.command }] }
    };
    if (s?.capacityProviderStrategy && s.capacityProviderStrategy.length > 0)
        request.capacityProviderStrategy = s.capacityProviderStrategy;
    else if (s?.launchType)
        request.launchType = s.launchType;
    if (s?.networkConfiguration?.awsvpcConfiguration)
        request.networkConfiguration = s.networkConfiguration;
    if (s?.platformVersion)
        request.platformVersion = s.platformVersion;
    if (s?.enableECSManagedTags)
        request.enableECSManagedTags = true;
    if (s?.propagateTags && s.propagateTags !== 'NONE')
        request.propagateTags = s.propagateTags;
    const launch = options.launch ?? {};
    const volumes = launch.volumeConfigurations ?? (0,_launch_settings_js__WEBPACK_IMPORTED_MODULE_2__/* .currentVolumeConfigurations */ .FL)(s);
    const taskVolumes = (0,_launch_settings_js__WEBPACK_IMPORTED_MODULE_2__/* .taskVolumeConfigurations */ .XL)(volumes, options.taskDefinition);
    if (taskVolumes.length > 0)
        request.volumeConfigurations = taskVolumes;
    // Like the service's tasks, unless the step turns it on or off.
    const exec = launch.enableExecuteCommand ?? (s?.enableExecuteCommand || undefined);
    if (exec !== undefined)
        request.enableExecuteCommand = exec;
    return request;
}
async function runOneOffTask(clients, options, log) {
    const definitions = options.taskDefinition.containerDefinitions ?? [];
    const container = overriddenContainer(definitions, options.container);
    const started = await startTask(clients.ecs, options, container, log);
    const taskArn = started.taskArn;
    const { outcome, task, lastStatus } = await waitUntilStopped(clients.ecs, options, started, log);
    const exitCode = task?.containers?.find(c => c.name === container)?.exitCode;
    const ok = outcome.kind === 'done' && exitCode === 0;
    const cause = outcome.kind === 'done' && !ok && task ? (0,_causes_js__WEBPACK_IMPORTED_MODULE_3__/* .taskCause */ .Vv)(task, definitions) : undefined;
    // The log of the container that exited says why; without an exit, the log of the one the command ran in.
    const logContainer = cause?.exited?.container ?? container;
    const read = ok
        ? { lines: [] }
        : await readLog(clients, definitions.find(d => d.name === logContainer), taskArn, options);
    const id = (0,_causes_js__WEBPACK_IMPORTED_MODULE_3__/* .taskId */ .BS)(taskArn);
    const seen = { taskArn, exitCode, container, task, details: task ? (0,_causes_js__WEBPACK_IMPORTED_MODULE_3__/* .describeStoppedTask */ .us)(task) : [] };
    const result = { ...seen, ok: false, logLines: read.lines };
    if (outcome.kind === 'cancelled')
        return {
            ...result,
            status: 'CANCELLED',
            reason: `Cancelled while the one-off task ${id} was ${lastStatus}; it keeps running.`
        };
    if (outcome.kind === 'timeout')
        return {
            ...result,
            status: 'TIMED_OUT',
            reason: `The one-off task ${id} did not stop within ${(0,_core_index_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(options.timeoutMs)} (${lastStatus}).`
        };
    if (ok) {
        const reason = `The one-off task ${id} exited 0.`;
        log.info(reason);
        return { ...result, ok, status: 'STOPPED', reason };
    }
    const why = cause ? (0,_causes_js__WEBPACK_IMPORTED_MODULE_3__/* .causeWithLogLine */ .Yr)(cause, read.tail) : undefined;
    const reason = `${why ?? `${container} stopped without an exit code`} (one-off task ${id}).`;
    // The stopped reason and the log lines are the task's own text: data, never workflow commands.
    log.untrusted([...result.details, ...(read.lines.length > 0 ? ['Last log lines:', ...read.lines] : [])]);
    log.error(reason, { title: 'run-task failed' });
    return { ...result, status: 'STOPPED', reason, cause: why };
}
/** The container the command runs in: the one named by `container`, else the first essential one. */
function overriddenContainer(definitions, name) {
    const definition = name
        ? definitions.find(d => d.name === name)
        : (definitions.find(d => d.essential !== false) ?? definitions[0]);
    if (!definition?.name)
        throw new _core_index_js__WEBPACK_IMPORTED_MODULE_1__/* .DockyardError */ .gt(`the task definition has no container named '${name}'.`, { input: 'container' });
    return definition.name;
}
/** RunTask, once: the started task, or an error saying why ECS did not start it. */
async function startTask(ecs, options, container, log) {
    // RunTask takes an idempotency token: the SDK's retries of this one call cannot start a second task.
    const request = { ...runTaskRequest(options, container), clientToken: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)() };
    const { family, revision } = options.taskDefinition;
    log.info(`Running '${options.command.join(' ')}' in ${container} of ${family}:${revision}.`);
    const out = await ecs.send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_4__.RunTaskCommand(request));
    const started = out.tasks?.[0];
    const taskArn = started?.taskArn;
    if (!started || !taskArn) {
        const failure = out.failures?.map(f => `${f.reason ?? ''}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
        throw new _core_index_js__WEBPACK_IMPORTED_MODULE_1__/* .DockyardError */ .gt(`ECS did not start the one-off task${failure ? `: ${failure}` : ''}.`, {
            input: 'run-task',
            hint: 'Check the capacity of the cluster and the network configuration of the service.'
        });
    }
    log.info(`Started task ${(0,_causes_js__WEBPACK_IMPORTED_MODULE_3__/* .taskId */ .BS)(taskArn)}; waiting for it to stop.`);
    return { ...started, taskArn };
}
/** Follows the task until it is STOPPED, the timeout, or cancellation; prints each new status. */
async function waitUntilStopped(ecs, options, started, log) {
    const taskArn = started.taskArn;
    let last = started;
    let lastStatus = started.lastStatus ?? '';
    const outcome = await (0,_core_index_js__WEBPACK_IMPORTED_MODULE_1__/* .poll */ .wt)({
        intervalMs: options.intervalMs,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        clock: options.clock ?? _core_index_js__WEBPACK_IMPORTED_MODULE_1__/* .systemClock */ .ml,
        onRetry: (error, attempt, delay) => log.warning(`DescribeTasks (poll ${attempt}): ${(0,_core_index_js__WEBPACK_IMPORTED_MODULE_1__/* .errorName */ .Is)(error)}; next look in ${(0,_core_index_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(delay)}.`),
        check: async () => {
            const described = await ecs.send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_4__.DescribeTasksCommand({ cluster: options.cluster, tasks: [taskArn] }));
            const task = described.tasks?.[0];
            if (!task)
                return { done: false };
            last = task;
            if (task.lastStatus && task.lastStatus !== lastStatus) {
                log.info(`  task ${(0,_causes_js__WEBPACK_IMPORTED_MODULE_3__/* .taskId */ .BS)(taskArn)}: ${task.lastStatus}`);
                lastStatus = task.lastStatus;
            }
            return task.lastStatus === 'STOPPED' ? { done: true, value: task } : { done: false };
        }
    });
    return { outcome, task: outcome.kind === 'done' ? outcome.value : last, lastStatus };
}
/** The container's last log lines; a read that fails is said in the lines, and gives no tail to judge. */
async function readLog(clients, definition, taskArn, options) {
    const stream = (0,_logs_js__WEBPACK_IMPORTED_MODULE_5__/* .awslogsStream */ .Bs)(definition, (0,_causes_js__WEBPACK_IMPORTED_MODULE_3__/* .taskId */ .BS)(taskArn), options.region);
    const logs = stream ? (0,_logs_js__WEBPACK_IMPORTED_MODULE_5__/* .logsClientFor */ .qW)(clients, stream.region, options.region) : undefined;
    if (!definition?.name || !stream || !logs)
        return { lines: [] };
    try {
        const lines = await (0,_logs_js__WEBPACK_IMPORTED_MODULE_5__/* .tailLog */ .px)(logs, stream.group, stream.stream, options.logLines ?? 30);
        return { lines, tail: { container: definition.name, lines } };
    }
    catch (error) {
        return { lines: [`(could not read ${stream.group} ${stream.stream}: ${(0,_core_index_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(error)})`] };
    }
}


/***/ })

};
