/**
 * The API verbs against a TLS server on loopback: the paths and bodies they send, discovery, and container
 * logs read with limitBytes and cut lines, said when cut.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { DockyardError } from '../../../core/errors.js';
import { KubeClient, LOG_LIMIT_BYTES, LOG_LINE_MAX_CHARS, parseWarnings } from './kube.js';
import { json, startTlsServer, type Seen, type TlsTestServer } from './testing/tls-server.js';

let server: TlsTestServer;

beforeAll(async () => {
  server = await startTlsServer();
});

afterAll(async () => {
  await server.close();
});

const client = () =>
  new KubeClient({ server: server.url, ca: server.chain.caPem, auth: { token: async () => 't0' } });

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

describe('KubeClient verbs', () => {
  it('applies with the apply-patch content type, fieldManager, Strict field validation, force and dryRun; finds the resource by discovery; passes on the Warning headers', async () => {
    server.handle((req, res) => {
      if (discovery(req, res)) return;
      // apiserver endpoints/filters/warning.go: one header per warning, RFC 7234 quoting.
      res.setHeader('warning', [
        '299 - "would violate PodSecurity \\"restricted:latest\\": runAsNonRoot != true"',
        '299 - "spec.template.spec.containers[0].env[1]: hides previous definition of \\"A\\""'
      ]);
      json(res, 200, { kind: 'Deployment', metadata: { name: 'web' } });
    });
    const kube = client();
    const warnings: string[] = [];
    await kube.apply(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
      { fieldManager: 'dockyard', force: true, dryRun: true, onWarning: w => warnings.push(w) }
    );
    kube.close();
    const patch = server.seen.find(s => s.method === 'PATCH')!;
    expect(patch.url).toBe(
      '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=dockyard&fieldValidation=Strict&force=true&dryRun=All'
    );
    expect(warnings).toEqual([
      'would violate PodSecurity "restricted:latest": runAsNonRoot != true',
      'spec.template.spec.containers[0].env[1]: hides previous definition of "A"'
    ]);
    expect(patch.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(JSON.parse(patch.body)).toMatchObject({ kind: 'Deployment' });
  });

  it('deletes with background propagation; a missing object is false, a missing kind a get of undefined', async () => {
    server.handle((req, res) => {
      if (discovery(req, res)) return;
      if (req.url === '/api/v1/namespaces/gone')
        return json(res, 404, { kind: 'Status', reason: 'NotFound' });
      json(res, 200, { kind: 'Status' });
    });
    const kube = client();
    expect(await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'old' })).toBe(true);
    expect(await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'gone' })).toBe(false);
    expect(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'gone' })).toBeUndefined();
    kube.close();
    const del = server.seen.find(s => s.method === 'DELETE')!;
    expect(JSON.parse(del.body)).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background'
    });
  });

  it('deletes in the foreground with a uid precondition, and JSON-patches, when asked', async () => {
    server.handle((req, res) => discovery(req, res) || json(res, 200, { kind: 'Status' }));
    const kube = client();
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
    await kube.delete(ref, { propagationPolicy: 'Foreground', uid: 'u-1' });
    await kube.patch(ref, [{ op: 'replace', path: '/metadata/resourceVersion', value: '7' }]);
    kube.close();
    expect(JSON.parse(server.seen.find(s => s.method === 'DELETE')!.body)).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u-1' }
    });
    const patch = server.seen.find(s => s.method === 'PATCH')!;
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
    let served = false;
    server.handle((req, res) => {
      if (req.url === '/apis/example.com/v1') {
        const resources = served ? [{ name: 'widgets', kind: 'Widget', namespaced: true }] : [];
        served = true;
        return json(res, 200, { resources });
      }
      json(res, 404, { kind: 'Status', message: 'not found' });
    });
    const kube = client();
    expect((await kube.resource('example.com/v1', 'Widget')).name).toBe('widgets');
    const missing = (await kube.resource('example.com/v1', 'Gadget').catch(e => e)) as DockyardError;
    expect((await kube.resource('example.org/v1', 'Gizmo').catch(e => e)) as DockyardError).toMatchObject({
      input: 'manifests'
    });
    kube.close();
    expect(missing).toBeInstanceOf(DockyardError);
    expect(missing.input).toBe('manifests');
  });

  it('names the server of an answer that is not JSON, without quoting markup', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    });
    const kube = client();
    const error = (await kube.request('GET', '/version').catch(e => e)) as Error;
    kube.close();
    expect(error.message).toBe(
      `The API server ${server.host} answered GET /version with something that is not JSON (text/html).`
    );
  });
});

describe('KubeClient.logs', () => {
  const logOf = (text: (req: Seen) => string) =>
    server.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(text(req));
    });
  const query = (s: Seen) => Object.fromEntries(new URL(s.url, 'https://x').searchParams);

  it('asks for the tail with limitBytes (and the previous instance), and returns its lines', async () => {
    logOf(() => 'starting\nError: DATABASE_URL is not set\n');
    const kube = client();
    expect(await kube.logs('shop', 'web-1', 'app', { previous: true, tailLines: 5 })).toEqual([
      'starting',
      'Error: DATABASE_URL is not set'
    ]);
    kube.close();
    expect(query(server.seen[0])).toEqual({
      container: 'app',
      tailLines: '5',
      limitBytes: String(LOG_LIMIT_BYTES),
      previous: 'true'
    });
    expect(server.seen[0].url.split('?')[0]).toBe('/api/v1/namespaces/shop/pods/web-1/log');
  });

  it('cuts a line over the cap and says so', async () => {
    logOf(() => `${'{"request":"'.padEnd(5000, 'x')}\nbye\n`);
    const kube = client();
    const lines = await kube.logs('shop', 'web-1', 'app');
    kube.close();
    expect(lines[0]).toHaveLength(
      LOG_LINE_MAX_CHARS + `… (line cut at ${LOG_LINE_MAX_CHARS} characters)`.length
    );
    expect(lines[0].endsWith(`… (line cut at ${LOG_LINE_MAX_CHARS} characters)`)).toBe(true);
    expect(lines[1]).toBe('bye');
  });

  it('a tail over the limit (the server cuts its end): its start, a note, and the last line asked for alone', async () => {
    const noise = Array.from({ length: 30 }, (_, i) => `${i} ${'.'.repeat(3000)}`);
    const all = [...noise, 'panic: cannot connect to db'];
    // The server honours limitBytes as the kubelet does: the first bytes of the tail.
    logOf(req => {
      const { tailLines, limitBytes } = query(req);
      return `${all.slice(-Number(tailLines)).join('\n')}\n`.slice(0, Number(limitBytes));
    });
    const kube = client();
    const lines = await kube.logs('shop', 'web-1', 'app');
    kube.close();
    expect(server.seen.map(s => query(s).tailLines)).toEqual(['30', '1']);
    expect(lines.at(-1)).toBe('panic: cannot connect to db');
    expect(lines.at(-2)).toBe(
      '(… cut: the last 30 lines of the log are over 64 KiB: their start and the last line are shown)'
    );
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.slice(0, -2).every(l => /^\d+ \.+… \(line cut at 2000 characters\)$/.test(l))).toBe(true);
  });

  it('a server that ignores limitBytes is read up to the limit only', async () => {
    logOf(req => (query(req).tailLines === '1' ? 'last words\n' : 'y'.repeat(1024 * 1024)));
    const kube = client();
    const lines = await kube.logs('shop', 'web-1', 'app');
    kube.close();
    expect(lines).toEqual([
      '(… cut: the last 30 lines of the log are over 64 KiB: their start and the last line are shown)',
      'last words'
    ]);
  });
});
