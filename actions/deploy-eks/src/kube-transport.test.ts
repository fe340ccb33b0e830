/**
 * The transport against a real TLS server on loopback: CA pinning, the 401 re-sign and its explanation, the
 * retries of core's rule (Retry-After honoured, never past the deadline), byte limits, timeouts, the signal,
 * unreachable servers. Retries run on a virtual clock: nothing here sleeps for real.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DockyardError } from '../../../core/errors.js';
import { virtualClock } from '../../../core/poll.js';
import { VERSION } from '../../../core/version.js';
import { makeChain } from '../../../sim/eks/tls.js';
import { cachedToken } from './access.js';
import { isRetryableKube, KubeError, KubeTransport, retryAfterMs } from './kube-transport.js';
import { json, startTlsServer, type TlsTestServer } from './testing/tls-server.js';

let server: TlsTestServer;

beforeAll(async () => {
  server = await startTlsServer();
});

afterAll(async () => {
  await server.close();
});

/** A transport to the test server on a virtual clock; the test closes it. */
function transport(connection: Partial<ConstructorParameters<typeof KubeTransport>[0]> = {}, options = {}) {
  const clock = virtualClock(1_000_000);
  const t = new KubeTransport(
    { server: server.url, ca: server.chain.caPem, ...connection },
    { clock, ...options }
  );
  return { t, clock };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined as never,
    (e: unknown) => e as Error
  );

describe('KubeTransport: TLS and identity', () => {
  it('trusts the cluster CA only: a server certificate from another CA is refused before any request', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    const { t } = transport({ ca: makeChain('someone-else').caPem });
    const error = await failure(t.request('GET', '/version'));
    t.close();
    expect(error).toBeInstanceOf(DockyardError);
    expect(error.message).toMatch(
      /^Refused the API server 127\.0\.0\.1:\d+: its TLS certificate is not vouched for by the cluster's CA/
    );
    expect(server.seen).toHaveLength(0);
  });

  it("sends core's user agent, the token and a body with its length", async () => {
    server.handle((_req, res) => json(res, 200, {}));
    const { t } = transport({ auth: { token: async () => 't0' } });
    await t.request('DELETE', '/api/v1/namespaces/old', { body: '{"kind":"DeleteOptions"}' });
    t.close();
    const [seen] = server.seen;
    expect(seen.headers['user-agent']).toBe(`dockyard/${VERSION}`);
    expect(seen.headers.authorization).toBe('Bearer t0');
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(seen.body)));
    expect(seen.headers['transfer-encoding']).toBeUndefined();
  });

  it('on a 401 makes a fresh token and tries once more', async () => {
    server.handle((req, res) =>
      req.headers.authorization === 'Bearer t1'
        ? json(res, 200, { ok: true })
        : json(res, 401, { message: 'Unauthorized' })
    );
    let n = 0;
    const { t } = transport({ auth: cachedToken(async () => `t${n++}`) });
    expect(JSON.parse((await t.request('GET', '/version')).text)).toEqual({ ok: true });
    t.close();
    expect(server.seen.map(s => s.headers.authorization)).toEqual(['Bearer t0', 'Bearer t1']);
  });

  it('makes one fresh token per 401 only: a retry after a 5xx keeps it', async () => {
    const statuses = [401, 503, 200];
    server.handle((_req, res) => json(res, statuses.shift()!, {}));
    let n = 0;
    const { t } = transport({ auth: cachedToken(async () => `t${n++}`) });
    expect((await t.request('GET', '/version')).status).toBe(200);
    t.close();
    expect(server.seen.map(s => s.headers.authorization)).toEqual(['Bearer t0', 'Bearer t1', 'Bearer t1']);
  });

  it("explains a second 401 with the connection's own explanation, or plainly naming the server", async () => {
    server.handle((_req, res) => json(res, 401, { kind: 'Status', message: 'Unauthorized', code: 401 }));
    const explained = transport({
      auth: { token: async () => 't' },
      explainUnauthorized: async () => new DockyardError('the credentials expired at noon.')
    });
    expect((await failure(explained.t.request('GET', '/api'))).message).toBe(
      'the credentials expired at noon.'
    );
    expect(server.seen).toHaveLength(2);
    const plain = transport({ auth: { token: async () => 't' } });
    expect((await failure(plain.t.request('GET', '/api'))).message).toBe(
      `The API server ${server.host} refused the credentials (HTTP 401 Unauthorized), again after they were made anew.`
    );
    explained.t.close();
    plain.t.close();
  });
});

