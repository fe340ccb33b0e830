/**
 * The verify step: every reason ECS would refuse the task definition, or a rollout would fail ten minutes
 * later, found before RegisterTaskDefinition and reported at once, each with its field path and fix.
 *
 * Local checks follow the ECS API reference and the developer guide: the 64 KiB request limit, image
 * references, container names, references between containers, essential containers, memory rules, Fargate
 * task sizes and network mode, and the awslogs options. Remote checks only read: the image exists in ECR,
 * each secret exists in SSM Parameter Store or Secrets Manager, the awslogs log group exists, and the
 * service's load balancer names a container and port of the task definition. A remote check the role may
 * not make is skipped with a notice.
 */
import { DescribeLogGroupsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { ContainerDefinition, RegisterTaskDefinitionRequest, Service } from '@aws-sdk/client-ecs';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { DockyardError, describeError, errorName, isAccessDenied } from '../../../core/index.js';
import type { FieldProblem } from './normalise.js';

/** ECS refuses a RegisterTaskDefinition request larger than this (ECS service quotas: 64 KiB). */
const MAX_REQUEST_BYTES = 64 * 1024;

/** Valid Fargate task sizes: CPU units → memory (MiB) choices (developer guide, "Task size"). */
const FARGATE_SIZES: Record<string, number[]> = {
  '256': [512, 1024, 2048],
  '512': range(1024, 4096, 1024),
  '1024': range(2048, 8192, 1024),
  '2048': range(4096, 16384, 1024),
  '4096': range(8192, 30720, 1024),
  '8192': range(16384, 61440, 4096),
  '16384': range(32768, 122880, 8192)
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

export interface ImageReference {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`
);

/** Parses an image reference by the OCI distribution grammar; undefined when it cannot be parsed. */
export function parseImage(image: string): ImageReference | undefined {
  const m = REFERENCE.exec(image);
  if (!m) return undefined;
  let [, registry, repository] = m;
  // `host/path` where host has no dot, colon or is not localhost is a path component on Docker Hub.
  if (registry && !/[.:]/.test(registry) && registry !== 'localhost') {
    repository = `${registry}/${repository}`;
    registry = undefined as unknown as string;
  }
  if (registry && registry !== registry.toLowerCase() && !/[.:]/.test(registry)) return undefined;
  return { registry: registry || undefined, repository, tag: m[3], digest: m[4] };
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** `123456789012.dkr.ecr.us-east-1.amazonaws.com` → account and region. */
function ecrRegistry(registry: string | undefined): { account: string; region: string } | undefined {
  const m = registry ? ECR_HOST.exec(registry) : null;
  return m ? { account: m[1], region: m[2] } : undefined;
}

const at = (i: number, member: string) => `containerDefinitions[${i}].${member}`;

/** The local checks: pure, on the rendered request. */
export function verifyLocally(
  request: RegisterTaskDefinitionRequest,
  options: { service?: Service } = {}
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (path: string, message: string, fix: string) => problems.push({ path, message, fix });
  const containers = request.containerDefinitions ?? [];
  const names = containers.map(c => c.name ?? '');

  const bytes = Buffer.byteLength(JSON.stringify(request));
  if (bytes > MAX_REQUEST_BYTES)
    add(
      '(whole task definition)',
      `the request is ${(bytes / 1024).toFixed(1)} KiB; ECS refuses task definitions over 64 KiB.`,
      'Move large values out: environment into environmentFiles (S3), secrets into SSM or Secrets Manager, scripts into the image.'
    );

  const seen = new Map<string, number>();
  containers.forEach((c, i) => {
    if (c.name === undefined) return;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(c.name))
      add(
        at(i, 'name'),
        `'${c.name}' is not a valid container name.`,
        'Use up to 255 letters, digits, hyphens and underscores.'
      );
    if (seen.has(c.name))
      add(
        at(i, 'name'),
        `'${c.name}' is also the name of containerDefinitions[${seen.get(c.name)}].`,
        'Give each container its own name.'
      );
    else seen.set(c.name, i);
  });

  const exists = (name: string | undefined) => name !== undefined && names.includes(name);
  const known = `The containers are: ${names.join(', ')}.`;
  const volumes = (request.volumes ?? []).map(v => v.name);
  containers.forEach((c, i) => {
    if (c.image !== undefined && !parseImage(c.image))
      add(
        at(i, 'image'),
        `'${c.image}' is not an image reference.`,
        'Write [registry/]repository[:tag][@sha256:digest], e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3; the repository is lower case.'
      );
    (c.dependsOn ?? []).forEach((d, j) => {
      if (d.containerName === c.name)
        add(
          at(i, `dependsOn[${j}].containerName`),
          'a container cannot depend on itself.',
          'Name another container.'
        );
      else if (d.containerName !== undefined && !exists(d.containerName))
        add(at(i, `dependsOn[${j}].containerName`), `there is no container '${d.containerName}'.`, known);
    });
    (c.links ?? []).forEach((link, j) => {
      const target = link.split(':')[0];
      if (!exists(target)) add(at(i, `links[${j}]`), `there is no container '${target}'.`, known);
    });
    if ((c.links ?? []).length > 0 && request.networkMode === 'awsvpc')
      add(
        at(i, 'links'),
        'links are not supported with the awsvpc network mode.',
        'Remove links; containers of an awsvpc task reach each other on localhost.'
      );
    (c.volumesFrom ?? []).forEach((v, j) => {
      if (v.sourceContainer !== undefined && !exists(v.sourceContainer))
        add(
          at(i, `volumesFrom[${j}].sourceContainer`),
          `there is no container '${v.sourceContainer}'.`,
          known
        );
    });
    (c.mountPoints ?? []).forEach((m, j) => {
      if (m.sourceVolume !== undefined && !volumes.includes(m.sourceVolume))
        add(
          at(i, `mountPoints[${j}].sourceVolume`),
          `there is no volume '${m.sourceVolume}'.`,
          volumes.length > 0
            ? `The volumes are: ${volumes.join(', ')}.`
            : "Declare it in the task's 'volumes'."
        );
    });
    checkMemory(c, i, request, add);
    checkLogging(c, i, request, add);
  });
  const proxy = request.proxyConfiguration?.containerName;
  if (proxy !== undefined && !exists(proxy))
    add('proxyConfiguration.containerName', `there is no container '${proxy}'.`, known);

  if (containers.length > 0 && !containers.some(c => c.essential !== false))
    add(
      'containerDefinitions',
      'no container is essential.',
      'Mark the main container "essential": true (the default when left out).'
    );

  checkFargate(request, add);
  if (options.service) checkLoadBalancers(request, options.service, add);
  return problems;
}

type Add = (path: string, message: string, fix: string) => void;

function checkMemory(
  c: ContainerDefinition,
  i: number,
  request: RegisterTaskDefinitionRequest,
  add: Add
): void {
  const task = request.memory !== undefined ? Number(request.memory) : undefined;
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memory <= c.memoryReservation)
    add(
      at(i, 'memory'),
      `the hard limit (${c.memory} MiB) must be greater than memoryReservation (${c.memoryReservation} MiB).`,
      'Raise memory or lower memoryReservation.'
    );
  for (const key of ['memory', 'memoryReservation'] as const) {
    const v = c[key];
    if (v !== undefined && v < 6)
      add(
        at(i, key),
        `${v} MiB is below the 6 MiB Docker needs.`,
        'Give the container at least 6 MiB (more in practice).'
      );
    if (v !== undefined && task !== undefined && v > task)
      add(
        at(i, key),
        `${v} MiB is more than the task's memory (${task} MiB).`,
        "Lower it, or raise the task's memory."
      );
  }
  if (task === undefined && c.memory === undefined && c.memoryReservation === undefined)
    add(
      at(i, 'memory'),
      'without task-level memory, every container needs memory or memoryReservation.',
      "Set the task's memory, or the container's memory (hard limit) or memoryReservation (soft limit)."
    );
}

