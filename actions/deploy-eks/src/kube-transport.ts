/**
 * The way to the API server: HTTPS that trusts the cluster's CA only, a bearer token made again once after a
 * 401, answers read up to a byte limit, and core's retry rule (429 and 5xx, with the wait the server asks for in
 * Retry-After, and network failures). Every request is bounded by a connect and a request timeout, the step's
 * signal and its deadline. Knows nothing of Kubernetes objects: see kube.ts for the verbs.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { isTransient, isTransientStatus, networkErrorCode } from '../../../core/aws.js';
import { formatDuration } from '../../../core/duration.js';
import { DockyardError } from '../../../core/errors.js';
import { retry, systemClock, type Clock } from '../../../core/poll.js';
import { oneLine } from '../../../core/text.js';
import { USER_AGENT } from '../../../core/version.js';

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
  /** Why the cluster refused the credentials again after a fresh token (EKS: expired, or not an access entry). */
  explainUnauthorized?: () => Promise<DockyardError>;
  /** Said when the server cannot be reached (a private endpoint, public access limited to CIDRs). */
  reachHint?: string;
}

export interface TransportOptions {
  signal?: AbortSignal;
  /** Bound on each request, in ms. */
  timeoutMs?: number;
  /** Bound on opening a connection (TCP and TLS), in ms. */
  connectTimeoutMs?: number;
  clock?: Clock;
  /** Clock time (epoch ms) the step ends: no retry waits past it. */
  deadline?: number;
  /** The most of one answer that is read, in bytes. */
  maxResponseBytes?: number;
}

export interface Status {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { type?: string; message?: string; field?: string }[] };
}

const pathOnly = (path: string) => path.split('?')[0];

/** An HTTP error answer of the API server, with its Status object and the wait it asked for (Retry-After). */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: Status,
    readonly retryAfterMs?: number
  ) {
    const wait =
      retryAfterMs === undefined
        ? ''
        : `; it asked to wait ${formatDuration(retryAfterMs)} before trying again (Retry-After)`;
    super(`${body.message ?? `HTTP ${status}`} (HTTP ${status} to ${method} ${pathOnly(path)}${wait})`);
    this.name = 'KubeError';
  }
  get reason(): string | undefined {
    return this.body.reason;
  }
}

/**
 * Core's transient rule for the API server: its 429 and 5xx answers, network failures, timeouts. One 500 is not
 * transient: server-side apply answers a field its schema does not know with 500 `failed to create typed patch
 * object` (structured-merge-diff's error is not a Status; kubernetes#122480), and the same patch fails the same way.
 */
