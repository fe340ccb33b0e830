/**
 * Whether a rendered task definition is the same as a registered revision, so that an unchanged deploy reuses
 * the revision instead of registering a new one. Both sides are normalised first: key order, cpu and memory
 * units, the defaults ECS fills in on registration (defaults.ts), empty lists and objects, and the order of
 * environment variables, secrets and tags.
 */
import type { RegisterTaskDefinitionRequest, TaskDefinition, Tag } from '@aws-sdk/client-ecs';
import { withoutDefaults } from './defaults.js';
import { taskCpu, taskMemory } from './normalise.js';
import { toRegisterRequest } from './render.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Lists whose order carries no meaning, sorted by this key. */
const UNORDERED_BY: Record<string, string> = {
  environment: 'name',
  secrets: 'name',
  tags: 'key',
  ulimits: 'name',
  systemControls: 'namespace',
  extraHosts: 'hostname',
  environmentFiles: 'value'
};

export function normalise(request: RegisterTaskDefinitionRequest): Json {
  const copy = withoutDefaults(request) as unknown as Record<string, unknown>;
  if (copy.cpu !== undefined) copy.cpu = taskCpu(String(copy.cpu)) ?? copy.cpu;
  if (copy.memory !== undefined) copy.memory = taskMemory(String(copy.memory)) ?? copy.memory;
  return canonical(copy) ?? {};
}

/** Sorted keys; no undefined, null, empty lists or empty objects. */
function canonical(value: unknown, key = ''): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    let items = value.map(v => canonical(v)).filter((v): v is Json => v !== undefined);
    const by = UNORDERED_BY[key];
    if (by)
      items = [...items].sort((a, b) =>
        String((a as Record<string, Json>)[by]).localeCompare(String((b as Record<string, Json>)[by]))
      );
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map(k => [k, canonical((value as Record<string, unknown>)[k], k)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Json);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

/** A registered revision (DescribeTaskDefinition's taskDefinition + tags) as a request, for comparing. */
export function describedAsRequest(
  taskDefinition: TaskDefinition,
  tags?: Tag[]
): RegisterTaskDefinitionRequest {
  return toRegisterRequest({ taskDefinition: taskDefinition as Record<string, unknown>, tags }).request;
}

export function sameTaskDefinition(
  a: RegisterTaskDefinitionRequest,
  b: RegisterTaskDefinitionRequest
): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

/** Top-level fields that differ, for telling people what changed beyond the summary's table. */
export function changedFields(a: RegisterTaskDefinitionRequest, b: RegisterTaskDefinitionRequest): string[] {
  const na = (normalise(a) ?? {}) as Record<string, Json>;
  const nb = (normalise(b) ?? {}) as Record<string, Json>;
  const keys = [...new Set([...Object.keys(na), ...Object.keys(nb)])].sort();
  return keys.filter(k => JSON.stringify(na[k]) !== JSON.stringify(nb[k]));
}