describe('KubeTransport: retries by the transient rule', () => {
  it('waits what Retry-After asks after a 429 (APF), then succeeds', async () => {
    let n = 0;
    server.handle((_req, res) =>
      n++ < 2
        ? json(
            res,
            429,
            {
              kind: 'Status',
              reason: 'TooManyRequests',
              message: 'Too many requests, please try again later.'
            },
            { 'retry-after': '3' }
          )
        : json(res, 200, { ok: true })
    );
    const { t, clock } = transport();
    expect((await t.request('GET', '/api/v1/pods')).status).toBe(200);
    t.close();
    expect(clock.slept).toEqual([3000, 3000]);
  });

  it('keeps trying a throttled call up to 10 times, but other transient failures 3 times', async () => {
    server.handle((_req, res) =>
      json(res, 429, { message: 'Too many requests, please try again later.' }, { 'retry-after': '1' })
    );
    const throttled = transport();
    const error = (await failure(throttled.t.request('GET', '/api/v1/pods'))) as KubeError;
    expect([error.status, server.seen.length]).toEqual([429, 10]);
    expect(error.message).toBe(
      'Too many requests, please try again later. (HTTP 429 to GET /api/v1/pods; it asked to wait 1s before trying again (Retry-After))'
    );
    server.handle((_req, res) =>
      json(res, 503, { message: 'the server is currently unable to handle the request' })
    );
    const failing = transport();
    expect(((await failure(failing.t.request('GET', '/api/v1/pods'))) as KubeError).status).toBe(503);
    expect(server.seen).toHaveLength(3);
    expect(failing.clock.slept).toEqual([500, 1000]);
    throttled.t.close();
    failing.t.close();
  });

  it("does not wait past the step's deadline: a Retry-After beyond it ends the request at once", async () => {
    server.handle((_req, res) =>
      json(res, 429, { message: 'Too many requests, please try again later.' }, { 'retry-after': '120' })
    );
    const { t, clock } = transport({}, { deadline: 1_000_000 + 60_000 });
    const error = (await failure(t.request('GET', '/api/v1/pods'))) as KubeError;
    t.close();
    expect(error.message).toContain('it asked to wait 2m 00s before trying again (Retry-After)');
    expect(clock.slept).toEqual([]);
    expect(server.seen).toHaveLength(1);
  });

  it('names the server of an HTML error page instead of quoting it, after the retries', async () => {
    server.handle((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
    });
    const { t } = transport();
    const error = (await failure(t.request('GET', '/api/v1'))) as KubeError;
    t.close();
    expect(error).toBeInstanceOf(KubeError);
    expect(error.message).toBe(
      `the API server ${server.host} answered HTTP 500 (text/html), not a Kubernetes Status (HTTP 500 to GET /api/v1)`
    );
    expect(server.seen).toHaveLength(3);
  });

  it('throws KubeError with the Status of an error answer, not retried when it is not transient', async () => {
    server.handle((_req, res) =>
      json(res, 403, { kind: 'Status', reason: 'Forbidden', message: 'deployments.apps "web" is forbidden' })
    );
    const { t } = transport();
    const error = (await failure(
      t.request('GET', '/apis/apps/v1/namespaces/default/deployments/web')
    )) as KubeError;
    t.close();
    expect([error.status, error.reason, server.seen.length]).toEqual([403, 'Forbidden', 1]);
  });
});