function checkLogging(
  c: ContainerDefinition,
  i: number,
  request: RegisterTaskDefinitionRequest,
  add: Add
): void {
  const log = c.logConfiguration;
  if (log?.logDriver !== 'awslogs') return;
  const options = log.options ?? {};
  const fargate = (request.requiresCompatibilities ?? []).includes('FARGATE');
  const missing = ['awslogs-group', 'awslogs-region', ...(fargate ? ['awslogs-stream-prefix'] : [])].filter(
    k => !options[k]
  );
  if (missing.length > 0)
    add(
      at(i, 'logConfiguration.options'),
      `the awslogs driver needs ${missing.map(m => `'${m}'`).join(', ')}.`,
      `Add ${missing.map(m => `"${m}": "…"`).join(', ')}${fargate && missing.includes('awslogs-stream-prefix') ? ' (Fargate requires a stream prefix)' : ''}.`
    );
  if (fargate && !request.executionRoleArn)
    add(
      'executionRoleArn',
      `on Fargate the awslogs driver of '${c.name}' needs a task execution role.`,
      "Set executionRoleArn (or the 'execution-role-arn' input) to a role with AmazonECSTaskExecutionRolePolicy."
    );
}

function checkFargate(request: RegisterTaskDefinitionRequest, add: Add): void {
  if (!(request.requiresCompatibilities ?? []).includes('FARGATE')) return;
  if (request.networkMode !== 'awsvpc')
    add(
      'networkMode',
      `Fargate requires the awsvpc network mode${request.networkMode ? `, not '${request.networkMode}'` : ''}.`,
      'Set "networkMode": "awsvpc".'
    );
  const sizes = Object.keys(FARGATE_SIZES).join(', ');
  if (request.cpu === undefined || request.memory === undefined) {
    add(
      request.cpu === undefined ? 'cpu' : 'memory',
      'Fargate requires task-level cpu and memory.',
      `Set "cpu" (one of ${sizes}) and a "memory" that goes with it.`
    );
    return;
  }
  const choices = FARGATE_SIZES[request.cpu];
  if (!choices) add('cpu', `${request.cpu} CPU units is not a Fargate task size.`, `Use one of ${sizes}.`);
  else if (!choices.includes(Number(request.memory)))
    add(
      'memory',
      `${request.memory} MiB does not go with ${request.cpu} CPU units on Fargate.`,
      `With cpu ${request.cpu}, use memory ${choices.length > 8 ? `${choices[0]} to ${choices[choices.length - 1]} in steps of ${choices[1] - choices[0]}` : choices.join(', ')}.`
    );
  (request.containerDefinitions ?? []).forEach((c, i) => {
    if (c.privileged)
      add(at(i, 'privileged'), 'Fargate does not run privileged containers.', 'Remove "privileged".');
  });
  (request.volumes ?? []).forEach((v, i) => {
    if (v.host?.sourcePath)
      add(
        `volumes[${i}].host.sourcePath`,
        'Fargate has no host paths to mount.',
        'Use an EFS volume, or a volume without a sourcePath (task storage).'
      );
  });
}

