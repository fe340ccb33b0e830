/**
 * Rendering, pure: turns a task definition in any shape people have (what `aws ecs describe-task-definition`
 * prints, with or without the `taskDefinition` wrapper and `tags`, or a RegisterTaskDefinition request) into a
 * request ECS accepts, then applies the step's changes (images, environment, secrets, cpu, memory, command, roles).
 */
import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionRequest,
  Secret
} from '@aws-sdk/client-ecs';
import { parse as parseYaml } from 'yaml';
import { DockyardError, InputError, oneLine } from '../../../core/index.js';
import { CONTAINER, TASK_DEFINITION } from './model.js';
import {
  describeProblems,
  missingMembers,
  normaliseTaskDefinition,
  taskCpu,
  taskMemory,
  type FieldProblem
} from './normalise.js';

/** A task definition as read from a file or from DescribeTaskDefinition, before normalising. */
export type TaskDefinitionDocument = Record<string, unknown>;

/** Members of the RegisterTaskDefinition request and of a container: those of the ECS API model (model.ts). */
const REGISTER_KEYS = Object.keys(TASK_DEFINITION.members);
const CONTAINER_KEYS = Object.keys(CONTAINER.members);

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition refuses: dropped quietly. */
export const DESCRIBE_ONLY_KEYS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt'
] as const;

/** Parses JSON or YAML text (YAML is a superset of JSON); errors say where. */
export function parseTaskDefinitionText(text: string, name: string): TaskDefinitionDocument {
  let value: unknown;
  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`'${name}' is empty.`);
  if (/\.json$/i.test(name) || trimmed.startsWith('{')) {
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`'${name}' is not valid JSON: ${(error as Error).message}.`);
    }
  } else {
    try {
      value = parseYaml(trimmed, { prettyErrors: true });
    } catch (error) {
      throw new Error(
        `'${name}' is not valid YAML: ${oneLine((error as Error).message, { firstLine: true })}`
      );
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`'${name}' does not hold a task definition object.`);
  }
  return value as TaskDefinitionDocument;
}

/**
 * Normalises a document into a RegisterTaskDefinition request. Accepts `{ taskDefinition, tags }` (the
 * describe-task-definition output) or the bare task definition. Describe-only fields are dropped quietly;
 * unknown keys are dropped and named in `warnings`; empty values are removed and listed in `removed`; values
 * are checked against the ECS API model (normalise.ts): what is wrong is in `problems` with its field path,
 * and left out of the request, so nothing later trips over it.
 */
export function toRegisterRequest(doc: TaskDefinitionDocument): {
  request: RegisterTaskDefinitionRequest;
  warnings: string[];
  removed: string[];
  converted: string[];
  problems: FieldProblem[];
} {
  const warnings: string[] = [];
  let body = doc;
  let tags: unknown = doc.tags;
  if (doc.taskDefinition && typeof doc.taskDefinition === 'object' && !Array.isArray(doc.taskDefinition)) {
    body = doc.taskDefinition as TaskDefinitionDocument;
    tags = doc.tags ?? body.tags;
    const extra = Object.keys(doc).filter(k => k !== 'taskDefinition' && k !== 'tags' && !k.startsWith('$'));
    if (extra.length > 0) warnings.push(`Ignored keys next to 'taskDefinition': ${extra.join(', ')}.`);
  }
  const raw: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === 'tags') continue;
    if ((DESCRIBE_ONLY_KEYS as readonly string[]).includes(key)) continue;
    if (!REGISTER_KEYS.includes(key)) {
      unknown.push(key);
      continue;
    }
    raw[key] = value;
  }
  if (unknown.length > 0)
    warnings.push(`Dropped keys that RegisterTaskDefinition does not know: ${unknown.join(', ')}.`);
  if (Array.isArray(tags) && tags.length > 0) raw.tags = tags;
  if (Array.isArray(raw.containerDefinitions)) {
    raw.containerDefinitions = raw.containerDefinitions.map(c => {
      if (!c || typeof c !== 'object' || Array.isArray(c)) return c;
      const dropped = Object.keys(c).filter(k => !CONTAINER_KEYS.includes(k));
      if (dropped.length === 0) return c;
      const name =
        typeof (c as Record<string, unknown>).name === 'string' ? (c as Record<string, unknown>).name : '?';
      warnings.push(
        `Dropped keys of container '${String(name)}' that ECS does not know: ${dropped.join(', ')}.`
      );
      return Object.fromEntries(Object.entries(c).filter(([k]) => !dropped.includes(k)));
    });
  }
  const normalised = normaliseTaskDefinition(raw);
  if (normalised.unknown.length > 0)
    warnings.push(`Dropped members that ECS does not know: ${normalised.unknown.join(', ')}.`);
  const problems = [...normalised.problems];
  const request = normalised.value;
  if (!Array.isArray(request.containerDefinitions)) request.containerDefinitions = [];
  if (
    (request.containerDefinitions as unknown[]).length === 0 &&
    !problems.some(p => p.path.startsWith('containerDefinitions'))
  )
    problems.push({
      path: 'containerDefinitions',
      message: 'lists no container.',
      fix: 'List at least one container with a name and an image.'
    });
  return {
    request: request as unknown as RegisterTaskDefinitionRequest,
    warnings,
    removed: normalised.removed,
    converted: normalised.converted,
    problems
  };
}

