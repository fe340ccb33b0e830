/**
 * A recording proxy in front of moto_server. The bundled action is pointed at it through
 * AWS_ENDPOINT_URL, so every AWS call it makes passes here: the proxy forwards it to moto, records it
 * by operation (X-Amz-Target for JSON services such as ECS and Logs, `Action=` for query services such
 * as ELBv2), injects the faults a scenario asks for, and lets a handler rewrite what moto answers.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyRequest {
  /** The AWS service as signed in the Authorization header: `ecs`, `logs`, `elasticloadbalancing`, … */
  service: string;
  /** The API operation: `DescribeServices`, `GetLogEvents`, `DescribeTargetHealth`, … */
  operation: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The JSON body of a JSON-protocol call, or the form fields of a query-protocol call. */
  params: Record<string, unknown>;
  receivedAt: number;
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Drop the connection instead of answering (a connection reset). */
  reset?: boolean;
}

export interface ApiCall {
  service: string;
  operation: string;
  receivedAt: number;
  answeredAt: number;
  status: number;
  /** Set when the proxy answered with an injected fault instead of (or after) moto's answer. */
  injected?: FaultKind;
  /** What the call is about: the service, family or first of the services named (for per-run counts). */
  subject?: string;
  /** The request's members (JSON body or query form), for tests that check what was asked. */
  params?: Record<string, unknown>;
}

/**
 * An account-wide token bucket for one API, as ECS throttles (developer guide, "Request throttling for the
 * Amazon ECS API"): `capacity` tokens at most (the burst), `refillPerSecond` added each second (the sustained
 * rate); a call takes one token, and a call that finds none is answered ThrottlingException.
 */
export interface RateLimit {
  capacity: number;
  refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  throttled = 0;
  constructor(
    readonly limit: RateLimit,
    now = Date.now()
  ) {
    this.tokens = limit.capacity;
    this.last = now;
  }
  take(now = Date.now()): boolean {
    this.tokens = Math.min(
      this.limit.capacity,
      this.tokens + ((now - this.last) / 1000) * this.limit.refillPerSecond
    );
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.throttled += 1;
    return false;
  }
}

function subjectOf(params: Record<string, unknown>): string | undefined {
  const named =
    params.service ?? params.family ?? (Array.isArray(params.services) ? params.services[0] : undefined);
  if (typeof named === 'string' && named !== '') return named.slice(named.lastIndexOf('/') + 1);
  // `arn:aws:ecs:…:service-deployment/<cluster>/<service>/<id>`: the service deployment APIs name no service.
  const deployment =
    params.serviceDeploymentArn ??
    (Array.isArray(params.serviceDeploymentArns) ? params.serviceDeploymentArns[0] : undefined);
  if (typeof deployment === 'string' && deployment.includes(':service-deployment/'))
    return deployment.split('/').at(-2);
  const td = params.taskDefinition;
  if (typeof td === 'string') return td.slice(td.lastIndexOf('/') + 1).split(':')[0];
  return undefined;
}

export type FaultKind = 'throttle' | '500' | '503' | '500-after-commit' | 'reset' | 'access-denied';

export interface Fault {
  operation: string;
  /**
   * Which calls of that operation fail, counted from 1 since the scenario was selected, or since the first
   * successful call of `after` (e.g. `UpdateService`: only the polls of the wait).
   */
  calls: number[];
  kind: FaultKind;
  after?: string;
}

/** Decides the answer to one call: forward it to moto (and maybe rewrite moto's answer), or answer itself. */
export type Handler = (
  request: ProxyRequest,
  forward: () => Promise<ProxyResponse>
) => Promise<ProxyResponse>;

const JSON_TYPE = 'application/x-amz-json-1.1';

/** An error shaped the way the service's protocol shapes it, so the SDK parses it as the real thing. */
export function errorResponse(
  request: Pick<ProxyRequest, 'params' | 'headers'>,
  status: number,
  code: string,
  message: string
): ProxyResponse {
  const requestId = `proxy-${Math.random().toString(36).slice(2, 12)}`;
  if (request.headers['x-amz-target']) {
    return {
      status,
      headers: { 'content-type': JSON_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': code },
      body: JSON.stringify({ __type: code, message })
    };
  }
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  };
}

