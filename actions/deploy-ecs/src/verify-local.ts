/**
 * The verify step's local rules, pure: every reason ECS would refuse the rendered task definition, or a rollout
 * would fail ten minutes later, that the request itself shows. They follow the ECS API reference and the
 * developer guide: the 64 KiB request limit, image references, container names, references between
 * containers, essential containers, memory rules, Fargate task sizes and network mode, the awslogs options,
 * the form of secret ARNs, and the service's load balancer naming a container and port of the task definition.
 */
import type { ContainerDefinition, RegisterTaskDefinitionRequest, Service } from '@aws-sdk/client-ecs';
import { parseImage } from '../../../core/image.js';
import { containerPath, type FieldProblem } from './normalise.js';
import { arnProblem, secretReferences } from './secret-source.js';

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

const problem = (path: string, message: string, fix: string): FieldProblem => ({ path, message, fix });

/** What the rules of one container need to know of the whole task definition. */
interface Context {
  request: RegisterTaskDefinitionRequest;
  names: string[];
  volumes: string[];
}

/** The local rules, on the rendered request (after the step's inputs are applied). */
export function verifyLocally(
  request: RegisterTaskDefinitionRequest,
  options: { service?: Service } = {}
): FieldProblem[] {
  const containers = request.containerDefinitions ?? [];
  const context: Context = {
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
          problem(
            'containerDefinitions',
            'no container is essential.',
            'Mark the main container "essential": true (the default when left out).'
          )
        ]
      : []),
    ...checkFargate(request),
    ...checkSecretArns(request),
    ...(options.service ? checkLoadBalancers(request, options.service) : [])
  ];
}

const known = (context: Context) => `The containers are: ${context.names.join(', ')}.`;

function checkSize(request: RegisterTaskDefinitionRequest): FieldProblem[] {
  const bytes = Buffer.byteLength(JSON.stringify(request));
  if (bytes <= MAX_REQUEST_BYTES) return [];
  return [
    problem(
      '(whole task definition)',
      `the request is ${(bytes / 1024).toFixed(1)} KiB; ECS refuses task definitions over 64 KiB.`,
      'Move large values out: environment into environmentFiles (S3), secrets into SSM or Secrets Manager, scripts into the image.'
    )
  ];
}

function checkNames(containers: ContainerDefinition[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  containers.forEach((c, i) => {
    if (c.name === undefined) return;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(c.name))
      problems.push(
        problem(
          containerPath(i, 'name'),
          `'${c.name}' is not a valid container name.`,
          'Use up to 255 letters, digits, hyphens and underscores.'
        )
      );
    const first = seen.get(c.name);
    if (first !== undefined)
      problems.push(
        problem(
          containerPath(i, 'name'),
          `'${c.name}' is also the name of containerDefinitions[${first}].`,
          'Give each container its own name.'
        )
      );
    else seen.set(c.name, i);
  });
  return problems;
}

function checkImage(c: ContainerDefinition, i: number): FieldProblem[] {
  if (c.image === undefined || parseImage(c.image)) return [];
  return [
    problem(
      containerPath(i, 'image'),
      `'${c.image}' is not an image reference.`,
      'Write [registry/]repository[:tag][@sha256:digest], e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3; the repository is lower case.'
    )
  ];
}