/**
 * Problems of the task definition as one error naming its input (the file's, or `task-definition-arn` for a
 * registered revision), every problem with its fix.
 */
export function taskDefinitionError(
  problems: FieldProblem[],
  what = 'the task definition',
  input = 'task-definition'
): DockyardError {
  const lines = describeProblems(problems);
  return new DockyardError(
    problems.length === 1
      ? `${what}: ${lines[0]}`
      : `${what} has ${problems.length} problems:\n${lines.map(l => `  - ${l}`).join('\n')}`,
    { input }
  );
}

/**
 * Problems of the rendered task definition as one error: a problem in a member an input set is blamed on that
 * input (its line, its container); the rest on the task definition.
 */
export function problemsError(
  problems: FieldProblem[],
  origins: Origins,
  what = 'the task definition',
  input = 'task-definition'
): DockyardError {
  const fromInputs: DockyardError[] = [];
  const fromFile: FieldProblem[] = [];
  for (const p of problems) {
    const origin = originOf(p.path, origins);
    if (!origin) fromFile.push(p);
    else {
      const where = [
        origin.line !== undefined && `line ${origin.line}`,
        origin.container && `container '${origin.container}'`
      ];
      const prefix = where.filter(w => typeof w === 'string').join(', ');
      fromInputs.push(
        new DockyardError(`${prefix ? `${prefix}: ` : ''}${p.message}`, { input: origin.input, hint: p.fix })
      );
    }
  }
  const all = [...fromInputs, ...(fromFile.length > 0 ? [taskDefinitionError(fromFile, what, input)] : [])];
  return all.length === 1 ? all[0] : new InputError(all);
}

/** The input that set a member at `path` or one containing it. */
function originOf(path: string, origins: Origins): Origin | undefined {
  for (const [member, origin] of origins)
    if (path === member || path.startsWith(`${member}.`) || path.startsWith(`${member}[`)) return origin;
  return undefined;
}

/** One change of an environment variable or secret: `container.KEY=VALUE` or `KEY=VALUE` (`KEY=` removes). */
export interface VariableChange {
  /** The text before the first `.` of the name, when there is one; resolved against the task definition later. */
  qualifier?: string;
  /** The name after the qualifier (or the whole name). */
  key: string;
  /** The whole name as written, used when the qualifier is not a container (single-container task definitions). */
  fullKey: string;
  /** undefined removes the variable. */
  value?: string;
  input: 'environment' | 'secrets' | 'env-files';
  line: number;
  /** For env-files: the file it came from. */
  file?: string;
}

export interface ImageChange {
  /** undefined: the task definition's only container. */
  container?: string;
  image: string;
  input: 'images' | 'image';
  line: number;
}

export interface Changes {
  images: ImageChange[];
  /** The container `command` (and `image`) applies to. */
  container?: string;
  environment: VariableChange[];
  secrets: VariableChange[];
  cpu?: string;
  memory?: string;
  command?: string[];
  taskRoleArn?: string;
  executionRoleArn?: string;
}

