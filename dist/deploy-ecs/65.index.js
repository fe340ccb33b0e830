export const id = 65;
export const ids = [65];
export const modules = {

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
