/**
 * A thin Kubernetes REST client over node:https: the calls deploy-eks makes and nothing else. Objects are
 * plain JSON, so fields newer than this code reach the server untouched. TLS trusts the cluster's CA only;
 * every request is bounded by a timeout and the step's abort signal; a 401 re-signs the token once.
 */
import { Agent, request as httpsRequest } from 'node:https';
import { formatDuration } from '../../../core/duration.js';
import { DockyardError } from '../../../core/errors.js';
import { retry, systemClock, type Clock } from '../../../core/poll.js';

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    managedFields?: unknown[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Makes the bearer token; `fresh` forces a new one (after a 401). */
export interface TokenSource {
  token(fresh?: boolean): Promise<string>;
}

export interface Connection {
  /** https://host[:port][/prefix] */
  server: string;
  /** PEM of the cluster's CA: the only one trusted. */
  ca: string;
  auth?: TokenSource;
  clientCert?: string;
  clientKey?: string;
  /** Who the cluster sees us as (the GetCallerIdentity ARN), to explain a 401. */
  whoami?: () => Promise<string>;
  /** Said when the server cannot be reached (a private endpoint, limited CIDRs). */
  reachHint?: string;
}

export interface ClientOptions {
  signal?: AbortSignal;
  /** Bound on each request, in ms. */
  timeoutMs?: number;
  clock?: Clock;
}

export interface Status {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { type?: string; message?: string; field?: string }[] };
}

/** An HTTP error answer of the API server, with its Status object. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: Status
  ) {
    super(`${body.message ?? `HTTP ${status}`} (HTTP ${status} to ${method} ${path.split('?')[0]})`);
    this.name = 'KubeError';
  }
  get reason(): string | undefined {
    return this.body.reason;
  }
}

/** Worth trying again: throttling, server errors, dropped connections, a request that timed out. */
export function isRetryableKube(error: unknown): boolean {
  if (error instanceof KubeError) return error.status === 429 || error.status >= 500;
  const code = (error as { code?: string } | undefined)?.code;
  return (
    (error as Error | undefined)?.name === 'RequestTimeout' ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED'].includes(code ?? '')
  );
}

export interface Resource {
  /** Plural resource name: deployments. */
  name: string;
  kind: string;
  namespaced: boolean;
  /** /api/v1 or /apis/apps/v1 */
  base: string;
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
  /** Told each `Warning:` header of the answer (deprecations, PodSecurity, admission webhooks). */
  onWarning?: (text: string) => void;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

interface Answer {
  status: number;
  text: string;
  contentType: string;
  /** The texts of the answer's `Warning:` headers. */
  warnings: string[];
}

/**
 * The texts of `Warning:` header values as the API server writes them (RFC 7234 `299 - "text"`, `"` and `\\`
 * escaped with `\\`), several to a value or one per header, as client-go's ParseWarningHeaders reads them.
 */
export function parseWarnings(values: string[] | undefined): string[] {
  const texts: string[] = [];
  for (const value of values ?? [])
    for (const m of value.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"(?: "[^"]*")?/g))
      texts.push(m[1].replace(/\\(.)/g, '$1'));
  return texts;
}

export interface DeleteOptions {
  dryRun?: boolean;
  /** Background (the default) or Foreground: the object stays, with a finalizer, until what it owns is gone. */
  propagationPolicy?: 'Background' | 'Foreground';
  /** Delete only this object (not one made again under the same name since). */
  uid?: string;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED'
]);

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** What deploy-eks uses of a client: the real one, or a fake in unit tests. */
export type Kube = Pick<
  KubeClient,
  'resource' | 'get' | 'list' | 'apply' | 'patch' | 'delete' | 'logs' | 'counts' | 'close'
>;

export class KubeClient {
  /** Requests sent, by method, for the report and the benchmark. */
  readonly counts: Record<string, number> = {};
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly discovery = new Map<string, Promise<Resource[]>>();
  private readonly clock: Clock;

