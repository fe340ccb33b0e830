/**
 * The Kubernetes API test server: HTTPS with a test CA, the EKS token check, discovery, server-side apply
 * and the other writes, get/list/watch with selectors, delete with propagation, pod logs, a request log,
 * and the controllers of controller.ts moving workloads on a tick. See README.md for the API.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import {
  clone,
  conflictMessage,
  deepEqual,
  fieldSet,
  printManager,
  valueAt,
  type JsonObject,
  jsonPatch,
  mergePatch,
  PatchError,
  serverSideApply,
  strategicMergePatch,
  writtenManagers,
  type ManagerEntry
} from './apply.js';
import { Authenticator } from './auth.js';
import {
  BehaviourTable,
  DEFAULT_TIMING,
  type Behaviour,
  type BehaviourName,
  type Match,
  type Timing
} from './behaviour.js';
import { Controller } from './controller.js';
import { defaults, keepAllocated } from './defaults.js';
import { apiVersionOf, openApiV3, ResourceRegistry, type ResourceInfo } from './resources.js';
import {
  matchesFields,
  matchesRequirements,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  type FieldRequirement,
  type Requirement
} from './selectors.js';
import { meta, nameOf, namespaceOf, Store, uidOf, type Change, type Entry } from './store.js';
import { readBody } from './http.js';
import { makeChain, type Chain } from './tls.js';
import { invalidMessage, validate } from './validate.js';
import type { LoadBalancerOptions, VolumeOptions } from './cloud.js';
import { nodeObject, type LateNode } from './nodes.js';
import { unknownFields, withoutUnknownFields } from './schema.js';
import { Admission, AdmissionError, type WebhookRule } from './admission.js';

type K = Record<string, any>;

const STATIC_TOKEN = 'dockyard-test-token';
/**
 * The StorageClass every EKS cluster has: in-tree EBS, bound at the first consumer, and, on clusters made on 1.30 or
 * later, not the default (EKS 1.30 release notes): a claim that names no class stays Pending with `FailedBinding`.
 */
const GP2: K = {
  metadata: { name: 'gp2' },
  provisioner: 'kubernetes.io/aws-ebs',
  parameters: { fsType: 'ext4', type: 'gp2' },
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer'
};

const STATIC_IDENTITY = 'kubernetes-admin';
export const DEFAULT_CLUSTER = 'dockyard-test';

export interface KubeServerOptions {
  stsEndpoint?: string;
  cluster?: string;
  tokenLifetimeMs?: number;
  /** `untrusted`: serve a certificate from a CA other than the exported one. */
  certificate?: 'trusted' | 'untrusted';
  nodes?: number;
  speed?: number;
  timing?: Partial<Timing>;
  tickMs?: number;
  /** A CRD applied → Established (ms, divided by speed). */
  crdEstablishMs?: number;
  /** Denying validating webhooks (admission.ts `WebhookRule`), as `webhook()` adds them. */
  webhooks?: WebhookRule[];
  /**
   * Multiplies the kubelet's back-offs (CrashLoopBackOff, ImagePullBackOff: 10 s doubling to 5 min) and nothing
   * else: the same states and events on a compressed clock. Set it to the deploy's poll interval over EKS's
   * production poll (2 s): `pollIntervalMs / 2000`.
   */
  backoffScale?: number;
  /** Registry 429s: the first `failures` image pulls on `node` are refused with Too Many Requests. */
  pullThrottle?: { node: string; failures: number };
  /** A node that arrives late (Karpenter / EKS Auto Mode): see nodes.ts. */
  lateNode?: LateNode;
  /** Whether the ALB controller opens pods' `target-health.elbv2.k8s.aws/…` readiness gates (default `open`). */
  readinessGates?: 'open' | 'closed';
  /**
   * The AWS Load Balancer Controller: a LoadBalancer Service gets its address `delayMs` (default 1000, divided by
   * speed) after it is first seen, or never, with `failure`'s Warning event re-emitted on every retry (cloud.ts).
   */
  loadBalancers?: Partial<LoadBalancerOptions>;
  /** The EBS CSI provisioner: a claim is Bound `provisionMs` (default 500) after provisioning starts, or `failure`. */
  volumes?: Partial<VolumeOptions>;
  /** API Priority and Fairness: the next `times` requests (matching `verb`/`resource`) are rejected 429. */
  throttle?: ThrottleRule;
}

/** API Priority and Fairness rejecting requests: how many, which, and the Retry-After it sends. */
export interface ThrottleRule {
  times: number;
  retryAfterSeconds?: number;
  verb?: string;
  resource?: string;
}

export interface KubeRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  verb: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  userAgent: string;
  identity?: string;
  status: number;
  contentType?: string;
  /** The `Warning:` headers sent with the answer (their text, without the `299 - "…"` wrapping). */
  warnings: string[];
  /** Audit annotations admission added (PodSecurity `audit`). */
  audit?: Record<string, string>;
}

interface WriteContext {
  manager: string;
  dryRun: boolean;
  subresource?: string;
  /** The ownership a client wrote in metadata.managedFields (apply.ts writtenManagers). */
  base?: ManagerEntry[];
  /** The request, for the warnings and audit annotations admission adds. */
  record?: KubeRequest;
}

/** The API server's limit on a write's body (k8s.io/apiserver `MaxRequestBodyBytes`, 3 MiB): 413 past it. */
const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: K,
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

/** An answer a filter writes with http.Error: plain text, no Status. */
class PlainError extends HttpError {
  constructor(code: number, message: string, headers: Record<string, string>) {
    super(code, '', message, undefined, headers);
  }
}

/** Which requests a rule is about; every field given must match. `resource` may name a subresource (`pods/log`). */
export interface AccessRule {
  /** The RBAC verb: get, list, watch, create, update, patch (apply is a patch), delete, deletecollection. */
  verb?: string;
  resource?: string;
  namespace?: string;
  identity?: string;
}

export interface FaultRule extends AccessRule {
  status: 429 | 500 | 503 | 504;
  /** How many matching requests get the fault (default 1). */
  times?: number;
}

