/**
 * Whether a rendered task definition is the same as a registered revision, so that an unchanged deploy reuses
 * the revision instead of registering a new one. Both sides are normalised first: key order, the defaults ECS
 * fills in on registration (essential, cpu 0, networkMode bridge, port protocol tcp, …), empty lists and
 * objects, and the order of environment variables, secrets and tags.
 */
import type { RegisterTaskDefinitionRequest, TaskDefinition, Tag } from '@aws-sdk/client-ecs';
import { normaliseCpu, normaliseMemory, toRegisterRequest } from './render.js';

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
  const copy = structuredClone(request) as unknown as Record<string, unknown>;
  if (!copy.networkMode) copy.networkMode = 'bridge';
  if (typeof copy.cpu === 'string') copy.cpu = normaliseCpu(copy.cpu);
  if (typeof copy.memory === 'string') copy.memory = normaliseMemory(copy.memory);
  const awsvpc = copy.networkMode === 'awsvpc';
  copy.containerDefinitions = ((copy.containerDefinitions as Record<string, unknown>[]) ?? []).map(c => {
    const container = { ...c };
    if (container.essential === undefined) container.essential = true;
    if (container.cpu === undefined) container.cpu = 0;
    if (Array.isArray(container.portMappings)) {
      container.portMappings = (container.portMappings as Record<string, unknown>[]).map(p => {
        const port = { ...p };
        if (port.protocol === undefined) port.protocol = 'tcp';
        if (awsvpc && port.hostPort === undefined && port.containerPort !== undefined)
          port.hostPort = port.containerPort;
        return port;
      });
    }
    return container;
  });
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
