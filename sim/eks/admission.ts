/**
 * The admission chain, in the API server's order: ServiceAccount (mutating), then the validating plugins
 * PodSecurity, ValidatingAdmissionWebhook and ResourceQuota. It runs on every write through the API and on
 * every pod a controller creates, so a refused pod shows as the controller's FailedCreate event, as on a
 * cluster. Messages are the plugins' own (see README.md for the sources).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { namespacePolicy, violations } from './podsecurity.js';
import { formatQuantity, parseQuantity, type Quantity } from './quantity.js';

type K = Record<string, any>;

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** A denying validating webhook (Kyverno, Gatekeeper, …): which requests it refuses, and how it words it. */
export interface WebhookRule {
  /** The webhook's name, as its configuration names it: `validate.kyverno.svc-fail`, `validation.gatekeeper.sh`. */
  name: string;
  /** Its answer's message (Gatekeeper: `[policy] text`; Kyverno: the policy report). */
  message: string;
  /** The HTTP code it answers with: Gatekeeper (controller-runtime) 403, Kyverno none (the server makes it 400). */
  code?: number;
  /** Resources it is registered for (plural, `pods`, `deployments`); default every resource. */
  resources?: string[];
  /** Operations it is registered for; default CREATE and UPDATE. */
  operations?: Operation[];
  /** Namespaces it applies to; default every namespace. */
  namespaces?: string[];
}

export interface AdmissionRequest {
  operation: Operation;
  /** Plural resource and API group (`pods`, ``). */
  resource: string;
  group: string;
  kind: string;
  namespace: string;
  name: string;
  object: K;
}

/** Read access to the objects admission consults (namespaces, service accounts, quotas, pods). */
export interface AdmissionLookup {
  get(apiVersion: string, kind: string, namespace: string, name: string): K | undefined;
  list(apiVersion: string, kind: string, namespace: string): K[];
}

/** A refusal, as the Status the API server answers with. */
export class AdmissionError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: K
  ) {
    super(message);
  }
}

export interface Admitted {
  /** `Warning:` header texts. */
  warnings: string[];
  /** Audit annotations (`pod-security.kubernetes.io/audit-violations`). */
  audit: Record<string, string>;
}

const WORKLOAD_TEMPLATES: Record<string, (o: K) => K | undefined> = {
  Deployment: o => o.spec?.template?.spec,
  ReplicaSet: o => o.spec?.template?.spec,
  StatefulSet: o => o.spec?.template?.spec,
  DaemonSet: o => o.spec?.template?.spec,
  Job: o => o.spec?.template?.spec,
  CronJob: o => o.spec?.jobTemplate?.spec?.template?.spec,
  ReplicationController: o => o.spec?.template?.spec
};

export class Admission {
  webhooks: WebhookRule[] = [];

  constructor(private readonly lookup: AdmissionLookup) {}

  /** Runs the chain; throws AdmissionError on a refusal. */
  admit(req: AdmissionRequest): Admitted {
    const out: Admitted = { warnings: [], audit: {} };
    if (req.operation === 'CREATE' && req.kind === 'Pod') this.serviceAccount(req);
    this.podSecurity(req, out);
    this.webhook(req);
    if (req.operation === 'CREATE' && req.kind === 'Pod') this.quota(req);
    return out;
  }

  private forbidden(req: AdmissionRequest, why: string): AdmissionError {
    const what = req.group ? `${req.resource}.${req.group}` : req.resource;
    return new AdmissionError(403, 'Forbidden', `${what} "${req.name}" is forbidden: ${why}`, {
      name: req.name,
      ...(req.group ? { group: req.group } : {}),
      kind: req.resource
    });
  }

  /** plugin/pkg/admission/serviceaccount: the pod's service account must exist. */
  private serviceAccount(req: AdmissionRequest): void {
    const account = String(req.object.spec?.serviceAccountName ?? 'default');
    if (this.lookup.get('v1', 'ServiceAccount', req.namespace, account)) return;
    throw this.forbidden(
      req,
      `error looking up service account ${req.namespace}/${account}: serviceaccount "${account}" not found`
    );
  }

  /** PodSecurity: enforce refuses pods; warn (and enforce, on workloads' templates) answer with warnings. */
  private podSecurity(req: AdmissionRequest, out: Admitted): void {
    if (req.operation === 'DELETE') return;
    const namespace = this.lookup.get('v1', 'Namespace', '', req.namespace);
    const spec = req.kind === 'Pod' ? req.object.spec : WORKLOAD_TEMPLATES[req.kind]?.(req.object);
    if (!namespace || !spec) return;
    const enforce = namespacePolicy(namespace, 'enforce');
    const enforced = enforce ? violations(enforce, spec) : '';
    if (req.kind === 'Pod' && enforced)
      throw this.forbidden(req, `violates PodSecurity "${enforce}": ${enforced}`);
    const warned = new Set<string>();
    if (enforced && req.kind !== 'Pod') warned.add(`would violate PodSecurity "${enforce}": ${enforced}`);
    const warn = namespacePolicy(namespace, 'warn');
    const warnedText = warn ? violations(warn, spec) : '';
    if (warnedText) warned.add(`would violate PodSecurity "${warn}": ${warnedText}`);
    out.warnings.push(...warned);
    const audit = namespacePolicy(namespace, 'audit');
    const audited = audit ? violations(audit, spec) : '';
    if (audited)
      out.audit['pod-security.kubernetes.io/audit-violations'] =
        `would violate PodSecurity "${audit}": ${audited}`;
  }