const FAULTS: Record<FaultRule['status'], [string, string]> = {
  429: ['TooManyRequests', 'Too many requests, please try again later.'],
  500: ['InternalError', 'Internal error occurred: injected by the test'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: [
    'Timeout',
    'the server was unable to return a response in the time allotted, but may still be processing the request'
  ]
};

function rbacVerb(method: string, route: Route, query: Record<string, string>): string {
  switch (method) {
    case 'GET':
      return route.name ? 'get' : query.watch === 'true' || query.watch === '1' ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** A Kubernetes Status body. */
function statusBody(code: number, reason: string, message: string, details?: K): K {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    ...(reason ? { reason } : {}),
    ...(details ? { details } : {}),
    code
  };
}

const qualifiedResource = (info: ResourceInfo) =>
  info.group ? `${info.resource}.${info.group}` : info.resource;

const notFound = (info: ResourceInfo, name: string) =>
  new HttpError(404, 'NotFound', `${qualifiedResource(info)} "${name}" not found`, {
    name,
    group: info.group,
    kind: info.resource
  });

const methodNotAllowed = () =>
  new HttpError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

interface Route {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export class KubeServer {
  readonly store = new Store();
  readonly registry = new ResourceRegistry();
  readonly behaviours = new BehaviourTable();
  readonly auth: Authenticator;
  readonly controller: Controller;
  /** The admission chain; `admission.webhooks` are the denying webhooks (see `webhook()`). */
  readonly admission: Admission;
  readonly requests: KubeRequest[] = [];
  readonly staticToken = STATIC_TOKEN;
  url = '';
  caPem = '';
  private server?: Server;
  private chain: Chain;
  private rogue?: Chain;
  private readonly watches = new Set<ServerResponse>();
  private denials: AccessRule[] = [];
  private faults: (FaultRule & { left: number })[] = [];
  private throttling?: ThrottleRule & { left: number };
  private options: KubeServerOptions;

  constructor(private readonly initial: KubeServerOptions = {}) {
    const options = { ...initial };
    this.options = options;
    this.chain = makeChain();
    this.caPem = this.chain.caPem;
    this.auth = new Authenticator({
      stsEndpoint: options.stsEndpoint,
      cluster: options.cluster ?? DEFAULT_CLUSTER,
      tokenLifetimeMs: options.tokenLifetimeMs ?? 15 * 60_000,
      staticTokens: { [STATIC_TOKEN]: STATIC_IDENTITY }
    });
    this.controller = new Controller(
      this.store,
      this.registry,
      this.behaviours,
      this.controllerOptions(options)
    );
    this.admission = new Admission({
      get: (apiVersion, kind, ns, name) => this.get(apiVersion, kind, ns, name),
      list: (apiVersion, kind, ns) => this.list(apiVersion, kind, ns)
    });
    this.admission.webhooks = [...(options.webhooks ?? [])];
    this.controller.admission = this.admission;
    if (options.throttle) this.throttle(options.throttle);
  }

  /** The CA as EKS returns it in DescribeCluster (`certificateAuthority.data`): base64 of the PEM. */
  get caData(): string {
    return Buffer.from(this.caPem).toString('base64');
  }

  private controllerOptions(options: KubeServerOptions) {
    return {
      nodes: options.nodes ?? 3,
      speed: options.speed ?? 1,
      timing: { ...DEFAULT_TIMING, ...(options.timing ?? {}) },
      crdEstablishMs: options.crdEstablishMs ?? 200,
      backoffScale: options.backoffScale ?? 1,
      pullThrottle: options.pullThrottle,
      lateNode: options.lateNode,
      readinessGates: options.readinessGates ?? 'open',
      loadBalancers: { delayMs: 1000, ...(options.loadBalancers ?? {}) },
      volumes: { provisionMs: 500, ...(options.volumes ?? {}) }
    };
  }

  private served(): Chain {
    if (this.options.certificate !== 'untrusted') return this.chain;
    return (this.rogue ??= makeChain('someone-else'));
  }

  /** The certificate the listening server presents now. */
  private servedKind: 'trusted' | 'untrusted' = 'trusted';

  /** Serves a certificate from the exported CA (`trusted`) or from an unrelated CA (`untrusted`) from now on. */
  setCertificate(kind: 'trusted' | 'untrusted'): void {
    this.options.certificate = kind;
    if (kind === this.servedKind) return;
    this.servedKind = kind;
    const chain = this.served();
    this.server?.setSecureContext({ cert: chain.certPem, key: chain.keyPem });
    // Kept-alive connections were made with the old certificate: drop them, so the next request meets the new one.
    this.server?.closeIdleConnections();
  }

  async start(): Promise<this> {
    const served = this.served();
    this.servedKind = this.options.certificate ?? 'trusted';
    this.server = createServer(
      { cert: served.certPem, key: served.keyPem },
      (req, res) => void this.handle(req, res)
    );
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.seed();
    this.controller.start(this.options.tickMs ?? 50);
    return this;
  }

  async stop(): Promise<void> {
    this.controller.stop();
    for (const w of this.watches) w.end();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise(resolve => this.server!.close(resolve));
  }

  /** A new, empty cluster: default namespaces and nodes, default switches, behaviours and timing. */
  reset(options: KubeServerOptions = {}): void {
    for (const w of this.watches) w.end();
    this.watches.clear();
    this.options = { ...this.initial, ...options };
    this.store.reset();
    this.registry.reset();
    this.behaviours.clear();
    this.controller.reset();
    this.controller.options = this.controllerOptions(this.options);
    this.auth.reset({ tokenLifetimeMs: this.options.tokenLifetimeMs, cluster: this.options.cluster });
    this.requests.length = 0;
    this.denials = [];
    this.faults = [];
    this.throttling = this.options.throttle
      ? { ...this.options.throttle, left: this.options.throttle.times }
      : undefined;
    this.admission.webhooks = [...(this.options.webhooks ?? [])];
    this.setCertificate(this.options.certificate ?? 'trusted');
    this.seed();
  }

  setBehaviour(match: Match, behaviour: BehaviourName | Behaviour): void {
    this.behaviours.set(match, behaviour);
  }

  /** Sets pod timing (ms) and speed from now on. */
  setTiming(timing: Partial<Timing>, speed?: number): void {
    this.controller.options.timing = { ...this.controller.options.timing, ...timing };
    if (speed !== undefined) this.controller.options.speed = speed;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  count(
    filter: Partial<Pick<KubeRequest, 'verb' | 'resource' | 'method' | 'subresource' | 'name'>> = {}
  ): number {
    return this.requests.filter(r =>
      Object.entries(filter).every(([k, v]) => (r as unknown as Record<string, unknown>)[k] === v)
    ).length;
  }

  /** Requests by `verb resource[/subresource]` (`patch deployments`, `get pods/log`). */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests) {
      const key = r.resource
        ? `${r.verb} ${r.resource}${r.subresource ? '/' + r.subresource : ''}`
        : `${r.verb} ${r.path}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  // ---- direct access for tests ---------------------------------------------------------------------------

  private kind(apiVersion: string, kind: string): ResourceInfo {
    const info = this.registry.byKind(apiVersion, kind);
    if (!info) throw new Error(`the test cluster serves no ${kind} in ${apiVersion}`);
    return info;
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): K | undefined {
    return this.store.get(this.kind(apiVersion, kind), namespace, name);
  }

  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): K[] {
    const req = labelSelector ? parseLabelSelector(labelSelector) : [];
    return this.store
      .list(this.kind(apiVersion, kind), namespace)
      .map(e => this.store.render(e))
      .filter(o => matchesRequirements(req, meta(o).labels as Record<string, string> | undefined));
  }

  /** Server-side applies an object as `manager` (seeding: another manager's fields, for conflicts). */
  apply(object: K, options: { manager?: string; force?: boolean } = {}): K {
    const info = this.kind(String(object.apiVersion), String(object.kind));
    const namespace = info.namespaced ? String(object.metadata?.namespace ?? 'default') : '';
    return this.applyObject(info, namespace, String(object.metadata?.name), clone(object), {
      manager: options.manager ?? 'test',
      force: Boolean(options.force),
      dryRun: false
    }).object;
  }

  events(namespace?: string): K[] {
    return this.store.list(this.kind('v1', 'Event'), namespace).map(e => this.store.render(e));
  }

  /** The lines of the container's current instance (or the previous one). */
  logs(namespace: string, pod: string, container: string, previous = false): string[] | undefined {
    const p = this.get('v1', 'Pod', namespace, pod);
    const l = p && this.controller.logs(uidOf(p), container);
    if (!l) return undefined;
    return l.instances[l.instances.length - (previous ? 2 : 1)];
  }

  private seed(): void {
    const ns = this.kind('v1', 'Namespace');
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const o: K = { metadata: { name } };
      defaults(ns, o, '');
      this.store.write(ns, o);
    }
    const node = this.kind('v1', 'Node');
    for (const [i, name] of this.controller.nodeNames().entries())
      this.store.write(node, nodeObject(name, i));
    const sa = this.kind('v1', 'ServiceAccount');
    for (const namespace of ['default', 'kube-system'])
      this.store.write(sa, { metadata: { name: 'default', namespace } });
    this.store.write(this.kind('storage.k8s.io/v1', 'StorageClass'), GP2);
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const query = Object.fromEntries(url.searchParams);
    const record: KubeRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      verb: 'get',
      userAgent: String(req.headers['user-agent'] ?? ''),
      status: 0,
      contentType: req.headers['content-type'],
      warnings: []
    };
    this.requests.push(record);
    const send = (
      code: number,
      body: unknown,
      type = 'application/json',
      headers: Record<string, string> = {}
    ) => {
      record.status = code;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(code, {
        ...headers,
        ...warningHeaders(record.warnings),
        'content-type': type,
        'content-length': Buffer.byteLength(text),
        'audit-id': randomId()
      });
      res.end(text);
    };
    try {
      const body = await readBody(req);
      const publicPath = ['/version', '/healthz', '/livez', '/readyz'].includes(url.pathname);
      if (req.headers.authorization || !publicPath) {
        if (!req.headers.authorization) {
          record.identity = 'system:anonymous';
          throw new HttpError(
            403,
            'Forbidden',
            `forbidden: User "system:anonymous" cannot get path "${url.pathname}"`,
            {}
          );
        }
        const auth = await this.auth.authenticate(req.headers.authorization);
        if (!auth.ok) {
          record.identity = undefined;
          throw new HttpError(401, 'Unauthorized', 'Unauthorized');
        }
        record.identity = auth.identity;
      }
      // k8s.io/apiserver's MaxRequestBodyBytes (3 MiB) on every write's body, after authentication.
      if (
        ['POST', 'PUT', 'PATCH'].includes(req.method ?? '') &&
        Buffer.byteLength(body) > MAX_REQUEST_BODY_BYTES
      )
        throw new HttpError(
          413,
          'RequestEntityTooLarge',
          `Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`
        );
      const result = this.route(req.method ?? 'GET', url, query, body, record, res);
      if (result === 'streaming') return;
      send(result.code, result.body, result.type);
    } catch (error) {
      if (error instanceof PlainError)
        send(error.code, `${error.message}\n`, 'text/plain; charset=utf-8', error.headers);
      else if (error instanceof HttpError)
        send(
          error.code,
          statusBody(error.code, error.reason, error.message, error.details),
          'application/json',
          error.headers
        );
      else if (error instanceof AdmissionError)
        send(error.code, statusBody(error.code, error.reason, error.message, error.details));
      else if (error instanceof SelectorError) send(400, statusBody(400, 'BadRequest', error.message));
      else if (error instanceof PatchError) send(422, statusBody(422, 'Invalid', error.message));
      else
        send(
          500,
          statusBody(500, 'InternalError', `test server: ${(error as Error).stack ?? String(error)}`)
        );
    }
  }

  private route(
    method: string,
    url: URL,
    query: Record<string, string>,
    body: string,
    record: KubeRequest,
    res: ServerResponse
  ): { code: number; body: unknown; type?: string } | 'streaming' {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const ok = (b: unknown) => ({ code: 200, body: b });
    record.verb = 'discovery';
    if (path === '/version')
      return ok({
        major: '1',
        minor: '34',
        emulationMajor: '1',
        emulationMinor: '34',
        gitVersion: 'v1.34.0-eks-dockyard',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.24.6',
        compiler: 'gc',
        platform: 'linux/amd64'
      });
    if (['/healthz', '/livez', '/readyz'].includes(path))
      return { code: 200, body: 'ok', type: 'text/plain' };
    if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
      const doc = openApiV3(this.registry, path.slice('/openapi/v3/'.length));
      if (!doc) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
      return ok(doc);
    }
    if (path === '/api') return ok(this.registry.coreVersions(new URL(this.url).host));
    if (path === '/apis') return ok(this.registry.groupList());
    const parts = path.split('/').filter(Boolean);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      group = '';
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 2) {
      if (parts.length === 2) {
        const doc = this.registry.group(parts[1]);
        if (!doc) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
        return ok(doc);
      }
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      const doc = this.registry.resourceList(group, version);
      if (!doc) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
      return ok(doc);
    }
    const route = this.resolve(group, version, rest);
    record.resource = route.info.resource;
    record.namespace = route.namespace;
    record.name = route.name;
    record.subresource = route.subresource;
    this.checkAccess(method, route, query, record);
    if (route.info.deprecation) record.warnings.push(route.info.deprecation);
    return this.dispatch(method, route, query, body, record, res);
  }

  /** Injected faults first, then RBAC denials, as the server's filters would answer before the handler. */
  private checkAccess(
    method: string,
    route: Route,
    query: Record<string, string>,
    record: KubeRequest
  ): void {
    const verb = rbacVerb(method, route, query);
    const resource = route.subresource ? `${route.info.resource}/${route.subresource}` : route.info.resource;
    const matches = (r: AccessRule) =>
      (!r.verb || r.verb === verb) &&
      (!r.resource || r.resource === resource) &&
      (!r.namespace || r.namespace === route.namespace) &&
      (!r.identity || r.identity === record.identity);
    this.checkThrottle(verb, resource);
    const fault = this.faults.find(f => f.left > 0 && matches(f));
    if (fault) {
      fault.left--;
      const [reason, message] = FAULTS[fault.status];
      throw new HttpError(
        fault.status,
        reason,
        message,
        {},
        fault.status === 429 ? { 'retry-after': '1' } : {}
      );
    }
    if (!this.denials.some(matches)) return;
    const what = `${qualifiedResource(route.info)}${route.name && method !== 'POST' ? ` "${route.name}"` : ''}`;
    const scope =
      route.info.namespaced && route.namespace
        ? `in the namespace "${route.namespace}"`
        : 'at the cluster scope';
    throw new HttpError(
      403,
      'Forbidden',
      `${what} is forbidden: User "${record.identity}" cannot ${verb} resource "${resource}" in API group "${route.info.group}" ${scope}`,
      { ...(route.name ? { name: route.name } : {}), group: route.info.group, kind: route.info.resource }
    );
  }

  /**
   * API Priority and Fairness rejecting a request: 429 with `Retry-After` and a plain-text body, as the filter
   * writes it (http.Error, not a Status), with the flow schema and priority level headers.
   */
  private checkThrottle(verb: string, resource: string): void {
    const rule = this.throttling;
    if (!rule || rule.left <= 0) return;
    if ((rule.verb && rule.verb !== verb) || (rule.resource && rule.resource !== resource)) return;
    rule.left--;
    throw new PlainError(429, 'Too many requests, please try again later.', {
      'retry-after': String(rule.retryAfterSeconds ?? 1),
      'x-kubernetes-pf-flowschema-uid': '3b1f6a38-0000-4000-8000-000000000001',
      'x-kubernetes-pf-prioritylevel-uid': '3b1f6a38-0000-4000-8000-000000000002',
      'x-content-type-options': 'nosniff'
    });
  }

  /** From now on, the next `times` requests the rule matches are rejected by API Priority and Fairness. */
  throttle(rule: ThrottleRule): void {
    this.throttling = { ...rule, left: rule.times };
  }

  /** From now on, requests matching the rule are refused with 403 (an identity without the RBAC rights). */
  deny(rule: AccessRule): void {
    this.denials.push(rule);
  }

  /** From now on, requests the rule matches are refused by a validating webhook in its words (admission.ts). */
  webhook(rule: WebhookRule): void {
    this.admission.webhooks.push(rule);
  }

  /** The next `times` requests matching the rule get the status (429 with Retry-After, 500, 503, 504). */
  inject(rule: FaultRule): void {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
  }

  private resolve(group: string, version: string, rest: string[]): Route {
    const find = (resource: string) => this.registry.byResource(group, version, resource);
    const missing = () => new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const info = find(rest[2]);
      if (info?.namespaced) {
        if (rest.length > 5) throw missing();
        return { info, namespace: rest[1], name: rest[3], subresource: rest[4] };
      }
      // /api/v1/namespaces/<name>/<subresource>
      if (rest.length === 3 && group === '')
        return { info: find('namespaces')!, name: rest[1], subresource: rest[2] };
      throw missing();
    }
    const info = find(rest[0]);
    if (!info || rest.length > 3) throw missing();
    return { info, name: rest[1], subresource: rest[2] };
  }

  private dispatch(
    method: string,
    route: Route,
    query: Record<string, string>,
    body: string,
    record: KubeRequest,
    res: ServerResponse
  ): { code: number; body: unknown; type?: string } | 'streaming' {
    const { info, namespace, name, subresource } = route;
    if (subresource && !(info.subresources ?? []).includes(subresource))
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const dryRun = query.dryRun === 'All';
    const ns = info.namespaced ? (namespace ?? '') : '';
    if (info.namespaced && name && !namespace)
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    switch (method) {
      case 'GET': {
        if (!name) {
          const watching = query.watch === 'true' || query.watch === '1';
          record.verb = watching ? 'watch' : 'list';
          const labels = parseLabelSelector(query.labelSelector ?? '');
          const fields = parseFieldSelector(query.fieldSelector ?? '', [
            'metadata.name',
            'metadata.namespace',
            ...(info.fieldSelectors ?? [])
          ]);
          if (watching) {
            this.watch(res, record, info, namespace, labels, fields, query);
            return 'streaming';
          }
          return { code: 200, body: this.listBody(info, namespace, labels, fields) };
        }
        if (subresource === 'log') {
          record.verb = 'log';
          return { code: 200, body: this.podLog(ns, name, query), type: 'text/plain' };
        }
        record.verb = 'get';
        const o = this.store.get(info, ns, name);
        if (!o) throw notFound(info, name);
        if (subresource === 'scale') return { code: 200, body: scaleOf(o) };
        return { code: 200, body: o };
      }
      case 'POST': {
        record.verb = 'create';
        refuseBinary(record.contentType);
        if (name) throw methodNotAllowed();
        const object = parseBody(body) as K;
        if (!object.metadata?.name && object.metadata?.generateName)
          object.metadata.name = `${object.metadata.generateName}${randomId().slice(0, 5)}`;
        const objName = String(object.metadata?.name ?? '');
        this.checkIdentity(info, object, ns, objName);
        if (this.store.entry(info, ns, objName))
          throw new HttpError(
            409,
            'AlreadyExists',
            `${qualifiedResource(info)} "${objName}" already exists`,
            { name: objName, group: info.group, kind: info.resource }
          );
        this.checkNamespace(info, ns);
        const manager = query.fieldManager || managerFromAgent(record.userAgent);
        delete object.status;
        const decoded = this.decodeFields(info, object, query, record, cannotHandle(info));
        return { code: 201, body: this.writeObject(info, ns, decoded, { manager, dryRun, record }) };
      }
      case 'PUT': {
        record.verb = 'update';
        refuseBinary(record.contentType);
        if (!name) throw methodNotAllowed();
        const object = parseBody(body) as K;
        // A Scale (autoscaling/v1) is written to a workload's scale subresource: it names no workload kind.
        if (subresource !== 'scale') this.checkIdentity(info, object, ns, name);
        const live = this.store.entry(info, ns, name);
        if (!live) throw notFound(info, name);
        const rv = object.metadata?.resourceVersion;
        if (rv && rv !== meta(live.object).resourceVersion) throw modified(info, name);
        const base = subresource ? undefined : this.ownershipWritten(live, object.metadata?.managedFields);
        const manager = query.fieldManager || managerFromAgent(record.userAgent);
        const decoded = subresource
          ? object
          : this.decodeFields(info, object, query, record, cannotHandle(info));
        const next = this.withSubresource(live, decoded, subresource);
        const written = this.writeObject(info, ns, next, { manager, dryRun, subresource, record, base });
        return { code: 200, body: subresource === 'scale' ? scaleOf(written) : written };
      }
      case 'PATCH':
        return this.patch(route, ns, query, body, record, dryRun);
      case 'DELETE': {
        if (!name) {
          record.verb = 'deletecollection';
          const labels = parseLabelSelector(query.labelSelector ?? '');
          const fields = parseFieldSelector(query.fieldSelector ?? '', [
            'metadata.name',
            'metadata.namespace',
            ...(info.fieldSelectors ?? [])
          ]);
          const list = this.listBody(info, namespace, labels, fields);
          if (!dryRun)
            for (const item of list.items as K[])
              this.deleteObject(info, namespaceOf(item), nameOf(item), deleteOptions(body, info));
          return { code: 200, body: list };
        }
        record.verb = 'delete';
        const entry = this.store.entry(info, ns, name);
        if (!entry) throw notFound(info, name);
        const options = deleteOptions(body, info);
        const pre = options.preconditions ?? {};
        if (
          (pre.uid && pre.uid !== uidOf(entry.object)) ||
          (pre.resourceVersion && pre.resourceVersion !== meta(entry.object).resourceVersion)
        )
          throw new HttpError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${qualifiedResource(info)} "${name}": Precondition failed`
          );
        if (dryRun || options.dryRun?.includes?.('All')) return { code: 200, body: this.store.render(entry) };
        return { code: 200, body: this.deleteObject(info, ns, name, options) };
      }
      default:
        throw methodNotAllowed();
    }
  }

  /** A write to a subresource (status) keeps the main resource; a write to the main resource keeps status. */
  private withSubresource(live: Entry, object: K, subresource?: string): K {
    const next = clone(live.object) as K;
    if (subresource === 'status') next.status = object.status;
    else if (subresource === 'scale') next.spec = { ...next.spec, replicas: object.spec?.replicas };
    else {
      const status = next.status;
      Object.keys(next).forEach(k => delete next[k]);
      Object.assign(next, object);
      if (status === undefined) delete next.status;
      else next.status = status;
    }
    return next;
  }

  private checkIdentity(info: ResourceInfo, object: K, ns: string, name: string): void {
    if (!object || typeof object !== 'object' || Array.isArray(object))
      throw new HttpError(400, 'BadRequest', 'the body of the request is not an object');
    const apiVersion = apiVersionOf(info);
    if ((object.apiVersion && object.apiVersion !== apiVersion) || (object.kind && object.kind !== info.kind))
      throw new HttpError(
        400,
        'BadRequest',
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersion})`
      );
    object.metadata ??= {};
    if (!name)
      throw new HttpError(
        422,
        'Invalid',
        `${info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`
      );
    if (object.metadata.name && object.metadata.name !== name)
      throw new HttpError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    if (!NAME.test(name) || name.length > 253)
      throw new HttpError(
        422,
        'Invalid',
        `${info.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        {
          name,
          group: info.group,
          kind: info.kind,
          causes: [
            { reason: 'FieldValueInvalid', message: `Invalid value: "${name}"`, field: 'metadata.name' }
          ]
        }
      );
    if (info.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== ns)
        throw new HttpError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request'
        );
      object.metadata.namespace = ns;
    } else delete object.metadata.namespace;
    object.metadata.name = name;
    object.apiVersion = apiVersion;
    object.kind = info.kind;
  }

  private checkNamespace(info: ResourceInfo, ns: string): void {
    if (!info.namespaced) return;
    const n = this.store.get(this.kind('v1', 'Namespace'), '', ns);
    if (!n)
      throw new HttpError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if ((n as K).status?.phase === 'Terminating')
      throw new HttpError(
        403,
        'Forbidden',
        `${info.resource} "" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`
      );
  }

  private writeObject(info: ResourceInfo, ns: string, object: K, w: WriteContext): K {
    const uid = this.uidFor(info, object);
    keepAllocated(info.kind, object, this.store.entry(info, namespaceOf(object), nameOf(object))?.object);
    defaults(info, object, uid);
    this.checkValid(info, object);
    if (!w.subresource) this.admit(info, object, w.record);
    const { manager, subresource, dryRun, base } = w;
    const { entry } = this.store.write(info, object, { manager, subresource, dryRun, uid, base });
    return dryRun ? this.store.render(entry) : this.store.get(info, ns, nameOf(object))!;
  }

  /** The ownership a write's managedFields set, when they are not the ones the object has (apply.ts writtenManagers). */
  private ownershipWritten(live: Entry, written: unknown): ManagerEntry[] | undefined {
    if (deepEqual(written, meta(this.store.render(live)).managedFields)) return undefined;
    return writtenManagers(written as JsonObject[] | undefined);
  }

  /** The validating admission chain (admission.ts), after validation, as the API server orders them. */
  private admit(info: ResourceInfo, object: K, record?: KubeRequest): void {
    const exists = this.store.entry(info, namespaceOf(object), nameOf(object));
    const admitted = this.admission.admit({
      operation: exists ? 'UPDATE' : 'CREATE',
      resource: info.resource,
      group: info.group,
      kind: info.kind,
      namespace: namespaceOf(object),
      name: nameOf(object),
      object
    });
    record?.warnings.push(...admitted.warnings);
    if (record) record.audit = { ...record.audit, ...admitted.audit };
  }

  /**
   * Unknown fields in a create, update or patch, by the request's `fieldValidation` (default Warn, as since
   * v1.27): Strict refuses (400, the strict decoder's words), Warn drops them with a warning each, Ignore drops
   * them. `prefix` is what the create and update handlers put before the decoder's error.
   */
  private decodeFields(
    info: ResourceInfo,
    object: K,
    query: Record<string, string>,
    record: KubeRequest,
    prefix: string
  ): K {
    const unknown = unknownFields(info, object);
    if (!unknown.length) return object;
    const directive = query.fieldValidation ?? 'Warn';
    const texts = unknown.map(u => `unknown field "${u.decodePath}"`);
    if (directive === 'Strict')
      throw new HttpError(400, 'BadRequest', `${prefix}strict decoding error: ${texts.join(', ')}`);
    if (directive !== 'Ignore') record.warnings.push(...texts);
    return withoutUnknownFields(object, unknown) as K;
  }

  /** 422 Invalid with the causes, as the API server's validation answers. */
  private checkValid(info: ResourceInfo, object: K): void {
    const old = this.store.entry(info, namespaceOf(object), nameOf(object))?.object;
    const causes = validate(info.kind, object, old);
    if (!causes.length) return;
    throw new HttpError(422, 'Invalid', invalidMessage(info.kind, info.group, nameOf(object), causes), {
      name: nameOf(object),
      group: info.group,
      kind: info.kind,
      causes: causes.map(c => ({ reason: c.reason, message: c.detail, field: c.field }))
    });
  }

  /** The uid the object has, or will get when this write creates it. */
  private uidFor(info: ResourceInfo, object: K): string {
    const live = this.store.entry(info, namespaceOf(object), nameOf(object));
    return live ? uidOf(live.object) : randomUUID();
  }

  private applyObject(
    info: ResourceInfo,
    ns: string,
    name: string,
    applied: K,
    w: { manager: string; force: boolean; dryRun: boolean; record?: KubeRequest }
  ): { object: K; created: boolean } {
    const { manager, dryRun } = w;
    this.checkIdentity(info, applied, ns, name);
    const live = this.store.entry(info, ns, name);
    if (!live) this.checkNamespace(info, ns);
    delete applied.status;
    delete applied.metadata.managedFields;
    delete applied.metadata.resourceVersion;
    this.typedPatch(info, applied, ns, name);
    const run = (force: boolean) =>
      serverSideApply({
        live: live?.object,
        managers: live?.managers ?? [],
        applied,
        manager,
        force,
        now: new Date().toISOString().replace(/\.\d+Z$/, 'Z')
      });
    let result = run(w.force);
    if (!result.ok && manager === 'kubectl' && upgradesClientSideApply(live?.object, result.conflicts))
      result = run(true);
    if (!result.ok)
      throw new HttpError(409, 'Conflict', conflictMessage(result.conflicts), {
        causes: result.conflicts.map(c => ({
          reason: 'FieldManagerConflict',
          message: `conflict with ${printManager(c)}`,
          field: c.field
        }))
      });
    const object = result.object as K;
    if (live) object.status = (live.object as K).status;
    else delete object.status;
    const uid = this.uidFor(info, object);
    keepAllocated(info.kind, object, this.store.entry(info, namespaceOf(object), nameOf(object))?.object);
    defaults(info, object, uid);
    this.checkValid(info, object);
    this.admit(info, object, w.record);
    const { entry, created } = this.store.write(info, object, { managers: result.managers, dryRun, uid });
    return { object: dryRun ? this.store.render(entry) : this.store.get(info, ns, name)!, created };
  }

  /**
   * Server-side apply types the patch against the schema whatever `fieldValidation` says: an unknown field
   * fails there, answered 500 with no reason (structured-merge-diff's error is not a Status; kubernetes#122480).
   */
  private typedPatch(info: ResourceInfo, applied: K, ns: string, name: string): void {
    const unknown = unknownFields(info, applied);
    if (!unknown.length) return;
    const errors = unknown.map(u => `${u.applyPath}: field not declared in schema`);
    const text = errors.length === 1 ? errors[0] : ['errors:', ...errors.map(e => `  ${e}`)].join('\n');
    throw new HttpError(
      500,
      '',
      `failed to create typed patch object (${info.namespaced ? ns : ''}/${name}; ${info.group}/${info.version}, Kind=${info.kind}): ${text}`
    );
  }

  private patch(
    route: Route,
    ns: string,
    query: Record<string, string>,
    body: string,
    record: KubeRequest,
    dryRun: boolean
  ): { code: number; body: unknown } {
    const { info, name, subresource } = route;
    if (!name) throw methodNotAllowed();
    const type = String(record.contentType ?? '')
      .split(';')[0]
      .trim();
    if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') {
      record.verb = 'apply';
      if (!query.fieldManager)
        throw new HttpError(
          400,
          'BadRequest',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
        );
      if (subresource && subresource !== 'status')
        throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
      const applied = parseBody(body) as K;
      if (subresource === 'status') {
        const live = this.store.entry(info, ns, name);
        if (!live) throw notFound(info, name);
        const next = clone(live.object) as K;
        next.status = { ...(next.status ?? {}), ...(applied.status ?? {}) };
        return {
          code: 200,
          body: this.writeObject(info, ns, next, {
            manager: query.fieldManager,
            dryRun,
            subresource: 'status'
          })
        };
      }
      const force = query.force === 'true';
      const { object, created } = this.applyObject(info, ns, name, applied, {
        manager: query.fieldManager,
        force,
        dryRun,
        record
      });
      return { code: created ? 201 : 200, body: object };
    }
    record.verb = 'patch';
    const live = this.store.entry(info, ns, name);
    if (!live) throw notFound(info, name);
    const patch = parseBody(body) as K;
    // The patch applies to the object as a client reads it, managedFields included (a JSON patch may replace them).
    const current = subresource === 'scale' ? scaleOf(this.store.render(live)) : this.store.render(live);
    let next: K;
    if (type === 'application/merge-patch+json') next = mergePatch(current as any, patch as any) as K;
    else if (type === 'application/strategic-merge-patch+json')
      next = strategicMergePatch(current as any, patch as any) as K;
    else if (type === 'application/json-patch+json') next = jsonPatch(current as any, patch as any) as K;
    else
      throw new HttpError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`
      );
    if (nameOf(next) !== name)
      throw new HttpError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    // A resourceVersion in the patched object is a precondition (a JSON patch `replace` of it is how csaupgrade
    // makes its write fail when the object changed since it was read).
    const rv = meta(next).resourceVersion;
    if (!subresource && rv !== undefined && rv !== meta(live.object).resourceVersion)
      throw modified(info, name);
    const base = subresource ? undefined : this.ownershipWritten(live, meta(next).managedFields);
    const manager = query.fieldManager || managerFromAgent(record.userAgent);
    const decoded = subresource ? next : this.decodeFields(info, next, query, record, '');
    const merged =
      subresource === 'scale'
        ? this.withSubresource(live, { spec: { replicas: next.spec?.replicas } }, 'scale')
        : this.withSubresource(live, decoded, subresource === 'status' ? 'status' : undefined);
    if (subresource !== 'status') merged.status = (live.object as K).status;
    const written = this.writeObject(info, ns, merged, { manager, dryRun, subresource, record, base });
    return { code: 200, body: subresource === 'scale' ? scaleOf(written) : written };
  }

  private listBody(
    info: ResourceInfo,
    namespace: string | undefined,
    labels: Requirement[],
    fields: FieldRequirement[]
  ): K {
    const items = this.store
      .list(info, namespace)
      .map(e => this.store.render(e))
      .filter(
        o =>
          matchesRequirements(labels, meta(o).labels as Record<string, string> | undefined) &&
          matchesFields(fields, o)
      )
      .map(o => {
        // Built-in kinds' list items carry no apiVersion/kind (as the real server encodes typed lists).
        if (!info.crd) {
          delete o.apiVersion;
          delete o.kind;
        }
        return o;
      });
    return {
      kind: `${info.kind}List`,
      apiVersion: apiVersionOf(info),
      metadata: { resourceVersion: String(this.store.rv) },
      items
    };
  }

  private watch(
    res: ServerResponse,
    record: KubeRequest,
    info: ResourceInfo,
    namespace: string | undefined,
    labels: Requirement[],
    fields: FieldRequirement[],
    query: Record<string, string>
  ): void {
    record.status = 200;
    res.writeHead(200, {
      ...warningHeaders(record.warnings),
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      'cache-control': 'no-cache, private'
    });
    res.flushHeaders();
    this.watches.add(res);
    const matches = (o: K | undefined) =>
      o !== undefined && matchesRequirements(labels, o.metadata?.labels) && matchesFields(fields, o);
    const write = (type: string, object: K) => res.write(JSON.stringify({ type, object }) + '\n');
    const deliver = (c: Change) => {
      if (c.info.group !== info.group || c.info.resource !== info.resource) return;
      if (namespace && info.namespaced && c.namespace !== namespace) return;
      const now = matches(c.object);
      const before = c.type === 'MODIFIED' && matches(c.old);
      if (c.type === 'MODIFIED') {
        if (now) write(before ? 'MODIFIED' : 'ADDED', c.object);
        else if (before) write('DELETED', c.object);
      } else if (now) write(c.type, c.object);
    };
    const rv = query.resourceVersion;
    if (!rv || rv === '0') {
      for (const o of this.listBody(info, namespace, labels, fields).items as K[])
        write('ADDED', { apiVersion: apiVersionOf(info), kind: info.kind, ...o });
    } else {
      const missed = this.store.since(Number(rv));
      if (!missed) {
        write('ERROR', statusBody(410, 'Expired', `too old resource version: ${rv} (${this.store.rv})`));
        res.end();
        this.watches.delete(res);
        return;
      }
      for (const c of missed) deliver(c);
    }
    const unsubscribe = this.store.subscribe(deliver);
    const timeout = Number(query.timeoutSeconds ?? 1800) * 1000;
    const timer = setTimeout(() => res.end(), timeout);
    timer.unref();
    const close = () => {
      unsubscribe();
      clearTimeout(timer);
      this.watches.delete(res);
    };
    res.on('close', close);
    res.on('finish', close);
  }

  private podLog(ns: string, name: string, query: Record<string, string>): string {
    const pod = this.store.get(this.kind('v1', 'Pod'), ns, name) as K | undefined;
    if (!pod) throw notFound(this.kind('v1', 'Pod'), name);
    const containers: string[] = (pod.spec.containers ?? []).map((c: K) => c.name);
    const inits: string[] = (pod.spec.initContainers ?? []).map((c: K) => c.name);
    let container = query.container;
    if (!container) {
      if (containers.length !== 1)
        throw new HttpError(
          400,
          'BadRequest',
          `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`
        );
      container = containers[0];
    }
    if (![...containers, ...inits].includes(container))
      throw new HttpError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const logs = this.controller.logs(uidOf(pod), container);
    const previous = query.previous === 'true';
    const instances = logs?.instances ?? [];
    let lines: string[] | undefined;
    if (previous) {
      lines = instances.length >= 2 ? instances[instances.length - 2] : undefined;
      if (!lines)
        throw new HttpError(
          400,
          'BadRequest',
          `previous terminated container "${container}" in pod "${name}" not found`
        );
    } else {
      lines = instances[instances.length - 1];
      const waiting = logs?.state.waiting;
      if (!lines && waiting) {
        const why =
          waiting.reason === 'ErrImagePull' || waiting.reason === 'ImagePullBackOff'
            ? 'trying and failing to pull image'
            : waiting.reason;
        throw new HttpError(
          400,
          'BadRequest',
          `container "${container}" in pod "${name}" is waiting to start: ${why}`
        );
      }
      lines ??= [];
    }
    const tail = query.tailLines !== undefined ? Number(query.tailLines) : undefined;
    const picked = tail !== undefined && tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines;
    return picked.map(l => l + '\n').join('');
  }

  /** Deletes with propagation: Background and Foreground delete dependents, Orphan leaves them. */
  private deleteObject(info: ResourceInfo, ns: string, name: string, options: K): K {
    const entry = this.store.entry(info, ns, name);
    if (!entry) throw notFound(info, name);
    const o = entry.object as K;
    const policy =
      options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : defaultPropagation(info));
    if (info.kind === 'Namespace') {
      if (['default', 'kube-system', 'kube-public'].includes(name))
        throw new HttpError(
          403,
          'Forbidden',
          `namespaces "${name}" is forbidden: this namespace may not be deleted`
        );
      const terminating = clone(o);
      terminating.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      terminating.status = { phase: 'Terminating' };
      this.store.write(info, terminating, { managers: entry.managers });
      const snapshot = this.store.get(info, '', name)!;
      for (const r of this.registry.all().filter(r => r.namespaced))
        for (const child of this.store.list(r, name)) this.removeWithDependents(child, 'Background');
      this.store.remove(info, '', name);
      return snapshot;
    }
    if ((o.metadata.finalizers ?? []).length) {
      const next = clone(o);
      next.metadata.deletionTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      this.store.write(info, next, { managers: entry.managers });
      return this.store.get(info, ns, name)!;
    }
    if (info.kind === 'Pod') {
      // Graceful: Terminating for the pod timing's terminateMs (gone at once when that is 0 or the grace is 0).
      this.controller.terminate(
        o,
        Number(options.gracePeriodSeconds ?? o.spec?.terminationGracePeriodSeconds ?? 30)
      );
      return this.store.get(info, ns, name) ?? this.store.render(entry);
    }
    if (policy === 'Foreground') {
      const next = clone(o);
      next.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      next.metadata.finalizers = ['foregroundDeletion'];
      this.store.write(info, next, { managers: entry.managers });
    }
    const snapshot = this.store.get(info, ns, name)!;
    this.removeWithDependents(this.store.entry(info, ns, name)!, policy);
    return snapshot;
  }

  private removeWithDependents(entry: Entry, policy: string): void {
    const uid = uidOf(entry.object);
    for (const child of this.store.ownedBy(uid)) {
      if (policy === 'Orphan') {
        const next = clone(child.object) as K;
        next.metadata.ownerReferences = next.metadata.ownerReferences.filter((r: K) => r.uid !== uid);
        if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
        this.store.write(child.info, next, { managers: child.managers });
      } else if (child.info.kind === 'Pod') this.controller.terminate(child.object);
      else this.removeWithDependents(child, 'Background');
    }
    this.store.remove(entry.info, namespaceOf(entry.object), nameOf(entry.object));
    if (entry.info.kind === 'CustomResourceDefinition') {
      for (const r of this.registry.all().filter(r => r.crd === nameOf(entry.object)))
        for (const child of this.store.list(r))
          this.store.remove(r, namespaceOf(child.object), nameOf(child.object));
      this.registry.removeCrd(nameOf(entry.object));
    }
  }
}

function defaultPropagation(info: ResourceInfo): string {
  // batch/v1 Jobs and the legacy core kinds orphan by default when the client does not say.
  return info.kind === 'Job' ? 'Orphan' : 'Background';
}

function deleteOptions(body: string, info: ResourceInfo): K {
  if (!body.trim()) return { propagationPolicy: defaultPropagation(info) };
  const options = parseBody(body) as K;
  return options ?? {};
}

function scaleOf(o: K): K {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: '' }
  };
}

/** 409 for a write whose resourceVersion is not the live one (the storage layer's optimistic concurrency). */
function modified(info: ResourceInfo, name: string): HttpError {
  return new HttpError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(info)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: info.group, kind: info.resource }
  );
}

/** The create and update handlers' words before a decoding error: `Deployment in version "v1" cannot be handled as a Deployment: `. */
const cannotHandle = (info: ResourceInfo) =>
  `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: `;

/**
 * Server-side apply by `kubectl` over an object client-side apply made: conflicts on fields whose live value is
 * still the one in the last-applied annotation are forced, as the API server's lastAppliedManager does, so
 * `kubectl apply --server-side` takes over from `kubectl apply` without a conflict. Other managers get the 409.
 */
function upgradesClientSideApply(live: K | undefined, conflicts: { field: string }[]): boolean {
  const text = live?.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (!text) return false;
  let last: K;
  try {
    last = JSON.parse(String(text)) as K;
  } catch {
    return false;
  }
  if (last.apiVersion !== live!.apiVersion) return false;
  const owned = fieldSet(last as JsonObject);
  return conflicts.every(c => {
    const path = owned.get(c.field);
    return path !== undefined && deepEqual(valueAt(last, path), valueAt(live!, path));
  });
}

/** The field manager of a non-apply write without `fieldManager`: the user agent's program name, as the server derives it. */
function managerFromAgent(agent: string): string {
  return agent.split('/')[0] || 'unknown';
}

/**
 * A `Warning:` header value as the API server writes it (RFC 7234: code 299, agent `-`, the text quoted with
 * `"` and `\\` escaped); kubectl prints the text as `Warning: <text>`.
 */
