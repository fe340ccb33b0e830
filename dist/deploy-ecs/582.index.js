export const id = 582;
export const ids = [582];
export const modules = {

/***/ 7582:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  verifyTaskDefinition: () => (/* binding */ verifyTaskDefinition)
});

// EXTERNAL MODULE: ./actions/deploy-ecs/src/launch-settings.ts
var launch_settings = __webpack_require__(8982);
// EXTERNAL MODULE: ./core/image.ts
var core_image = __webpack_require__(3401);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/normalise.ts
var normalise = __webpack_require__(5247);
// EXTERNAL MODULE: ./core/index.ts
var core = __webpack_require__(2208);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/secret-source.ts


/** Every secret the containers reference: secrets, log driver secret options and registry credentials. */
function secretReferences(request) {
    return (request.containerDefinitions ?? []).flatMap((c, i) => {
        const refs = [];
        (c.secrets ?? []).forEach((s, j) => {
            if (s.valueFrom)
                refs.push({ path: (0,normalise/* containerPath */.vK)(i, `secrets[${j}].valueFrom`), valueFrom: s.valueFrom });
        });
        (c.logConfiguration?.secretOptions ?? []).forEach((s, j) => {
            if (s.valueFrom)
                refs.push({
                    path: (0,normalise/* containerPath */.vK)(i, `logConfiguration.secretOptions[${j}].valueFrom`),
                    valueFrom: s.valueFrom
                });
        });
        const credentials = c.repositoryCredentials?.credentialsParameter;
        if (credentials)
            refs.push({
                path: (0,normalise/* containerPath */.vK)(i, 'repositoryCredentials.credentialsParameter'),
                valueFrom: credentials
            });
        return refs;
    });
}
function arnParts(arn) {
    const parts = arn.split(':');
    if (parts.length < 6 || parts[0] !== 'arn')
        return undefined;
    const [, partition, service, region, account] = parts;
    return { partition, service, region, account, resource: parts.slice(5).join(':') };
}
const FORMS = {
    secretsmanager: 'arn:aws:secretsmanager:<region>:<12-digit account ID>:secret:<name>-<6 characters>',
    ssm: 'arn:aws:ssm:<region>:<12-digit account ID>:parameter/<name>'
};
/** What is wrong with an ARN given as a secret's source, and how to write it; undefined when it is sound. */
function arnProblem(valueFrom) {
    if (!valueFrom.startsWith('arn:'))
        return undefined;
    const arn = arnParts(valueFrom);
    const malformed = (why) => `'${valueFrom}' is not a well-formed ARN: ${why}.`;
    const fix = `Copy the ARN from the console or the CLI; its form is ${FORMS[arn?.service ?? ''] ?? `${FORMS.secretsmanager} or ${FORMS.ssm}`}.`;
    if (!arn)
        return { message: malformed('it has fewer than six parts separated by colons'), fix };
    if (arn.service !== 'ssm' && arn.service !== 'secretsmanager')
        return {
            message: `'${valueFrom}' names a '${arn.service}' resource; a secret comes from Secrets Manager or SSM Parameter Store.`,
            fix
        };
    const why = [
        !/^aws(-[a-z]+)*$/.test(arn.partition) &&
            `'${arn.partition}' is no AWS partition (aws, aws-cn, aws-us-gov)`,
        !core/* REGION_PATTERN */.aY.test(arn.region) && `'${arn.region}' is no region`,
        !/^\d{12}$/.test(arn.account) && `the account ID '${arn.account}' is not 12 digits`,
        arn.service === 'secretsmanager' &&
            !/^secret:[^:]+/.test(arn.resource) &&
            'the resource is not secret:<name>',
        arn.service === 'ssm' && !/^parameter\/./.test(arn.resource) && 'the resource is not parameter/<name>'
    ].filter(w => typeof w === 'string');
    return why.length > 0 ? { message: malformed(why.join('; ')), fix } : undefined;
}
/**
 * `arn:aws:ssm:…:parameter/a/b` → region and parameter name; `arn:aws:secretsmanager:…:secret:name-AbC123:key::`
 * → the secret's ARN; a name → an SSM parameter in `region`. Undefined for an ARN that is not well formed.
 */