export function isRetryableKube(error: unknown): boolean {
  if (error instanceof KubeError)
    return (
      isTransientStatus(error.status) &&
      !error.body.message?.startsWith('failed to create typed patch object')
    );
  return isTransient(error);
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Big enough for a list of thousands of pods or events; a bigger answer is refused, not buffered. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Tries of one request: the first and two more after a transient failure. */
const ATTEMPTS = 3;
/** Tries while the server throttles (429), each after the wait it asks for: client-go's default of 10. */
const THROTTLED_ATTEMPTS = 10;
const BASE_DELAY_MS = 500;

export interface RequestOptions {
  body?: string;
  contentType?: string;
  /** Read at most this many bytes of the answer (default: the transport's `maxResponseBytes`). */
  maxBytes?: number;
  /** Over `maxBytes`, keep the first `maxBytes` and say so (`truncated`) instead of failing. */
  truncate?: boolean;
}

export interface Answer {
  status: number;
  text: string;
  contentType: string;
  retryAfter?: string;
  /** The texts of the answer's `Warning:` headers. */
  warnings: string[];
  /** Bytes read of the body. */
  bytes: number;
  /** True when the answer went on past `maxBytes` and only that much was kept. */
  truncated: boolean;
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

/** `64 KiB`, `32 MiB`. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB`
    : `${+(bytes / 1024).toFixed(1)} KiB`;
}

/** Retry-After as RFC 9110 writes it (seconds, or an HTTP date), in ms from `now`; undefined if absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  const text = value?.trim() ?? '';
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return text === '' || Number.isNaN(at) ? undefined : Math.max(0, at - now);
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

/** One request's facts, for its messages. */
interface Call {
  method: string;
  path: string;
}

export class KubeTransport {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly clock: Clock;

  constructor(
    readonly connection: Connection,
    private readonly options: TransportOptions = {}
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
      // The cluster's CA replaces the system's: no public CA can vouch for the API server.
      ca: connection.ca,
      cert: connection.clientCert,
      key: connection.clientKey
    });
  }

  /** host[:port] of the API server, as messages name it. */
  get host(): string {
    return this.url.host;
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * One request. A 401 gets a fresh token and one more try; 429, 5xx and network failures are tried again
   * (after the server's Retry-After when it sends one), never past the step's deadline. Error answers throw
   * KubeError.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const call = { method, path };
    // One fresh token per request, asked for by a 401 only: a retry after a 5xx keeps the cached one.
    let resigned = false;
    let fresh = false;
    return retry(
      async () => {
        for (;;) {
          const answer = await this.exchange(call, options, await this.authorization(fresh));
          fresh = false;
          if (answer.status === 401 && this.connection.auth && !resigned) {
            resigned = fresh = true;
            continue;
          }
          if (answer.status === 401) throw await this.unauthorized();
          if (answer.status >= 400)
            throw new KubeError(
              answer.status,
              method,
              path,
              parseStatus(answer, this.host),
              retryAfterMs(answer.retryAfter, this.clock.now())
            );
          return answer;
        }
      },
      {
        attempts: THROTTLED_ATTEMPTS,
        baseDelayMs: BASE_DELAY_MS,
        clock: this.clock,
        signal: this.options.signal,
        deadline: this.options.deadline,
        isRetryable: (error, attempt) =>
          isRetryableKube(error) &&
          (attempt < ATTEMPTS || (error instanceof KubeError && error.status === 429)),
        delayMs: error => (error instanceof KubeError ? error.retryAfterMs : undefined)
      }
    );
  }

  private async authorization(fresh: boolean): Promise<Record<string, string>> {
    if (!this.connection.auth) return {};
    return { authorization: `Bearer ${await this.connection.auth.token(fresh)}` };
  }

  /** The request, sent: our user agent, the token, and a body with its length. */
  private open(call: Call, options: RequestOptions, auth: Record<string, string>): ClientRequest {
    const body =
      options.body === undefined
        ? {}
        : {
            'content-type': options.contentType ?? 'application/json',
            // node:https sends a body without a length (chunked) unless told; DELETE bodies need it.
            'content-length': String(Buffer.byteLength(options.body))
          };
    const req = httpsRequest({
      agent: this.agent,
      host: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: this.url.port || 443,
      path: this.url.pathname.replace(/\/+$/, '') + call.path,
      method: call.method,
      headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...auth, ...body }
    });
    req.end(options.body);
    return req;
  }

  /**
   * One HTTP exchange, bounded by the connect timeout (a new connection, TLS included), the request timeout
   * and the signal. The first of answer, failure, timeout or abort settles it; the others are ignored.
   */
  private exchange(call: Call, options: RequestOptions, auth: Record<string, string>): Promise<Answer> {
    const signal = this.options.signal;
    const connectMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const maxBytes = options.maxBytes ?? this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    return new Promise<Answer>((resolve, reject) => {
      if (signal?.aborted) return reject(this.stopped(call));
      const req = this.open(call, options, auth);
      let connected = false;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const settle = () => {
        settled = true;
        timers.forEach(clearTimeout);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error) => {
        if (settled) return;
        settle();
        reject(error);
        req.destroy();
      };
      const onAbort = () => fail(this.stopped(call));
      signal?.addEventListener('abort', onAbort, { once: true });
      timers.push(
        setTimeout(() => fail(this.noAnswer(call)), this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
      );
      req.on('socket', socket => {
        if (!socket.connecting) return void (connected = true);
        const refused = () => this.explain(connectTimeout(this.host, connectMs), call, false);
        timers.push(setTimeout(() => !connected && fail(refused()), connectMs));
        (socket as TLSSocket).once('secureConnect', () => (connected = true));
      });
      req.on('response', res =>
        readAnswer(res, maxBytes, !!options.truncate).then(
          answer => {
            if (settled) return;
            settle();
            resolve(answer);
          },
          (error: Error) =>
            fail(
              error instanceof DockyardError ? this.tooLarge(call, error) : this.explain(error, call, true)
            )
        )
      );
      req.on('error', error => fail(this.explain(error, call, connected)));
    });
  }

  private stopped(call: Call): DockyardError {
    const reason = (this.options.signal?.reason as Error | undefined)?.message;
    return new DockyardError(
      `The API server call ${call.method} ${pathOnly(call.path)} (${this.url.origin}) was stopped${reason ? `: ${reason}` : ''}.`
    );
  }

  private noAnswer(call: Call): Error {
    const ms = this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const hint = this.connection.reachHint ? ` ${this.connection.reachHint}` : '';
    const error = new Error(
      `The API server ${this.host} did not answer ${call.method} ${pathOnly(call.path)} within ${formatDuration(ms)}.${hint}`
    );
    error.name = 'RequestTimeout';
    return error;
  }

  private tooLarge(call: Call, error: DockyardError): DockyardError {
    return new DockyardError(
      `The API server ${this.host} answered ${call.method} ${pathOnly(call.path)} with ${error.message}`
    );
  }

  /** A failed connection, in words: the CA refused, the server unreachable (with the reach hint), the line cut. */
  private explain(error: Error, call: Call, connected: boolean): Error {
    const code = (error as { code?: string }).code ?? '';
    const what = `${call.method} ${pathOnly(call.path)}`;
    if (TLS_CODES.has(code))
      return new DockyardError(
        `Refused the API server ${this.host}: its TLS certificate is not vouched for by the cluster's CA (${code}: ${error.message}).`,
        {
          hint: "Check that the CA matches the cluster (EKS DescribeCluster's certificateAuthority, or the kubeconfig's certificate-authority-data). Dockyard trusts that CA only.",
          cause: error
        }
      );
    if (error instanceof DockyardError || networkErrorCode(error) === undefined) return error;
    if (!connected)
      return new DockyardError(
        `Could not reach the API server ${this.host} (${error.message}) for ${what}.`,
        {
          hint: this.connection.reachHint,
          cause: error
        }
      );
    return new DockyardError(
      `The connection to the API server ${this.host} broke during ${what} (${code}).`,
      {
        cause: error
      }
    );
  }

  private async unauthorized(): Promise<DockyardError> {
    const plain = new DockyardError(
      `The API server ${this.host} refused the credentials (HTTP 401 Unauthorized), again after they were made anew.`,
      { hint: 'Check that the credentials are valid, not expired, and known to the cluster.' }
    );
    if (!this.connection.explainUnauthorized) return plain;
    return this.connection.explainUnauthorized().catch(() => plain);
  }
}

function connectTimeout(host: string, ms: number): Error {
  return Object.assign(new Error(`connect ETIMEDOUT ${host}: no connection within ${formatDuration(ms)}`), {
    code: 'ETIMEDOUT'
  });
}

/**
 * Reads an answer up to `maxBytes`. Past it, with `truncate` the first `maxBytes` are kept and the rest is not
 * read; without, it fails (a DockyardError saying how big) and nothing more is buffered.
 */
function readAnswer(res: IncomingMessage, maxBytes: number, truncate: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let stopped = false;
    const done = (truncated: boolean) =>
      resolve({
        status: res.statusCode ?? 0,
        text: Buffer.concat(chunks).toString('utf8'),
        contentType: String(res.headers['content-type'] ?? ''),
        retryAfter: res.headers['retry-after'],
        warnings: parseWarnings(res.headersDistinct.warning),
        bytes: size,
        truncated
      });
    const tooLarge = () => {
      stopped = true;
      res.destroy();
      reject(new DockyardError(`more than ${formatBytes(maxBytes)}, the most Dockyard reads of one answer.`));
    };
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (!truncate && declared > maxBytes) return tooLarge();
    res.on('data', (chunk: Buffer) => {
      if (stopped) return;
      if (size + chunk.length <= maxBytes) {
        chunks.push(chunk);
        size += chunk.length;
        return;
      }
      if (!truncate) return tooLarge();
      chunks.push(chunk.subarray(0, maxBytes - size));
      size = maxBytes;
      stopped = true;
      res.destroy();
      done(true);
    });
    res.on('end', () => done(false));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(Object.assign(new Error('the answer ended early'), { code: 'ECONNRESET' }));
    });
  });
}

/** The Status of an error answer; anything else (an HTML page of a proxy) is named, not quoted. */
function parseStatus(answer: Answer, host: string): Status {
  try {
    const body = JSON.parse(answer.text) as Status;
    if (body && typeof body === 'object') return body;
  } catch {
    // not a Status object
  }
  return {
    message: `the API server ${host} answered HTTP ${answer.status} (${answer.contentType || 'no content type'})${quotable(answer.text) ?? ', not a Kubernetes Status'}`
  };
}

/** `: text` for a short line of plain text; undefined for markup, several lines or a long body. */
export function quotable(text: string): string | undefined {
  const t = text.trim();
  if (t === '' || t.startsWith('<') || t.length > 300 || t.includes('\n')) return undefined;
  return `: ${oneLine(t, { max: 300 })}`;
}