function checkLoadBalancers(request: RegisterTaskDefinitionRequest, service: Service, add: Add): void {
  const containers = request.containerDefinitions ?? [];
  for (const lb of service.loadBalancers ?? []) {
    const container = containers.find(c => c.name === lb.containerName);
    const where = `service ${service.serviceName} loadBalancers (${lb.targetGroupArn?.split(':').pop() ?? lb.loadBalancerName ?? ''})`;
    if (!container) {
      add(
        'containerDefinitions',
        `the ${where} sends traffic to container '${lb.containerName}', which this task definition does not have.`,
        `Keep a container named '${lb.containerName}', or change the service's load balancer.`
      );
      continue;
    }
    const ports = (container.portMappings ?? []).map(p => p.containerPort);
    if (lb.containerPort !== undefined && !ports.includes(lb.containerPort))
      add(
        `containerDefinitions[${containers.indexOf(container)}].portMappings`,
        `the ${where} sends traffic to port ${lb.containerPort} of '${container.name}', which maps ${ports.length > 0 ? `only ${ports.join(', ')}` : 'no port'}.`,
        `Add { "containerPort": ${lb.containerPort} } to its portMappings.`
      );
  }
}

export interface VerifyClients {
  ecrFor?: (region: string) => ECRClient;
  ssmFor?: (region: string) => SSMClient;
  secretsFor?: (region: string) => SecretsManagerClient;
  logsFor?: (region: string) => CloudWatchLogsClient;
}

export interface RemoteResult {
  problems: FieldProblem[];
  /** Checks skipped (no permission, another account, an error) — said as a notice, never a failure. */
  skipped: string[];
  /** What was looked at, for the log. */
  checked: string[];
}