  constructor(
    readonly connection: Connection,
    private readonly options: ClientOptions = {}
  ) {
    this.url = new URL(connection.server);
    if (this.url.protocol !== 'https:')
      throw new DockyardError(`the cluster's server '${connection.server}' is not https.`, {
        hint: 'Dockyard talks to the API server over TLS only.'
      });
    this.clock = options.clock ?? systemClock;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: connection.ca,
      cert: connection.clientCert,
      key: connection.clientKey
    });
  }

  get requests(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  close(): void {
    this.agent.destroy();
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined
  ): Promise<Answer> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const prefix = this.url.pathname.replace(/\/+$/, '');
    this.counts[method] = (this.counts[method] ?? 0) + 1;
    return new Promise<Answer>((resolve, reject) => {
      const signal = this.options.signal;
      const stopped = () => {
        const reason = (signal?.reason as Error | undefined)?.message;
        return new DockyardError(
          `The API server call ${method} ${path.split('?')[0]} (${this.url.origin}) was stopped${reason ? `: ${reason}` : ''}.`
        );
      };
      if (signal?.aborted) return reject(stopped());
      const req = httpsRequest({
        agent: this.agent,
        host: this.url.hostname.replace(/^\[|\]$/g, ''),
        port: this.url.port || 443,
        path: prefix + path,
        method,
        headers: {
          accept: 'application/json',
          'user-agent': 'dockyard-deploy-eks',
          ...headers,
          // node:https sends a body without a length (chunked) unless told; DELETE bodies need it.
          ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {})
        }
      });
      const timer = setTimeout(() => {
        const error = new Error(
          `The API server ${this.url.host} did not answer ${method} ${path.split('?')[0]} within ${formatDuration(timeoutMs)}.${this.connection.reachHint ? ` ${this.connection.reachHint}` : ''}`
        );
        error.name = 'RequestTimeout';
        req.destroy(error);
      }, timeoutMs);
      const onAbort = () => req.destroy(stopped());
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      req.on('response', res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          settle();
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            contentType: String(res.headers['content-type'] ?? ''),
            warnings: parseWarnings(res.headersDistinct.warning)
          });
        });
        res.on('error', error => {
          settle();
          reject(error);
        });
      });
      req.on('error', error => {
        settle();
        reject(this.explainConnectionError(error, method, path));
      });
      req.end(body);
    });
  }

  private explainConnectionError(error: Error, method: string, path: string): Error {
    const code = (error as { code?: string }).code ?? '';
    if (TLS_CODES.has(code)) {
      return new DockyardError(
        `Refused the API server ${this.url.host}: its TLS certificate is not vouched for by the cluster's CA (${code}: ${error.message}).`,
        {
          hint: "Check that the CA matches the cluster (EKS DescribeCluster's certificateAuthority, or the kubeconfig's certificate-authority-data). Dockyard trusts that CA only.",
          cause: error
        }
      );
    }
    if (error instanceof DockyardError || error.name === 'RequestTimeout') return error;
    if (
      ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN'].includes(code)
    ) {
      const wrapped = new DockyardError(
        `Could not reach the API server ${this.url.host} (${code}) for ${method} ${path.split('?')[0]}.`,
        { hint: this.connection.reachHint, cause: error }
      );
      (wrapped as unknown as { code: string }).code = code;
      return wrapped;
    }
    return error;
  }

  /**
   * One request: JSON in, JSON (or text) out. A 401 gets a fresh token and one more try; transient failures
   * (429, 5xx, dropped connections) are tried up to three times. Error answers throw KubeError.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      contentType?: string;
      text?: boolean;
      /** Told each `Warning:` header of the answer. */
      onWarning?: (text: string) => void;
    } = {}
  ): Promise<T> {
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    let authRetried = false;
    const answer = await retry(
      async () => {
        for (;;) {
          const headers: Record<string, string> = {};
          if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
          if (this.connection.auth)
            headers.authorization = `Bearer ${await this.connection.auth.token(authRetried)}`;
          const sent = await this.send(method, path, headers, body);
          if (sent.status === 401 && this.connection.auth && !authRetried) {
            authRetried = true;
            continue;
          }
          if (sent.status === 401) throw await this.unauthorized();
          if (sent.status >= 400) throw new KubeError(sent.status, method, path, parseStatus(sent));
          return sent;
        }
      },
      {
        attempts: 3,
        baseDelayMs: 500,
        clock: this.clock,
        signal: this.options.signal,
        isRetryable: isRetryableKube
      }
    );
    for (const warning of answer.warnings) options.onWarning?.(warning);
    if (options.text) return answer.text as T;
    if (answer.text === '') return undefined as T;
    try {
      return JSON.parse(answer.text) as T;
    } catch {
      throw new Error(
        `The API server answered ${method} ${path.split('?')[0]} with something that is not JSON (${answer.contentType || 'no content type'}): ${answer.text.slice(0, 200)}`
      );
    }
  }

  private async unauthorized(): Promise<DockyardError> {
    let who = 'these AWS credentials';
    let principal = '<the role ARN>';
    if (this.connection.whoami) {
      try {
        const arn = await this.connection.whoami();
        who = arn;
        principal = principalArn(arn);
      } catch {
        // The explanation goes out without the identity.
      }
    }
    return new DockyardError(
      `The cluster refused the token twice (HTTP 401 Unauthorized): it does not know ${who}.`,
      {
        hint: `Give that identity access to the cluster: an EKS access entry (aws eks create-access-entry --principal-arn ${principal} and an access policy or Kubernetes groups allowed to apply these objects), or a mapping in the aws-auth ConfigMap. See the RBAC section of the deploy-eks README.`
      }
    );
  }

  /** The resource for a kind, from discovery; discovery is asked again once when the kind is missing (a new CRD). */
  async resource(apiVersion: string, kind: string): Promise<Resource> {
    for (let fresh = false; ; fresh = true) {
      if (fresh) this.discovery.delete(apiVersion);
      const list = await this.discover(apiVersion);
      const found = list.find(r => r.kind === kind);
      if (found) return found;
      if (fresh)
        throw new DockyardError(`the cluster does not serve kind ${kind} in ${apiVersion}.`, {
          input: 'manifests',
          hint: 'Check the apiVersion and kind, and that the CustomResourceDefinition is installed (or listed in the manifests).'
        });
    }
  }

  private discover(apiVersion: string): Promise<Resource[]> {
    let found = this.discovery.get(apiVersion);
    if (!found) {
      const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.request<{ resources?: { name: string; kind: string; namespaced: boolean }[] }>('GET', base)
        .then(list =>
          (list?.resources ?? [])
            .filter(r => !r.name.includes('/'))
            .map(r => ({ name: r.name, kind: r.kind, namespaced: r.namespaced, base }))
        )
        .catch((error: unknown) => {
          this.discovery.delete(apiVersion);
          if (error instanceof KubeError && error.status === 404) return [];
          throw error;
        });
      this.discovery.set(apiVersion, found);
    }
    return found;
  }

  /** The URL path of an object (or, without a name, of its collection). */
  async path(
    ref: Omit<ObjectRef, 'name'> & { name?: string },
    query: Record<string, string | undefined> = {}
  ) {
    const r = await this.resource(ref.apiVersion, ref.kind);
    const ns = r.namespaced && ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
    const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
    const q = Object.entries(query)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
    return `${r.base}${ns}/${r.name}${name}${q ? `?${q}` : ''}`;
  }

  /**
   * Server-side apply, with `fieldValidation=Strict` as kubectl sends it: a field the schema does not know is
   * refused, not dropped.
   */
  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const path = await this.path(
      { ...object, namespace: object.metadata.namespace, name: object.metadata.name },
      {
        fieldManager: options.fieldManager,
        fieldValidation: 'Strict',
        force: options.force ? 'true' : undefined,
        dryRun: options.dryRun ? 'All' : undefined
      }
    );
    return this.request<KubeObject>('PATCH', path, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      onWarning: options.onWarning
    });
  }

  /** A JSON patch (RFC 6902), for what apply cannot write (managedFields). */
  async patch(ref: ObjectRef, operations: unknown[]): Promise<KubeObject> {
    return this.request<KubeObject>('PATCH', await this.path(ref), {
      body: operations,
      contentType: 'application/json-patch+json'
    });
  }

  /** The object, or undefined when it does not exist. */
  async get<T = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', await this.path(ref));
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list<T = KubeObject>(
    ref: Omit<ObjectRef, 'name'>,
    selectors: { labelSelector?: string; fieldSelector?: string } = {}
  ): Promise<T[]> {
    const out = await this.request<{ items?: T[] }>('GET', await this.path(ref, selectors));
    return out?.items ?? [];
  }

  /** Deletes (background propagation unless told); true when it existed. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    try {
      await this.request('DELETE', await this.path(ref, { dryRun: options.dryRun ? 'All' : undefined }), {
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: options.propagationPolicy ?? 'Background',
          ...(options.uid ? { preconditions: { uid: options.uid } } : {})
        }
      });
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return false;
      throw error;
    }
  }

  /** The last lines of a container's log (of its previous instance with `previous`). */
  async logs(
    namespace: string,
    pod: string,
    container: string,
    options: { previous?: boolean; tailLines?: number } = {}
  ): Promise<string[]> {
    const q = new URLSearchParams({ container, tailLines: String(options.tailLines ?? 30) });
    if (options.previous) q.set('previous', 'true');
    const text = await this.request<string>(
      'GET',
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${q}`,
      { text: true }
    );
    return text
      .replace(/\n$/, '')
      .split('\n')
      .filter((l, i, all) => l !== '' || i < all.length - 1);
  }
}

function parseStatus(answer: Answer): Status {
  try {
    const body = JSON.parse(answer.text) as Status;
    if (body && typeof body === 'object') return body;
  } catch {
    // not a Status object
  }
  // Not a Kubernetes Status (an HTML page of a proxy or load balancer): say so rather than quote markup.
  const text = answer.text.trim();
  const plain = text !== '' && !/^\s*</.test(text) && text.length <= 300 && !text.includes('\n');
  return {
    message: `the API server answered HTTP ${answer.status} (${answer.contentType || 'no content type'})${plain ? `: ${text}` : ', not a Kubernetes Status'}`
  };
}

/** An assumed-role session ARN becomes the role ARN an access entry names. */
export function principalArn(arn: string): string {
  const m = /^arn:(aws[\w-]*):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

/** `group/version` → group ('' for the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** A stable key for an object: group/Kind/namespace/name. */
export function refKey(ref: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `Deployment web` or `Deployment shop/web`. */
export function describeRef(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