/** The input that set a member of the rendered request: `images` line 2, for container `web`. */
export interface Origin {
  input: string;
  /** The line of a multi-line input. */
  line?: number;
  container?: string;
}

/** Field paths of the rendered request that an input set: `containerDefinitions[0].image` → its origin. */
export type Origins = Map<string, Origin>;

/** The containers of a request, as the step's changes name them; what cannot be resolved is a problem. */
class ChangeTargets {
  readonly problems: DockyardError[] = [];
  private readonly names: string[];

  constructor(readonly containers: ContainerDefinition[]) {
    this.names = containers.map(c => c.name ?? '');
  }

  private get listNames(): string {
    return `The task definition's containers are: ${this.names.join(', ')}.`;
  }

  /** The container named, or the only one when none is named. */
  find(name: string | undefined, input: string, line: number): ContainerDefinition | undefined {
    if (name === undefined) {
      if (this.containers.length === 1) return this.containers[0];
      this.problems.push(
        new DockyardError(
          `line ${line}: the task definition has ${this.containers.length} containers, so the container must be named.`,
          {
            input,
            hint:
              input === 'image'
                ? `Set 'container' too. ${this.listNames}`
                : `Write container.KEY=VALUE or container=value. ${this.listNames}`
          }
        )
      );
      return undefined;
    }
    const found = this.containers.find(c => c.name === name);
    if (!found)
      this.problems.push(
        new DockyardError(`line ${line}: there is no container named '${name}'.`, {
          input,
          hint: this.listNames
        })
      );
    return found;
  }

  /** The container and the variable's name for an environment or secret change. */
  variable(change: VariableChange): { container?: ContainerDefinition; key: string } {
    if (change.input === 'env-files')
      return { container: this.find(change.qualifier, 'env-files', change.line), key: change.key };
    if (change.qualifier !== undefined && this.names.includes(change.qualifier))
      return { container: this.containers.find(c => c.name === change.qualifier), key: change.key };
    // `a.b=…` where `a` is no container: a dotted name, for a single-container task definition.
    if (change.qualifier !== undefined && this.containers.length > 1) {
      this.problems.push(
        new DockyardError(`line ${change.line}: there is no container named '${change.qualifier}'.`, {
          input: change.input,
          hint: this.listNames
        })
      );
      return { key: change.key };
    }
    return { container: this.find(undefined, change.input, change.line), key: change.fullKey };
  }

  path(container: ContainerDefinition, member: string): string {
    return `containerDefinitions[${this.containers.indexOf(container)}].${member}`;
  }
}

/**
 * Applies the step's changes to a request (returns a new one), and says which member each input set. Every
 * problem (unknown container, ambiguous target) is collected and returned together as errors naming the input,
 * before anything is registered.
 */
export function applyChanges(
  base: RegisterTaskDefinitionRequest,
  changes: Changes
): { request: RegisterTaskDefinitionRequest; problems: DockyardError[]; origins: Origins } {
  const request = structuredClone(base);
  const targets = new ChangeTargets(request.containerDefinitions ?? []);
  const origins: Origins = new Map();
  const set = (c: ContainerDefinition, member: string, input: string, line: number) =>
    origins.set(targets.path(c, member), { input, line, container: c.name });
  for (const change of changes.images) {
    const target = targets.find(change.container, change.input, change.line);
    if (!target) continue;
    target.image = change.image;
    set(target, 'image', change.input, change.line);
  }
  for (const change of changes.environment) {
    const { container, key } = targets.variable(change);
    if (container) container.environment = setPair(container.environment ?? [], key, change.value);
  }
  const secrets = changes.secrets.map(change => ({ change, ...targets.variable(change) }));
  for (const { change, container, key } of secrets)
    if (container) container.secrets = setSecret(container.secrets ?? [], key, change.value);
  // Paths once every secret is set: a later change of the list moves the entries after it.
  for (const { change, container, key } of secrets) {
    const j = container?.secrets?.findIndex(x => x.name === key) ?? -1;
    if (container && j >= 0) set(container, `secrets[${j}].valueFrom`, change.input, change.line);
  }
  if (changes.command) {
    const target = targets.find(changes.container, 'command', 1);
    if (target) target.command = changes.command;
  }
  applyTaskChanges(request, changes, origins);
  return { request, problems: targets.problems, origins };
}