export function warningHeader(text: string): string {
  return `299 - "${text.replace(/[\\"]/g, c => `\\${c}`)}"`;
}

const warningHeaders = (texts: string[]): Record<string, string[]> =>
  texts.length ? { warning: [...new Set(texts)].map(warningHeader) } : {};

function randomId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map(b => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Protobuf and CBOR bodies (what typed clients such as `kubectl create` send) cannot be decoded without the
 * schemas: answered 415 like a server that does not take that media type, so a client falls back to JSON.
 */
function refuseBinary(contentType: string | undefined): void {
  const type = String(contentType ?? '')
    .split(';')[0]
    .trim();
  if (type === 'application/vnd.kubernetes.protobuf' || type === 'application/cbor')
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`
    );
}

/** A JSON or YAML body. */
function parseBody(body: string): unknown {
  if (!body.trim()) throw new HttpError(400, 'BadRequest', 'the body of the request is empty');
  try {
    return JSON.parse(body);
  } catch {
    try {
      return parseYaml(body);
    } catch (error) {
      throw new HttpError(400, 'BadRequest', `error decoding YAML: ${(error as Error).message}`);
    }
  }
}

export async function startKubeServer(options: KubeServerOptions = {}): Promise<KubeServer> {
  return new KubeServer(options).start();
}
