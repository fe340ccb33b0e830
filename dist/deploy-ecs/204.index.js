export const id = 204;
export const ids = [204];
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

/***/ 7573:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   x: () => (/* binding */ lazyClients)
/* harmony export */ });
/* unused harmony export givenClients */
/* harmony import */ var _core_aws_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2637);

/** One client class, loaded on first use, one client per region. */
function lazyPerRegion(load, options) {
    const made = new Map();
    let loaded;
    return {
        get() {
            loaded ??= load().then(Class => (region) => {
                let client = made.get(region);
                if (!client) {
                    client = (0,_core_aws_js__WEBPACK_IMPORTED_MODULE_0__/* .createClient */ .UU)(Class, { ...options, region });
                    made.set(region, client);
                }
                return client;
            });
            return loaded;
        },
        destroy: () => made.forEach(c => c.destroy())
    };
}
/**
 * deploy-ecs's clients. Standard retries: backoff on throttling and 5xx, without adaptive mode's client-side
 * rate limiting, which after one throttled call would hold every later call of the client for seconds and delay
 * detection.
 */
function lazyClients(region, signal) {
    const options = { region, retryMode: 'standard', signal };
    const ecs = lazyPerRegion(() => Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 212, 19)).then(m => m.ECSClient), options);
    const ecsNoRetry = lazyPerRegion(() => Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 212, 19)).then(m => m.ECSClient), {
        ...options,
        maxAttempts: 1
    });
    const logs = lazyPerRegion(() => __webpack_require__.e(/* import() */ 303).then(__webpack_require__.t.bind(__webpack_require__, 2684, 19)).then(m => m.CloudWatchLogsClient), options);
    const elb = lazyPerRegion(() => Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 586, 19)).then(m => m.ElasticLoadBalancingV2Client), options);
    const ecr = lazyPerRegion(() => __webpack_require__.e(/* import() */ 249).then(__webpack_require__.t.bind(__webpack_require__, 8249, 19)).then(m => m.ECRClient), options);
    const ssm = lazyPerRegion(() => __webpack_require__.e(/* import() */ 736).then(__webpack_require__.t.bind(__webpack_require__, 4736, 19)).then(m => m.SSMClient), options);
    const secrets = lazyPerRegion(() => __webpack_require__.e(/* import() */ 994).then(__webpack_require__.t.bind(__webpack_require__, 2994, 19)).then(m => m.SecretsManagerClient), options);
    return {
        ecs: async () => ({ ecs: (await ecs.get())(region), ecsNoRetry: (await ecsNoRetry.get())(region) }),
        logs: async () => {
            const logsFor = await logs.get();
            return { logs: logsFor(region), logsFor };
        },
        elb: async () => (await elb.get())(region),
        verify: async () => {
            const [ecrFor, ssmFor, secretsFor, logsFor] = await Promise.all([
                ecr.get(),
                ssm.get(),
                secrets.get(),
                logs.get()
            ]);
            return { ecrFor, ssmFor, secretsFor, logsFor };
        },
        destroy: () => [ecs, ecsNoRetry, logs, elb, ecr, ssm, secrets].forEach(c => c.destroy())
    };
}
/** Clients made by the caller (tests), handed out as they are; a missing one is a check skipped. */
function givenClients(clients) {
    return {
        ecs: async () => clients,
        logs: async () => clients,
        elb: async () => clients.elb,
        verify: async () => clients,
        destroy: () => undefined
    };
}


/***/ }),

/***/ 8939:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  E0: () => (/* binding */ changedFields),
  lY: () => (/* binding */ describedAsRequest),
  JL: () => (/* binding */ sameTaskDefinition)
});

// UNUSED EXPORTS: normalise

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/defaults.ts
/**
 * The values ECS fills in when it registers a task definition, or that mean the same as leaving the member
 * out, from the ECS API reference and the developer guide's task definition parameters. Comparing a rendered
 * task definition with a registered revision removes them from both sides, so that a file that leaves them
 * out reuses the revision ECS stored with them.
 */
const fixed = (value) => () => value;
const DEFAULTS = [
    // Task: networkMode defaults to bridge on Linux (ContainerDefinition docs: "The default is bridge").
    { path: 'networkMode', value: fixed('bridge') },
    { path: 'enableFaultInjection', value: fixed(false) },
    // Containers.
    { path: 'containerDefinitions[].essential', value: fixed(true) },
    { path: 'containerDefinitions[].cpu', value: fixed(0) },
    { path: 'containerDefinitions[].portMappings[].protocol', value: fixed('tcp') },
    // awsvpc and host: hostPort is the containerPort, and ECS stores it so.
    {
        path: 'containerDefinitions[].portMappings[].hostPort',
        value: (port, task) => task.networkMode === 'awsvpc' || task.networkMode === 'host' ? port.containerPort : undefined
    },
    { path: 'containerDefinitions[].mountPoints[].readOnly', value: fixed(false) },
    { path: 'containerDefinitions[].volumesFrom[].readOnly', value: fixed(false) },
    { path: 'containerDefinitions[].privileged', value: fixed(false) },
    { path: 'containerDefinitions[].readonlyRootFilesystem', value: fixed(false) },
    { path: 'containerDefinitions[].disableNetworking', value: fixed(false) },
    { path: 'containerDefinitions[].interactive', value: fixed(false) },
    { path: 'containerDefinitions[].pseudoTerminal', value: fixed(false) },
    { path: 'containerDefinitions[].linuxParameters.initProcessEnabled', value: fixed(false) },
    // HealthCheck: interval 30 s, timeout 5 s, retries 3, startPeriod off (0); ECS returns the first three.
    { path: 'containerDefinitions[].healthCheck.interval', value: fixed(30) },
    { path: 'containerDefinitions[].healthCheck.timeout', value: fixed(5) },
    { path: 'containerDefinitions[].healthCheck.retries', value: fixed(3) },
    { path: 'containerDefinitions[].healthCheck.startPeriod', value: fixed(0) },
    { path: 'containerDefinitions[].environmentFiles[].type', value: fixed('s3') },
    { path: 'containerDefinitions[].versionConsistency', value: fixed('enabled') },
    // Volumes: EFS mounts the root ("/") without encryption in transit and without IAM authorization.
    { path: 'volumes[].efsVolumeConfiguration.rootDirectory', value: fixed('/') },
    { path: 'volumes[].efsVolumeConfiguration.transitEncryption', value: fixed('DISABLED') },
    { path: 'volumes[].efsVolumeConfiguration.authorizationConfig.iam', value: fixed('DISABLED') },
    // Docker volumes are task-scoped unless said otherwise; autoprovision applies to shared ones only.
    { path: 'volumes[].dockerVolumeConfiguration.scope', value: fixed('task') },
    { path: 'volumes[].dockerVolumeConfiguration.autoprovision', value: fixed(false) },
    { path: 'volumes[].configuredAtLaunch', value: fixed(false) },
    { path: 'proxyConfiguration.type', value: fixed('APPMESH') }
];
function strip(parent, parts, task, def) {
    if (!parent || typeof parent !== 'object')
        return;
    const [head, ...rest] = parts;
    const list = head.endsWith('[]');
    const key = list ? head.slice(0, -2) : head;
    const value = parent[key];
    if (rest.length === 0) {
        if (value !== undefined && JSON.stringify(value) === JSON.stringify(def.value(parent, task)))
            delete parent[key];
        return;
    }
    if (list) {
        if (Array.isArray(value))
            for (const item of value)
                strip(item, rest, task, def);
    }
    else
        strip(value, rest, task, def);
}
/** A copy without the members that equal what ECS would store for them anyway. */
function withoutDefaults(request) {
    const copy = structuredClone(request);
    // The hostPort rule reads networkMode, so it runs before networkMode itself is removed.
    for (const def of DEFAULTS.filter(d => d.path !== 'networkMode'))
        strip(copy, def.path.split('.'), copy, def);
    strip(copy, ['networkMode'], copy, DEFAULTS[0]);
    return copy;
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/normalise.ts
var normalise = __webpack_require__(5247);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/render.ts
var render = __webpack_require__(9393);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/compare.ts



/** Lists whose order carries no meaning, sorted by this key. */
const UNORDERED_BY = {
    environment: 'name',
    secrets: 'name',
    tags: 'key',
    ulimits: 'name',
    systemControls: 'namespace',
    extraHosts: 'hostname',
    environmentFiles: 'value'
};
function compare_normalise(request) {
    const copy = withoutDefaults(request);
    if (copy.cpu !== undefined)
        copy.cpu = (0,normalise/* taskCpu */.Oh)(String(copy.cpu)) ?? copy.cpu;
    if (copy.memory !== undefined)
        copy.memory = (0,normalise/* taskMemory */.HI)(String(copy.memory)) ?? copy.memory;
    return canonical(copy) ?? {};
}
/** Sorted keys; no undefined, null, empty lists or empty objects. */
function canonical(value, key = '') {
    if (value === null || value === undefined)
        return undefined;
    if (value instanceof Date)
        return value.toISOString();
    if (Array.isArray(value)) {
        let items = value.map(v => canonical(v)).filter((v) => v !== undefined);
        const by = UNORDERED_BY[key];
        if (by)
            items = [...items].sort((a, b) => String(a[by]).localeCompare(String(b[by])));
        return items.length === 0 ? undefined : items;
    }
    if (typeof value === 'object') {
        const entries = Object.keys(value)
            .sort()
            .map(k => [k, canonical(value[k], k)])
            .filter(([, v]) => v !== undefined);
        return entries.length === 0 ? undefined : Object.fromEntries(entries);
    }
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
        return value;
    return String(value);
}
/** A registered revision (DescribeTaskDefinition's taskDefinition + tags) as a request, for comparing. */
function describedAsRequest(taskDefinition, tags) {
    return (0,render/* toRegisterRequest */.wu)({ taskDefinition: taskDefinition, tags }).request;
}
function sameTaskDefinition(a, b) {
    return JSON.stringify(compare_normalise(a)) === JSON.stringify(compare_normalise(b));
}
/** Top-level fields that differ, for telling people what changed beyond the summary's table. */
function changedFields(a, b) {
    const na = (compare_normalise(a) ?? {});
    const nb = (compare_normalise(b) ?? {});
    const keys = [...new Set([...Object.keys(na), ...Object.keys(nb)])].sort();
    return keys.filter(k => JSON.stringify(na[k]) !== JSON.stringify(nb[k]));
}


/***/ }),

/***/ 6823:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  checkCluster: () => (/* binding */ checkCluster),
  checkService: () => (/* binding */ checkService),
  cleanUp: () => (/* binding */ cleanUp),
  deploy: () => (/* binding */ deploy_deploy),
  dryRun: () => (/* binding */ dryRun),
  explain: () => (/* binding */ explain),
  oneOffTask: () => (/* binding */ oneOffTask),
  pacing: () => (/* binding */ pacing),
  registerRevision: () => (/* binding */ registerRevision),
  render: () => (/* binding */ deploy_render),
  rollBackService: () => (/* binding */ rollBackService),
  shiftsTraffic: () => (/* binding */ shiftsTraffic),
  updateService: () => (/* binding */ updateService),
  verify: () => (/* binding */ verify),
  wait: () => (/* binding */ wait)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecs/dist-cjs/index.js
var dist_cjs = __webpack_require__(212);
// EXTERNAL MODULE: ./core/aws.ts + 1 modules
var aws = __webpack_require__(2637);
// EXTERNAL MODULE: ./core/deploy.ts
var deploy = __webpack_require__(5705);
// EXTERNAL MODULE: ./core/errors.ts
var errors = __webpack_require__(265);
// EXTERNAL MODULE: ./core/index.ts
var core = __webpack_require__(2208);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/render.ts
var render = __webpack_require__(9393);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/cleanup.ts
/**
 * keep-revisions: deregister ACTIVE revisions of the family beyond the newest N. A revision that a deployment of
 * any service in the cluster uses (not only the one deployed to), or the one just deployed, is never deregistered.
 */