  /** ValidatingAdmissionWebhook: the first matching denying webhook refuses, in the dispatcher's words. */
  private webhook(req: AdmissionRequest): void {
    const rule = this.webhooks.find(
      w =>
        (w.operations ?? ['CREATE', 'UPDATE']).includes(req.operation) &&
        (!w.resources || w.resources.includes(req.resource)) &&
        (!w.namespaces || w.namespaces.includes(req.namespace))
    );
    if (!rule) return;
    const code = rule.code && rule.code >= 400 ? rule.code : 400;
    throw new AdmissionError(
      code,
      code === 403 ? 'Forbidden' : '',
      `admission webhook "${rule.name}" denied the request: ${rule.message}`,
      {}
    );
  }

  /** ResourceQuota: a pod that would take a quota's usage past its hard limit is refused. */
  private quota(req: AdmissionRequest): void {
    for (const quota of this.lookup.list('v1', 'ResourceQuota', req.namespace)) {
      const hard = quotaHard(quota);
      const used = podUsage(this.lookup.list('v1', 'Pod', req.namespace), Object.keys(hard));
      const requested = podUsage([req.object], Object.keys(hard));
      const missing = mustSpecify(req.object, Object.keys(hard));
      if (missing) throw this.forbidden(req, `failed quota: ${quota.metadata.name}: must specify ${missing}`);
      const exceeded = Object.keys(hard)
        .filter(r => used[r].milli + requested[r].milli > hard[r].milli)
        .sort();
      if (!exceeded.length) continue;
      const show = (usage: Record<string, Quantity>) =>
        exceeded.map(r => `${r}=${formatQuantity(usage[r])}`).join(',');
      throw this.forbidden(
        req,
        `exceeded quota: ${quota.metadata.name}, requested: ${show(requested)}, used: ${show(used)}, limited: ${show(hard)}`
      );
    }
  }
}

/** The resources a quota limits that the test cluster tracks: pods, and cpu and memory requests and limits. */
const TRACKED = ['pods', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

function quotaHard(quota: K): Record<string, Quantity> {
  const out: Record<string, Quantity> = {};
  for (const [resource, value] of Object.entries(quota.spec?.hard ?? {})) {
    const q = parseQuantity(value);
    if (q && TRACKED.includes(resource)) out[resource] = q;
  }
  return out;
}

/** A pod counts against quota until it has ended (Succeeded or Failed) or is being deleted. */
const counts = (pod: K) =>
  !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

function containerSum(pod: K, field: 'requests' | 'limits', resource: string): Quantity {
  const cs: K[] = pod.spec?.containers ?? [];
  const inits: K[] = pod.spec?.initContainers ?? [];
  const of = (c: K) => parseQuantity(c.resources?.[field]?.[resource]);
  const sum = cs.reduce((n, c) => n + (of(c)?.milli ?? 0), 0);
  // Init containers run one at a time: the pod needs the larger of their largest and the app containers' sum.
  const init = Math.max(0, ...inits.map(c => of(c)?.milli ?? 0));
  const binary = [...cs, ...inits].some(c => of(c)?.binary);
  return { milli: Math.max(sum, init), binary };
}

/** The usage of `pods` for each quota resource. */
export function podUsage(pods: K[], resources: string[]): Record<string, Quantity> {
  const out: Record<string, Quantity> = {};
  const live = pods.filter(counts);
  for (const r of resources) {
    if (r === 'pods') {
      out[r] = { milli: live.length * 1000, binary: false };
      continue;
    }
    const [field, name] = r.includes('.')
      ? (r.split('.') as ['requests' | 'limits', string])
      : ['requests' as const, r];
    const parts = live.map(p => containerSum(p, field, name));
    out[r] = { milli: parts.reduce((n, q) => n + q.milli, 0), binary: parts.some(q => q.binary) };
  }
  return out;
}

/** The quota status the controller writes: `hard` and `used` for the tracked resources. */
export function quotaStatus(quota: K, pods: K[]): K {
  const hard = quotaHard(quota);
  const used = podUsage(pods, Object.keys(hard));
  const text = (m: Record<string, Quantity>) =>
    Object.fromEntries(
      Object.keys(hard)
        .sort()
        .map(r => [r, formatQuantity(m[r])])
    );
  return { hard: text(hard), used: text(used) };
}

/** `requests.cpu for: app; limits.memory for: app` when a quota limits what a container does not set. */
function mustSpecify(pod: K, resources: string[]): string | undefined {
  const needs = resources.filter(r => r !== 'pods').sort();
  const parts: string[] = [];
  for (const r of needs) {
    const [field, name] = r.includes('.') ? r.split('.') : ['requests', r];
    const without = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
      .filter((c: K) => c.resources?.[field]?.[name] === undefined)
      .map((c: K) => c.name);
    if (without.length) parts.push(`${r} for: ${without.join(',')}`);
  }
  return parts.length ? parts.join('; ') : undefined;
}