describe('KubeTransport: bounds', () => {
  it('refuses an answer over the byte limit without buffering it, naming the server, the call and the limit', async () => {
    const big = JSON.stringify({ items: [{ data: 'x'.repeat(300 * 1024) }] });
    server.handle((_req, res) => res.end(big));
    const { t } = transport({}, { maxResponseBytes: 256 * 1024 });
    const error = await failure(t.request('GET', '/api/v1/namespaces/shop/events'));
    t.close();
    expect(error.message).toBe(
      `The API server ${server.host} answered GET /api/v1/namespaces/shop/events with more than 256 KiB, the most Dockyard reads of one answer.`
    );
    expect(isRetryableKube(error)).toBe(false);
  });

  it('keeps the start of an answer over the limit when asked to cut it, and says it was cut', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // Streamed without a length, as a log is.
      res.write('a'.repeat(40_000));
      res.end('b'.repeat(40_000));
    });
    const { t } = transport();
    const answer = await t.request('GET', '/log', { maxBytes: 50_000, truncate: true });
    t.close();
    expect([answer.truncated, answer.bytes, answer.text.length]).toEqual([true, 50_000, 50_000]);
  });

  it('bounds every request with a timeout that names the server and says how it may be reached', async () => {
    server.handle(() => {});
    const { t } = transport({ reachHint: 'Private endpoint.' }, { timeoutMs: 200 });
    const error = await failure(t.request('GET', '/version'));
    t.close();
    expect(error.message).toBe(
      `The API server ${server.host} did not answer GET /version within 200ms. Private endpoint.`
    );
    expect(server.seen).toHaveLength(3);
  });

  it('stops a request when the signal aborts', async () => {
    const controller = new AbortController();
    // The cancel comes while the server holds the request.
    server.handle(() => controller.abort(new Error('Received SIGTERM')));
    const { t } = transport({}, { signal: controller.signal });
    expect((await failure(t.request('GET', '/version'))).message).toBe(
      `The API server call GET /version (${server.url}) was stopped: Received SIGTERM.`
    );
    t.close();
  });
});

describe('KubeTransport: a server that cannot be reached', () => {
  let silent: TcpServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Accepts connections and never speaks: the TLS handshake never ends.
    silent = createTcpServer(socket => void sockets.push(socket));
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    sockets.forEach(s => s.destroy());
    await new Promise(resolve => silent.close(resolve));
  });

  it('a refused connection: tried again, then explained with the reach hint', async () => {
    const closed = createTcpServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    const { t, clock } = transport({
      server: `https://127.0.0.1:${port}`,
      reachHint: 'The endpoint is private only.'
    });
    const error = (await failure(t.request('GET', '/api/v1'))) as DockyardError;
    t.close();
    expect(error.message).toBe(
      `Could not reach the API server 127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}) for GET /api/v1.`
    );
    expect(error.hint).toBe('The endpoint is private only.');
    expect(clock.slept).toEqual([500, 1000]);
  });

  it('a connection that does not open in time (TLS included) is not waited for until the request timeout', async () => {
    const port = (silent.address() as AddressInfo).port;
    const { t } = transport(
      { server: `https://127.0.0.1:${port}`, reachHint: 'Hint.' },
      { connectTimeoutMs: 100, timeoutMs: 60_000 }
    );
    const started = Date.now();
    const error = (await failure(t.request('GET', '/api/v1'))) as DockyardError;
    t.close();
    expect(error.message).toBe(
      `Could not reach the API server 127.0.0.1:${port} (connect ETIMEDOUT 127.0.0.1:${port}: no connection within 100ms) for GET /api/v1.`
    );
    expect(error.hint).toBe('Hint.');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('retryAfterMs', () => {
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['Wed, 21 Oct 2015 07:28:30 GMT', 30_000],
    ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined]
  ])('reads %p as %p ms', (value, ms) => {
    expect(retryAfterMs(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(ms);
  });
});

describe('isRetryableKube', () => {
  it.each([
    [new KubeError(429, 'GET', '/', {}), true],
    [new KubeError(500, 'GET', '/', {}), true],
    [
      new KubeError(500, 'PATCH', '/', {
        message:
          'failed to create typed patch object (shop/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="app"].livenesProbe: field not declared in schema'
      }),
      false
    ],
    [new KubeError(504, 'GET', '/', {}), true],
    [new KubeError(409, 'PATCH', '/', {}), false],
    [new KubeError(404, 'GET', '/', {}), false],
    [
      new DockyardError('Could not reach', {
        cause: Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })
      }),
      true
    ],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [
      new DockyardError('Refused the API server', {
        cause: Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' })
      }),
      false
    ]
  ])('%p → %p', (error, retryable) => {
    expect(isRetryableKube(error)).toBe(retryable);
  });
});