function denied(error: unknown): boolean {
  return isAccessDenied(error) || (error instanceof DockyardError && /^Access denied/.test(error.message));
}

/** `arn:aws:ssm:…:parameter/a/b` → region and name; `arn:aws:secretsmanager:…:secret:name-AbC123:key::` → secret id. */
export function secretSource(
  valueFrom: string,
  region: string
): { kind: 'ssm'; region: string; name: string } | { kind: 'secretsmanager'; region: string; id: string } {
  const arn = /^arn:aws[a-z-]*:(ssm|secretsmanager):([a-z0-9-]+):(\d{12}):(.*)$/.exec(valueFrom);
  if (arn && arn[1] === 'secretsmanager') {
    const parts = arn[4].split(':');
    // secret:<name>[:json-key:version-stage:version-id] — the secret itself is the ARN up to its name.
    const id = `arn:${valueFrom.split(':')[1]}:secretsmanager:${arn[2]}:${arn[3]}:${parts.slice(0, 2).join(':')}`;
    return { kind: 'secretsmanager', region: arn[2], id };
  }
  if (arn) {
    const path = arn[4].replace(/^parameter/, '');
    // parameter/name → name; parameter/a/b → /a/b
    const name = path.split('/').length > 2 ? path : path.replace(/^\//, '');
    return { kind: 'ssm', region: arn[2], name };
  }
  return { kind: 'ssm', region, name: valueFrom };
}

/** Runs `look` once per key: later calls with the key share the first one's answer. */
function once<K, V>(): (key: K, look: () => Promise<V>) => Promise<V> {
  const answers = new Map<K, Promise<V>>();
  return (key, look) => {
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = look()));
    return answer;
  };
}