/** Which ARNs to deregister: pure. `arns` are the family's ACTIVE revisions in any order. */
function revisionsToDeregister(arns, family, keep, inUse) {
    const used = new Set(inUse.map(render/* taskDefinitionKey */.MT));
    const ofFamily = arns
        .filter(a => (0,render/* familyOf */.Ap)(a) === family)
        .sort((a, b) => ((0,render/* revisionOf */.DT)(b) ?? 0) - ((0,render/* revisionOf */.DT)(a) ?? 0));
    return ofFamily.slice(keep).filter(a => !used.has((0,render/* taskDefinitionKey */.MT)(a)));
}
async function cleanupRevisions(ecs, options, log) {
    const arns = [];
    for await (const page of (0,dist_cjs.paginateListTaskDefinitions)({ client: ecs }, { familyPrefix: options.family, status: 'ACTIVE', sort: 'DESC' })) {
        arns.push(...(page.taskDefinitionArns ?? []));
    }
    const doomed = revisionsToDeregister(arns, options.family, options.keep, options.inUse);
    const result = {
        deregistered: [],
        kept: arns.filter(a => (0,render/* familyOf */.Ap)(a) === options.family && !doomed.includes(a)),
        failed: []
    };
    for (const arn of doomed) {
        try {
            await ecs.send(new dist_cjs.DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
            result.deregistered.push(arn);
            log.info(`Deregistered ${(0,render/* taskDefinitionKey */.MT)(arn)}.`);
        }
        catch (error) {
            result.failed.push(arn);
            log.warning(`Could not deregister ${(0,render/* taskDefinitionKey */.MT)(arn)}: ${(0,core/* describeError */.Uc)(error)}`);
        }
    }
    if (doomed.length === 0)
        log.info(`Nothing to deregister: ${result.kept.length} ACTIVE revisions of ${options.family}, keeping ${options.keep}.`);
    return result;
}
/** The task definitions of every deployment of every service in the cluster. */
async function taskDefinitionsInUse(ecs, cluster) {
    const services = [];
    for await (const page of (0,dist_cjs.paginateListServices)({ client: ecs, pageSize: 100 }, { cluster })) {
        services.push(...(page.serviceArns ?? []));
    }
    const used = [];
    for (let i = 0; i < services.length; i += 10) {
        const out = await ecs.send(new dist_cjs.DescribeServicesCommand({ cluster, services: services.slice(i, i + 10) }));
        for (const service of out.services ?? []) {
            if (service.taskDefinition)
                used.push(service.taskDefinition);
            for (const d of service.deployments ?? [])
                if (d.taskDefinition)
                    used.push(d.taskDefinition);
        }
    }
    return used;
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/clients.ts
var src_clients = __webpack_require__(7573);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/compare.ts + 1 modules
var compare = __webpack_require__(8939);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/diff.ts
var src_diff = __webpack_require__(558);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/launch-settings.ts
var launch_settings = __webpack_require__(8982);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/register.ts
/**
 * Registers the rendered task definition, or reuses the family's latest ACTIVE revision when it is the same.
 * RegisterTaskDefinition is not idempotent: a retried call after a lost response would register twice. So the
 * register call goes through a client that does not retry, and after a transient error the latest revision is
 * looked at again before trying once more: when it is ours, it is used.
 */



/** The family's latest ACTIVE revision with its tags, or undefined when the family has none. */
async function latestRevision(ecs, family) {
    try {
        const out = await ecs.send(new dist_cjs.DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
        if (!out.taskDefinition)
            return undefined;
        return { taskDefinition: out.taskDefinition, request: (0,compare/* describedAsRequest */.lY)(out.taskDefinition, out.tags) };
    }
    catch (error) {
        // ECS answers ClientException "Unable to describe task definition." for a family with no ACTIVE revision.
        if ((0,core/* errorName */.Is)(error) === 'ClientException' || (0,core/* errorName */.Is)(error) === 'InvalidParameterException')
            return undefined;
        throw error;
    }
}
async function registerOrReuse(clients, request, log, options = {}) {
    const family = request.family ?? '';
    const latest = await latestRevision(clients.ecs, family);
    if (latest && (0,compare/* sameTaskDefinition */.JL)(latest.request, request)) {
        log.info(`The task definition is identical to ${family}:${latest.taskDefinition.revision}, the latest ACTIVE revision: reusing it.`);
        return asRegistration(latest.taskDefinition);
    }
    return (0,core/* sendOnce */.E4)({
        operation: 'RegisterTaskDefinition',
        ...options,
        log,
        send: async () => {
            const out = await clients.ecsNoRetry.send(new dist_cjs.RegisterTaskDefinitionCommand(request));
            const td = out.taskDefinition;
            if (!td?.taskDefinitionArn || td.revision === undefined)
                throw new Error('RegisterTaskDefinition returned no task definition.');
            log.info(`Registered ${family}:${td.revision}.`);
            return {
                taskDefinitionArn: td.taskDefinitionArn,
                revision: td.revision,
                registered: true,
                taskDefinition: td
            };
        },
        // The call may have succeeded on the server: the latest revision would then be ours.
        check: async () => {
            const again = await latestRevision(clients.ecs, family);
            if (!again ||
                !(0,compare/* sameTaskDefinition */.JL)(again.request, request) ||
                again.taskDefinition.revision === latest?.taskDefinition.revision)
                return undefined;
            log.info(`${family}:${again.taskDefinition.revision} was registered by the failed call: using it.`);
            return { ...asRegistration(again.taskDefinition), registered: true };
        }
    });
}
/** A revision that is already registered (reused, or named by `task-definition-arn`), as a registration. */
function asRegistration(td) {
    return {
        taskDefinitionArn: td.taskDefinitionArn ?? '',
        revision: td.revision ?? 0,
        registered: false,
        taskDefinition: td
    };
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/registered-describe.ts
/**
 * The registered revision `task-definition-arn` names, read from ECS in the render phase. Apart from registered.ts,
 * which reads the input, so that a step failing on its inputs loads no AWS SDK (scripts/startup.ts measures it).
 */


/**
 * DescribeTaskDefinition of the revision, with its tags. A revision ECS does not know, or one that is INACTIVE
 * or being deleted (ECS updates no service to those), is an error naming the input.
 */
async function describeRegistered(ecs, revision) {
    let found;
    try {
        const out = await ecs.send(new dist_cjs.DescribeTaskDefinitionCommand({ taskDefinition: revision.reference, include: ['TAGS'] }));
        found = out.taskDefinition && { ...out.taskDefinition, ...(out.tags?.length ? { tags: out.tags } : {}) };
    }
    catch (error) {
        // ECS answers ClientException "Unable to describe task definition." for a revision it does not have.
        if ((0,core/* errorName */.Is)(error) !== 'ClientException')
            throw error;
    }
    if (!found)
        throw new core/* DockyardError */.gt(`there is no task definition ${revision.key} in this account and region.`, {
            input: 'task-definition-arn',
            hint: 'Check the family, the revision and the region (aws ecs list-task-definitions lists them).'
        });
    if (found.status && found.status !== 'ACTIVE')
        throw new core/* DockyardError */.gt(`${revision.key} is ${found.status}: ECS updates no service to such a revision.`, {
            input: 'task-definition-arn',
            hint: 'Deploy an ACTIVE revision, or register this one again from its file.'
        });
    return found;
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/result.ts
var result = __webpack_require__(6928);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/rollout.ts
/**
 * Rolling out: UpdateService, then following *that* deployment by its id until it completes or fails.
 *
 * One DescribeServices call per poll, through a client that does not retry by itself: throttling and 5xx are
 * retried by the poller with backoff, never end the wait early, and never multiply the calls within a poll.
 * Each poll prints new service events and changes in the deployment's counts, and decides at once:
 *   - COMPLETED: the deployment's rolloutState is COMPLETED (or, without rolloutState, it is the only
 *     deployment and running equals desired);
 *   - FAILED: rolloutState FAILED and ECS is not rolling back;
 *   - ROLLED_BACK: ECS's circuit breaker rolled back (the deployment failed or is gone, and the service is back
 *     on another revision);
 *   - SUPERSEDED: another deployment took over;
 *   - TIMED_OUT / CANCELLED: the deadline passed, or the runner cancelled the job.
 */



async function describeService(ecs, target, signal) {
    const out = await ecs.send(new dist_cjs.DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }), { abortSignal: signal });
    const service = out.services?.[0];
    if (!service) {
        const failure = out.failures?.[0];
        throw new core/* DockyardError */.gt(`the service '${target.service}' does not exist in the cluster '${target.cluster}'${failure?.reason ? ` (${failure.reason})` : ''}.`, {
            input: 'service',
            hint: 'Check the service name and the cluster.'
        });
    }
    return service;
}
/**
 * Calls UpdateService and returns the deployment it started (the PRIMARY one in the answer). With
 * forceNewDeployment a blind retry would start a second deployment, so after a transient error the service is
 * described first: a PRIMARY deployment of our revision created since we started is ours.
 */
async function startDeployment(clients, target, options, log) {
    const startedAt = (options.clock ?? core/* systemClock */.ml).now();
    return (0,core/* sendOnce */.E4)({
        operation: 'UpdateService',
        log,
        clock: options.clock,
        attempts: options.attempts,
        baseDelayMs: options.baseDelayMs,
        send: async () => {
            const out = await clients.ecsNoRetry.send(new dist_cjs.UpdateServiceCommand({
                cluster: target.cluster,
                service: target.service,
                taskDefinition: options.taskDefinitionArn,
                desiredCount: options.desiredCount,
                deploymentConfiguration: options.deploymentConfiguration,
                forceNewDeployment: options.forceNewDeployment || undefined,
                volumeConfigurations: options.settings?.volumeConfigurations,
                enableExecuteCommand: options.settings?.enableExecuteCommand
            }));
            const service = out.service;
            const deployment = service?.deployments?.find(d => d.status === 'PRIMARY');
            if (!service || !deployment?.id)
                throw new Error('UpdateService returned no PRIMARY deployment.');
            return { deployment, service };
        },
        check: async () => {
            const service = await describeService(clients.ecs, target);
            const primary = service.deployments?.find(d => d.status === 'PRIMARY');
            const created = primary?.createdAt ? new Date(primary.createdAt).getTime() : 0;
            if (primary?.id &&
                (0,render/* taskDefinitionKey */.MT)(primary.taskDefinition) === (0,render/* taskDefinitionKey */.MT)(options.taskDefinitionArn) &&
                (!options.forceNewDeployment || created >= startedAt - 5_000)) {
                log.info(`The update went through: following ${primary.id}.`);
                return { deployment: primary, service };
            }
            return undefined;
        }
    });
}
/**
 * Decides from one DescribeServices answer whether the wait is over. Pure, so every case is unit-tested.
 */
function classify(service, ctx) {
    const deployments = service.deployments ?? [];
    const ours = deployments.find(d => d.id === ctx.deploymentId);
    const primary = deployments.find(d => d.status === 'PRIMARY');
    const isRollback = rollbackOf(ctx);
    if (!ours)
        return goneVerdict(primary, ctx, isRollback);
    const base = { deploymentId: ctx.deploymentId, deployment: ours };
    if (ours.rolloutState === 'COMPLETED')
        return {
            ...base,
            status: 'COMPLETED',
            reason: `Deployment ${ours.id} completed: ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} tasks running.`
        };
    if (ours.rolloutState === 'FAILED')
        return failedVerdict(ours, primary, service, isRollback);
    if (primary && primary.id !== ours.id)
        return takenOverVerdict(ours, primary, isRollback);
    const onlyOne = !ours.rolloutState &&
        deployments.length === 1 &&
        ours.desiredCount !== undefined &&
        ours.runningCount === ours.desiredCount &&
        (ours.pendingCount ?? 0) === 0;
    if (!onlyOne)
        return undefined;
    return {
        ...base,
        status: 'COMPLETED',
        reason: `Deployment ${ours.id} is the only one and runs ${ours.runningCount}/${ours.desiredCount} tasks.`
    };
}
/** A deployment that puts the service back: not ours, on the previous revision or said to be a rollback. */
function rollbackOf(ctx) {
    const ourKey = (0,render/* taskDefinitionKey */.MT)(ctx.taskDefinitionArn);
    const previous = ctx.previousTaskDefinitionArn !== undefined
        ? (0,render/* taskDefinitionKey */.MT)(ctx.previousTaskDefinitionArn)
        : undefined;
    return d => d.id !== ctx.deploymentId &&
        (0,render/* taskDefinitionKey */.MT)(d.taskDefinition) !== ourKey &&
        ((0,render/* taskDefinitionKey */.MT)(d.taskDefinition) === previous ||
            /roll(ing|ed)?[ -]?back/i.test(d.rolloutStateReason ?? ''));
}
/** ECS rolled back (or is rolling back) by itself, to `otherDeploymentId` when it shows. */
function rolledBackByEcs(base, reason, otherDeploymentId) {
    return {
        ...base,
        status: 'ROLLED_BACK',
        rolledBackByEcs: true,
        reason,
        ...(otherDeploymentId ? { otherDeploymentId } : {})
    };
}
/** Our deployment's rolloutState is FAILED: rolled back by ECS (done or under way), or failed. */
function failedVerdict(ours, primary, service, isRollback) {
    const base = { deploymentId: ours.id ?? '', deployment: ours };
    const why = ours.rolloutStateReason ? ` ${ours.rolloutStateReason}` : '';
    if (primary && isRollback(primary))
        return rolledBackByEcs(base, `Deployment ${ours.id} failed and ECS rolled back to ${(0,render/* taskDefinitionKey */.MT)(primary.taskDefinition)}.${why}`, primary.id);
    if (service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback)
        return rolledBackByEcs(base, `Deployment ${ours.id} failed; ECS's circuit breaker is rolling back to the last completed deployment.${why}`);
    return { ...base, status: 'FAILED', reason: `Deployment ${ours.id} failed.${why}` };
}
/** Another deployment is PRIMARY while ours is still there: ECS's rollback, or someone else's deployment. */
function takenOverVerdict(ours, primary, isRollback) {
    const base = { deploymentId: ours.id ?? '', deployment: ours };
    const revision = (0,render/* taskDefinitionKey */.MT)(primary.taskDefinition);
    const why = primary.rolloutStateReason ? ` ${primary.rolloutStateReason}` : '';
    if (isRollback(primary))
        return rolledBackByEcs(base, `ECS rolled deployment ${ours.id} back to ${revision} (${primary.id}).${why}`, primary.id);
    return {
        ...base,
        otherDeploymentId: primary.id,
        status: 'SUPERSEDED',
        reason: `Deployment ${ours.id} was superseded by ${primary.id} (${revision}), started by someone else.`
    };
}
/** Our deployment is gone: ECS rolled back, another deployment took over, or the service has none. */
function goneVerdict(primary, ctx, isRollback) {
    const base = { deploymentId: ctx.deploymentId };
    const gone = `Deployment ${ctx.deploymentId} is gone`;
    if (primary && isRollback(primary))
        return rolledBackByEcs(base, `${gone} and the service is back on ${(0,render/* taskDefinitionKey */.MT)(primary.taskDefinition)} (${primary.id}): ECS rolled back.`, primary.id);
    if (primary && primary.id !== ctx.deploymentId)
        return {
            ...base,
            status: 'SUPERSEDED',
            otherDeploymentId: primary.id,
            reason: `${gone}; ${primary.id} (${(0,render/* taskDefinitionKey */.MT)(primary.taskDefinition)}) took over.`
        };
    return { ...base, status: 'FAILED', reason: `${gone} and the service has no primary deployment.` };
}
function countsLine(d) {
    if (!d)
        return 'deployment gone';
    const state = d.rolloutState ? `${d.rolloutState}, ` : '';
    return `${state}running ${d.runningCount ?? 0}/${d.desiredCount ?? 0}, pending ${d.pendingCount ?? 0}, failed ${d.failedTasks ?? 0}`;
}
const eventKey = (e) => e.id ?? `${e.createdAt}${e.message}`;
/**
 * The service events a wait has shown, each printed once as untrusted text (ECS quotes load balancer and task
 * reasons in them), oldest first; shared by every follower of a deployment.
 */
class ServiceEvents {
    log;
    /** The service events that appeared while waiting, oldest first, as printed. */
    lines = [];
    seen;
    constructor(known, log) {
        this.log = log;
        this.seen = new Set((known ?? []).map(eventKey));
    }
    show(service) {
        const fresh = [...(service.events ?? [])].reverse().filter(e => !this.seen.has(eventKey(e)));
        const lines = fresh.map(e => `${e.createdAt ? new Date(e.createdAt).toISOString() : ''} ${e.message ?? ''}`.trim());
        fresh.forEach(e => this.seen.add(eventKey(e)));
        this.lines.push(...lines);
        this.log.untrusted(lines.map(line => `  event ${line}`));
    }
}
/** What a rolling wait has shown so far: the events, the deployment's counts when they change, the last answer. */
class RolloutProgress {
    options;
    log;
    events;
    service;
    deployment;
    lastCounts = '';
    constructor(options, log) {
        this.options = options;
        this.log = log;
        this.events = new ServiceEvents(options.knownEvents, log);
        this.deployment = options.initial;
    }
    show(service) {
        this.service = service;
        this.events.show(service);
        const ours = service.deployments?.find(d => d.id === this.options.deploymentId);
        if (ours)
            this.deployment = ours;
        const counts = countsLine(ours);
        if (counts !== this.lastCounts)
            this.log.info(`  ${this.options.deploymentId}: ${counts}`);
        this.lastCounts = counts;
    }
    /** `Deployment … stands at: …` for a wait that ended without a verdict. */
    where() {
        return `Deployment ${this.options.deploymentId} stands at: ${countsLine(this.deployment)}.`;
    }
}
/**
 * The one follow loop: `look` once per interval until it returns a verdict, the time is up or the step is
 * cancelled. Throttling and 5xx are retried with backoff and never end the wait; anything else ends it.
 */
function followUntil(pacing, look, log, what = 'Looking at the deployment') {
    return (0,core/* poll */.wt)({
        intervalMs: pacing.intervalMs,
        timeoutMs: pacing.timeoutMs,
        signal: pacing.signal,
        clock: pacing.clock ?? core/* systemClock */.ml,
        maxIntervalMs: Math.max(pacing.intervalMs * 6, 30_000),
        onRetry: (error, attempt, delay) => log.warning(`${what} (poll ${attempt}): ${(0,core/* errorName */.Is)(error)}: ${error.message}. Still waiting; next look in ${(0,core/* formatDuration */.a3)(delay)}.`),
        check: async () => {
            const verdict = await look();
            return verdict === undefined ? { done: false } : { done: true, value: verdict };
        }
    });
}
/** A wait that ended without a verdict: CANCELLED or TIMED_OUT, with where the deployment stands. */
function unfinished(outcome, where, log) {
    if (outcome.kind === 'cancelled') {
        log.warning(`Cancelled after ${(0,core/* formatDuration */.a3)(outcome.elapsedMs)}; stopped waiting. ${where} ECS carries on with the deployment.`);
        return { status: 'CANCELLED', reason: `Cancelled while waiting. ${where}` };
    }
    const lastError = outcome.lastError ? ` The last look failed with ${(0,core/* errorName */.Is)(outcome.lastError)}.` : '';
    return {
        status: 'TIMED_OUT',
        reason: `Timed out after ${(0,core/* formatDuration */.a3)(outcome.elapsedMs)}. ${where}${lastError}`
    };
}
/** Follows one deployment until classify() says it is over, the timeout, or cancellation. */
async function watchDeployment(clients, target, options, log) {
    const progress = new RolloutProgress(options, log);
    log.info(`Waiting for deployment ${options.deploymentId} (${(0,render/* taskDefinitionKey */.MT)(options.taskDefinitionArn)}), up to ${(0,core/* formatDuration */.a3)(options.timeoutMs)}, looking every ${(0,core/* formatDuration */.a3)(options.intervalMs)}.`);
    const outcome = await followUntil(options, async () => {
        const service = await lookAtService(clients, target, options.signal);
        if (!service)
            return undefined;
        progress.show(service);
        const verdict = classify(service, options);
        return verdict ? { ...verdict, service } : undefined;
    }, log, 'DescribeServices');
    const counted = { events: progress.events.lines, polls: outcome.attempts, elapsedMs: outcome.elapsedMs };
    if (outcome.kind === 'done')
        return { ...outcome.value, ...counted };
    return {
        deploymentId: options.deploymentId,
        deployment: progress.deployment,
        service: progress.service,
        ...counted,
        ...unfinished(outcome, progress.where(), log)
    };
}
/**
 * One DescribeServices, through the client that does not retry (the poller does): undefined when the wait was
 * cancelled meanwhile; an error when the service is no longer ACTIVE.
 */
async function lookAtService(clients, target, signal) {
    let service;
    try {
        service = await describeService(clients.ecsNoRetry, target, signal);
    }
    catch (error) {
        if (signal?.aborted)
            return undefined;
        throw error;
    }
    if (service.status && service.status !== 'ACTIVE')
        throw new core/* DockyardError */.gt(`the service '${target.service}' became ${service.status} during the deployment.`, {
            input: 'service'
        });
    return service;
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/rollback.ts


async function rollBack(clients, target, options, log) {
    log.info(`Rolling back: updating ${target.service} to ${(0,render/* taskDefinitionKey */.MT)(options.previousTaskDefinitionArn)}.`);
    const { deployment, service } = await startDeployment(clients, target, {
        taskDefinitionArn: options.previousTaskDefinitionArn,
        forceNewDeployment: false,
        settings: options.settings,
        clock: options.clock
    }, log);
    const outcome = await watchDeployment(clients, target, {
        ...options,
        deploymentId: deployment.id ?? '',
        taskDefinitionArn: options.previousTaskDefinitionArn,
        // The failed revision is the one this rollback should not be confused with.
        previousTaskDefinitionArn: options.failedTaskDefinitionArn,
        knownEvents: [...(options.knownEvents ?? []), ...(service.events ?? [])]
    }, log);
    const ok = outcome.status === 'COMPLETED';
    if (ok)
        log.info(`Rolled back to ${(0,render/* taskDefinitionKey */.MT)(options.previousTaskDefinitionArn)}.`);
    else
        log.error(`The rollback to ${(0,render/* taskDefinitionKey */.MT)(options.previousTaskDefinitionArn)} did not complete: ${outcome.reason}`);
    return { deploymentId: deployment.id ?? '', outcome, ok };
}

// EXTERNAL MODULE: ./core/text.ts
var core_text = __webpack_require__(1509);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/pause.ts
/**
 * A blue/green, linear or canary deployment held by a PAUSE lifecycle hook: ECS waits (`AWAITING_ACTION`) until
 * ContinueServiceDeployment says CONTINUE or ROLLBACK, or the hook's timeout passes and its `timeoutAction`
 * follows (developer guide, "Pause hooks"). The reusable workflow ends a deploy job at the pause and continues it in
 * a second job after a GitHub environment's approval: `continue-deployment` (the service deployment's ARN) and
 * `continue-action` are that second step's inputs (gate-inputs.ts).
 */


/** The PAUSE hook the deployment awaits action on, if it does. */
function pausedHook(deployment) {
    const hook = deployment?.lifecycleHookDetails?.find(h => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION' && h.hookId);
    if (!hook?.hookId)
        return undefined;
    return {
        hookId: hook.hookId,
        stage: deployment?.lifecycleStage,
        expiresAt: hook.expiresAt,
        timeoutAction: hook.timeoutAction ?? 'ROLLBACK'
    };
}
/** `paused at POST_TEST_TRAFFIC_SHIFT (hook ecs-pause-…), until 14:05 UTC, then ROLLBACK`. */
function pausedText(hook) {
    const until = hook.expiresAt ? `, until ${hook.expiresAt.toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
    return `paused at ${hook.stage ?? 'its stage'} (hook ${hook.hookId})${until}, then ${hook.timeoutAction}`;
}
/** The service deployment, described. */
async function describeServiceDeployment(ecs, arn, signal) {
    const out = await ecs.send(new dist_cjs.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), {
        abortSignal: signal
    });
    const found = out.serviceDeployments?.find(d => d.serviceDeploymentArn === arn);
    if (!found)
        throw new core/* DockyardError */.gt(`there is no service deployment ${arn}${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ''}.`, {
            input: 'continue-deployment',
            hint: 'Pass the ARN the pausing step output, of this region and account.'
        });
    return found;
}
/**
 * ContinueServiceDeployment, once: after a lost answer the deployment is described again, and a hook no longer
 * awaiting action means the call went through.
 */
async function continueDeployment(clients, arn, hook, action, options) {
    const { log } = options;
    log.info(`ContinueServiceDeployment ${action}: ${arn}, hook ${hook.hookId} at ${hook.stage ?? 'its stage'}.`);
    await (0,core/* sendOnce */.E4)({
        operation: 'ContinueServiceDeployment',
        log,
        clock: options.clock,
        signal: options.signal,
        send: async () => {
            await clients.ecsNoRetry.send(new dist_cjs.ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook.hookId, action }));
            return true;
        },
        check: async () => {
            const again = await describeServiceDeployment(clients.ecs, arn, options.signal);
            return pausedHook(again)?.hookId === hook.hookId ? undefined : true;
        }
    });
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/stages.ts
var stages = __webpack_require__(6526);
// EXTERNAL MODULE: ./core/duration.ts
var duration = __webpack_require__(8478);
// EXTERNAL MODULE: ./core/poll.ts
var poll = __webpack_require__(9147);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/stage-progress.ts
/**
 * What following a service deployment has seen: which service deployment is ours, each stage as it was entered
 * (with the traffic and task counts of that moment), the hooks, alarms and circuit breaker that failed it, where
 * ECS rolls back to, and the bake time left. It prints one line per transition; the verdicts
 * (service-deployment.ts) and the summary read it.
 *
 * Text ECS quotes (status reasons, rollback reasons) is printed as untrusted data; stage names are made safe to
 * print by readStage.
 */







/** Statuses in which the deployment is still going forward (rolling back is not). */
const FORWARD = new Set(['PENDING', 'IN_PROGRESS']);
const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);
class StageProgress {
    options;
    log;
    events;
    arn;
    clock;
    started;
    stages = [];
    deployment;
    transition = '';
    forwardStage;
    bakeEntered;
    failure;
    hooks = new Map();
    rollbackTo;
    warnedMissing = false;
    reasonShown;
    constructor(options, log) {
        this.options = options;
        this.log = log;
        this.clock = options.clock ?? poll/* systemClock */.ml;
        this.started = options.origin ?? this.clock.now();
        this.events = new ServiceEvents(options.knownEvents, log);
        if (options.serviceDeploymentArn && options.serviceDeploymentArn !== options.before)
            this.arn = options.serviceDeploymentArn;
    }
    opening() {
        const bake = this.options.configuration?.bakeTimeInMinutes;
        const plan = [
            `strategy ${this.options.strategy}`,
            bake !== undefined && `bake time ${bake}m`,
            this.options.waitUntil !== 'completed' && `until ${this.options.waitUntil}`
        ].filter(Boolean);
        const which = this.arn ? `service deployment ${this.arn}` : 'the service deployment ECS starts';
        return `Following ${which} (${plan.join(', ')}) to ${(0,render/* taskDefinitionKey */.MT)(this.options.taskDefinitionArn)}.`;
    }
    /** Our service deployment: the one UpdateService named, else the service's current one once it is new. */
    adopt(service) {
        const current = service.currentServiceDeployment;
        if (!this.arn && current && current !== this.options.before) {
            this.arn = current;
            this.log.info(`  service deployment ${current}`);
        }
        return this.arn;
    }
    notDescribed(arn, reason) {
        if (this.warnedMissing)
            return;
        this.warnedMissing = true;
        this.log.info(`  ECS does not describe ${arn} yet${reason ? ` (${(0,core_text/* oneLine */.TN)(reason)})` : ''}; looking again.`);
    }
    /** Takes in one look: the events, a transition (one line), the failure evidence, ECS's rollback target. */
    async show(look, ecs) {
        this.events.show(look.service);
        const d = look.deployment;
        if (!d)
            return;
        this.deployment = d;
        const stage = (0,stages/* readStage */.NW)(d.lifecycleStage);
        if (FORWARD.has(d.status ?? '') && stage)
            this.forwardStage = stage;
        this.noteHooks(d, stage);
        this.noteFailure(d, stage);
        this.noteTransition(d, stage);
        if (!this.rollbackTo && d.status?.startsWith('ROLLBACK'))
            this.rollbackTo = await this.learnRollbackTarget(ecs, d);
    }
    noteTransition(d, stage) {
        const target = d.targetServiceRevision;
        const entry = {
            stage: stage?.name ?? '(no stage yet)',
            status: d.status,
            atMs: this.clock.now() - this.started,
            production: target?.requestedProductionTrafficWeight,
            test: target?.requestedTestTrafficWeight
        };
        const key = `${entry.status}|${entry.stage}|${entry.production}|${entry.test}`;
        if (key === this.transition)
            return;
        this.transition = key;
        this.stages.push(entry);
        if (entry.stage === 'BAKE_TIME' && this.bakeEntered === undefined)
            this.bakeEntered = this.clock.now();
        this.log.info(`  [+${(0,stages/* elapsedText */.QF)(entry.atMs)}] ${this.transitionLine(d, entry)}`);
        // ECS's reason for a rollback or a stop, once (it quotes alarm and hook output: untrusted).
        const why = d.statusReason ?? (d.status?.startsWith('ROLLBACK') ? d.rollback?.reason : undefined);
        if (why && !FORWARD.has(d.status ?? '') && why !== this.reasonShown) {
            this.reasonShown = why;
            this.log.untrusted(`    ${(0,core_text/* oneLine */.TN)(why, { max: 500 })}`);
        }
    }
    transitionLine(d, entry) {
        const status = FORWARD.has(entry.status ?? '') ? '' : `${entry.status} `;
        const parts = [`${status}${entry.stage}`];
        const traffic = this.trafficText(entry);
        if (traffic)
            parts.push(traffic);
        const target = d.targetServiceRevision;
        if (target)
            parts.push(`${(0,render/* taskDefinitionKey */.MT)(this.options.taskDefinitionArn)} ${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} tasks running${target.pendingTaskCount ? `, ${target.pendingTaskCount} pending` : ''}`);
        if (entry.stage === 'BAKE_TIME' && FORWARD.has(entry.status ?? '')) {
            const left = this.bakeLeftMs();
            if (left !== undefined)
                parts.push(`both revisions run for ${(0,duration/* formatDuration */.a)(left)} more`);
        }
        return parts.join(' · ');
    }
    /** `production traffic 30% (step 3 of 10)`, `canary: production traffic 10%, then a 15m canary bake`. */
    trafficText(entry) {
        const { production, test } = entry;
        if (/TEST_TRAFFIC/.test(entry.stage) && test !== undefined)
            return `test traffic ${test}%`;
        if (production === undefined || !/PRODUCTION_TRAFFIC|BAKE/.test(entry.stage))
            return undefined;
        const config = this.deploymentConfiguration();
        if (this.options.strategy === 'LINEAR') {
            const step = config?.linearConfiguration?.stepPercent;
            const steps = step ? Math.ceil(100 / step) : undefined;
            const k = step ? Math.min(steps ?? 0, Math.round(production / step)) : undefined;
            return `production traffic ${production}%${k && steps ? ` (step ${k} of ${steps})` : ''}`;
        }
        if (this.options.strategy === 'CANARY' && production > 0 && production < 100) {
            const bake = config?.canaryConfiguration?.canaryBakeTimeInMinutes;
            return `canary: production traffic ${production}%${bake !== undefined ? `, then a ${bake}m canary bake` : ''}`;
        }
        return `production traffic ${production}%`;
    }
    deploymentConfiguration() {
        return this.deployment?.deploymentConfiguration ?? this.options.configuration;
    }
    bakeMinutes() {
        return this.deploymentConfiguration()?.bakeTimeInMinutes;
    }
    bakeLeftMs() {
        const minutes = this.bakeMinutes();
        if (minutes === undefined || this.bakeEntered === undefined)
            return undefined;
        return Math.max(0, this.bakeEntered + minutes * 60_000 - this.clock.now());
    }
    /** Each hook's result once, with the stage it ran at. */
    noteHooks(d, stage) {
        for (const hook of d.lifecycleHookDetails ?? []) {
            const id = hook.hookId ?? hook.targetArn ?? '';
            const seen = this.hooks.get(id) ?? { stage: stage?.name };
            if (seen.status === hook.status)
                continue;
            this.hooks.set(id, { ...seen, status: hook.status });
            this.log.info(`    hook ${hookName(hook)} at ${seen.stage ?? 'an unnamed stage'}: ${hook.status ?? 'no status'}${hookWait(hook)}`);
            if ((hook.status === 'FAILED' || hook.status === 'TIMED_OUT') && !this.failure)
                this.failure = {
                    kind: 'hook',
                    hook: hookName(hook),
                    status: hook.status,
                    stage: seen.stage,
                    timeoutAction: hook.timeoutAction
                };
        }
    }
    /** The first evidence of failure (a triggered alarm, the circuit breaker, else ECS's reason), said once. */
    noteFailure(d, stage) {
        if (this.failure)
            return;
        this.failure = this.failureOf(d, stage);
        const f = this.failure;
        const during = f?.stage ? ` during ${f.stage}` : '';
        if (f?.kind === 'alarm')
            this.log.info(`    alarm ${f.alarms.join(', ') || '(unnamed)'} triggered${during}`);
        if (f?.kind === 'circuit-breaker')
            this.log.info(`    circuit breaker triggered${during}: ${f.failed ?? '?'} failed tasks, threshold ${f.threshold ?? '?'}`);
    }
    failureOf(d, stage) {
        const at = (FORWARD.has(d.status ?? '') ? stage : (this.forwardStage ?? stage))?.name;
        const alarms = d.alarms?.triggeredAlarmNames ?? [];
        if (alarms.length > 0 || d.alarms?.status === 'TRIGGERED')
            return { kind: 'alarm', alarms, stage: at };
        const breaker = d.deploymentCircuitBreaker;
        if (breaker?.status === 'TRIGGERED')
            return {
                kind: 'circuit-breaker',
                failed: breaker.failureCount,
                threshold: breaker.threshold,
                stage: at
            };
        if (!FORWARD.has(d.status ?? '') && d.status !== 'SUCCESSFUL')
            return { kind: 'other', reason: d.rollback?.reason ?? d.statusReason, stage: at };
        return undefined;
    }
    /** The task definition ECS rolls back to: its service revision's, else the one the service ran before. */
    async learnRollbackTarget(ecs, d) {
        const previous = this.options.previousTaskDefinitionArn;
        const revision = d.rollback?.serviceRevisionArn ?? d.sourceServiceRevisions?.[0]?.arn;
        if (revision) {
            try {
                const out = await ecs.send(new dist_cjs.DescribeServiceRevisionsCommand({ serviceRevisionArns: [revision] }));
                const td = out.serviceRevisions?.[0]?.taskDefinition;
                if (td)
                    return (0,render/* taskDefinitionKey */.MT)(td);
            }
            catch (error) {
                this.log.debug(`DescribeServiceRevisions ${revision}: ${error.message}`);
            }
        }
        return previous ? (0,render/* taskDefinitionKey */.MT)(previous) : undefined;
    }
    /** ECS is rolling back and has not finished: what a wait that runs out of time reports. */
    rollingBack() {
        const status = this.deployment?.status ?? '';
        if (!ROLLING_BACK.has(status))
            return undefined;
        return {
            deploymentId: this.arn ?? '',
            status: 'ROLLED_BACK',
            rolledBackByEcs: true,
            reason: `ECS is rolling service deployment ${(0,stages/* shortArn */.k$)(this.arn)} back to ${this.rollbackTarget() ?? 'the previous revision'} (${status}); it had not finished when the step's time ran out.`
        };
    }
    rollbackTarget() {
        return this.rollbackTo;
    }
    stage() {
        return (0,stages/* readStage */.NW)(this.deployment?.lifecycleStage);
    }
    /** What ECS still does after the current stage: `the rest of BAKE_TIME (about 55m), CLEAN_UP`. */
    remainingText() {
        return this.remaining().join(', ');
    }
    remaining() {
        const stage = this.stage();
        const bake = this.bakeMinutes();
        const after = (0,stages/* stagesAfter */.Kc)(stage).map(s => s === 'BAKE_TIME' && bake !== undefined ? `BAKE_TIME (${bake}m)` : s);
        const left = this.bakeLeftMs();
        if (stage?.name === 'BAKE_TIME' && left !== undefined)
            after.unshift(`the rest of BAKE_TIME (about ${(0,duration/* formatDuration */.a)(left)})`);
        return after;
    }
    /** Where the deployment stands, for a wait that ends without a verdict. */
    where() {
        if (!this.arn)
            return 'ECS had not named the service deployment yet.';
        const d = this.deployment;
        if (!d)
            return `Service deployment ${(0,stages/* shortArn */.k$)(this.arn)} could not be described yet.`;
        const left = this.stage()?.name === 'BAKE_TIME' ? this.bakeLeftMs() : undefined;
        const bake = left !== undefined ? `; about ${(0,duration/* formatDuration */.a)(left)} of bake time left` : '';
        return `Service deployment ${(0,stages/* shortArn */.k$)(this.arn)} (${this.options.strategy}) stands at ${this.stage()?.name ?? 'no stage'}, ${d.status ?? 'no status'}${bake}.`;
    }
    view() {
        const bake = this.bakeMinutes();
        const left = this.bakeLeftMs();
        return {
            strategy: this.options.strategy,
            origin: this.started,
            serviceDeploymentArn: this.arn,
            status: this.deployment?.status,
            stage: this.stage()?.name,
            stages: [...this.stages],
            bake: bake === undefined ? undefined : { minutes: bake, leftMs: left },
            failure: this.failure,
            rollbackTo: this.rollbackTo,
            remaining: FORWARD.has(this.deployment?.status ?? '') ? this.remaining() : undefined
        };
    }
}
/** `web-smoke (AWS_LAMBDA)` from the hook's Lambda ARN, `pause hook 1a2b` for a PAUSE hook. */
function hookName(hook) {
    const target = /:function:([^:]+)/.exec(hook.targetArn ?? '')?.[1] ?? hook.targetArn?.split(/[:/]/).pop();
    if (target)
        return `${target} (${hook.targetType ?? 'AWS_LAMBDA'})`;
    return `${(hook.targetType ?? 'hook').toLowerCase()} hook ${hook.hookId ?? ''}`.trim();
}
function hookWait(hook) {
    if (hook.status !== 'AWAITING_ACTION' && hook.status !== 'IN_PROGRESS')
        return '';
    const until = hook.expiresAt ? ` until ${new Date(hook.expiresAt).toISOString()}` : '';
    return hook.timeoutAction ? ` (${hook.timeoutAction} if not done${until})` : '';
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/service-deployment.ts
/**
 * Following a blue/green, linear or canary deployment the way ECS runs it: through its service deployment
 * (`currentServiceDeployment`, DescribeServiceDeployments), stage by stage, until ECS says it is over, ECS's own
 * rollback has ended, or the stage `wait-until` names is reached.
 *
 * One look per poll: DescribeServices (the service events, whether another deployment took over) and
 * DescribeServiceDeployments (status, lifecycle stage, hooks, alarms, circuit breaker, traffic). The log gets one
 * line per transition (a new stage, a traffic step, a status, a hook's result), never one per poll. The verdict
 * functions below decide, one per situation, from what the look saw (stage-progress.ts keeps what was seen).
 */







/** Follows the service deployment until a verdict, the time left, or cancellation. */
async function followServiceDeployment(clients, target, options, log) {
    const progress = new StageProgress(options, log);
    log.info(progress.opening());
    let last;
    const outcome = await followUntil(options, async () => {
        const service = await lookAtService(clients, target, options.signal);
        if (!service)
            return undefined;
        last = { service, deployment: await describeOurs(clients.ecsNoRetry, progress, service, options) };
        await progress.show(last, clients.ecs);
        const paused = options.atPause && forward(last.deployment) ? pausedHook(last.deployment) : undefined;
        const gated = paused && (await options.atPause(paused, last));
        return gated || judge(last, progress, options);
    }, log, 'DescribeServices / DescribeServiceDeployments');
    const counted = { events: progress.events.lines, polls: outcome.attempts, elapsedMs: outcome.elapsedMs };
    const seen = { service: last?.service, strategy: progress.view(), ...counted };
    if (outcome.kind === 'done')
        return { ...outcome.value, ...seen };
    const rollingBack = progress.rollingBack();
    if (outcome.kind === 'timeout' && rollingBack)
        return { ...rollingBack, ...seen };
    return { deploymentId: options.deploymentId, ...seen, ...unfinished(outcome, progress.where(), log) };
}
const forward = (d) => d?.status === 'IN_PROGRESS';
/** Our service deployment, described; undefined until ECS names it (or while it cannot be described yet). */
async function describeOurs(ecs, progress, service, options) {
    const arn = progress.adopt(service);
    if (!arn)
        return undefined;
    const out = await ecs.send(new dist_cjs.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), {
        abortSignal: options.signal
    });
    const found = out.serviceDeployments?.find(d => d.serviceDeploymentArn === arn);
    if (!found)
        progress.notDescribed(arn, out.failures?.[0]?.reason);
    return found;
}
/**
 * The verdict of one look, or undefined to look again. Another deployment taking over comes first; then the
 * service deployment's status; then the stage `wait-until` names.
 */
function judge(look, progress, options) {
    const { service, deployment } = look;
    const base = { deploymentId: options.deploymentId };
    const ours = progress.arn;
    if (!ours)
        return noServiceDeployment(service, options);
    if (!deployment)
        return undefined;
    const current = service.currentServiceDeployment;
    if (current && current !== ours && !progress.rollingBack())
        return supersededVerdict(base, ours, current);
    switch (deployment.status) {
        case 'SUCCESSFUL':
            return completedVerdict(base, deployment, options);
        case 'ROLLBACK_SUCCESSFUL':
            return rolledBackVerdict(base, progress, options);
        case 'ROLLBACK_FAILED':
            return rollbackFailedVerdict(base, deployment, progress);
        case 'STOPPED':
            return stoppedVerdict(base, deployment, options);
        default:
            return reachedVerdict(base, deployment, progress, options);
    }
}
/**
 * No service deployment of ours yet. When the update started none (nothing changed), the service's rolling view
 * says the deployment is complete, as a rolling deployment would; otherwise look again.
 */
function noServiceDeployment(service, options) {
    const rolling = classify(service, options);
    return rolling?.status === 'COMPLETED' ? rolling : undefined;
}
function supersededVerdict(base, ours, current) {
    return {
        ...base,
        status: 'SUPERSEDED',
        otherDeploymentId: current,
        reason: `Service deployment ${(0,stages/* shortArn */.k$)(ours)} was superseded by ${(0,stages/* shortArn */.k$)(current)}, started by someone else.`
    };
}
function completedVerdict(base, deployment, options) {
    const target = deployment.targetServiceRevision;
    const tasks = target
        ? ` ${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} tasks running;`
        : '';
    return {
        ...base,
        status: 'COMPLETED',
        reason: `Service deployment ${(0,stages/* shortArn */.k$)(deployment.serviceDeploymentArn)} (${options.strategy}) completed:${tasks} ${(0,render/* taskDefinitionKey */.MT)(options.taskDefinitionArn)} takes all production traffic.`
    };
}
/** ECS rolled back: by itself (an alarm, a hook, the circuit breaker) or because this step asked it to. */
function rolledBackVerdict(base, progress, options) {
    const to = progress.rollbackTarget() ?? 'the previous revision';
    const who = options.stopRequested ? 'as this step asked' : 'by itself';
    return {
        ...base,
        status: 'ROLLED_BACK',
        rolledBackByEcs: !options.stopRequested,
        reason: `ECS rolled service deployment ${(0,stages/* shortArn */.k$)(progress.arn)} back to ${to} ${who} (${options.strategy}, ROLLBACK_SUCCESSFUL).`
    };
}
function rollbackFailedVerdict(base, deployment, progress) {
    const to = progress.rollbackTarget() ?? 'the previous revision';
    return {
        ...base,
        status: 'FAILED',
        reason: `ECS's rollback of service deployment ${(0,stages/* shortArn */.k$)(deployment.serviceDeploymentArn)} to ${to} failed (ROLLBACK_FAILED); the service may run both revisions. Look at the service in the ECS console before deploying again.`
    };
}
function stoppedVerdict(base, deployment, options) {
    return {
        ...base,
        status: 'FAILED',
        reason: `ECS stopped service deployment ${(0,stages/* shortArn */.k$)(deployment.serviceDeploymentArn)} (${options.strategy}) without rolling back; nothing was rolled back.`
    };
}
/** The deployment has reached the stage `wait-until` names: the step ends, ECS carries on. */
function reachedVerdict(base, deployment, progress, options) {
    const stage = (0,stages/* readStage */.NW)(deployment.lifecycleStage);
    const forward = deployment.status === 'IN_PROGRESS' || deployment.status === 'PENDING';
    if (options.waitUntil === 'completed' || !forward || !(0,stages/* reached */.V6)(stage, options.waitUntil))
        return undefined;
    const what = options.waitUntil === 'test-traffic' ? 'Test traffic' : 'Production traffic';
    const rest = progress.remainingText();
    return {
        ...base,
        status: 'IN_PROGRESS',
        reason: `${what} is on ${(0,render/* taskDefinitionKey */.MT)(options.taskDefinitionArn)}: service deployment ${(0,stages/* shortArn */.k$)(deployment.serviceDeploymentArn)} reached ${stage?.name} (wait-until: ${options.waitUntil}, from ${(0,stages/* waitUntilStage */.SH)(options.waitUntil)}). ECS carries on${rest ? ` with ${rest}` : ''}; the step does not follow it further.`
    };
}
/**
 * The root cause of a failed strategy deployment, in one line: the alarm that went off, the hook that failed or
 * timed out (with its stage), or the tasks the circuit breaker counted (the diagnosis: their stop reason and the
 * app's log line); then what ECS did about it (`alarm web-5xx triggered during BAKE_TIME; ECS rolled back to
 * web:41`).
 */
function strategyRootCause(view, diagnosed) {
    const failure = view.failure;
    const then = afterFailure(view);
    const during = (stage) => (stage ? ` during ${stage}` : '');
    switch (failure?.kind) {
        case 'alarm': {
            const names = failure.alarms.length > 0 ? failure.alarms.join(', ') : 'a deployment alarm';
            return `alarm${failure.alarms.length > 1 ? 's' : ''} ${names} triggered${during(failure.stage)}${then}`;
        }
        case 'hook': {
            const how = failure.status === 'TIMED_OUT'
                ? `timed out (timeout action ${failure.timeoutAction ?? 'ROLLBACK'})`
                : 'failed';
            return `lifecycle hook ${failure.hook} ${how}${failure.stage ? ` at ${failure.stage}` : ''}${then}`;
        }
        case 'circuit-breaker': {
            const count = failure.failed !== undefined ? ` after ${failure.failed} failed tasks` : '';
            return (diagnosed ?? `ECS's circuit breaker stopped the deployment${during(failure.stage)}${count}${then}`);
        }
        case 'other':
            return diagnosed ?? (failure.reason ? `${(0,core_text/* oneLine */.TN)(failure.reason)}${then}` : undefined);
        default:
            return diagnosed;
    }
}
/** `; ECS rolled back to web:41`, or what else ECS did after the failure. */
function afterFailure(view) {
    const to = view.rollbackTo ?? 'the previous revision';
    switch (view.status) {
        case 'ROLLBACK_SUCCESSFUL':
            return `; ECS rolled back to ${to}`;
        case 'ROLLBACK_REQUESTED':
        case 'ROLLBACK_IN_PROGRESS':
            return `; ECS is rolling back to ${to}`;
        case 'ROLLBACK_FAILED':
            return `; ECS's rollback to ${to} failed`;
        case 'STOPPED':
            return '; ECS stopped the deployment';
        default:
            return '';
    }
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/strategy-inputs.ts
var strategy_inputs = __webpack_require__(4068);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/strategy-config.ts


/** The strategies ECS shifts traffic for itself, stage by stage; ROLLING is followed as before. */
const TRAFFIC_SHIFTING = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY']);
/** Refuses a service whose deployments are not ECS's to make, before any write, saying what to do instead. */
function refuseOtherControllers(service) {
    const type = service.deploymentController?.type ?? 'ECS';
    const name = service.serviceName ?? 'the service';
    if (type === 'CODE_DEPLOY')
        throw new errors/* DockyardError */.gt(`the service '${name}' uses the CODE_DEPLOY deployment controller: AWS CodeDeploy makes its deployments, and ECS refuses a new task definition through UpdateService. Nothing was registered.`, {
            input: 'service',
            hint: 'Deploy it with a CodeDeploy deployment (an AppSpec naming the task definition), or move it to ECS\'s own blue/green deployments (deployment controller ECS, strategy BLUE_GREEN; the ECS developer guide\'s "Migrate CodeDeploy blue/green deployments to Amazon ECS blue/green deployments"), which this action follows stage by stage.'
        });
    if (type === 'EXTERNAL')
        throw new errors/* DockyardError */.gt(`the service '${name}' uses the EXTERNAL deployment controller: its task sets are made by another tool (CreateTaskSet, UpdateServicePrimaryTaskSet), and ECS refuses a new task definition through UpdateService. Nothing was registered.`, {
            input: 'service',
            hint: 'Deploy it with the tool that manages its task sets, or give the step a service with the ECS deployment controller.'
        });
}
/** The strategy the service uses now (ROLLING when ECS does not say). */
function serviceStrategy(service) {
    const strategy = service.deploymentConfiguration?.strategy;
    return strategy_inputs/* STRATEGIES */.YL.find(s => s === strategy) ?? 'ROLLING';
}
/**
 * The deployment configuration for UpdateService, and the strategy it gives. Throws the problems of inputs that
 * do not suit the service's strategy (when `strategy` was not given), each named by its input.
 */
function planStrategy(service, inputs) {
    const current = service.deploymentConfiguration ?? {};
    const strategy = inputs.strategy ?? serviceStrategy(service);
    checkAgainstService(service, inputs, strategy);
    const next = applyInputs(current, inputs, strategy);
    const changes = describeChanges(current, next, serviceStrategy(service), strategy);
    return {
        strategy,
        deploymentConfiguration: changes.length > 0 ? next : undefined,
        effective: next,
        changes
    };
}
/** The service's configuration with the inputs applied; a strategy's own settings kept only under it. */
function applyInputs(current, inputs, strategy) {
    const next = { ...current };
    if (inputs.strategy !== undefined)
        next.strategy = inputs.strategy;
    if (inputs.bakeTimeMinutes !== undefined)
        next.bakeTimeInMinutes = inputs.bakeTimeMinutes;
    const canary = {
        ...current.canaryConfiguration,
        ...defined({ canaryPercent: inputs.canaryPercent, canaryBakeTimeInMinutes: inputs.canaryBakeTimeMinutes })
    };
    const linear = {
        ...current.linearConfiguration,
        ...defined({
            stepPercent: inputs.linearStepPercent,
            stepBakeTimeInMinutes: inputs.linearStepBakeTimeMinutes
        })
    };
    // ECS takes each strategy's settings only under that strategy.
    delete next.canaryConfiguration;
    delete next.linearConfiguration;
    if (strategy === 'CANARY' && Object.keys(canary).length > 0)
        next.canaryConfiguration = canary;
    if (strategy === 'LINEAR' && Object.keys(linear).length > 0)
        next.linearConfiguration = linear;
    if (inputs.alarms)
        next.alarms = { alarmNames: inputs.alarms, enable: true, rollback: inputs.alarmRollback };
    return next;
}
function defined(values) {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
/** The inputs set for a strategy the service does not use, when `strategy` did not choose one. */
function checkAgainstService(service, inputs, strategy) {
    const problems = [];
    const where = `the service '${service.serviceName}' uses strategy ${strategy}`;
    const given = {
        'canary-percent': inputs.canaryPercent,
        'canary-bake-time': inputs.canaryBakeTimeMinutes,
        'linear-step-percent': inputs.linearStepPercent,
        'linear-step-bake-time': inputs.linearStepBakeTimeMinutes
    };
    for (const [name, owner] of Object.entries(strategy_inputs/* STRATEGY_OF_INPUT */.Hw))
        if (given[name] !== undefined && owner !== strategy)
            problems.push(fail(name, `is a setting of strategy ${owner}, and ${where}.`, `Set 'strategy: ${owner}' to switch, or remove '${name}'.`));
    if (strategy === 'ROLLING' && inputs.bakeTimeMinutes !== undefined)
        problems.push(fail('bake-time', `needs a BLUE_GREEN, LINEAR or CANARY deployment, and ${where}.`, "Set 'strategy' to switch, or remove 'bake-time'."));
    if (strategy === 'ROLLING' && inputs.waitUntil !== 'completed')
        problems.push(fail('wait-until', `'${inputs.waitUntil}' is a stage of BLUE_GREEN, LINEAR and CANARY deployments, and ${where}.`, "Set 'strategy' to switch, or leave 'wait-until' at 'completed'."));
    const bake = inputs.bakeTimeMinutes ?? service.deploymentConfiguration?.bakeTimeInMinutes;
    if (strategy === 'BLUE_GREEN' && bake === undefined)
        problems.push(fail('bake-time', `is required: the service '${service.serviceName}' has no bake time, and ECS needs one for a BLUE_GREEN deployment.`, "Set 'bake-time', such as '10m' (how long both revisions run after production traffic has moved)."));
    if (problems.length > 0)
        throw new errors/* InputError */.dz(problems);
}
const fail = (input, message, hint) => new errors/* DockyardError */.gt(message, { input, hint });
/** One phrase per setting the inputs change: `strategy ROLLING → BLUE_GREEN`, `bake time — → 10m`. */
function describeChanges(before, after, fromStrategy, toStrategy) {
    const minutes = (m) => (m === undefined ? '—' : `${m}m`);
    const pct = (p) => (p === undefined ? '—' : `${p}%`);
    const settings = [
        ['bake time', c => minutes(c.bakeTimeInMinutes)],
        ['canary percent', c => pct(c.canaryConfiguration?.canaryPercent)],
        ['canary bake time', c => minutes(c.canaryConfiguration?.canaryBakeTimeInMinutes)],
        ['linear step', c => pct(c.linearConfiguration?.stepPercent)],
        ['linear step bake time', c => minutes(c.linearConfiguration?.stepBakeTimeInMinutes)],
        [
            'alarms',
            c => c.alarms?.enable
                ? `${(c.alarms.alarmNames ?? []).join(', ')} (rollback ${c.alarms.rollback ? 'on' : 'off'})`
                : '—'
        ]
    ];
    const rows = [
        ['strategy', fromStrategy, toStrategy],
        ...settings.map(([what, get]) => [what, get(before), get(after)])
    ];
    return rows.filter(([, a, b]) => a !== b).map(([what, a, b]) => `${what} ${a} → ${b}`);
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/strategy-rollback.ts
/**
 * Rolling back a blue/green, linear or canary deployment by ourselves (the step's timeout, or a failed check of
 * the step's): StopServiceDeployment with `stopType: ROLLBACK`, then following ECS's rollback to its end within
 * the time left. Never a new UpdateService, which on such a service would start a second full deployment with
 * its own bake. A deployment ECS already rolled back, stopped or finished is left as it is.
 */





/** Whether this step may still stop the deployment: ECS named it and it is still going forward. */
function stoppable(view) {
    return !!view?.serviceDeploymentArn && (view.status === 'IN_PROGRESS' || view.status === 'PENDING');
}
/** StopServiceDeployment ROLLBACK, then ECS's rollback followed to ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED. */
async function stopWithRollback(clients, target, options, log) {
    const arn = options.serviceDeploymentArn;
    log.info(`Rolling back: StopServiceDeployment ${arn} with stopType ROLLBACK (no new UpdateService).`);
    await requestRollback(clients, arn, options, log);
    // ECS takes the stop at its next stage: the first look comes a poll interval later, as every other look does.
    const clock = options.clock ?? poll/* systemClock */.ml;
    const started = clock.now();
    await clock.sleep(options.intervalMs, options.signal);
    const outcome = await followServiceDeployment(clients, target, {
        ...options,
        timeoutMs: Math.max(0, options.timeoutMs - (clock.now() - started)),
        stopRequested: true,
        waitUntil: 'completed',
        before: undefined
    }, log);
    return { serviceDeploymentArn: arn, outcome, ok: outcome.status === 'ROLLED_BACK' };
}
/**
 * Sends StopServiceDeployment once: after a lost answer it looks whether the stop went through. A deployment
 * that ended meanwhile (ECS refuses to stop it) is followed as it is.
 */
async function requestRollback(clients, arn, options, log) {
    const describe = async () => (await clients.ecs.send(new dist_cjs.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), {
        abortSignal: options.signal
    })).serviceDeployments?.[0];
    const stopped = (d) => d?.status !== undefined && d.status !== 'IN_PROGRESS' && d.status !== 'PENDING';
    try {
        await (0,poll/* sendOnce */.E4)({
            operation: 'StopServiceDeployment',
            log,
            clock: options.clock,
            signal: options.signal,
            send: () => clients.ecsNoRetry.send(new dist_cjs.StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })),
            check: async () => (stopped(await describe()) ? {} : undefined)
        });
    }
    catch (error) {
        const now = await describe();
        if (!stopped(now))
            throw error;
        log.info(`StopServiceDeployment: ${(0,aws/* errorName */.Is)(error)}; ${(0,stages/* shortArn */.k$)(arn)} is already ${now?.status}.`);
    }
}
/**
 * What the rollback phase reports: ROLLED_BACK once ECS has rolled back; a rollback still under way when the
 * step's time ran out leaves the deploy's status (`keep`: TIMED_OUT, FAILED) and says so.
 */
function rollbackEnding(rollback, keep) {
    const { outcome } = rollback;
    const what = `Stopped service deployment ${(0,stages/* shortArn */.k$)(rollback.serviceDeploymentArn)} with stopType ROLLBACK`;
    const to = outcome.strategy.rollbackTo ?? 'the previous revision';
    const status = outcome.strategy.status;
    if (status === 'ROLLBACK_SUCCESSFUL')
        return { status: 'ROLLED_BACK', reason: `${what}; ECS rolled back to ${to}.` };
    if (outcome.status === 'ROLLED_BACK')
        return {
            status: keep,
            reason: `${what}; ECS was still rolling back to ${to} (${status}) when the step's time ran out, and carries on.`
        };
    if (outcome.status === 'COMPLETED')
        return {
            status: keep,
            reason: 'The deployment completed as the step stopped it; nothing was rolled back.'
        };
    if (outcome.status === 'CANCELLED')
        return { status: 'CANCELLED', reason: `${what}; cancelled while following the rollback.` };
    return { status: 'FAILED', reason: `${what}; the rollback did not complete: ${outcome.reason}` };
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-elastic-load-balancing-v2/dist-cjs/index.js
var client_elastic_load_balancing_v2_dist_cjs = __webpack_require__(586);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./core/exec.ts
/**
 * Running a program the way Dockyard runs every command it did not write (docker for build-push, a smoke test for
 * deploy-ecs): through no shell, with the step's environment, its output printed while it runs as untrusted text
 * (the log's `untrustedStream`), so that nothing a command prints is read by the runner as a workflow command, and
 * nothing of it reaches stderr, which the runner reads for commands too. The step's abort signal stops it: SIGTERM,
 * then SIGKILL.
 */


/** How much of each output stream a result keeps: the end, where the error is. */
const KEPT_CHARS = 1 << 20;
/** How long a command has to end after SIGTERM before it is killed. */
const KILL_AFTER_MS = 5000;
/** Keeps the last KEPT_CHARS characters of a stream. */
function tailKeeper() {
    let text = '';
    return {
        add(chunk) {
            text += chunk;
            if (text.length > 2 * KEPT_CHARS)
                text = text.slice(-KEPT_CHARS);
        },
        text: () => text.slice(-KEPT_CHARS)
    };
}
function withoutInputs(env) {
    return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INPUT_')));
}
function stopped(signal) {
    const reason = signal.reason;
    return reason instanceof Error ? reason : new Error('The step was cancelled.');
}
/**
 * Runs `program args` and resolves with its exit code and output; never throws on a non-zero exit. Rejects when
 * the program cannot start (ENOENT, …), or when the signal stopped it (once it has ended), with the signal's reason,
 * unless `keepWhenStopped`.
 */
function runCommand(program, args, options) {
    return new Promise((resolve, reject) => {
        const { signal, log } = options;
        if (signal?.aborted)
            return reject(stopped(signal));
        const child = (0,external_node_child_process_.spawn)(program, args, {
            env: { ...(options.withoutInputs ? withoutInputs(process.env) : process.env), ...options.env },
            cwd: options.cwd,
            stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
        });
        const kept = { stdout: tailKeeper(), stderr: tailKeeper() };
        const printers = options.silent ? [] : [log.untrustedStream(), log.untrustedStream()];
        printers[0]?.write(`[command]${(0,external_node_path_.basename)(program)} ${args.join(' ')}\n`);
        ['stdout', 'stderr'].forEach((name, i) => child[name]?.setEncoding('utf8').on('data', (chunk) => {
            kept[name].add(chunk);
            printers[i]?.write(chunk);
        }));
        let killer;
        const stop = () => {
            child.kill('SIGTERM');
            killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
            killer.unref();
        };
        signal?.addEventListener('abort', stop, { once: true });
        // Aborted while it was starting (a listener added since would never be called).
        if (signal?.aborted)
            stop();
        // A command that exits before reading its input must not crash the step with EPIPE.
        child.stdin?.on('error', () => undefined).end(options.input);
        child.on('error', error => {
            signal?.removeEventListener('abort', stop);
            reject(error);
        });
        child.on('close', code => {
            signal?.removeEventListener('abort', stop);
            clearTimeout(killer);
            printers.forEach(p => p.end());
            const result = { code: code ?? 1, stdout: kept.stdout.text(), stderr: kept.stderr.text() };
            if (signal?.aborted && !options.keepWhenStopped)
                return reject(stopped(signal));
            resolve(signal?.aborted ? { ...result, stopped: signal.reason } : result);
        });
    });
}
/** The end of what a command printed, its standard output then its errors. */
function lastLines(result, count = 30) {
    const lines = (text) => text.split(/\r\n|\r|\n/).filter(l => l.trim() !== '');
    return [...lines(result.stdout), ...lines(result.stderr)].slice(-count);
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/smoke-test.ts
/**
 * `smoke-test`: a command of the user's, run once ECS has put test traffic on the new revision (the
 * POST_TEST_TRAFFIC_SHIFT stage of a blue/green, linear or canary deployment). Its environment says where test
 * traffic goes: the test listener of the load balancer (`advancedConfiguration.testListenerRule`: the listener's
 * URL, and the host or header the rule matches on), or Service Connect's test header. It runs without a shell
 * (parsed like `run-task`), its output printed as untrusted text, bounded by the step's deadline. When it fails, the
 * deployment is rolled back and the end of its output is the root cause.
 */



/** Service Connect's test header when the service names none (developer guide, "Service Connect resources for
 * Amazon ECS blue/green deployments"). */
const DEFAULT_TEST_HEADER = 'x-amzn-ecs-blue-green-test';
/**
 * Where test traffic reaches the new revision, as environment variables: DOCKYARD_TEST_URL (an HTTP or HTTPS test
 * listener), DOCKYARD_TEST_HOST and DOCKYARD_TEST_PORT (any listener), DOCKYARD_TEST_HOST_HEADER (a rule on one
 * host), DOCKYARD_TEST_HEADER_NAME and DOCKYARD_TEST_HEADER_VALUE (a rule on a header, or Service Connect's test
 * header), DOCKYARD_TEST_SERVICE_URL (Service Connect's client alias). Reads the load balancer's rule, listener and
 * DNS name (elasticloadbalancing:Describe*).
 */
async function testTrafficEnv(service, elb) {
    const rule = service.loadBalancers?.find(lb => lb.advancedConfiguration?.testListenerRule)
        ?.advancedConfiguration?.testListenerRule;
    return {
        ...(rule && elb ? await listenerEnv(elb, rule) : {}),
        ...serviceConnectEnv(service)
    };
}
/** `…:listener-rule/app/web/50dc…/f2f7…/9683…` → `…:listener/app/web/50dc…/f2f7…`. */
function listenerOfRule(ruleArn) {
    return ruleArn.replace(':listener-rule/', ':listener/').replace(/\/[^/]+$/, '');
}
async function listenerEnv(elb, ruleArn) {
    const [rules, listeners] = await Promise.all([
        elb.send(new client_elastic_load_balancing_v2_dist_cjs.DescribeRulesCommand({ RuleArns: [ruleArn] })),
        elb.send(new client_elastic_load_balancing_v2_dist_cjs.DescribeListenersCommand({ ListenerArns: [listenerOfRule(ruleArn)] }))
    ]);
    const listener = listeners.Listeners?.[0];
    const lbArn = listener?.LoadBalancerArn;
    const lbs = lbArn
        ? await elb.send(new client_elastic_load_balancing_v2_dist_cjs.DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))
        : undefined;
    const host = lbs?.LoadBalancers?.[0]?.DNSName;
    if (!listener || !host)
        return {};
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
function ruleMatch(conditions) {
    const exact = (values) => values?.length === 1 && !/[*?]/.test(values[0]) ? values[0] : undefined;
    const env = {};
    for (const c of conditions) {
        const host = c.Field === 'host-header' ? exact(c.HostHeaderConfig?.Values ?? c.Values) : undefined;
        if (host)
            env.DOCKYARD_TEST_HOST_HEADER = host;
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
const serviceConnect = (service) => service.deployments?.find(d => d.status === 'PRIMARY')?.serviceConnectConfiguration;
/** Service Connect: the client alias with test traffic rules (else the first), and its header. */
function serviceConnectEnv(service) {
    const config = serviceConnect(service);
    if (!config?.enabled)
        return {};
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
function hasTestTraffic(service) {
    const rule = service.loadBalancers?.some(lb => lb.advancedConfiguration?.testListenerRule);
    return Boolean(rule || serviceConnect(service)?.enabled);
}
/** Runs the smoke test to its end, the time left, or the step's cancel. Never throws on its failure. */
async function runSmokeTest(command, options, log) {
    const clock = options.clock ?? core/* systemClock */.ml;
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
    }
    catch (error) {
        const why = error.code === 'ENOENT' ? 'is not on PATH' : 'could not start';
        const cause = `smoke test '${command[0]}' ${why}: ${(0,core/* oneLine */.TN)(error.message)}`;
        return { ...base, status: 'FAILED', durationMs: clock.now() - started, tail: [], cause };
    }
    finally {
        clearTimeout(timer);
    }
}
function judged(result, stopped, timedOut, timeoutMs) {
    const said = (0,core/* rootCauseLine */.Yc)(result.tail);
    const line = said ? `: ${(0,core/* oneLine */.TN)(said, { max: 300 })}` : '';
    if (stopped && timedOut)
        return {
            ...result,
            status: 'TIMED_OUT',
            cause: `smoke test did not finish within ${(0,core/* formatDuration */.a3)(timeoutMs)}, the time the step had left${line}`
        };
    if (stopped)
        return { ...result, status: 'CANCELLED', cause: 'smoke test stopped: the step was cancelled' };
    if (result.exitCode === 0)
        return { ...result, status: 'PASSED' };
    return { ...result, status: 'FAILED', cause: `smoke test exited with code ${result.exitCode}${line}` };
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/gates.ts







/** The stage a smoke test runs at: all test traffic is on the new revision, no production traffic yet. */
const SMOKE_TEST_STAGE = 'POST_TEST_TRAFFIC_SHIFT';
/**
 * What lets ECS hold the deployment for the smoke test, judged before any write: a BLUE_GREEN, LINEAR or CANARY
 * deployment, test traffic to send requests to, and a PAUSE hook at POST_TEST_TRAFFIC_SHIFT. Returns the notes
 * worth a warning (a hook whose timeout continues to production traffic).
 */
function smokeTestHold(strategy, configuration, service) {
    const fail = (why, hint) => {
        throw new errors/* DockyardError */.gt(why, { input: 'smoke-test', hint });
    };
    if (!TRAFFIC_SHIFTING.has(strategy))
        fail(`runs on test traffic, which a ${strategy} deployment has none of. Nothing was registered.`, "Deploy with 'strategy: BLUE_GREEN' (or LINEAR, CANARY) and a test listener rule, or remove 'smoke-test'.");
    if (!hasTestTraffic(service))
        fail(`the service '${service.serviceName}' routes no test traffic: its load balancer has no test listener rule and it has no Service Connect. Nothing was registered.`, "Give the load balancer's advancedConfiguration a testListenerRule (or use Service Connect), or remove 'smoke-test'.");
    const hook = (configuration.lifecycleHooks ?? []).find(h => h.targetType === 'PAUSE' && (h.lifecycleStages ?? []).includes(SMOKE_TEST_STAGE));
    if (!hook)
        fail(`needs ECS to hold the deployment at ${SMOKE_TEST_STAGE} while it runs, and the service has no PAUSE lifecycle hook there: ECS would move production traffic one stage later, whatever the smoke test says. Nothing was registered.`, `Add to the service's deploymentConfiguration.lifecycleHooks: {"targetType": "PAUSE", "lifecycleStages": ["${SMOKE_TEST_STAGE}"], "timeoutConfiguration": {"timeoutInMinutes": 30, "action": "ROLLBACK"}}; the step continues it once the smoke test passes.`);
    if (hook?.timeoutConfiguration?.action === 'CONTINUE')
        return [
            `smoke-test: the PAUSE hook at ${SMOKE_TEST_STAGE} continues when its timeout passes: should this step stop before the smoke test ends (a cancelled job), ECS moves production traffic without it. Set its timeoutConfiguration.action to ROLLBACK to fail safe.`
        ];
    return [];
}
/** The follow's answer to a pause (StrategyWatchOptions.atPause): a verdict ends the follow, undefined goes on. */
function pauseGate(options, state, log) {
    // A hook is acted on once; one whose action threw (a throttled call, retried at the next look) is acted on again.
    const acted = new Set();
    let smokeHook;
    return async (hook, look) => {
        if (acted.has(hook.hookId))
            return undefined;
        const arn = look.deployment?.serviceDeploymentArn ?? '';
        if (options.smokeTest && hook.stage === SMOKE_TEST_STAGE && (smokeHook ?? hook.hookId) === hook.hookId) {
            smokeHook = hook.hookId;
            const verdict = await smokeTestAtPause(options, state, { hook, look, arn }, log);
            acted.add(hook.hookId);
            return verdict;
        }
        acted.add(hook.hookId);
        state.paused = { ...hook, serviceDeploymentArn: arn, text: pausedText(hook) };
        return {
            deploymentId: options.deploymentId,
            status: 'IN_PROGRESS',
            reason: `Service deployment ${(0,stages/* shortArn */.k$)(arn)} is ${pausedText(hook)}: ECS waits for ContinueServiceDeployment. Continue it with 'continue-deployment: ${arn}' ('continue-action: continue' or 'rollback'); the step ends here.`
        };
    };
}
/**
 * The smoke test while the hook holds test traffic; its verdict is the hook's answer. Run once: after a retried
 * look only the ContinueServiceDeployment of a passed test is sent again.
 */
async function smokeTestAtPause(options, state, at, log) {
    const { hook, arn } = at;
    const base = { deploymentId: options.deploymentId };
    const held = `while hook ${hook.hookId} held service deployment ${(0,stages/* shortArn */.k$)(arn)} at ${SMOKE_TEST_STAGE}`;
    const result = state.smokeTest ?? (await smokeTestOnce(options, at, held, log));
    state.smokeTest = result;
    if (result.status === 'PASSED') {
        log.info(`Smoke test passed in ${(0,duration/* formatDuration */.a)(result.durationMs)}.`);
        await continueDeployment(options.clients, arn, hook, 'CONTINUE', { log, ...options });
        return undefined;
    }
    if (result.status === 'CANCELLED')
        return { ...base, status: 'CANCELLED', reason: `The step was cancelled during the smoke test ${held}.` };
    return {
        ...base,
        status: 'FAILED',
        reason: `The smoke test failed ${held}; no production traffic had moved to ${(0,render/* taskDefinitionKey */.MT)(options.taskDefinitionArn)}.`
    };
}
async function smokeTestOnce(options, at, held, log) {
    const { hook, look, arn } = at;
    const timeoutMs = smokeTestTime(options, hook);
    const env = {
        ...(await testTrafficEnv(look.service, options.elb)),
        DOCKYARD_SERVICE_DEPLOYMENT_ARN: arn,
        DOCKYARD_TASK_DEFINITION_ARN: options.taskDefinitionArn
    };
    const command = options.smokeTest ?? [];
    if (timeoutMs <= 0)
        return notRun(command, hook);
    log.info(`All test traffic is on ${(0,render/* taskDefinitionKey */.MT)(options.taskDefinitionArn)}: running the smoke test ${held}.`);
    return runSmokeTest(command, { env, timeoutMs, ...options }, log);
}
/** No time before the hook expires: ECS would take its timeout action before the test could decide. */
function notRun(command, hook) {
    const when = hook.expiresAt ? new Date(hook.expiresAt).toISOString() : 'soon';
    return {
        status: 'FAILED',
        command,
        durationMs: 0,
        tail: [],
        cause: `smoke test not run: the PAUSE hook expires at ${when}, too soon for it and the ContinueServiceDeployment after it (or the step has no time left)`
    };
}
/**
 * The smoke test's time: what the step has left, and never past the hook's expiry (less two polls for the
 * ContinueServiceDeployment), after which ECS would take the hook's timeout action instead of the test's verdict.
 */
function smokeTestTime(options, hook) {
    const left = options.timeLeftMs();
    if (!hook.expiresAt)
        return left;
    const margin = Math.max(10_000, 2 * options.pollIntervalMs);
    const untilExpiry = new Date(hook.expiresAt).getTime() - options.clock.now() - margin;
    return Math.max(0, Math.min(left, untilExpiry));
}
/**
 * The root cause when a gate decided the outcome, else undefined: the smoke test's end (its output tail goes to
 * the diagnostics), or the rollback `continue-action` asked for.
 */
function gateCause(result) {
    const smoke = result.gates?.smokeTest;
    if (smoke && smoke.status !== 'PASSED') {
        result.diagnostics.push({
            title: `Smoke test (${smoke.status}${smoke.exitCode !== undefined ? `, exit ${smoke.exitCode}` : ''}): the last lines it printed`,
            severity: 'error',
            lines: smoke.tail.length > 0 ? smoke.tail : ['(it printed nothing)']
        });
        return smoke.cause;
    }
    if (result.continued === 'ROLLBACK')
        return "rolled back as 'continue-action: rollback' asked";
    return undefined;
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/continue.ts
/**
 * `continue-deployment`: the second step of gated promotion. The deployment a PAUSE hook holds is read (it must be
 * the service's; its target and source revisions are what it deploys and what it would roll back to), then
 * continued or rolled back with ContinueServiceDeployment (pause.ts), and followed like any strategy deployment.
 * A deployment no longer paused (the hook's timeout passed, someone acted in the console) is reported as it is.
 */




/** The paused deployment of the service, read; refused when it is another service's. */
async function readPausedTarget(ecs, continuing, service, signal) {
    const deployment = await describeServiceDeployment(ecs, continuing.serviceDeploymentArn, signal);
    if (deployment.serviceArn && service.serviceArn && deployment.serviceArn !== service.serviceArn)
        throw new errors/* DockyardError */.gt(`the service deployment ${continuing.serviceDeploymentArn} is one of ${deployment.serviceArn}, not of the service '${service.serviceName}'.`, {
            input: 'continue-deployment',
            hint: "Pass the 'service-deployment-arn' output of the step that deployed this service."
        });
    const [target, source] = await Promise.all([
        revisionTaskDefinition(ecs, deployment.targetServiceRevision?.arn),
        revisionTaskDefinition(ecs, deployment.sourceServiceRevisions?.[0]?.arn)
    ]);
    const taskDefinitionArn = target ?? service.taskDefinition;
    if (!taskDefinitionArn)
        throw new errors/* DockyardError */.gt(`the service deployment ${(0,stages/* shortArn */.k$)(continuing.serviceDeploymentArn)} names no target revision.`, { input: 'continue-deployment' });
    return { deployment, hook: pausedHook(deployment), taskDefinitionArn, previousTaskDefinitionArn: source };
}
async function revisionTaskDefinition(ecs, arn) {
    if (!arn)
        return undefined;
    const out = await ecs.send(new dist_cjs.DescribeServiceRevisionsCommand({ serviceRevisionArns: [arn] }));
    return out.serviceRevisions?.[0]?.taskDefinition;
}
/**
 * For a deployment no longer awaiting action: how the step ends, or undefined to follow it (it goes on forward and
 * the step was asked to continue it).
 */
function notPausedEnding(deployment, action) {
    const arn = (0,stages/* shortArn */.k$)(deployment.serviceDeploymentArn);
    const status = deployment.status ?? 'no status';
    const at = deployment.lifecycleStage ? ` at ${deployment.lifecycleStage}` : '';
    const noHook = `Service deployment ${arn} no longer waits on a PAUSE hook (${status}${at})`;
    const rolledBack = status.startsWith('ROLLBACK') && status !== 'ROLLBACK_FAILED';
    if (action === 'ROLLBACK' && rolledBack)
        return { status: 'ROLLED_BACK', reason: `${noHook}: ECS is rolling it back or has, without this step.` };
    if (action === 'CONTINUE' && status === 'SUCCESSFUL')
        return { status: 'COMPLETED', reason: `${noHook}: it completed without this step.` };
    if (action === 'CONTINUE' && (status === 'IN_PROGRESS' || status === 'PENDING'))
        return undefined;
    const why = action === 'CONTINUE' && rolledBack
        ? ' The approval came too late: the pause hook timed out, or someone rolled it back.'
        : action === 'ROLLBACK' && status === 'IN_PROGRESS'
            ? ' It was continued already; stop it with StopServiceDeployment ROLLBACK, or deploy the previous revision.'
            : '';
    return { status: 'FAILED', reason: `${noHook}; nothing to ${action.toLowerCase()}.${why}` };
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/causes.ts
var causes = __webpack_require__(9257);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/deploy.ts
/**
 * One deployment to ECS, as the core's deploy pipeline (core/deploy.ts) runs it: check the cluster and service →
 * render the task definition → verify it → register, run the one-off task, UpdateService → follow the deployment
 * → diagnose a failure → roll back → deregister old revisions. The functions below are the phases, in that order.
 */























async function deploy_deploy(inputs, ctx, clients = (0,src_clients/* lazyClients */.x)(inputs.region, ctx.signal)) {
    const run = { inputs, clients, log: ctx.log, result: (0,result/* initialResult */.S)(inputs), fileProblems: [] };
    try {
        return await (0,deploy/* runDeploy */.zt)(run.result, {
            connect: { title: 'Checking the target', run: () => checkTarget(run) },
            render: inputs.continuing
                ? { title: 'Reading the paused service deployment', run: () => readPaused(run) }
                : { title: renderTitle(inputs), run: () => deploy_render(run) },
            verify: inputs.verify && !inputs.continuing
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
            settle: inputs.keepRevisions > 0
                ? { title: 'Cleaning up old revisions', run: () => cleanUp(run) }
                : undefined,
            progress: () => progress(run.result)
        }, ctx, inputs.timeoutMs);
    }
    finally {
        clients.destroy();
    }
}
/** connect: the credentials work, the cluster is ACTIVE, the service too, and what it runs now. */
async function checkTarget(run) {
    const { ecs } = await run.clients.ecs();
    await (0,aws/* ensureCredentials */.jA)(ecs);
    await checkCluster(ecs, run.inputs.cluster);
    if (run.inputs.service)
        await checkService(run);
}
/** connect, for the service: ACTIVE, deployed by ECS, what it runs now, and the strategy's plan. */
async function checkService(run) {
    const { inputs, log, result } = run;
    const { ecs } = await run.clients.ecs();
    if (!inputs.service)
        return;
    const service = await describeService(ecs, { cluster: inputs.cluster, service: inputs.service });
    if (service.status !== 'ACTIVE') {
        throw new errors/* DockyardError */.gt(`the service '${inputs.service}' is ${service.status}.`, {
            input: 'service',
            hint: 'Deploy to an ACTIVE service; create it again first if it was deleted.'
        });
    }
    refuseOtherControllers(service);
    log.info(`Service ${service.serviceName} in ${inputs.cluster} runs ${(0,render/* taskDefinitionKey */.MT)(service.taskDefinition)} (${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks).`);
    run.service = service;
    planDeployment(run, service);
    if (service.taskDefinition)
        run.running = await describeTaskDefinition(ecs, service.taskDefinition);
    // The full ARN, even where DescribeServices gives `family:revision`.
    result.previousTaskDefinitionArn = run.running?.taskDefinitionArn ?? service.taskDefinition;
}
/** connect, for the strategy: what the inputs make of the service's deployment configuration. */
function planDeployment(run, service) {
    const plan = planStrategy(service, run.inputs.strategy);
    run.plan = plan;
    if (run.inputs.smokeTest)
        for (const note of smokeTestHold(plan.strategy, plan.effective, service)) {
            run.log.warning(note);
            run.result.warnings.push(note);
        }
    run.result.strategy = { name: plan.strategy, changes: plan.changes };
    if (plan.changes.length > 0)
        run.log.info(`Deployment configuration: ${plan.changes.join('; ')}.`);
    else if (TRAFFIC_SHIFTING.has(plan.strategy))
        run.log.info(`Strategy: ${plan.strategy} (the service's).`);
}
/** Whether ECS shifts the traffic of this deployment itself, stage by stage. */
const shiftsTraffic = (run) => run.plan !== undefined && TRAFFIC_SHIFTING.has(run.plan.strategy);
const renderTitle = (inputs) => inputs.registered ? 'Reading the registered task definition' : 'Rendering the task definition';
/** render, for `continue-deployment`: the paused deployment, what it deploys and what it replaces. */
async function readPaused(run) {
    const { ecs } = await run.clients.ecs();
    const continuing = run.inputs.continuing;
    const paused = await readPausedTarget(ecs, continuing, run.service);
    run.paused = paused;
    run.given = await describeTaskDefinition(ecs, paused.taskDefinitionArn);
    run.result.serviceDeploymentArn = continuing.serviceDeploymentArn;
    run.result.previousTaskDefinitionArn =
        paused.previousTaskDefinitionArn ?? run.result.previousTaskDefinitionArn;
    const { hook, deployment } = paused;
    run.log.info(hook
        ? `Service deployment ${continuing.serviceDeploymentArn} to ${(0,render/* taskDefinitionKey */.MT)(paused.taskDefinitionArn)} is ${pausedText(hook)}.`
        : `Service deployment ${continuing.serviceDeploymentArn} waits on no PAUSE hook: it is ${deployment.status ?? 'without status'}${deployment.lifecycleStage ? ` at ${deployment.lifecycleStage}` : ''}.`);
}
/** apply, for `continue-deployment`: ContinueServiceDeployment with `continue-action`, once. */
async function applyContinue(run, phase) {
    const { inputs, result } = run;
    const { hook, deployment } = run.paused;
    const action = inputs.continuing.action;
    run.registration = asRegistration(run.given);
    result.taskDefinitionArn = run.registration.taskDefinitionArn;
    result.revision = run.registration.revision;
    const service = run.service;
    const primary = service.deployments?.find(d => d.status === 'PRIMARY') ?? {};
    run.started = { service, deployment: primary };
    result.deploymentId = primary.id;
    if (!hook)
        return notPausedEnding(deployment, action);
    const arn = inputs.continuing.serviceDeploymentArn;
    const ecs = await run.clients.ecs();
    await continueDeployment(ecs, arn, hook, action, {
        log: run.log,
        clock: phase.clock,
        signal: phase.signal
    });
    result.continued = action;
}
/** render: the file (or the service's task definition) with the inputs' changes, and the diff to what runs. */
async function deploy_render(run) {
    const { inputs, log, result, running } = run;
    const rendering = inputs.registered
        ? await readRegistered(run, inputs.registered)
        : (0,render/* renderTaskDefinition */.P9)(baseTaskDefinition(run), run.fileProblems, inputs);
    // Without verify, the problems found rendering stop the step here; verify reports them with its own.
    if (!inputs.verify && rendering.problems.length > 0)
        throw (0,render/* problemsError */.$j)(rendering.problems, rendering.origins);
    const { request } = rendering;
    run.rendering = rendering;
    result.rendered = request;
    result.family = request.family;
    const diff = (0,src_diff/* diffTaskDefinitions */.n)(running ? (0,compare/* describedAsRequest */.lY)(running) : undefined, request);
    result.diff = diff;
    for (const row of diff.rows)
        log.info(`  ${row.container ? `${row.container} ` : ''}${row.field}: ${row.before} → ${row.after}`);
    if (diff.otherFields.length > 0)
        log.info(`  also changed: ${diff.otherFields.join(', ')}`);
    if (running && !diff.changed)
        log.info('  no change against the running task definition.');
}
/** render, for `task-definition-arn`: the registered revision as it is. */
async function readRegistered(run, revision) {
    const { ecs } = await run.clients.ecs();
    run.given = await describeRegistered(ecs, revision);
    run.result.givenRevision = true;
    run.log.info(`Deploying the registered revision ${revision.key} as it is: nothing is rendered or registered.`);
    return { request: (0,compare/* describedAsRequest */.lY)(run.given), problems: [], origins: new Map() };
}
function baseTaskDefinition(run) {
    const { inputs, log, result, running } = run;
    if (inputs.taskDefinition) {
        const normalised = (0,render/* toRegisterRequest */.wu)(inputs.taskDefinition);
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
        log.info(`Base: the service's task definition ${(0,render/* taskDefinitionKey */.MT)(running.taskDefinitionArn)}.`);
        return (0,compare/* describedAsRequest */.lY)(running);
    }
    throw new errors/* DockyardError */.gt('there is no task definition to start from.', {
        input: 'task-definition',
        hint: "Give 'task-definition', or a 'service'."
    });
}
/** verify: every problem at once (the file's, the local rules', the remote checks'), before anything is written. */
async function verify(run, options = {}) {
    const { inputs, result } = run;
    const rendering = run.rendering;
    const [{ verifyTaskDefinition }, clients] = await Promise.all([
        Promise.all(/* import() */[__webpack_require__.e(303), __webpack_require__.e(736), __webpack_require__.e(249), __webpack_require__.e(994), __webpack_require__.e(582)]).then(__webpack_require__.bind(__webpack_require__, 7582)),
        run.clients.verify()
    ]);
    const strategy = run.plan && {
        name: run.plan.strategy,
        input: inputs.strategy.strategy ? 'strategy' : 'service'
    };
    const verification = await verifyTaskDefinition(rendering, clients, { service: run.service, region: inputs.region, strategy, launch: inputs.launch, remote: options.remote }, run.log);
    result.verify = verification;
    result.warnings.push(...verification.notes);
    const { problems, refusals } = verification;
    const origins = new Map([...rendering.origins, ...launch_settings/* LAUNCH_SETTING_ORIGINS */.xy]);
    const input = inputs.registered ? 'task-definition-arn' : 'task-definition';
    const all = [
        ...refusals,
        ...(problems.length > 0 ? [(0,render/* problemsError */.$j)(problems, origins, 'verify: the task definition', input)] : [])
    ];
    if (all.length > 0)
        throw all.length === 1 ? all[0] : new errors/* InputError */.dz(all);
}
function applyTitle(inputs) {
    if (inputs.dryRun)
        return 'Comparing with the registered revisions (dry run)';
    const steps = [
        inputs.registered ? undefined : 'registering',
        inputs.runTask && 'running the one-off task',
        inputs.service && 'updating the service'
    ].filter(Boolean);
    const title = steps.join(', ');
    return `${title.charAt(0).toUpperCase()}${title.slice(1)}`;
}
/** apply: register (or reuse), the one-off task, UpdateService. Ends here for a dry run, or without a wait. */
async function apply(run, phase) {
    const { inputs, result } = run;
    if (inputs.dryRun)
        return dryRun(run);
    const registration = await registerRevision(run, phase);
    if (inputs.runTask) {
        const failed = await oneOffTask(run, phase);
        if (failed)
            return failed;
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
async function registerRevision(run, phase) {
    const { result } = run;
    const ecs = await run.clients.ecs();
    const registration = run.given
        ? asRegistration(run.given)
        : await registerOrReuse(ecs, run.rendering.request, run.log, { clock: phase.clock });
    run.registration = registration;
    result.taskDefinitionArn = registration.taskDefinitionArn;
    result.revision = registration.revision;
    result.registered = registration.registered;
    return registration;
}
const revisionKey = (run) => `${run.rendering.request.family}:${run.registration.revision}`;
/** apply: UpdateService to the registered revision, with the strategy's configuration. */
async function updateService(run, phase) {
    const { inputs, result } = run;
    const ecs = await run.clients.ecs();
    const registration = run.registration;
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
    if (named !== run.service?.currentServiceDeployment)
        result.serviceDeploymentArn = named;
    run.log.info(`UpdateService: ${target.service} → ${revisionKey(run)}; deployment ${result.deploymentId}.`);
}
/** The dry run: would a new revision be registered, or the latest reused? Nothing is written. */
async function dryRun(run) {
    const { inputs, result } = run;
    if (run.given)
        return dryRunGiven(run, run.given);
    const rendered = run.rendering.request;
    const { ecs } = await run.clients.ecs();
    const latest = await latestRevision(ecs, rendered.family ?? '');
    result.wouldRegister = !(latest && (0,compare/* sameTaskDefinition */.JL)(latest.request, rendered));
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
function dryRunGiven(run, given) {
    const { inputs, result } = run;
    result.taskDefinitionArn = given.taskDefinitionArn;
    result.revision = given.revision;
    result.wouldRegister = false;
    const what = (0,render/* taskDefinitionKey */.MT)(given.taskDefinitionArn);
    const then = inputs.service ? `rolled out to ${inputs.service}` : 'run as the one-off task';
    const reason = `Dry run: the registered revision ${what} would be ${then}, as it is.`;
    run.log.info(reason);
    return { status: 'DRY_RUN', reason };
}
/** The one-off task on the new revision, before the service is updated; its failure ends the deploy. */
async function oneOffTask(run, phase, notUpdated = 'The service was not updated.') {
    const { inputs, result } = run;
    const [{ runOneOffTask }, { ecs }, logs] = await Promise.all([
        Promise.all(/* import() */[__webpack_require__.e(303), __webpack_require__.e(77)]).then(__webpack_require__.bind(__webpack_require__, 6077)),
        run.clients.ecs(),
        run.clients.logs()
    ]);
    const task = await runOneOffTask({ ecs, ...logs }, {
        cluster: inputs.cluster,
        taskDefinition: run.registration.taskDefinition,
        command: inputs.runTask ?? [],
        container: inputs.container,
        service: run.service,
        launch: inputs.launch,
        region: inputs.region,
        ...pacing(run, phase)
    }, run.log);
    result.runTask = task;
    if (task.ok)
        return undefined;
    if (task.status === 'STOPPED')
        result.rootCause = task.cause;
    result.diagnostics.push({
        title: `One-off task ${(0,causes/* taskId */.BS)(task.taskArn)}`,
        severity: 'error',
        lines: [...task.details, ...(task.logLines.length > 0 ? ['Last log lines:', ...task.logLines] : [])]
    });
    return {
        status: task.status === 'STOPPED' ? 'FAILED' : task.status,
        reason: `${task.reason} ${notUpdated}`
    };
}
/** wait: follow the deployment until ECS says it is over, or the time left runs out. */
async function wait(run, phase) {
    if (shiftsTraffic(run))
        return followStrategy(run, phase);
    const { inputs, result } = run;
    const started = run.started;
    const rollout = await watchDeployment(await run.clients.ecs(), target(inputs), {
        ...pacing(run, phase),
        knownEvents: started.service.events,
        deploymentId: started.deployment.id ?? '',
        initial: started.deployment,
        taskDefinitionArn: run.registration.taskDefinitionArn,
        previousTaskDefinitionArn: result.previousTaskDefinitionArn
    }, run.log);
    result.rollout = rollout;
    if (rollout.status === 'COMPLETED')
        run.log.info(rollout.reason);
    return { status: rollout.status, reason: rollout.reason };
}
/** wait, for BLUE_GREEN, LINEAR and CANARY: the service deployment, stage by stage (service-deployment.ts). */
async function followStrategy(run, phase) {
    const { inputs, result } = run;
    const started = run.started;
    const plan = run.plan;
    const rollingBack = result.continued === 'ROLLBACK';
    const rollout = await followServiceDeployment(await run.clients.ecs(), target(inputs), {
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
        taskDefinitionArn: run.registration.taskDefinitionArn,
        previousTaskDefinitionArn: result.previousTaskDefinitionArn
    }, run.log);
    result.rollout = rollout;
    result.strategy = { name: plan.strategy, changes: plan.changes, view: rollout.strategy };
    result.serviceDeploymentArn = rollout.strategy.serviceDeploymentArn ?? result.serviceDeploymentArn;
    if (rollout.status === 'COMPLETED' || rollout.status === 'IN_PROGRESS')
        run.log.info(rollout.reason);
    if (rollout.status === 'COMPLETED' && inputs.smokeTest && !result.gates?.smokeTest) {
        // The service had the hook when the step began; ECS did not hold the stage (the hook was changed meanwhile).
        const note = `smoke-test: ECS never held the deployment at ${SMOKE_TEST_STAGE}, so the smoke test did not run; production traffic moved without it.`;
        run.log.warning(note);
        result.warnings.push(note);
    }
    return { status: rollout.status, reason: rollout.reason };
}
/** The follow's answer to a PAUSE hook (gates.ts): the smoke test at its stage, else the step ends there. */
async function gate(run, phase) {
    const { inputs, result } = run;
    result.gates ??= {};
    const options = {
        clients: await run.clients.ecs(),
        elb: inputs.smokeTest ? await run.clients.elb() : undefined,
        smokeTest: inputs.smokeTest,
        deploymentId: result.deploymentId ?? '',
        taskDefinitionArn: run.registration.taskDefinitionArn,
        pollIntervalMs: inputs.pollIntervalMs,
        timeLeftMs: () => phase.timeLeftMs(),
        signal: phase.signal,
        clock: phase.clock,
        cwd: process.env.GITHUB_WORKSPACE
    };
    return pauseGate(options, result.gates, run.log);
}
/** explain: the service's events, the stopped tasks, the targets and the app's log, and the root cause. */
async function explain(run) {
    const { inputs, result } = run;
    const rollout = result.rollout;
    const gated = gateCause(result);
    if (gated)
        return gated;
    if (rollout.events.length > 0)
        result.diagnostics.push({
            title: 'Service events while waiting',
            severity: 'info',
            lines: rollout.events.slice(-15)
        });
    const [{ diagnose }, { ecs }, logs, elb] = await Promise.all([
        Promise.all(/* import() */[__webpack_require__.e(303), __webpack_require__.e(65)]).then(__webpack_require__.bind(__webpack_require__, 7065)),
        run.clients.ecs(),
        run.clients.logs(),
        run.clients.elb()
    ]);
    const diagnosis = await diagnose({ ecs, elb, ...logs }, {
        cluster: inputs.cluster,
        deploymentId: rollout.deploymentId,
        service: rollout.service ?? run.service,
        taskDefinition: run.registration.taskDefinition,
        region: inputs.region,
        events: rollout.events
    }, run.log);
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
async function rollBackService(run, phase) {
    if (shiftsTraffic(run))
        return stopStrategy(run, phase);
    const { inputs, result } = run;
    const previous = result.previousTaskDefinitionArn;
    const failed = run.registration.taskDefinitionArn;
    if (!previous || (0,render/* taskDefinitionKey */.MT)(previous) === (0,render/* taskDefinitionKey */.MT)(failed)) {
        run.log.warning('Not rolling back: the service ran the same revision before this step.');
        return undefined;
    }
    const rollback = await rollBack(await run.clients.ecs(), target(inputs), {
        ...pacing(run, phase),
        previousTaskDefinitionArn: previous,
        failedTaskDefinitionArn: failed,
        settings: settingsBefore(inputs.launch, run.service),
        knownEvents: result.rollout?.service?.events
    }, run.log);
    result.rollback = rollback;
    const key = (0,render/* taskDefinitionKey */.MT)(previous);
    if (rollback.ok)
        return { status: 'ROLLED_BACK', reason: `Rolled back to ${key}.` };
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
function settingsBefore(launch, service) {
    return {
        volumeConfigurations: launch.volumeConfigurations && ((0,launch_settings/* currentVolumeConfigurations */.FL)(service) ?? []),
        enableExecuteCommand: launch.enableExecuteCommand === undefined ? undefined : (service?.enableExecuteCommand ?? false)
    };
}
/** rollback, for BLUE_GREEN, LINEAR and CANARY: StopServiceDeployment ROLLBACK, followed to its end. */
async function stopStrategy(run, phase) {
    const { inputs, result } = run;
    const outcome = result.strategy;
    if (!stoppable(outcome.view)) {
        const status = outcome.view?.status;
        run.log.info(`Not rolling back: ${status ? `ECS has the service deployment ${status}` : 'ECS had not named the service deployment'}; the step starts no deployment of its own.`);
        return undefined;
    }
    const rollback = await stopWithRollback(await run.clients.ecs(), target(inputs), {
        ...pacing(run, phase),
        strategy: outcome.name,
        waitUntil: 'completed',
        serviceDeploymentArn: outcome.view.serviceDeploymentArn,
        origin: outcome.view.origin,
        knownEvents: result.rollout?.service?.events,
        deploymentId: result.deploymentId ?? '',
        taskDefinitionArn: run.registration.taskDefinitionArn,
        previousTaskDefinitionArn: result.previousTaskDefinitionArn
    }, run.log);
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
async function cleanUp(run, rollouts = [run.result.rollout]) {
    const { inputs, result } = run;
    if (!result.family || !result.taskDefinitionArn)
        return;
    const { ecs } = await run.clients.ecs();
    const inUse = [
        ...rollouts.flatMap(r => r?.service?.deployments ?? []).map(d => d.taskDefinition ?? ''),
        ...(await taskDefinitionsInUse(ecs, inputs.cluster)),
        result.taskDefinitionArn
    ];
    result.cleanup = await cleanupRevisions(ecs, { family: result.family, keep: inputs.keepRevisions, inUse }, run.log);
}
/** What had been written when the step was stopped: a deploy cut short must say whether the service changed. */
function progress(result) {
    const sd = result.serviceDeploymentArn
        ? ` (service deployment ${(0,stages/* shortArn */.k$)(result.serviceDeploymentArn)})`
        : '';
    if (result.deploymentId)
        return `Deployment ${result.deploymentId}${sd} had started; ECS carries on with it.`;
    if (result.taskDefinitionArn && result.registered !== undefined)
        return `${(0,render/* taskDefinitionKey */.MT)(result.taskDefinitionArn)} was ${result.registered ? 'registered' : 'reused'}; the service was not updated.`;
    return '';
}
/** How a wait of this phase goes: the time left, the poll interval, the step's signal and clock. */
function pacing(run, phase) {
    return {
        timeoutMs: phase.timeLeftMs(),
        intervalMs: run.inputs.pollIntervalMs,
        signal: phase.signal,
        clock: phase.clock
    };
}
const target = (inputs) => ({ cluster: inputs.cluster, service: inputs.service ?? '' });
async function checkCluster(ecs, cluster) {
    const out = await ecs.send(new dist_cjs.DescribeClustersCommand({ clusters: [cluster] }));
    const found = out.clusters?.[0];
    if (!found || found.status === 'INACTIVE') {
        const reason = found
            ? 'is INACTIVE'
            : `does not exist${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ''}`;
        throw new errors/* DockyardError */.gt(`the cluster '${cluster}' ${reason}.`, {
            input: 'cluster',
            hint: 'Check the cluster name and the region.'
        });
    }
}
async function describeTaskDefinition(ecs, arn) {
    const out = await ecs.send(new dist_cjs.DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
    if (!out.taskDefinition)
        throw new errors/* DockyardError */.gt(`the task definition ${arn} could not be described.`);
    // Keep tags with the definition so that a service-based render registers them again.
    return out.tags && out.tags.length > 0
        ? { ...out.taskDefinition, tags: out.tags }
        : out.taskDefinition;
}


/***/ }),

/***/ 558:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   n: () => (/* binding */ diffTaskDefinitions)
/* harmony export */ });
/* harmony import */ var _compare_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8939);
/* harmony import */ var _render_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9393);


const DASH = '—';
function diffTaskDefinitions(running, next) {
    const rows = [];
    const before = running ?? { family: next.family, containerDefinitions: [] };
    const add = (field, a, b, container) => {
        if ((a ?? '') !== (b ?? ''))
            rows.push({ field, container, before: a || DASH, after: b || DASH });
    };
    const oldContainers = new Map((before.containerDefinitions ?? []).map(c => [c.name ?? '', c]));
    const newContainers = new Map((next.containerDefinitions ?? []).map(c => [c.name ?? '', c]));
    for (const name of [...new Set([...newContainers.keys(), ...oldContainers.keys()])]) {
        const a = oldContainers.get(name);
        const b = newContainers.get(name);
        if (!a || !b) {
            if (running)
                rows.push({
                    field: 'container',
                    container: name,
                    before: a ? 'present' : DASH,
                    after: b ? 'present' : 'removed'
                });
            if (!b)
                continue;
        }
        add('image', a?.image, b.image, name);
        const env = keyChanges(pairs(a?.environment), pairs(b.environment));
        if (env)
            rows.push({ field: 'environment', container: name, ...env });
        const secrets = keyChanges(pairs(a?.secrets?.map(s => ({ name: s.name, value: s.valueFrom }))), pairs(b.secrets?.map(s => ({ name: s.name, value: s.valueFrom }))));
        if (secrets)
            rows.push({ field: 'secrets', container: name, ...secrets });
        add('command', words(a), words(b), name);
    }
    add('cpu', before.cpu ? (0,_render_js__WEBPACK_IMPORTED_MODULE_1__/* .normaliseCpu */ .rr)(before.cpu) : undefined, next.cpu ? (0,_render_js__WEBPACK_IMPORTED_MODULE_1__/* .normaliseCpu */ .rr)(next.cpu) : undefined);
    add('memory', before.memory ? (0,_render_js__WEBPACK_IMPORTED_MODULE_1__/* .normaliseMemory */ .Sp)(before.memory) : undefined, next.memory ? (0,_render_js__WEBPACK_IMPORTED_MODULE_1__/* .normaliseMemory */ .Sp)(next.memory) : undefined);
    add('task role', before.taskRoleArn, next.taskRoleArn);
    add('execution role', before.executionRoleArn, next.executionRoleArn);
    const shown = new Set([
        'containerDefinitions',
        'cpu',
        'memory',
        'taskRoleArn',
        'executionRoleArn',
        'family'
    ]);
    const otherFields = running ? (0,_compare_js__WEBPACK_IMPORTED_MODULE_0__/* .changedFields */ .E0)(before, next).filter(f => !shown.has(f)) : [];
    const containerOther = running ? containerFieldsChanged(before, next) : false;
    return {
        rows,
        otherFields: containerOther ? [...otherFields, 'other container settings'] : otherFields,
        changed: rows.length > 0 || otherFields.length > 0 || containerOther
    };
}
function pairs(list) {
    return new Map((list ?? []).map(p => [p.name ?? '', p.value ?? '']));
}
/** `+ADDED −REMOVED ~CHANGED` over names only, never values. */
function keyChanges(a, b) {
    const added = [...b.keys()].filter(k => !a.has(k)).sort();
    const removed = [...a.keys()].filter(k => !b.has(k)).sort();
    const changed = [...b.keys()].filter(k => a.has(k) && a.get(k) !== b.get(k)).sort();
    if (added.length + removed.length + changed.length === 0)
        return undefined;
    const after = [...added.map(k => `+${k}`), ...removed.map(k => `-${k}`), ...changed.map(k => `~${k}`)].join(' ');
    return { before: `${a.size} ${a.size === 1 ? 'name' : 'names'}`, after };
}
function words(c) {
    return c?.command && c.command.length > 0 ? c.command.join(' ') : undefined;
}
const CONTAINER_SHOWN = new Set(['image', 'environment', 'secrets', 'command', 'name']);
function containerFieldsChanged(a, b) {
    const inBoth = (r, other) => (r.containerDefinitions ?? []).filter(c => (other.containerDefinitions ?? []).some(o => o.name === c.name));
    const strip = (r, other) => ({
        family: r.family,
        containerDefinitions: inBoth(r, other).map(c => Object.fromEntries(Object.entries(c).filter(([k]) => !CONTAINER_SHOWN.has(k) || k === 'name'))),
        networkMode: r.networkMode
    });
    return (0,_compare_js__WEBPACK_IMPORTED_MODULE_0__/* .changedFields */ .E0)(strip(a, b), strip(b, a)).includes('containerDefinitions');
}


/***/ })

};