/** The task-level changes: size and roles, each from its own input. */
function applyTaskChanges(request: RegisterTaskDefinitionRequest, changes: Changes, origins: Origins): void {
  if (changes.cpu) request.cpu = normaliseCpu(changes.cpu);
  if (changes.memory) request.memory = normaliseMemory(changes.memory);
  if (changes.taskRoleArn) request.taskRoleArn = changes.taskRoleArn;
  if (changes.executionRoleArn) request.executionRoleArn = changes.executionRoleArn;
  const inputs = {
    cpu: 'cpu',
    memory: 'memory',
    taskRoleArn: 'task-role-arn',
    executionRoleArn: 'execution-role-arn'
  };
  for (const [member, input] of Object.entries(inputs))
    if (changes[member as keyof typeof inputs]) origins.set(member, { input });
}

/** The render phase's result: the request to verify and register, and what is wrong with it. */
export interface Rendering {
  request: RegisterTaskDefinitionRequest;
  /** The file's problems (types, values) and the required members the rendered request still lacks. */
  problems: FieldProblem[];
  /** The members the step's inputs set, to blame a problem there on its input (problemsError). */
  origins: Origins;
}

/**
 * The render phase: the base (the file, or the service's task definition) with the step's changes applied.
 * Throws the input problems together (an unknown container, say). Required members are judged on the result,
 * so a file that leaves `image` to the `images` input passes, as aws-actions' render step lets it.
 */
export function renderTaskDefinition(
  base: RegisterTaskDefinitionRequest,
  fileProblems: FieldProblem[],
  changes: Changes
): Rendering {
  const { request, problems, origins } = applyChanges(base, changes);
  if (problems.length > 0) throw new InputError(problems);
  // A member with a wrong type was reported and left out: it is not missing besides.
  const reported = new Set(fileProblems.map(p => p.path));
  const missing = missingMembers(request).filter(p => !reported.has(p.path));
  return { request, problems: [...fileProblems, ...missing], origins };
}

function setPair(list: KeyValuePair[], name: string, value: string | undefined): KeyValuePair[] {
  const rest = list.filter(p => p.name !== name);
  if (value === undefined) return rest;
  const index = list.findIndex(p => p.name === name);
  const entry = { name, value };
  if (index < 0) return [...rest, entry];
  const copy = [...list];
  copy[index] = entry;
  return copy.filter((p, i) => p.name !== name || i === index);
}

function setSecret(list: Secret[], name: string, valueFrom: string | undefined): Secret[] {
  const pairs = setPair(
    list.map(s => ({ name: s.name, value: s.valueFrom })),
    name,
    valueFrom?.trim()
  );
  return pairs.map(p => ({ name: p.name, valueFrom: p.value }));
}

/** `0.25 vCPU` → `256`; numbers pass through. ECS stores CPU units. */
export function normaliseCpu(text: string): string {
  return taskCpu(text) ?? text.trim();
}

/** `2 GB` → `2048`; numbers pass through. ECS stores MiB. */
export function normaliseMemory(text: string): string {
  return taskMemory(text) ?? text.trim();
}

/** `arn:…:task-definition/web:12` or `web:12` → `web:12`. */
export function taskDefinitionKey(arnOrName: string | undefined): string {
  if (!arnOrName) return '';
  const i = arnOrName.lastIndexOf('task-definition/');
  return i >= 0 ? arnOrName.slice(i + 'task-definition/'.length) : arnOrName;
}

export function familyOf(arnOrName: string): string {
  const key = taskDefinitionKey(arnOrName);
  const colon = key.lastIndexOf(':');
  return colon > 0 ? key.slice(0, colon) : key;
}

export function revisionOf(arnOrName: string): number | undefined {
  const m = /:(\d+)$/.exec(taskDefinitionKey(arnOrName));
  return m ? Number(m[1]) : undefined;
}