export function faultResponse(request: ProxyRequest, kind: FaultKind): ProxyResponse {
  switch (kind) {
    case 'throttle':
      return request.headers['x-amz-target']
        ? errorResponse(request, 400, 'ThrottlingException', 'Rate exceeded')
        : errorResponse(request, 400, 'Throttling', 'Rate exceeded');
    case '503':
      return errorResponse(
        request,
        503,
        'ServiceUnavailableException',
        'Service is temporarily unavailable.'
      );
    case 'reset':
      return { status: 0, headers: {}, body: '', reset: true };
    case 'access-denied': {
      const action = `${request.service === 'elasticloadbalancing' ? 'elasticloadbalancing' : request.service}:${request.operation}`;
      const message = `User: arn:aws:sts::123456789012:assumed-role/deploy/github-actions is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
      return request.headers['x-amz-target']
        ? errorResponse(request, 400, 'AccessDeniedException', message)
        : errorResponse(request, 403, 'AccessDenied', message);
    }
    case '500':
    case '500-after-commit':
      return errorResponse(
        request,
        500,
        request.headers['x-amz-target'] ? 'ServerException' : 'InternalFailure',
        'We encountered an internal error.'
      );
  }
}

/** REST-JSON operations (EKS, SES v2) by method and path, the ones the tests meet. */
const REST_OPERATIONS: { service: string; method: string; path: RegExp; operation: string }[] = [
  { service: 'ses', method: 'POST', path: /^\/v2\/email\/outbound-emails$/, operation: 'SendEmail' },
  { service: 'eks', method: 'GET', path: /^\/clusters\/[^/]+$/, operation: 'DescribeCluster' },
  { service: 'eks', method: 'GET', path: /^\/clusters$/, operation: 'ListClusters' },
  { service: 'eks', method: 'POST', path: /^\/clusters$/, operation: 'CreateCluster' },
  { service: 'eks', method: 'DELETE', path: /^\/clusters\/[^/]+$/, operation: 'DeleteCluster' }
];

/** A JSON request body's members; empty when there is none or it is malformed (moto answers that). */
function jsonParams(body: string): Record<string, unknown> {
  try {
    return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Which service and operation a signed AWS request is for. */
export function identify(
  headers: IncomingHttpHeaders,
  body: string,
  method = 'POST',
  path = '/'
): { service: string; operation: string; params: Record<string, unknown> } {
  const auth = String(headers.authorization ?? '');
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  const rest = REST_OPERATIONS.find(
    r => r.service === scope?.[1] && r.method === method && r.path.test(path.split('?')[0])
  );
  if (rest) return { service: rest.service, operation: rest.operation, params: jsonParams(body) };
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    return {
      service: scope?.[1] ?? target.split('.')[0],
      operation: target.slice(target.lastIndexOf('.') + 1),
      params: jsonParams(body)
    };
  }
  const form = Object.fromEntries(new URLSearchParams(body));
  return { service: scope?.[1] ?? 'unknown', operation: form.Action ?? 'Unknown', params: form };
}

export class RecordingProxy {
  readonly calls: ApiCall[] = [];
  private faults: Fault[] = [];
  /** Account-wide token buckets by operation (`setRateLimits`). */
  readonly buckets = new Map<string, TokenBucket>();
  private readonly counts = new Map<string, number>();
  private handler: Handler = (_req, forward) => forward();
  private queue: Promise<unknown> = Promise.resolve();
  private server?: Server;
  endpoint = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const receivedAt = Date.now();
        // One call at a time: the scenario's clock-driven state changes stay consistent with what is answered.
        const answer = this.queue.then(() =>
          this.answer({
            ...identify(req.headers, body, req.method, req.url),
            method: req.method ?? 'POST',
            path: req.url ?? '/',
            headers: req.headers,
            body,
            receivedAt
          })
        );
        this.queue = answer.catch(() => undefined);
        answer
          .then(response => {
            if (response.reset) {
              req.socket.destroy();
              return;
            }
            res.writeHead(response.status, {
              ...response.headers,
              'content-length': Buffer.byteLength(response.body)
            });
            res.end(response.body);
          })
          .catch((error: Error) => {
            // A bug of the layer, not of the action under test: say so where the test's output shows it.
            process.stderr.write(`scenario proxy error: ${error.stack ?? error.message}\n`);
            res.writeHead(599, { 'content-type': 'text/plain' });
            res.end(`scenario proxy error: ${error.stack ?? error.message}`);
          });
      });
    });
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise(resolve => this.server!.close(resolve));
  }

  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  /** One account-wide token bucket per operation from now on (none: no throttling but the faults). */
  setRateLimits(limits: Record<string, RateLimit>): void {
    this.buckets.clear();
    for (const [operation, limit] of Object.entries(limits))
      this.buckets.set(operation, new TokenBucket(limit));
  }

  /** Forgets the recorded calls and sets the faults to inject from now on. */
  resetCalls(faults: Fault[] = []): void {
    this.calls.length = 0;
    this.counts.clear();
    this.faults = faults;
  }

  /** Calls by operation (`ecs:DescribeServices` style keys when `qualified`), injected faults included. */
  countByOperation(
    options: { since?: number; until?: number; qualified?: boolean; answeredOnly?: boolean } = {}
  ): Record<string, number> {
    const result: Record<string, number> = {};
    for (const call of this.calls) {
      if (options.since !== undefined && call.receivedAt < options.since) continue;
      if (options.until !== undefined && call.receivedAt > options.until) continue;
      if (options.answeredOnly && call.injected && call.injected !== '500-after-commit') continue;
      const key = options.qualified ? `${call.service}:${call.operation}` : call.operation;
      result[key] = (result[key] ?? 0) + 1;
    }
    return result;
  }

  count(operation: string): number {
    return this.calls.filter(c => c.operation === operation).length;
  }

  private async answer(request: ProxyRequest): Promise<ProxyResponse> {
    const n = (this.counts.get(request.operation) ?? 0) + 1;
    this.counts.set(request.operation, n);
    const fault = this.faults.find(f => {
      if (f.operation !== request.operation) return false;
      if (f.after === undefined) return f.calls.includes(n);
      const since = this.calls.find(c => c.operation === f.after && c.status === 200);
      if (!since) return false;
      const k =
        this.calls.filter(c => c.operation === request.operation && c.receivedAt >= since.answeredAt).length +
        1;
      return f.calls.includes(k);
    });
    let response: ProxyResponse;
    const bucket = this.buckets.get(request.operation);
    let injected = fault?.kind;
    if (bucket && !bucket.take()) {
      injected = 'throttle';
      response = faultResponse(request, 'throttle');
    } else if (fault && fault.kind !== '500-after-commit') {
      response = faultResponse(request, fault.kind);
    } else {
      response = await this.handler(request, () => this.forward(request));
      // The change was made, but the caller is told it failed: a retry must not make it twice.
      if (fault) response = faultResponse(request, fault.kind);
    }
    this.calls.push({
      service: request.service,
      operation: request.operation,
      receivedAt: request.receivedAt,
      answeredAt: Date.now(),
      status: response.status,
      injected,
      subject: subjectOf(request.params),
      params: request.params
    });
    return response;
  }

  forward(request: Pick<ProxyRequest, 'method' | 'path' | 'headers' | 'body'>): Promise<ProxyResponse> {
    const url = new URL(request.path, this.upstream);
    const headers = { ...request.headers, host: url.host };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: request.method,
          headers: { ...headers, 'content-length': Buffer.byteLength(request.body) }
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (
                v === undefined ||
                ['content-length', 'connection', 'transfer-encoding', 'keep-alive'].includes(k)
              )
                continue;
              out[k] = Array.isArray(v) ? v.join(', ') : v;
            }
            resolve({
              status: res.statusCode ?? 502,
              headers: out,
              body: Buffer.concat(chunks).toString('utf8')
            });
          });
          res.on('error', reject);
        }
      );
      req.on('error', reject);
      req.end(request.body);
    });
  }
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  return new RecordingProxy(upstream).start();
}
