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
import { DockyardError } from '../../../core/index.js';
import { CONTAINER, TASK_DEFINITION } from './model.js';
import {
  describeProblems,
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
      throw new Error(`'${name}' is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
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

/** Problems of the task definition file as one error naming the input, every problem with its fix. */
export function taskDefinitionError(problems: FieldProblem[], what = 'the task definition'): DockyardError {
  const lines = describeProblems(problems);
  return new DockyardError(
    problems.length === 1
      ? `${what}: ${lines[0]}`
      : `${what} has ${problems.length} problems:\n${lines.map(l => `  - ${l}`).join('\n')}`,
    { input: 'task-definition' }
  );
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

/**
 * Applies the step's changes to a request (returns a new one). Every problem (unknown container, ambiguous
 * target) is collected and thrown together as errors naming the input, before anything is registered.
 */
export function applyChanges(
  base: RegisterTaskDefinitionRequest,
  changes: Changes
): { request: RegisterTaskDefinitionRequest; problems: DockyardError[] } {
  const request = structuredClone(base);
  const containers = request.containerDefinitions ?? [];
  const names = containers.map(c => c.name ?? '');
  const problems: DockyardError[] = [];
  const listNames = `The task definition's containers are: ${names.join(', ')}.`;
  const find = (name: string | undefined, input: string, line: number): ContainerDefinition | undefined => {
    if (name === undefined) {
      if (containers.length === 1) return containers[0];
      problems.push(
        new DockyardError(
          `line ${line}: the task definition has ${containers.length} containers, so the container must be named.`,
          {
            input,
            hint:
              input === 'image'
                ? `Set 'container' too. ${listNames}`
                : `Write container.KEY=VALUE or container=value. ${listNames}`
          }
        )
      );
      return undefined;
    }
    const found = containers.find(c => c.name === name);
    if (!found)
      problems.push(
        new DockyardError(`line ${line}: there is no container named '${name}'.`, { input, hint: listNames })
      );
    return found;
  };

  for (const change of changes.images) {
    const target = find(change.container, change.input, change.line);
    if (target) target.image = change.image;
  }

  const resolveVariable = (change: VariableChange): { container?: ContainerDefinition; key: string } => {
    if (change.input === 'env-files') {
      return { container: find(change.qualifier, 'env-files', change.line), key: change.key };
    }
    if (change.qualifier !== undefined && names.includes(change.qualifier)) {
      return { container: containers.find(c => c.name === change.qualifier), key: change.key };
    }
    // `a.b=…` where `a` is no container: a dotted name, for a single-container task definition.
    if (change.qualifier !== undefined && containers.length > 1) {
      problems.push(
        new DockyardError(`line ${change.line}: there is no container named '${change.qualifier}'.`, {
          input: change.input,
          hint: listNames
        })
      );
      return { key: change.key };
    }
    return { container: find(undefined, change.input, change.line), key: change.fullKey };
  };

  for (const change of changes.environment) {
    const { container, key } = resolveVariable(change);
    if (container) container.environment = setPair(container.environment ?? [], key, change.value);
  }
  for (const change of changes.secrets) {
    const { container, key } = resolveVariable(change);
    if (container) container.secrets = setSecret(container.secrets ?? [], key, change.value);
  }
  if (changes.command) {
    const target = find(changes.container, 'command', 1);
    if (target) target.command = changes.command;
  }
  if (changes.cpu) request.cpu = normaliseCpu(changes.cpu);
  if (changes.memory) request.memory = normaliseMemory(changes.memory);
  if (changes.taskRoleArn) request.taskRoleArn = changes.taskRoleArn;
  if (changes.executionRoleArn) request.executionRoleArn = changes.executionRoleArn;
  return { request, problems };
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