/** The remote checks. Reads only; each call that is denied or fails is skipped with a note. */
export async function verifyRemotely(
  request: RegisterTaskDefinitionRequest,
  clients: VerifyClients,
  region: string
): Promise<RemoteResult> {
  const out: RemoteResult = { problems: [], skipped: [], checked: [] };
  const containers = request.containerDefinitions ?? [];
  const skip = (what: string, permission: string, error: unknown) => {
    out.skipped.push(
      denied(error)
        ? `${what}: skipped, the role may not call ${permission} (optional; see the README's IAM section).`
        : `${what}: skipped, ${errorName(error)}: ${describeError(error).split('\n')[0]}`
    );
  };

  // Images in ECR: one look-up per image however many containers run it; a missing one is a problem on
  // each container's path.
  const deniedOnce = new Set<string>();
  const images = once<string, Omit<FieldProblem, 'path'> | undefined>();
  const imageProblems = await Promise.all(
    containers.map(async (c, i) => {
      const ref = c.image ? parseImage(c.image) : undefined;
      const ecr = ecrRegistry(ref?.registry);
      if (!c.image || !ref || !ecr || !clients.ecrFor) return undefined;
      const ecrFor = clients.ecrFor;
      const problem = await images(c.image, async () => {
        const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
        const label = `${ref.repository}${ref.digest ? `@${ref.digest}` : `:${imageId.imageTag}`}`;
        if (deniedOnce.has('ecr')) return undefined;
        try {
          await ecrFor(ecr.region).send(
            new DescribeImagesCommand({
              registryId: ecr.account,
              repositoryName: ref.repository,
              imageIds: [imageId]
            })
          );
          out.checked.push(`image ${label} exists in ECR`);
        } catch (error) {
          const name = errorName(error);
          if (name === 'ImageNotFoundException')
            return {
              message: `${label} is not in the ECR repository ${ref.repository} of ${ecr.account} (${ecr.region}).`,
              fix: 'Push the image first (build-push), or fix the tag or digest.'
            };
          if (name === 'RepositoryNotFoundException')
            return {
              message: `there is no ECR repository '${ref.repository}' in ${ecr.account} (${ecr.region}).`,
              fix: 'Check the repository name and region, or create and push it first.'
            };
          if (denied(error)) deniedOnce.add('ecr');
          skip(`image ${label}`, 'ecr:DescribeImages', error);
        }
        return undefined;
      });
      return problem && { path: at(i, 'image'), ...problem };
    })
  );
  out.problems.push(...imageProblems.filter(p => p !== undefined));

  // Secrets: SSM parameters and Secrets Manager secrets, including private registry credentials.
  const secrets: { path: string; valueFrom: string }[] = [];
  containers.forEach((c, i) => {
    (c.secrets ?? []).forEach(
      (s, j) =>
        s.valueFrom && secrets.push({ path: at(i, `secrets[${j}].valueFrom`), valueFrom: s.valueFrom })
    );
    (c.logConfiguration?.secretOptions ?? []).forEach(
      (s, j) =>
        s.valueFrom &&
        secrets.push({
          path: at(i, `logConfiguration.secretOptions[${j}].valueFrom`),
          valueFrom: s.valueFrom
        })
    );
    const credentials = c.repositoryCredentials?.credentialsParameter;
    if (credentials)
      secrets.push({ path: at(i, 'repositoryCredentials.credentialsParameter'), valueFrom: credentials });
  });
  // One look-up per secret however many containers reference it; a missing one is a problem on each path.
  const lookups = once<string, Omit<FieldProblem, 'path'> | undefined>();
  const lookUp = async (source: ReturnType<typeof secretSource>) => {
    if (source.kind === 'ssm') {
      if (!clients.ssmFor || deniedOnce.has('ssm')) return undefined;
      try {
        const found = await clients.ssmFor(source.region).send(
          new DescribeParametersCommand({
            ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [source.name] }]
          })
        );
        if ((found.Parameters ?? []).length === 0)
          return {
            message: `there is no SSM parameter '${source.name}' in ${source.region}.`,
            fix: 'Create the parameter, or fix the name or ARN (arn:aws:ssm:<region>:<account>:parameter/<name>).'
          };
        out.checked.push(`SSM parameter ${source.name} exists`);
      } catch (error) {
        if (denied(error)) deniedOnce.add('ssm');
        skip(`SSM parameter ${source.name}`, 'ssm:DescribeParameters', error);
      }
      return undefined;
    }
    if (!clients.secretsFor || deniedOnce.has('secretsmanager')) return undefined;
    try {
      await clients.secretsFor(source.region).send(new DescribeSecretCommand({ SecretId: source.id }));
      out.checked.push(`secret ${source.id} exists`);
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException')
        return {
          message: `there is no Secrets Manager secret '${source.id}'.`,
          fix: 'Create the secret, or fix the ARN (copy it from the Secrets Manager console).'
        };
      if (denied(error)) deniedOnce.add('secretsmanager');
      skip(`secret ${source.id}`, 'secretsmanager:DescribeSecret', error);
    }
    return undefined;
  };
  for (const s of secrets) {
    const source = secretSource(s.valueFrom, region);
    const problem = await lookups(JSON.stringify(source), () => lookUp(source));
    if (problem) out.problems.push({ path: s.path, ...problem });
  }

  // awslogs log groups.
  const groups = new Map<string, { path: string; region: string; group: string }>();
  containers.forEach((c, i) => {
    const log = c.logConfiguration;
    const group = log?.options?.['awslogs-group'];
    if (log?.logDriver !== 'awslogs' || !group || log.options?.['awslogs-create-group'] === 'true') return;
    const groupRegion = log.options?.['awslogs-region'] ?? region;
    groups.set(`${groupRegion}/${group}`, {
      path: at(i, "logConfiguration.options['awslogs-group']"),
      region: groupRegion,
      group
    });
  });
  for (const g of groups.values()) {
    if (!clients.logsFor || deniedOnce.has('logs')) continue;
    try {
      const found = await clients
        .logsFor(g.region)
        .send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g.group }));
      if (!(found.logGroups ?? []).some(l => l.logGroupName === g.group))
        out.problems.push({
          path: g.path,
          message: `the log group '${g.group}' does not exist in ${g.region}; the tasks would fail to start.`,
          fix: `Create it, or add "awslogs-create-group": "true" (the execution role then needs logs:CreateLogGroup).`
        });
      else out.checked.push(`log group ${g.group} exists`);
    } catch (error) {
      if (denied(error)) deniedOnce.add('logs');
      skip(`log group ${g.group}`, 'logs:DescribeLogGroups', error);
    }
  }
  return out;
}
