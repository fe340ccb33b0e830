/**
 * The REST client against a real TLS server on loopback (certificates from the test CA of sim/eks/tls.ts):
 * CA pinning, the 401 re-sign, the explained second 401, DELETE bodies with a length, timeouts, discovery.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DockyardError } from '../../../core/errors.js';
import { makeChain, type Chain } from '../../../sim/eks/tls.js';
import { KubeClient, KubeError, parseWarnings, principalArn } from './kube.js';
import { cachedToken } from './cluster.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let chain: Chain;
let other: Chain;
let server: Server;
let url: string;
const seen: Seen[] = [];
let handler: (req: Seen, res: ServerResponse) => void = (_req, res) => res.end('{}');

beforeAll(async () => {
  chain = makeChain();
  other = makeChain('someone-else');
  server = createServer({ cert: chain.certPem, key: chain.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      res.setHeader('content-type', 'application/json');
      handler(s, res);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

function json(res: ServerResponse, status: number, body: unknown): true {
  res.statusCode = status;
  res.end(JSON.stringify(body));
  return true;
}

const discovery = (req: Seen, res: ServerResponse) => {
  if (req.url === '/apis/apps/v1')
    return json(res, 200, {
      resources: [
        { name: 'deployments', kind: 'Deployment', namespaced: true },
        { name: 'deployments/status', kind: 'Deployment', namespaced: true }
      ]
    });
  if (req.url === '/api/v1')
    return json(res, 200, { resources: [{ name: 'namespaces', kind: 'Namespace', namespaced: false }] });
  return false;
};

describe('KubeClient', () => {
  it('trusts the cluster CA only: a server certificate from another CA is refused', async () => {
    seen.length = 0;
    const client = new KubeClient({ server: url, ca: other.caPem });
    const error = await client.request('GET', '/version').catch(e => e as Error);
    client.close();
    expect(error).toBeInstanceOf(DockyardError);
    expect((error as Error).message).toMatch(/not vouched for by the cluster's CA/);
    expect(seen).toHaveLength(0);
  });

  it('applies with the apply-patch content type, fieldManager, Strict field validation, force and dryRun; finds the resource by discovery; passes on the Warning headers', async () => {
    seen.length = 0;
    handler = (req, res) => {
      if (discovery(req, res)) return;
      // apiserver endpoints/filters/warning.go: one header per warning, RFC 7234 quoting.
      res.setHeader('warning', [
        '299 - "would violate PodSecurity \\"restricted:latest\\": runAsNonRoot != true"',
        '299 - "spec.template.spec.containers[0].env[1]: hides previous definition of \\"A\\""'
      ]);
      json(res, 200, { kind: 'Deployment', metadata: { name: 'web' } });
    };
    const client = new KubeClient({ server: url, ca: chain.caPem, auth: { token: async () => 't0' } });
    const warnings: string[] = [];
    await client.apply(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
      { fieldManager: 'dockyard', force: true, dryRun: true, onWarning: w => warnings.push(w) }
    );
    client.close();
    const patch = seen.find(s => s.method === 'PATCH')!;
    expect(patch.url).toBe(
      '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=dockyard&fieldValidation=Strict&force=true&dryRun=All'
    );
    expect(warnings).toEqual([
      'would violate PodSecurity "restricted:latest": runAsNonRoot != true',
      'spec.template.spec.containers[0].env[1]: hides previous definition of "A"'
    ]);
    expect(patch.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(patch.headers.authorization).toBe('Bearer t0');
    expect(JSON.parse(patch.body)).toMatchObject({ kind: 'Deployment' });
  });

  it('sends a DELETE body with its content-length', async () => {
    seen.length = 0;
    handler = (req, res) => discovery(req, res) || json(res, 200, { kind: 'Status' });
    const client = new KubeClient({ server: url, ca: chain.caPem });
    expect(await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'old' })).toBe(true);
    client.close();
    const del = seen.find(s => s.method === 'DELETE')!;
    expect(del.url).toBe('/api/v1/namespaces/old');
    expect(del.headers['content-length']).toBe(String(Buffer.byteLength(del.body)));
    expect(del.headers['transfer-encoding']).toBeUndefined();
    expect(JSON.parse(del.body)).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background'
    });
  });

  it('deletes in the foreground with a uid precondition, and JSON-patches, when asked', async () => {
    seen.length = 0;
    handler = (req, res) => discovery(req, res) || json(res, 200, { kind: 'Status' });
    const client = new KubeClient({ server: url, ca: chain.caPem });
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
    await client.delete(ref, { propagationPolicy: 'Foreground', uid: 'u-1' });
    await client.patch(ref, [{ op: 'replace', path: '/metadata/resourceVersion', value: '7' }]);
    client.close();
    expect(JSON.parse(seen.find(s => s.method === 'DELETE')!.body)).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u-1' }
    });
    const patch = seen.find(s => s.method === 'PATCH')!;
    expect(patch.url).toBe('/apis/apps/v1/namespaces/shop/deployments/web');
    expect(patch.headers['content-type']).toBe('application/json-patch+json');
  });

  it('reads Warning headers as client-go does: several to a value, quotes and backslashes escaped', () => {
    expect(
      parseWarnings([
        '299 - "a, with comma", 299 - "b \\\\ c" "Tue, 15 Nov 1994 08:12:31 GMT"',
        '299 kube-apiserver "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"'
      ])
    ).toEqual([
      'a, with comma',
      'b \\ c',
      'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice'
    ]);
    expect(parseWarnings(undefined)).toEqual([]);
  });

  it('asks discovery again once for a kind it does not know (a CRD that just became Established)', async () => {
    seen.length = 0;
    let served = false;
    handler = (req, res) => {
      if (req.url === '/apis/example.com/v1') {
        const resources = served ? [{ name: 'widgets', kind: 'Widget', namespaced: true }] : [];
        served = true;
        return json(res, 200, { resources });
      }
      json(res, 404, { kind: 'Status', message: 'not found' });
    };
    const client = new KubeClient({ server: url, ca: chain.caPem });
    expect((await client.resource('example.com/v1', 'Widget')).name).toBe('widgets');
    const missing = await client.resource('example.com/v1', 'Gadget').catch(e => e as DockyardError);
    client.close();
    expect(missing).toBeInstanceOf(DockyardError);
    expect((missing as DockyardError).input).toBe('manifests');
  });

  it('on a 401 makes a fresh token and tries once more', async () => {
    seen.length = 0;
    handler = (req, res) =>
      req.headers.authorization === 'Bearer t1'
        ? json(res, 200, { ok: true })
        : json(res, 401, { message: 'Unauthorized' });
    let n = 0;
    const tokens = cachedToken(async () => `t${n++}`);
    const client = new KubeClient({ server: url, ca: chain.caPem, auth: tokens });
    expect(await client.request('GET', '/version')).toEqual({ ok: true });
    client.close();
    expect(seen.map(s => s.headers.authorization)).toEqual(['Bearer t0', 'Bearer t1']);
  });

  it('explains a second 401 with the caller identity and the access-entry advice', async () => {
    handler = (_req, res) => json(res, 401, { message: 'Unauthorized' });
    const client = new KubeClient({
      server: url,
      ca: chain.caPem,
      auth: { token: async () => 't' },
      whoami: async () => 'arn:aws:sts::123456789012:assumed-role/deploy/gha-42'
    });
    const error = (await client.request('GET', '/version').catch(e => e)) as DockyardError;
    client.close();
    expect(error.message).toContain('arn:aws:sts::123456789012:assumed-role/deploy/gha-42');
    expect(error.hint).toContain(
      'aws eks create-access-entry --principal-arn arn:aws:iam::123456789012:role/deploy'
    );
    expect(error.hint).toContain('aws-auth');
  });

  it('bounds every request with a timeout', async () => {
    handler = () => {};
    const client = new KubeClient(
      { server: url, ca: chain.caPem, reachHint: 'Private endpoint.' },
      { timeoutMs: 200, clock: { now: () => 0, sleep: async () => {} } }
    );
    const error = (await client.request('GET', '/version').catch(e => e)) as Error;
    client.close();
    expect(error.message).toBe(
      `The API server 127.0.0.1:${new URL(url).port} did not answer GET /version within 200ms. Private endpoint.`
    );
  });

  it('stops a request when the signal aborts', async () => {
    handler = () => {};
    const controller = new AbortController();
    const client = new KubeClient({ server: url, ca: chain.caPem }, { signal: controller.signal });
    const pending = client.request('GET', '/version').catch((e: unknown) => e as Error) as Promise<Error>;
    setTimeout(() => controller.abort(new Error('Received SIGTERM')), 50);
    expect((await pending).message).toBe(
      `The API server call GET /version (${url}) was stopped: Received SIGTERM.`
    );
    client.close();
  });

  it('throws KubeError with the Status of an error answer', async () => {
    handler = (_req, res) =>
      json(res, 403, { kind: 'Status', reason: 'Forbidden', message: 'deployments.apps "web" is forbidden' });
    const client = new KubeClient({ server: url, ca: chain.caPem });
    const error = (await client
      .request('GET', '/apis/apps/v1/namespaces/default/deployments/web')
      .catch(e => e)) as KubeError;
    client.close();
    expect(error).toBeInstanceOf(KubeError);
    expect([error.status, error.reason]).toEqual([403, 'Forbidden']);
  });
});

describe('error answers that are not a Status', () => {
  it('names the status and content type of an HTML page instead of quoting it', async () => {
    handler = (_req, res) => {
      res.statusCode = 502;
      res.setHeader('content-type', 'text/html');
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    };
    const client = new KubeClient(
      { server: url, ca: chain.caPem },
      { clock: { now: () => 0, sleep: async () => {} } }
    );
    const error = (await client.request('GET', '/api/v1').catch(e => e)) as KubeError;
    client.close();
    expect(error.message).toBe(
      'the API server answered HTTP 502 (text/html), not a Kubernetes Status (HTTP 502 to GET /api/v1)'
    );
    expect(error.message).not.toContain('<');
  });
});

describe('cachedToken', () => {
  it('keeps a token for the refresh period, then makes a new one; fresh forces one', async () => {
    let now = 0;
    let n = 0;
    const source = cachedToken(async () => `t${n++}`, { now: () => now, sleep: async () => {} }, 600_000);
    expect(await source.token()).toBe('t0');
    now = 599_999;
    expect(await source.token()).toBe('t0');
    now = 600_000;
    expect(await source.token()).toBe('t1');
    expect(await source.token(true)).toBe('t2');
  });
});

describe('principalArn', () => {
  it('turns an assumed-role session into the role an access entry names', () => {
    expect(principalArn('arn:aws:sts::123456789012:assumed-role/deploy/gha')).toBe(
      'arn:aws:iam::123456789012:role/deploy'
    );
    expect(principalArn('arn:aws:iam::123456789012:user/ci')).toBe('arn:aws:iam::123456789012:user/ci');
  });
});
