/**
 * What changes for the service: the new task definition against the one running. Images, environment keys,
 * secret names, cpu/memory and roles. Environment values are compared but never printed, and secret values
 * (their ARNs) are never shown either: only whether they changed.
 */
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { changedFields } from './compare.js';
import { normaliseCpu, normaliseMemory } from './render.js';

export interface DiffRow {
  /** What: `image`, `environment`, `secrets`, `cpu`, `memory`, `task role`, `execution role`, `command`, `containers`. */
  field: string;
  /** The container, for container fields. */
  container?: string;
  before: string;
  after: string;
}

export interface TaskDefinitionDiff {
  rows: DiffRow[];
  /** Other top-level fields that differ (names only). */
  otherFields: string[];
  changed: boolean;
}

const DASH = '—';

export function diffTaskDefinitions(
  running: RegisterTaskDefinitionRequest | undefined,
  next: RegisterTaskDefinitionRequest
): TaskDefinitionDiff {
  const rows: DiffRow[] = [];
  const before = running ?? { family: next.family, containerDefinitions: [] };
  const add = (field: string, a: string | undefined, b: string | undefined, container?: string) => {
    if ((a ?? '') !== (b ?? '')) rows.push({ field, container, before: a || DASH, after: b || DASH });
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
      if (!b) continue;
    }
    add('image', a?.image, b.image, name);
    const env = keyChanges(pairs(a?.environment), pairs(b.environment));
    if (env) rows.push({ field: 'environment', container: name, ...env });
    const secrets = keyChanges(
      pairs(a?.secrets?.map(s => ({ name: s.name, value: s.valueFrom }))),
      pairs(b.secrets?.map(s => ({ name: s.name, value: s.valueFrom })))
    );
    if (secrets) rows.push({ field: 'secrets', container: name, ...secrets });
    add('command', words(a), words(b), name);
  }
  add(
    'cpu',
    before.cpu ? normaliseCpu(before.cpu) : undefined,
    next.cpu ? normaliseCpu(next.cpu) : undefined
  );
  add(
    'memory',
    before.memory ? normaliseMemory(before.memory) : undefined,
    next.memory ? normaliseMemory(next.memory) : undefined
  );
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
  const otherFields = running ? changedFields(before, next).filter(f => !shown.has(f)) : [];
  const containerOther = running ? containerFieldsChanged(before, next) : false;
  return {
    rows,
    otherFields: containerOther ? [...otherFields, 'other container settings'] : otherFields,
    changed: rows.length > 0 || otherFields.length > 0 || containerOther
  };
}

function pairs(list: { name?: string; value?: string }[] | undefined): Map<string, string> {
  return new Map((list ?? []).map(p => [p.name ?? '', p.value ?? '']));
}

/** `+ADDED −REMOVED ~CHANGED` over names only, never values. */
function keyChanges(
  a: Map<string, string>,
  b: Map<string, string>
): { before: string; after: string } | undefined {
  const added = [...b.keys()].filter(k => !a.has(k)).sort();
  const removed = [...a.keys()].filter(k => !b.has(k)).sort();
  const changed = [...b.keys()].filter(k => a.has(k) && a.get(k) !== b.get(k)).sort();
  if (added.length + removed.length + changed.length === 0) return undefined;
  const after = [...added.map(k => `+${k}`), ...removed.map(k => `-${k}`), ...changed.map(k => `~${k}`)].join(
    ' '
  );
  return { before: `${a.size} ${a.size === 1 ? 'name' : 'names'}`, after };
}

function words(c: ContainerDefinition | undefined): string | undefined {
  return c?.command && c.command.length > 0 ? c.command.join(' ') : undefined;
}

const CONTAINER_SHOWN = new Set(['image', 'environment', 'secrets', 'command', 'name']);

function containerFieldsChanged(a: RegisterTaskDefinitionRequest, b: RegisterTaskDefinitionRequest): boolean {
  const inBoth = (r: RegisterTaskDefinitionRequest, other: RegisterTaskDefinitionRequest) =>
    (r.containerDefinitions ?? []).filter(c =>
      (other.containerDefinitions ?? []).some(o => o.name === c.name)
    );
  const strip = (
    r: RegisterTaskDefinitionRequest,
    other: RegisterTaskDefinitionRequest
  ): RegisterTaskDefinitionRequest => ({
    family: r.family,
    containerDefinitions: inBoth(r, other).map(c =>
      Object.fromEntries(Object.entries(c).filter(([k]) => !CONTAINER_SHOWN.has(k) || k === 'name'))
    ),
    networkMode: r.networkMode
  });
  return changedFields(strip(a, b), strip(b, a)).includes('containerDefinitions');
}