function secretSource(valueFrom, region) {
    if (!valueFrom.startsWith('arn:'))
        return { kind: 'ssm', region, name: valueFrom };
    const arn = arnParts(valueFrom);
    if (!arn || arnProblem(valueFrom))
        return undefined;
    if (arn.service === 'secretsmanager') {
        // secret:<name>[:json-key:version-stage:version-id]: the secret itself is the ARN up to its name.
        const secret = arn.resource.split(':').slice(0, 2).join(':');
        const id = `arn:${arn.partition}:secretsmanager:${arn.region}:${arn.account}:${secret}`;
        return { kind: 'secretsmanager', region: arn.region, id };
    }
    const path = arn.resource.replace(/^parameter/, '');
    // parameter/name → name; parameter/a/b → /a/b
    const name = path.split('/').length > 2 ? path : path.replace(/^\//, '');
    return { kind: 'ssm', region: arn.region, name };
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/verify-local.ts



/** ECS refuses a RegisterTaskDefinition request larger than this (ECS service quotas: 64 KiB). */
const MAX_REQUEST_BYTES = 64 * 1024;
/** Valid Fargate task sizes: CPU units → memory (MiB) choices (developer guide, "Task size"). */
const FARGATE_SIZES = {
    '256': [512, 1024, 2048],
    '512': range(1024, 4096, 1024),
    '1024': range(2048, 8192, 1024),
    '2048': range(4096, 16384, 1024),
    '4096': range(8192, 30720, 1024),
    '8192': range(16384, 61440, 4096),
    '16384': range(32768, 122880, 8192)
};
function range(from, to, step) {
    const out = [];
    for (let v = from; v <= to; v += step)
        out.push(v);
    return out;
}
const problem = (path, message, fix) => ({ path, message, fix });
/** The local rules, on the rendered request (after the step's inputs are applied). */
function verifyLocally(request, options = {}) {
    const containers = request.containerDefinitions ?? [];
    const context = {
        request,
        names: containers.map(c => c.name ?? ''),
        volumes: (request.volumes ?? []).map(v => v.name ?? '')
    };
    const proxy = request.proxyConfiguration?.containerName;
    return [
        ...checkSize(request),
        ...checkNames(containers),
        ...containers.flatMap((c, i) => [
            ...checkImage(c, i),
            ...checkReferences(c, i, context),
            ...checkMemory(c, i, request),
            ...checkLogging(c, i, request)
        ]),
        ...(proxy !== undefined && !context.names.includes(proxy)
            ? [problem('proxyConfiguration.containerName', `there is no container '${proxy}'.`, known(context))]
            : []),
        ...(containers.length > 0 && !containers.some(c => c.essential !== false)
            ? [
                problem('containerDefinitions', 'no container is essential.', 'Mark the main container "essential": true (the default when left out).')
            ]
            : []),
        ...checkFargate(request),
        ...checkSecretArns(request),
        ...(options.service ? checkLoadBalancers(request, options.service) : [])
    ];
}
const known = (context) => `The containers are: ${context.names.join(', ')}.`;
function checkSize(request) {
    const bytes = Buffer.byteLength(JSON.stringify(request));
    if (bytes <= MAX_REQUEST_BYTES)
        return [];
    return [
        problem('(whole task definition)', `the request is ${(bytes / 1024).toFixed(1)} KiB; ECS refuses task definitions over 64 KiB.`, 'Move large values out: environment into environmentFiles (S3), secrets into SSM or Secrets Manager, scripts into the image.')
    ];
}
function checkNames(containers) {
    const problems = [];
    const seen = new Map();
    containers.forEach((c, i) => {
        if (c.name === undefined)
            return;
        if (!/^[A-Za-z0-9_-]{1,255}$/.test(c.name))
            problems.push(problem((0,normalise/* containerPath */.vK)(i, 'name'), `'${c.name}' is not a valid container name.`, 'Use up to 255 letters, digits, hyphens and underscores.'));
        const first = seen.get(c.name);
        if (first !== undefined)
            problems.push(problem((0,normalise/* containerPath */.vK)(i, 'name'), `'${c.name}' is also the name of containerDefinitions[${first}].`, 'Give each container its own name.'));
        else
            seen.set(c.name, i);
    });
    return problems;
}
function checkImage(c, i) {
    if (c.image === undefined || (0,core_image/* parseImage */.zZ)(c.image))
        return [];
    return [
        problem((0,normalise/* containerPath */.vK)(i, 'image'), `'${c.image}' is not an image reference.`, 'Write [registry/]repository[:tag][@sha256:digest], e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3; the repository is lower case.')
    ];
}
/** dependsOn, links, volumesFrom and mountPoints name containers and volumes that exist. */
function checkReferences(c, i, context) {
    const problems = [];
    const missing = (path, name) => problems.push(problem((0,normalise/* containerPath */.vK)(i, path), `there is no container '${name}'.`, known(context)));
    const exists = (name) => context.names.includes(name);
    (c.dependsOn ?? []).forEach((d, j) => {
        const path = `dependsOn[${j}].containerName`;
        if (d.containerName === c.name)
            problems.push(problem((0,normalise/* containerPath */.vK)(i, path), 'a container cannot depend on itself.', 'Name another container.'));
        else if (d.containerName !== undefined && !exists(d.containerName))
            missing(path, d.containerName);
    });
    (c.links ?? []).forEach((link, j) => {
        const target = link.split(':')[0];
        if (!exists(target))
            missing(`links[${j}]`, target);
    });
    if ((c.links ?? []).length > 0 && context.request.networkMode === 'awsvpc')
        problems.push(problem((0,normalise/* containerPath */.vK)(i, 'links'), 'links are not supported with the awsvpc network mode.', 'Remove links; containers of an awsvpc task reach each other on localhost.'));
    (c.volumesFrom ?? []).forEach((v, j) => {
        if (v.sourceContainer !== undefined && !exists(v.sourceContainer))
            missing(`volumesFrom[${j}].sourceContainer`, v.sourceContainer);
    });
    (c.mountPoints ?? []).forEach((m, j) => {
        if (m.sourceVolume === undefined || context.volumes.includes(m.sourceVolume))
            return;
        const fix = context.volumes.length > 0
            ? `The volumes are: ${context.volumes.join(', ')}.`
            : "Declare it in the task's 'volumes'.";
        problems.push(problem((0,normalise/* containerPath */.vK)(i, `mountPoints[${j}].sourceVolume`), `there is no volume '${m.sourceVolume}'.`, fix));
    });
    return problems;
}
function checkMemory(c, i, request) {
    const problems = [];
    const task = request.memory !== undefined ? Number(request.memory) : undefined;
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memory <= c.memoryReservation)
        problems.push(problem((0,normalise/* containerPath */.vK)(i, 'memory'), `the hard limit (${c.memory} MiB) must be greater than memoryReservation (${c.memoryReservation} MiB).`, 'Raise memory or lower memoryReservation.'));
    for (const key of ['memory', 'memoryReservation']) {
        const v = c[key];
        if (v !== undefined && v < 6)
            problems.push(problem((0,normalise/* containerPath */.vK)(i, key), `${v} MiB is below the 6 MiB Docker needs.`, 'Give the container at least 6 MiB (more in practice).'));
        if (v !== undefined && task !== undefined && v > task)
            problems.push(problem((0,normalise/* containerPath */.vK)(i, key), `${v} MiB is more than the task's memory (${task} MiB).`, "Lower it, or raise the task's memory."));
    }
    if (task === undefined && c.memory === undefined && c.memoryReservation === undefined)
        problems.push(problem((0,normalise/* containerPath */.vK)(i, 'memory'), 'without task-level memory, every container needs memory or memoryReservation.', "Set the task's memory, or the container's memory (hard limit) or memoryReservation (soft limit)."));
    return problems;
}
function checkLogging(c, i, request) {
    const log = c.logConfiguration;
    if (log?.logDriver !== 'awslogs')
        return [];
    const problems = [];
    const options = log.options ?? {};
    const fargate = (request.requiresCompatibilities ?? []).includes('FARGATE');
    const required = ['awslogs-group', 'awslogs-region', ...(fargate ? ['awslogs-stream-prefix'] : [])];
    const missing = required.filter(k => !options[k]);
    if (missing.length > 0)
        problems.push(problem((0,normalise/* containerPath */.vK)(i, 'logConfiguration.options'), `the awslogs driver needs ${missing.map(m => `'${m}'`).join(', ')}.`, `Add ${missing.map(m => `"${m}": "…"`).join(', ')}${fargate && missing.includes('awslogs-stream-prefix') ? ' (Fargate requires a stream prefix)' : ''}.`));
    if (fargate && !request.executionRoleArn)
        problems.push(problem('executionRoleArn', `on Fargate the awslogs driver of '${c.name}' needs a task execution role.`, "Set executionRoleArn (or the 'execution-role-arn' input) to a role with AmazonECSTaskExecutionRolePolicy."));
    return problems;
}
function checkFargate(request) {
    if (!(request.requiresCompatibilities ?? []).includes('FARGATE'))
        return [];
    const problems = [];
    if (request.networkMode !== 'awsvpc')
        problems.push(problem('networkMode', `Fargate requires the awsvpc network mode${request.networkMode ? `, not '${request.networkMode}'` : ''}.`, 'Set "networkMode": "awsvpc".'));
    problems.push(...checkFargateSize(request));
    (request.containerDefinitions ?? []).forEach((c, i) => {
        if (c.privileged)
            problems.push(problem((0,normalise/* containerPath */.vK)(i, 'privileged'), 'Fargate does not run privileged containers.', 'Remove "privileged".'));
    });
    (request.volumes ?? []).forEach((v, i) => {
        if (v.host?.sourcePath)
            problems.push(problem(`volumes[${i}].host.sourcePath`, 'Fargate has no host paths to mount.', 'Use an EFS volume, or a volume without a sourcePath (task storage).'));
    });
    return problems;
}
function checkFargateSize(request) {
    const sizes = Object.keys(FARGATE_SIZES).join(', ');
    if (request.cpu === undefined || request.memory === undefined)
        return [
            problem(request.cpu === undefined ? 'cpu' : 'memory', 'Fargate requires task-level cpu and memory.', `Set "cpu" (one of ${sizes}) and a "memory" that goes with it.`)
        ];
    const choices = FARGATE_SIZES[request.cpu];
    if (!choices)
        return [problem('cpu', `${request.cpu} CPU units is not a Fargate task size.`, `Use one of ${sizes}.`)];
    if (choices.includes(Number(request.memory)))
        return [];
    const allowed = choices.length > 8
        ? `${choices[0]} to ${choices[choices.length - 1]} in steps of ${choices[1] - choices[0]}`
        : choices.join(', ');
    return [
        problem('memory', `${request.memory} MiB does not go with ${request.cpu} CPU units on Fargate.`, `With cpu ${request.cpu}, use memory ${allowed}.`)
    ];
}
/** A secret's ARN that is not well formed is said to be so (it would be looked up as a parameter name). */
function checkSecretArns(request) {
    return secretReferences(request).flatMap(ref => {
        const wrong = arnProblem(ref.valueFrom);
        return wrong ? [{ path: ref.path, ...wrong }] : [];
    });
}
function checkLoadBalancers(request, service) {
    const containers = request.containerDefinitions ?? [];
    return (service.loadBalancers ?? []).flatMap(lb => {
        const container = containers.find(c => c.name === lb.containerName);
        const where = `service ${service.serviceName} loadBalancers (${lb.targetGroupArn?.split(':').pop() ?? lb.loadBalancerName ?? ''})`;
        if (!container)
            return [
                problem('containerDefinitions', `the ${where} sends traffic to container '${lb.containerName}', which this task definition does not have.`, `Keep a container named '${lb.containerName}', or change the service's load balancer.`)
            ];
        const ports = (container.portMappings ?? []).map(p => p.containerPort);
        if (lb.containerPort === undefined || ports.includes(lb.containerPort))
            return [];
        return [
            problem((0,normalise/* containerPath */.vK)(containers.indexOf(container), 'portMappings'), `the ${where} sends traffic to port ${lb.containerPort} of '${container.name}', which maps ${ports.length > 0 ? `only ${ports.join(', ')}` : 'no port'}.`, `Add { "containerPort": ${lb.containerPort} } to its portMappings.`)
        ];
    });
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-cloudwatch-logs/dist-cjs/index.js
var dist_cjs = __webpack_require__(2684);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecr/dist-cjs/index.js
var client_ecr_dist_cjs = __webpack_require__(8249);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-secrets-manager/dist-cjs/index.js
var client_secrets_manager_dist_cjs = __webpack_require__(2994);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ssm/dist-cjs/index.js
var client_ssm_dist_cjs = __webpack_require__(4736);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/verify-remote.ts
/**
 * The verify step's remote checks, reads only: the image exists in ECR, each secret exists in SSM Parameter
 * Store or Secrets Manager, and the awslogs log group exists. A check the role may not make, or that fails, is
 * skipped with a note (said as a notice, never a failure); a check of an image in another account's registry
 * that is denied is that registry's policy, not a missing permission of the role.
 */








/** The remote checks. Reads only; each call that is denied or fails is skipped with a note. */
async function verifyRemotely(request, clients, options) {
    const checks = new RemoteChecks(clients, options.region, deployingAccount(request, options.service));
    await checks.images(request);
    await checks.secrets(request);
    await checks.logGroups(request);
    return checks.result;
}
const ACCOUNT_IN_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;
/** The account the tasks run in: the service's, else that of the task's roles. */
function deployingAccount(request, service) {
    const arns = [service?.serviceArn, service?.clusterArn, request.executionRoleArn, request.taskRoleArn];
    return arns.map(arn => (arn ? ACCOUNT_IN_ARN.exec(arn)?.[1] : undefined)).find(a => a !== undefined);
}
/** The caller's account as a denial names it (`User: arn:aws:sts::123456789012:assumed-role/…`). */
function callerAccount(error) {
    return /\barn:aws[a-z-]*:(?:sts|iam)::(\d{12}):/.exec((0,core/* describeError */.Uc)(error))?.[1];
}
function denied(error) {
    return (0,core/* isAccessDenied */.w7)(error) || (error instanceof core/* DockyardError */.gt && /^Access denied/.test(error.message));
}
/** Runs `look` once per key: later calls with the key share the first one's answer. */
function once() {
    const answers = new Map();
    return (key, look) => {
        let answer = answers.get(key);
        if (!answer)
            answers.set(key, (answer = look()));
        return answer;
    };
}
class RemoteChecks {
    clients;
    region;
    account;
    result = { problems: [], skipped: [], checked: [] };
    /** What the role was denied (a service, or one account's registry): not asked again. */
    refused = new Set();
    constructor(clients, region, account) {
        this.clients = clients;
        this.region = region;
        this.account = account;
    }
    /** Images in ECR: one look-up per image however many containers run it; a missing one is a problem on each. */
    async images(request) {
        const ecrFor = this.clients.ecrFor;
        if (!ecrFor)
            return;
        const lookups = once();
        const found = await Promise.all((request.containerDefinitions ?? []).map(async (c, i) => {
            const ref = c.image ? (0,core_image/* parseImage */.zZ)(c.image) : undefined;
            const registry = (0,core_image/* ecrRegistry */.gO)(ref?.registry);
            if (!c.image || !ref || !registry)
                return undefined;
            const finding = await lookups(c.image, () => this.image(ecrFor(registry.region), ref, registry));
            return finding && { path: (0,normalise/* containerPath */.vK)(i, 'image'), ...finding };
        }));
        this.result.problems.push(...found.filter(p => p !== undefined));
    }
    async image(ecr, ref, registry) {
        const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
        const label = `${ref.repository}${ref.digest ? `@${ref.digest}` : `:${imageId.imageTag}`}`;
        const key = `ecr:${registry.account}`;
        if (this.refused.has(key))
            return undefined;
        try {
            const input = { registryId: registry.account, repositoryName: ref.repository, imageIds: [imageId] };
            await ecr.send(new client_ecr_dist_cjs.DescribeImagesCommand(input));
            this.result.checked.push(`image ${label} exists in ECR`);
            return undefined;
        }
        catch (error) {
            const name = (0,core/* errorName */.Is)(error);
            const where = `${registry.account} (${registry.region})`;
            if (name === 'ImageNotFoundException')
                return {
                    message: `${label} is not in the ECR repository ${ref.repository} of ${where}.`,
                    fix: 'Push the image first (build-push), or fix the tag or digest.'
                };
            if (name === 'RepositoryNotFoundException')
                return {
                    message: `there is no ECR repository '${ref.repository}' in ${where}.`,
                    fix: 'Check the repository name and region, or create and push it first.'
                };
            if (denied(error))
                this.refused.add(key);
            const ours = this.account ?? callerAccount(error);
            if (denied(error) && ours !== undefined && ours !== registry.account)
                this.result.skipped.push(`image ${label}: skipped, the image is in another account's registry (${registry.account}), whose repository policy decides who may read it, and this check was denied. Make sure that policy lets the tasks' execution role pull it.`);
            else
                this.skip(`image ${label}`, 'ecr:DescribeImages', error);
            return undefined;
        }
    }
    /** SSM parameters and Secrets Manager secrets, registry credentials included; each looked up once. */
    async secrets(request) {
        const lookups = once();
        for (const ref of secretReferences(request)) {
            // A malformed ARN is a problem of the local rules; there is nothing to look up.
            const source = secretSource(ref.valueFrom, this.region);
            if (!source)
                continue;
            const finding = await lookups(JSON.stringify(source), () => this.secret(source));
            if (finding)
                this.result.problems.push({ path: ref.path, ...finding });
        }
    }
    async secret(source) {
        if (source.kind === 'ssm')
            return this.parameter(source);
        if (!this.clients.secretsFor || this.refused.has('secretsmanager'))
            return undefined;
        try {
            await this.clients.secretsFor(source.region).send(new client_secrets_manager_dist_cjs.DescribeSecretCommand({ SecretId: source.id }));
            this.result.checked.push(`secret ${source.id} exists`);
        }
        catch (error) {
            if ((0,core/* errorName */.Is)(error) === 'ResourceNotFoundException')
                return {
                    message: `there is no Secrets Manager secret '${source.id}'.`,
                    fix: 'Create the secret, or fix the ARN (copy it from the Secrets Manager console).'
                };
            if (denied(error))
                this.refused.add('secretsmanager');
            this.skip(`secret ${source.id}`, 'secretsmanager:DescribeSecret', error);
        }
        return undefined;
    }
    async parameter(source) {
        if (!this.clients.ssmFor || this.refused.has('ssm'))
            return undefined;
        try {
            const filter = { Key: 'Name', Option: 'Equals', Values: [source.name] };
            const found = await this.clients
                .ssmFor(source.region)
                .send(new client_ssm_dist_cjs.DescribeParametersCommand({ ParameterFilters: [filter] }));
            if ((found.Parameters ?? []).length === 0)
                return {
                    message: `there is no SSM parameter '${source.name}' in ${source.region}.`,
                    fix: 'Create the parameter, or fix the name or ARN (arn:aws:ssm:<region>:<account>:parameter/<name>).'
                };
            this.result.checked.push(`SSM parameter ${source.name} exists`);
        }
        catch (error) {
            if (denied(error))
                this.refused.add('ssm');
            this.skip(`SSM parameter ${source.name}`, 'ssm:DescribeParameters', error);
        }
        return undefined;
    }
    /** awslogs log groups the driver does not create, each looked up once in its region. */
    async logGroups(request) {
        const groups = new Map();
        (request.containerDefinitions ?? []).forEach((c, i) => {
            const options = c.logConfiguration?.options;
            const group = options?.['awslogs-group'];
            if (c.logConfiguration?.logDriver !== 'awslogs' ||
                !group ||
                options?.['awslogs-create-group'] === 'true')
                return;
            const region = options?.['awslogs-region'] ?? this.region;
            const path = (0,normalise/* containerPath */.vK)(i, "logConfiguration.options['awslogs-group']");
            groups.set(`${region}/${group}`, { path, region, group });
        });
        for (const g of groups.values()) {
            if (!this.clients.logsFor || this.refused.has('logs'))
                continue;
            try {
                const logs = this.clients.logsFor(g.region);
                const found = await logs.send(new dist_cjs.DescribeLogGroupsCommand({ logGroupNamePrefix: g.group }));
                if ((found.logGroups ?? []).some(l => l.logGroupName === g.group))
                    this.result.checked.push(`log group ${g.group} exists`);
                else
                    this.result.problems.push({
                        path: g.path,
                        message: `the log group '${g.group}' does not exist in ${g.region}; the tasks would fail to start.`,
                        fix: `Create it, or add "awslogs-create-group": "true" (the execution role then needs logs:CreateLogGroup).`
                    });
            }
            catch (error) {
                if (denied(error))
                    this.refused.add('logs');
                this.skip(`log group ${g.group}`, 'logs:DescribeLogGroups', error);
            }
        }
    }
    skip(what, permission, error) {
        this.result.skipped.push(denied(error)
            ? `${what}: skipped, the role may not call ${permission} (optional; see the README's IAM section).`
            : `${what}: skipped, ${(0,core/* errorName */.Is)(error)}: ${(0,core/* oneLine */.TN)((0,core/* describeError */.Uc)(error), { firstLine: true, max: 300 })}`);
    }
}

// EXTERNAL MODULE: ./core/errors.ts
var errors = __webpack_require__(265);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/verify-strategy.ts


const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/.+$/;
const LISTENER_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener(-rule)?\/.+$/;
/**
 * @param input the input that chose the strategy: `strategy` when the step sets it, else `service` (the
 *   service's own strategy).
 */
function verifyStrategy(request, service, strategy, input) {
    const serviceConnect = serviceConnectOf(service);
    const check = { problems: portNames(request, service), refusals: [], notes: [] };
    if (strategy === 'ROLLING')
        return check;
    const balancers = service.loadBalancers ?? [];
    balancers.forEach((lb, i) => {
        for (const [message, hint] of loadBalancerProblems(lb))
            check.refusals.push(new errors/* DockyardError */.gt(`${strategy} needs ${message} ${where(service, lb, i)}.`, { input, hint }));
    });
    if (balancers.length > 0 || serviceConnect?.enabled)
        return check;
    const none = `the service '${service.serviceName}' has neither a load balancer nor Service Connect`;
    if (strategy === 'BLUE_GREEN')
        check.notes.push(`${none}: the BLUE_GREEN deployment runs without managed traffic shifting or test traffic.`);
    else
        check.refusals.push(new errors/* DockyardError */.gt(`${strategy} shifts production traffic in steps, and ${none} to shift it through.`, {
            input,
            hint: 'Give the service a load balancer with advancedConfiguration, or Service Connect; or use BLUE_GREEN or ROLLING.'
        }));
    return check;
}
/** Service Connect as the service's primary deployment runs it (DescribeServices has it per deployment). */
function serviceConnectOf(service) {
    const primary = service.deployments?.find(d => d.status === 'PRIMARY') ?? service.deployments?.[0];
    return primary?.serviceConnectConfiguration;
}
function where(service, lb, index) {
    const name = lb.targetGroupArn?.split(':').pop() ?? lb.loadBalancerName ?? '';
    return `in the service '${service.serviceName}' loadBalancers[${index}] (${name})`;
}
/** What one load balancer lacks for managed traffic shifting: [what is needed, how to fix it]. */
function loadBalancerProblems(lb) {
    if (!lb.targetGroupArn)
        return [
            [
                'a target group: a Classic Load Balancer cannot shift traffic',
                'Move the service to an Application or Network Load Balancer target group.'
            ]
        ];
    const advanced = lb.advancedConfiguration;
    const fix = (member, what) => `Set loadBalancers[].advancedConfiguration.${member} on the service (UpdateService): ${what}.`;
    if (!advanced)
        return [
            [
                'advancedConfiguration (alternate target group, production listener rule, role)',
                fix('alternateTargetGroupArn, productionListenerRule and roleArn', 'ECS moves traffic between the two target groups with them')
            ]
        ];
    const problems = [];
    const { alternateTargetGroupArn: alternate, productionListenerRule: rule, roleArn: role } = advanced;
    if (!alternate || !TARGET_GROUP_ARN.test(alternate))
        problems.push([
            `an alternate target group ARN${alternate ? `, not '${alternate}',` : ''}`,
            fix('alternateTargetGroupArn', 'the target group the new revision registers in')
        ]);
    else if (alternate === lb.targetGroupArn)
        problems.push([
            'an alternate target group other than the primary one',
            fix('alternateTargetGroupArn', 'a second target group of the same load balancer')
        ]);
    if (!rule || !LISTENER_ARN.test(rule))
        problems.push([
            `a production listener rule ARN${rule ? `, not '${rule}',` : ''}`,
            fix('productionListenerRule', 'the listener rule (a listener for a Network Load Balancer) production traffic comes through')
        ]);
    if (!role || !ROLE_ARN.test(role))
        problems.push([
            `a role ARN${role ? `, not '${role}',` : ''}`,
            fix('roleArn', 'a role ECS assumes to change the listener rules (AmazonECSInfrastructureRolePolicyForLoadBalancers)')
        ]);
    const test = advanced.testListenerRule;
    if (test !== undefined && !LISTENER_ARN.test(test))
        problems.push([
            `a test listener rule ARN, not '${test}',`,
            fix('testListenerRule', 'the listener rule test traffic comes through, or leave it out')
        ]);
    return problems;
}
/** Each Service Connect port name must name a port mapping of the task definition. */
function portNames(request, service) {
    const serviceConnect = serviceConnectOf(service);
    if (!serviceConnect?.enabled)
        return [];
    const containers = request.containerDefinitions ?? [];
    const named = containers.flatMap(c => (c.portMappings ?? []).map(p => p.name).filter(n => n !== undefined));
    const first = containers.findIndex(c => (c.portMappings ?? []).length > 0);
    return (serviceConnect.services ?? [])
        .map(s => s.portName)
        .filter((name) => name !== undefined && !named.includes(name))
        .map(name => ({
        path: first >= 0 ? (0,normalise/* containerPath */.vK)(first, 'portMappings') : 'containerDefinitions',
        message: `the service '${service.serviceName}' serves Service Connect on port name '${name}', which no port mapping has${named.length > 0 ? ` (the names are: ${named.join(', ')})` : ''}.`,
        fix: `Name a port mapping "${name}" ("name": "${name}"), or change the service's Service Connect configuration.`
    }));
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/verify.ts




async function verifyTaskDefinition(rendered, clients, options, log) {
    const launch = (0,launch_settings/* verifyLaunchSettings */.OL)(rendered.request, options.launch ?? {}, options.service);
    const problems = [
        ...rendered.problems,
        ...verifyLocally(rendered.request, { service: options.service }),
        ...launch.problems
    ];
    for (const note of launch.notes)
        log.warning(note, { title: 'verify: volume configured at launch' });
    const strategy = options.service && options.strategy
        ? verifyStrategy(rendered.request, options.service, options.strategy.name, options.strategy.input)
        : { problems: [], refusals: [], notes: [] };
    problems.push(...strategy.problems);
    for (const note of strategy.notes)
        log.notice(note, { title: 'verify: deployment strategy' });
    const remote = rendered.problems.length === 0 && options.remote !== false
        ? await verifyRemotely(rendered.request, clients, options)
        : { problems: [], skipped: [], checked: [] };
    problems.push(...remote.problems);
    for (const line of remote.checked)
        log.info(`  ✓ ${line}`);
    for (const line of remote.skipped)
        log.notice(line, { title: 'verify: check skipped' });
    if (problems.length === 0 && strategy.refusals.length === 0)
        log.info(`No problems found${remote.skipped.length > 0 ? ` (${remote.skipped.length} remote checks skipped)` : ''}.`);
    return {
        problems,
        skipped: remote.skipped,
        checked: remote.checked,
        notes: launch.notes,
        refusals: strategy.refusals
    };
}


/***/ })

};