/** dependsOn, links, volumesFrom and mountPoints name containers and volumes that exist. */
function checkReferences(c: ContainerDefinition, i: number, context: Context): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const missing = (path: string, name: string) =>
    problems.push(problem(containerPath(i, path), `there is no container '${name}'.`, known(context)));
  const exists = (name: string) => context.names.includes(name);
  (c.dependsOn ?? []).forEach((d, j) => {
    const path = `dependsOn[${j}].containerName`;
    if (d.containerName === c.name)
      problems.push(
        problem(containerPath(i, path), 'a container cannot depend on itself.', 'Name another container.')
      );
    else if (d.containerName !== undefined && !exists(d.containerName)) missing(path, d.containerName);
  });
  (c.links ?? []).forEach((link, j) => {
    const target = link.split(':')[0];
    if (!exists(target)) missing(`links[${j}]`, target);
  });
  if ((c.links ?? []).length > 0 && context.request.networkMode === 'awsvpc')
    problems.push(
      problem(
        containerPath(i, 'links'),
        'links are not supported with the awsvpc network mode.',
        'Remove links; containers of an awsvpc task reach each other on localhost.'
      )
    );
  (c.volumesFrom ?? []).forEach((v, j) => {
    if (v.sourceContainer !== undefined && !exists(v.sourceContainer))
      missing(`volumesFrom[${j}].sourceContainer`, v.sourceContainer);
  });
  (c.mountPoints ?? []).forEach((m, j) => {
    if (m.sourceVolume === undefined || context.volumes.includes(m.sourceVolume)) return;
    const fix =
      context.volumes.length > 0
        ? `The volumes are: ${context.volumes.join(', ')}.`
        : "Declare it in the task's 'volumes'.";
    problems.push(
      problem(
        containerPath(i, `mountPoints[${j}].sourceVolume`),
        `there is no volume '${m.sourceVolume}'.`,
        fix
      )
    );
  });
  return problems;
}

function checkMemory(
  c: ContainerDefinition,
  i: number,
  request: RegisterTaskDefinitionRequest
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const task = request.memory !== undefined ? Number(request.memory) : undefined;
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memory <= c.memoryReservation)
    problems.push(
      problem(
        containerPath(i, 'memory'),
        `the hard limit (${c.memory} MiB) must be greater than memoryReservation (${c.memoryReservation} MiB).`,
        'Raise memory or lower memoryReservation.'
      )
    );
  for (const key of ['memory', 'memoryReservation'] as const) {
    const v = c[key];
    if (v !== undefined && v < 6)
      problems.push(
        problem(
          containerPath(i, key),
          `${v} MiB is below the 6 MiB Docker needs.`,
          'Give the container at least 6 MiB (more in practice).'
        )
      );
    if (v !== undefined && task !== undefined && v > task)
      problems.push(
        problem(
          containerPath(i, key),
          `${v} MiB is more than the task's memory (${task} MiB).`,
          "Lower it, or raise the task's memory."
        )
      );
  }
  if (task === undefined && c.memory === undefined && c.memoryReservation === undefined)
    problems.push(
      problem(
        containerPath(i, 'memory'),
        'without task-level memory, every container needs memory or memoryReservation.',
        "Set the task's memory, or the container's memory (hard limit) or memoryReservation (soft limit)."
      )
    );
  return problems;
}

function checkLogging(
  c: ContainerDefinition,
  i: number,
  request: RegisterTaskDefinitionRequest
): FieldProblem[] {
  const log = c.logConfiguration;
  if (log?.logDriver !== 'awslogs') return [];
  const problems: FieldProblem[] = [];
  const options = log.options ?? {};
  const fargate = (request.requiresCompatibilities ?? []).includes('FARGATE');
  const required = ['awslogs-group', 'awslogs-region', ...(fargate ? ['awslogs-stream-prefix'] : [])];
  const missing = required.filter(k => !options[k]);
  if (missing.length > 0)
    problems.push(
      problem(
        containerPath(i, 'logConfiguration.options'),
        `the awslogs driver needs ${missing.map(m => `'${m}'`).join(', ')}.`,
        `Add ${missing.map(m => `"${m}": "…"`).join(', ')}${fargate && missing.includes('awslogs-stream-prefix') ? ' (Fargate requires a stream prefix)' : ''}.`
      )
    );
  if (fargate && !request.executionRoleArn)
    problems.push(
      problem(
        'executionRoleArn',
        `on Fargate the awslogs driver of '${c.name}' needs a task execution role.`,
        "Set executionRoleArn (or the 'execution-role-arn' input) to a role with AmazonECSTaskExecutionRolePolicy."
      )
    );
  return problems;
}

function checkFargate(request: RegisterTaskDefinitionRequest): FieldProblem[] {
  if (!(request.requiresCompatibilities ?? []).includes('FARGATE')) return [];
  const problems: FieldProblem[] = [];
  if (request.networkMode !== 'awsvpc')
    problems.push(
      problem(
        'networkMode',
        `Fargate requires the awsvpc network mode${request.networkMode ? `, not '${request.networkMode}'` : ''}.`,
        'Set "networkMode": "awsvpc".'
      )
    );
  problems.push(...checkFargateSize(request));
  (request.containerDefinitions ?? []).forEach((c, i) => {
    if (c.privileged)
      problems.push(
        problem(
          containerPath(i, 'privileged'),
          'Fargate does not run privileged containers.',
          'Remove "privileged".'
        )
      );
  });
  (request.volumes ?? []).forEach((v, i) => {
    if (v.host?.sourcePath)
      problems.push(
        problem(
          `volumes[${i}].host.sourcePath`,
          'Fargate has no host paths to mount.',
          'Use an EFS volume, or a volume without a sourcePath (task storage).'
        )
      );
  });
  return problems;
}

function checkFargateSize(request: RegisterTaskDefinitionRequest): FieldProblem[] {
  const sizes = Object.keys(FARGATE_SIZES).join(', ');
  if (request.cpu === undefined || request.memory === undefined)
    return [
      problem(
        request.cpu === undefined ? 'cpu' : 'memory',
        'Fargate requires task-level cpu and memory.',
        `Set "cpu" (one of ${sizes}) and a "memory" that goes with it.`
      )
    ];
  const choices = FARGATE_SIZES[request.cpu];
  if (!choices)
    return [problem('cpu', `${request.cpu} CPU units is not a Fargate task size.`, `Use one of ${sizes}.`)];
  if (choices.includes(Number(request.memory))) return [];
  const allowed =
    choices.length > 8
      ? `${choices[0]} to ${choices[choices.length - 1]} in steps of ${choices[1] - choices[0]}`
      : choices.join(', ');
  return [
    problem(
      'memory',
      `${request.memory} MiB does not go with ${request.cpu} CPU units on Fargate.`,
      `With cpu ${request.cpu}, use memory ${allowed}.`
    )
  ];
}

/** A secret's ARN that is not well formed is said to be so (it would be looked up as a parameter name). */
function checkSecretArns(request: RegisterTaskDefinitionRequest): FieldProblem[] {
  return secretReferences(request).flatMap(ref => {
    const wrong = arnProblem(ref.valueFrom);
    return wrong ? [{ path: ref.path, ...wrong }] : [];
  });
}

function checkLoadBalancers(request: RegisterTaskDefinitionRequest, service: Service): FieldProblem[] {
  const containers = request.containerDefinitions ?? [];
  return (service.loadBalancers ?? []).flatMap(lb => {
    const container = containers.find(c => c.name === lb.containerName);
    const where = `service ${service.serviceName} loadBalancers (${lb.targetGroupArn?.split(':').pop() ?? lb.loadBalancerName ?? ''})`;
    if (!container)
      return [
        problem(
          'containerDefinitions',
          `the ${where} sends traffic to container '${lb.containerName}', which this task definition does not have.`,
          `Keep a container named '${lb.containerName}', or change the service's load balancer.`
        )
      ];
    const ports = (container.portMappings ?? []).map(p => p.containerPort);
    if (lb.containerPort === undefined || ports.includes(lb.containerPort)) return [];
    return [
      problem(
        containerPath(containers.indexOf(container), 'portMappings'),
        `the ${where} sends traffic to port ${lb.containerPort} of '${container.name}', which maps ${ports.length > 0 ? `only ${ports.join(', ')}` : 'no port'}.`,
        `Add { "containerPort": ${lb.containerPort} } to its portMappings.`
      )
    ];
  });
}
