/**
 * deploy-eks end to end, at the edges (the bundle as the runner runs it, against the Kubernetes API test server
 * behind moto's EKS and STS, as in deploy-eks.e2e.test.ts): endpoints that hang or answer HTML, CRDs, kustomize,
 * role-arn and limited public access, hostile and careless inputs, and applying the way Kubernetes documents (HPAs,
 * client-side apply history, pruning steps side by side, Jobs). A file of its own so that jest runs it beside the
 * rollout tests.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { appManifest, liveImages, NS, REGISTRY, workspace } from '../sim/eks/scenario.js';
import { kubectl } from '../sim/eks/kubectl.js';
import type { EksStack } from '../sim/eks/stack.js';
import { makeChain, type Chain } from '../sim/eks/tls.js';
import { runAction, type RunOptions, type RunResult } from '../sim/runner.js';
import { deployEks, eksStackForFile, migrateJob, SMALLEST_POLL, writes } from './eks.js';

let stack: EksStack;

eksStackForFile(started => (stack = started));

type Json = Record<string, unknown>;

/** A run of the bundle against this file's cluster (test/eks.ts: the smallest poll, the IAM policy checked). */
const deploy = (ws: string, inputs: Record<string, string>, options?: RunOptions) =>
  deployEks(stack, ws, inputs, options);

/**
 * Endpoints that fail the way networks do (as test/faults.e2e.test.ts does for the other actions): EKS and the
 * Kubernetes API server that accept the connection and never answer, or answer an HTML 500 page.
 */
describe('deploy-eks against endpoints that hang or answer HTML', () => {
  const held: ServerResponse[] = [];
  const seen: string[] = [];
  /** Told of the next request left hanging. */
  let onHeld: (() => void) | undefined;
  const nextHeld = () => new Promise<void>(resolve => (onHeld = resolve));
  /** A port nothing listens on: the endpoint of a private cluster seen from outside its VPC. */
  let unreachablePort = 0;
  const handlers = {
    hang: (_req: IncomingMessage, res: ServerResponse) => {
      held.push(res);
      onHeld?.();
    },
    /** EKS DescribeCluster (GET /clusters/<name>) for a private-only cluster whose endpoint this runner cannot reach. */
    privateEks: (req: IncomingMessage, res: ServerResponse) => {
      const name = decodeURIComponent(/^\/clusters\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          cluster: {
            name,
            status: 'ACTIVE',
            endpoint: `https://127.0.0.1:${unreachablePort}`,
            certificateAuthority: { data: Buffer.from(chain.caPem).toString('base64') },
            resourcesVpcConfig: {
              endpointPublicAccess: false,
              endpointPrivateAccess: true,
              publicAccessCidrs: []
            }
          }
        })
      );
    },
    html500: (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(500, { 'content-type': 'text/html', 'x-amzn-requestid': 'req-html-500' });
      res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
    }
  };
  const servers: Record<string, { close(): void; url: string }> = {};
  let chain: Chain;

  beforeAll(async () => {
    chain = makeChain();
    const closed = createHttpServer();
    await new Promise<void>(r => closed.listen(0, '127.0.0.1', r));
    unreachablePort = (closed.address() as AddressInfo).port;
    await new Promise(r => closed.close(r));
    for (const [mode, handle] of Object.entries(handlers)) {
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        seen.push(`${mode} ${req.method} ${req.url}`);
        req.resume();
        handle(req, res);
      };
      for (const tls of [false, true]) {
        const server = tls
          ? createHttpsServer({ cert: chain.certPem, key: chain.keyPem }, onRequest)
          : createHttpServer(onRequest);
        await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
        servers[`${mode}${tls ? '-tls' : ''}`] = {
          url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
          close: () => {
            server.closeAllConnections();
            server.close();
          }
        };
      }
    }
  });

  afterAll(() => {
    held.forEach(r => r.destroy());
    Object.values(servers).forEach(s => s.close());
  });

  const awsAt = (endpoint: string) => ({
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true'
  });
  const errorLine = (result: RunResult) => result.stdout.split('\n').find(l => l.startsWith('::error')) ?? '';

  /** A workspace with the app and a kubeconfig for `server` (the test CA, a static token). */
  function kubeWorkspace(server: string) {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    ws.write({
      kubeconfig: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'c',
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
        clusters: [
          {
            name: 'c',
            cluster: { server, 'certificate-authority-data': Buffer.from(chain.caPem).toString('base64') }
          }
        ],
        users: [{ name: 'u', user: { token: 'static-token' } }]
      })
    });
    return ws;
  }

  const runIn = (
    ws: string,
    inputs: Record<string, string>,
    env: Record<string, string>,
    extra: RunOptions = {}
  ) =>
    runAction('deploy-eks', {
      ...extra,
      cwd: ws,
      inputs: { manifests: 'k8s', ...SMALLEST_POLL, ...inputs },
      env: { GITHUB_WORKSPACE: ws, ...env },
      timeoutMs: 60_000
    });

  it('EKS that never answers: ends at the step timeout, naming DescribeCluster and the endpoint', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const result = await runIn(ws.dir, { cluster: 'prod', timeout: '4s' }, awsAt(servers.hang.url));
    expect(result.code).toBe(1);
    // Ended by its own timeout, not by the test's: a call that ignored the deadline would hang for good.
    expect(result.durationMs).toBeLessThan(4_000 + 20_000);
    expect(errorLine(result)).toMatch(/EKS DescribeCluster/);
    expect(errorLine(result)).toContain(servers.hang.url);
    expect(errorLine(result)).toMatch(/timeout \(4s\) passed/);
    expect(result.outputs.status).toBe('TIMED_OUT');
    expect(JSON.parse(result.outputs.report)).toMatchObject({
      status: 'failure',
      error: expect.stringMatching(/DescribeCluster/)
    });
    ws.remove();
  }, 30_000);

  it('EKS that never answers: ends on SIGTERM before the runner kills it, outputs and summary written', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    // Sent while DescribeCluster hangs; the runner stand-in kills 2.5 s after it, as the runner does.
    const result = await runIn(ws.dir, { cluster: 'prod' }, awsAt(servers.hang.url), {
      signal: { name: 'SIGTERM', when: nextHeld() }
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.outputs.status).toBe('CANCELLED');
    expect(JSON.parse(result.outputs.report).status).toBe('cancelled');
    expect(result.summary).not.toBe('');
    ws.remove();
  }, 30_000);

  it('EKS answering an HTML 500 page: named by service, status, call and endpoint', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const result = await runIn(ws.dir, { cluster: 'prod' }, awsAt(servers.html500.url));
    expect(result.code).toBe(1);
    expect(errorLine(result)).toContain('EKS answered HTTP 500 to DescribeCluster');
    expect(errorLine(result)).toContain(servers.html500.url);
    expect(result.output).not.toMatch(/Unexpected token|Deserialization error|\$response/);
    ws.remove();
  }, 60_000);

  it('a private-only endpoint this runner cannot reach: tried, then explained with the endpoint access setting', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const result = await runIn(ws.dir, { cluster: 'prod' }, awsAt(servers.privateEks.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'Cluster prod: the API endpoint is private only (endpointPublicAccess: false)'
    );
    expect(errorLine(result)).toContain(
      `Could not reach the API server 127.0.0.1:${unreachablePort} (connect ECONNREFUSED 127.0.0.1:${unreachablePort}) for GET /api/v1.`
    );
    expect(errorLine(result)).toContain(
      "The API endpoint of 'prod' is private only (endpointPublicAccess: false)"
    );
    expect(errorLine(result)).toContain('self-hosted runner');
    expect(errorLine(result)).toContain('endpointPublicAccess=true');
    expect(result.outputs.status).toBe('FAILED');
    ws.remove();
  }, 60_000);

  it('an API server that never answers: ends at the step timeout, naming the call and the server', async () => {
    const ws = kubeWorkspace(servers['hang-tls'].url);
    const result = await runIn(ws.dir, { kubeconfig: 'kubeconfig', timeout: '4s' }, {});
    expect(result.code).toBe(1);
    // Ended by its own timeout, not by the test's: a call that ignored the deadline would hang for good.
    expect(result.durationMs).toBeLessThan(4_000 + 20_000);
    expect(errorLine(result)).toMatch(
      /The API server call GET \/api\/v1 \(https:\/\/127\.0\.0\.1:\d+\) was stopped: The step's timeout \(4s\) passed/
    );
    expect(result.outputs.status).toBe('TIMED_OUT');
    ws.remove();
  }, 30_000);

  it('an API server that never answers: ends on SIGTERM before the runner kills it', async () => {
    const ws = kubeWorkspace(servers['hang-tls'].url);
    const result = await runIn(
      ws.dir,
      { kubeconfig: 'kubeconfig' },
      {},
      { signal: { name: 'SIGTERM', when: nextHeld() } }
    );
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.outputs.status).toBe('CANCELLED');
    ws.remove();
  }, 30_000);

  it('an API server answering an HTML 500 page: the status named, no markup quoted', async () => {
    const ws = kubeWorkspace(servers['html500-tls'].url);
    const result = await runIn(ws.dir, { kubeconfig: 'kubeconfig' }, {});
    expect(result.code).toBe(1);
    expect(errorLine(result)).toContain(
      `the API server ${new URL(servers['html500-tls'].url).host} answered HTTP 500 (text/html), not a Kubernetes Status (HTTP 500 to GET /api/v1)`
    );
    expect(result.output).not.toContain('<h1>');
    ws.remove();
  }, 60_000);
});

describe('deploy-eks: CRDs, kustomize, role-arn, limited public access', () => {
  it('a field another manager owns is a conflict naming that manager and the field; force-conflicts takes it over', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 3 }) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    // Then someone scaled web by hand with their own server-side apply.
    stack.kube.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: NS },
        spec: { replicas: 5 }
      },
      { manager: 'kubectl', force: true }
    );
    const conflict = await deploy(ws.dir, { manifests: 'k8s' });
    expect(conflict.result.code).not.toBe(0);
    expect(conflict.result.stdout).toMatch(
      /::error::Input 'force-conflicts': Deployment shop\/web \(k8s\/app\.yaml \(document 2\)\): field-manager conflict: \.spec\.replicas is owned by kubectl/
    );
    const forced = await deploy(ws.dir, { manifests: 'k8s', 'force-conflicts': 'true' });
    expect(forced.result.code).toBe(0);
    expect(
      (stack.kube.get('apps/v1', 'Deployment', NS, 'web') as { spec: { replicas: number } }).spec.replicas
    ).toBe(3);
    ws.remove();
  }, 60_000);

  it('applies a CRD, waits until it is Established, then objects of its kind (discovery asked again)', async () => {
    const ws = workspace({
      'k8s/widgets.yaml': `apiVersion: example.com/v1
kind: Widget
metadata: { name: blue, namespace: default }
spec: { colour: blue }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`
    });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.outputs.resources)).toEqual([
      { kind: 'CustomResourceDefinition', name: 'widgets.example.com', action: 'created' },
      { kind: 'Widget', namespace: 'default', name: 'blue', action: 'created' }
    ]);
    expect(stack.kube.get('example.com/v1', 'Widget', 'default', 'blue')).toBeDefined();
    ws.remove();
  }, 60_000);

  it('renders a kustomization with what the runner has (kubectl kustomize here)', async () => {
    const ws = workspace({
      'overlay/kustomization.yaml': 'resources:\n  - app.yaml\ncommonLabels:\n  tier: web\n',
      'overlay/app.yaml': appManifest()
    });
    const { result } = await deploy(ws.dir, { kustomize: 'overlay', images: `web=${REGISTRY}/web:v2` });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    const live = stack.kube.get('apps/v1', 'Deployment', NS, 'web') as {
      metadata: { labels: Record<string, string> };
    };
    expect(live.metadata.labels.tier).toBe('web');
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v2`);
    ws.remove();
  }, 60_000);

  it('role-arn: assumes the role first, and the cluster sees the role', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const { result, awsCalls } = await deploy(ws.dir, {
      manifests: 'k8s',
      'role-arn': 'arn:aws:iam::123456789012:role/eks-deployer'
    });
    expect(result.code).toBe(0);
    expect(awsCalls).toMatchObject({ AssumeRole: 1, DescribeCluster: 1 });
    const identities = new Set(stack.kube.requests.map(r => r.identity));
    expect([...identities]).toEqual([
      expect.stringMatching(/^arn:aws:sts::123456789012:assumed-role\/eks-deployer\/dockyard-deploy-eks$/)
    ]);
    // The assumed credentials (key id, secret, session token) and each token made are masked, and never printed.
    const masked = result.commands.filter(c => c.name === 'add-mask').map(c => c.data);
    expect(masked.filter(m => m.startsWith('k8s-aws-v1.')).length).toBeGreaterThan(0);
    expect(masked.filter(m => !m.startsWith('k8s-aws-v1.'))).toEqual([
      expect.stringMatching(/^ASIA/),
      expect.any(String),
      expect.any(String)
    ]);
    const printed = result.output.split('\n').filter(l => !l.startsWith('::add-mask::'));
    expect(masked.filter(m => printed.some(l => l.includes(m)))).toEqual([]);
    ws.remove();
  }, 60_000);

  it('public access limited to CIDRs: says so at once, and the deploy goes on when the runner can reach it', async () => {
    stack.endpointAccess({ publicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] });
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /::warning::Cluster dockyard-test: public access is limited to 203\.0\.113\.0\/24/
    );
    ws.remove();
  }, 60_000);
});

/**
 * The hostile-input probe, deploy-eks's share: paths that leave the workspace (kustomize bases and links included),
 * alias bombs, a 5 MB manifest, images that are not references, Secret values in a dry run, and no credentials. Each
 * is refused or explained naming its input and file, with nothing written to the cluster and nothing secret (nor
 * an injected workflow command) in what the step prints, its summary or its outputs. (A hanging and an HTML-500 API
 * server and EKS: the describe above.)
 */
describe('deploy-eks refuses hostile and careless inputs, with nothing written', () => {
  /** A workspace, and beside it (outside) a kustomization and files the deploy must never read. */
  function hostileWorkspace(files: Record<string, string> = {}) {
    const ws = workspace({ 'k8s/app.yaml': appManifest(), ...files });
    const outside = `${ws.dir}-outside`;
    const write = (name: string, text: string) => {
      mkdirSync(dirname(join(outside, name)), { recursive: true });
      writeFileSync(join(outside, name), text);
    };
    write('kustomization.yaml', 'resources: [stolen.yaml]\n');
    write(
      'stolen.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata: { name: stolen, namespace: ${NS} }\nstringData: { token: outside-hunter2 }\n`
    );
    return {
      ...ws,
      outside,
      remove: () => {
        ws.remove();
        rmSync(outside, { recursive: true, force: true });
      }
    };
  }

  /**
   * What the step shows anywhere a person or a later step can read it: the log without the add-mask commands the
   * runner consumes, the summary, the outputs and what it exported.
   */
  const shown = (result: RunResult) =>
    [
      ...result.output.split('\n').filter(l => !l.startsWith('::add-mask::')),
      result.summary,
      JSON.stringify(result.outputs),
      JSON.stringify(result.env)
    ].join('\n');

  /** Refused before any network call: exit 1, the error line naming the input, no API or AWS request, nothing kept. */
  function expectRefused(
    run: Awaited<ReturnType<typeof deploy>>,
    input: string,
    ...words: (string | RegExp)[]
  ) {
    const { result } = run;
    expect(result.code).toBe(1);
    const error = result.stdout.split('\n').find(l => l.startsWith('::error')) ?? '';
    expect(error).toContain(`Input '${input}'`);
    for (const w of words) expect(error).toMatch(w);
    expect(run.requests).toEqual({});
    expect(run.awsCalls).toEqual({});
    expect(stack.kube.get('v1', 'Namespace', '', NS)).toBeUndefined();
    expect(shown(result)).not.toContain('outside-hunter2');
    expect(result.outputs.status).toBe('FAILED');
    return error;
  }

  it.each([
    [
      'manifests: a path out by ..',
      (out: string) => ({ manifests: `../${basename(out)}/stolen.yaml` }),
      'manifests',
      /line 1: '\.\.\/[^']+' is outside the workspace/
    ],
    [
      'manifests: a link out',
      () => ({ manifests: 'k8s/link.yaml' }),
      'manifests',
      /leads outside the workspace through a symbolic link/
    ],
    [
      'kustomize: the directory given by ..',
      (out: string) => ({ kustomize: `../${basename(out)}` }),
      'kustomize',
      /is outside the workspace/
    ],
    [
      'kustomize: a base out by ..',
      () => ({ kustomize: 'overlay' }),
      'kustomize',
      /overlay\/kustomization\.yaml resources\[1\]: '\.\.\/\.\.\/[^']+' is outside the workspace/
    ],
    [
      'kustomize: a base through a link',
      () => ({ kustomize: 'linked' }),
      'kustomize',
      /linked\/kustomization\.yaml resources\[0\]: 'vendor' leads outside the workspace through a symbolic link/
    ],
    [
      'kustomize: a remote base',
      () => ({ kustomize: 'remote' }),
      'kustomize',
      /remote\/kustomization\.yaml resources\[0\]: 'github\.com\/[^']+' is remote/
    ]
  ])(
    '%s',
    async (_what, inputs, input, message) => {
      const ws = hostileWorkspace();
      const rel = `../${basename(ws.outside)}`;
      ws.write({
        'overlay/kustomization.yaml': `resources:\n  - app.yaml\n  - ../${rel}\n`,
        'overlay/app.yaml': appManifest(),
        'linked/kustomization.yaml': 'resources:\n  - vendor\n',
        'remote/kustomization.yaml':
          'resources:\n  - github.com/kubernetes-sigs/kustomize/examples/multibases?ref=v1.0.6\n'
      });
      symlinkSync(join(ws.outside, 'stolen.yaml'), join(ws.dir, 'k8s/link.yaml'));
      symlinkSync(ws.outside, join(ws.dir, 'linked/vendor'));
      expectRefused(await deploy(ws.dir, inputs(ws.outside)), input, message);
      ws.remove();
    },
    60_000
  );

  it('an alias bomb is named by input, file and document, and nothing is applied', async () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const c of 'bcdefghi')
      lol.push(
        `${c}: &${c} [${Array(9)
          .fill(`*${String.fromCharCode(c.charCodeAt(0) - 1)}`)
          .join(',')}]`
      );
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: lol, namespace: ${NS} }\ndata:\n${lol.map(l => `  ${l}`).join('\n')}\n`;
    const ws = hostileWorkspace({
      'k8s/lol.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: { name: lol }\n---\n${bomb}`
    });
    const started = Date.now();
    const run = await deploy(ws.dir, { manifests: 'k8s' });
    expectRefused(
      run,
      'manifests',
      /k8s\/lol\.yaml \(document 2\): its aliases \(\*name\) expand to more than 100 copies/
    );
    // Refused before the copies are made: a bomb costs the step no more than a bad input does.
    expect(Date.now() - started).toBeLessThan(20_000);
    ws.remove();
  }, 60_000);

  it('a 5 MB manifest is refused before the first object is sent, naming the file and object', async () => {
    const blob = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: assets, namespace: ${NS} }\ndata:\n  bundle.js: "${'x'.repeat(5_000_000)}"\n`;
    const ws = hostileWorkspace({ 'k8s/z-assets.yaml': blob });
    const error = expectRefused(
      await deploy(ws.dir, { manifests: 'k8s' }),
      'manifests',
      /k8s\/z-assets\.yaml: ConfigMap shop\/assets is 4\.8 MiB as sent; the API server refuses a request over 3 MiB/
    );
    expect(error).toMatch(
      /ConfigMap shop\/assets holds 4\.8 MiB of data; a ConfigMap's data may be at most 1 MiB/
    );
    ws.remove();
  }, 60_000);

  it('an images value that is not an image reference never reaches the live Deployment', async () => {
    const ws = hostileWorkspace();
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    const before = JSON.stringify(stack.kube.get('apps/v1', 'Deployment', NS, 'web'));
    for (const [images, message] of [
      [`web=${REGISTRY}/web:<v2>`, /line 1 \(web\): '[^']+:<v2>' has a tag \('<v2>'\)/],
      [
        `web=${REGISTRY}/web:v2\r::add-mask::${REGISTRY}`,
        /line 1 \(web\): the image holds a control character \(\\r\)/
      ]
    ] as const) {
      const run = await deploy(ws.dir, { manifests: 'k8s', images });
      expect(run.result.code).toBe(1);
      const error = run.result.stdout.split('\n').find(l => l.startsWith('::error')) ?? '';
      expect(error).toContain("Input 'images'");
      expect(error).toMatch(message);
      expect(run.requests).toEqual({});
      // No injected command ran: the value's `::add-mask::` stayed data.
      expect(run.result.commands.filter(c => c.name === 'add-mask').map(c => c.data)).not.toContain(REGISTRY);
    }
    expect(JSON.stringify(stack.kube.get('apps/v1', 'Deployment', NS, 'web'))).toBe(before);
    ws.remove();
  }, 90_000);

  it('Secret values in a dry run, whether the Secret is new or had no data: nowhere, plain or base64', async () => {
    const secret = (name: string, data: boolean) =>
      `apiVersion: v1\nkind: Secret\nmetadata: { name: ${name}, namespace: ${NS} }\n` +
      (data
        ? `data: { password: "${Buffer.from('new-hunter2').toString('base64')}" }\nstringData: { api-key: "sk-probe-hunter2" }\n`
        : 'type: Opaque\n');
    const ws = hostileWorkspace({ 'k8s/secret.yaml': secret('empty', false) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    ws.write({ 'k8s/secret.yaml': `${secret('empty', true)}---\n${secret('fresh', true)}` });
    const first = stack.kube.requests.length;
    const run = await deploy(ws.dir, { manifests: 'k8s', 'dry-run': 'true' });
    expect(run.result.code).toBe(0);
    expect(run.result.outputs.status).toBe('DRY_RUN');
    const sent = stack.kube.requests.slice(first);
    expect(sent.filter(r => r.verb === 'apply').every(r => r.query.dryRun === 'All')).toBe(true);
    expect(writes(run.requests)).toBe(run.requests.apply);
    expect(stack.kube.get('v1', 'Secret', NS, 'fresh')).toBeUndefined();
    expect(JSON.stringify(stack.kube.get('v1', 'Secret', NS, 'empty'))).not.toContain('password');
    // Named by key, masked before anything could print them.
    expect(run.result.summary).toContain('data.password: (added)');
    const masked = run.result.commands.filter(c => c.name === 'add-mask').map(c => c.data);
    for (const value of ['new-hunter2', 'sk-probe-hunter2']) {
      expect(shown(run.result)).not.toContain(value);
      expect(shown(run.result)).not.toContain(Buffer.from(value).toString('base64'));
      expect(masked).toEqual(expect.arrayContaining([value, Buffer.from(value).toString('base64')]));
    }
    ws.remove();
  }, 60_000);

  it('no AWS credentials: explained naming what to add, before any cluster call', async () => {
    const ws = hostileWorkspace();
    const run = await deploy(
      ws.dir,
      { manifests: 'k8s' },
      {
        env: {
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          AWS_SESSION_TOKEN: undefined,
          AWS_PROFILE: undefined,
          AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
          AWS_SHARED_CREDENTIALS_FILE: join(ws.dir, 'no-credentials'),
          AWS_CONFIG_FILE: join(ws.dir, 'no-config'),
          AWS_EC2_METADATA_DISABLED: 'true'
        },
        timeoutMs: 60_000
      }
    );
    expect(run.result.code).toBe(1);
    const error = run.result.stdout.split('\n').find(l => l.startsWith('::error')) ?? '';
    expect(error).toContain('No AWS credentials were found.');
    expect(error).toContain('aws-actions/configure-aws-credentials');
    expect(run.awsCalls).toEqual({});
    expect(run.requests).toEqual({});
    ws.remove();
  }, 60_000);
});

describe('deploy-eks applies the way Kubernetes documents (issue 15)', () => {
  type Live = {
    metadata: { managedFields?: { manager: string; fieldsV1?: Json }[] };
    spec: { replicas?: number };
  };
  const liveWeb = () => stack.kube.get('apps/v1', 'Deployment', NS, 'web') as Live;
  const replicaOwners = () =>
    (liveWeb().metadata.managedFields ?? [])
      .filter(e => ((e.fieldsV1?.['f:spec'] as Json | undefined) ?? {})['f:replicas'] !== undefined)
      .map(e => e.manager)
      .sort();
  /** The HPA of the Kubernetes walkthrough; `desired` stands for what its metrics ask (sim/eks hpa.ts). */
  const hpa = (desired?: number) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: ${NS}
  ${desired === undefined ? '' : `annotations: { dockyard.dev/test-desired-replicas: "${desired}" }`}
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 2
  maxReplicas: 10
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]
`;
  /** Waits (by progress, bounded) until `probe` holds. */
  async function until(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 50));
    }
  }
  const conflicts = () => stack.kube.requests.filter(r => r.status === 409);
  const written = () => stack.kube.requests.filter(r => r.method !== 'GET' && !r.query.dryRun);

  it('an HPA-scaled Deployment keeps its replicas: no 409, and force-conflicts does not reset them', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 2, extra: hpa(5) }) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    await until('the autoscaler to scale web to 5', () => liveWeb().spec.replicas === 5);
    expect(replicaOwners()).toEqual(['kube-controller-manager']);

    // The manifest still says replicas: 2.
    for (const inputs of [{}, { 'force-conflicts': 'true' }] as Record<string, string>[]) {
      const { result } = await deploy(ws.dir, {
        manifests: 'k8s',
        images: `web=${REGISTRY}/web:v2`,
        ...inputs
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        "Deployment shop/web: spec.replicas belongs to HorizontalPodAutoscaler shop/web; the manifest's 2 is not applied."
      );
      expect(liveWeb().spec.replicas).toBe(5);
      expect(replicaOwners()).toEqual(['kube-controller-manager']);
    }
    expect(conflicts()).toEqual([]);
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v2`);
    ws.remove();
  }, 90_000);

  it("the rollback of an HPA-scaled Deployment puts its template back and leaves the autoscaler's count", async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 2, extra: hpa(5) }) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    await until('the autoscaler to scale web to 5', () => liveWeb().spec.replicas === 5);
    const { result } = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:crashloop` });
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v1`);
    // The rollback's forced apply sent no replicas: the count and its owner are the autoscaler's.
    expect(liveWeb().spec.replicas).toBe(5);
    expect(replicaOwners()).toEqual(['kube-controller-manager']);
    expect(conflicts()).toEqual([]);
    ws.remove();
  }, 90_000);

  it('an HPA added to a running Deployment: the count is handed over (Transferring ownership), not reset to 1', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 3 }) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    expect(replicaOwners()).toEqual(['dockyard']);
    // The autoscaler arrives with the manifests; its range holds 3, so it has no reason to write the count.
    ws.write({ 'k8s/app.yaml': appManifest({ replicas: 3, extra: hpa() }) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:v2` });
    expect(result.code).toBe(0);
    expect(liveWeb().spec.replicas).toBe(3);
    expect(replicaOwners()).toEqual(['dockyard-handover-to-hpa']);
    expect(conflicts()).toEqual([]);
    ws.remove();
  }, 90_000);

  it('an object made with client-side kubectl apply moves to server-side apply: no 409 on a write, removed fields go', async () => {
    // What `kubectl apply -f` (client-side, upstream kubectl) made: an extra label and env var the manifests no
    // longer have.
    const legacy = appManifest()
      .replace(
        '  name: web\n  namespace: shop\nspec:',
        '  name: web\n  namespace: shop\n  labels: { tier: legacy }\nspec:'
      )
      .replace(
        '            - name: GREETING',
        '            - name: LEGACY\n              value: "1"\n            - name: GREETING'
      );
    const config = stack.kubeconfig();
    const created = await kubectl(config, ['apply', '-f', '-'], { input: legacy });
    expect(created).toMatchObject({ code: 0 });
    expect(stack.kube.get('apps/v1', 'Deployment', NS, 'web')).toMatchObject({
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': expect.any(String) } }
    });
    await until(
      'the first rollout',
      () => (liveWeb() as unknown as { status?: Json }).status?.availableReplicas === 2
    );

    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const { result } = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:v2` });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Deployment shop/web: the fields of kubectl's client-side apply (kubectl-client-side-apply) are now dockyard's"
    );
    // The check meets kubectl's ownership (a dry run's 409 naming only kubectl-client-side-apply); no write does.
    expect(conflicts().map(r => r.query.dryRun)).toEqual(['All']);
    const live = stack.kube.get('apps/v1', 'Deployment', NS, 'web') as {
      metadata: {
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        managedFields: { manager: string }[];
      };
      spec: { template: { spec: { containers: { name: string; env?: { name: string }[] }[] } } };
    };
    expect(live.metadata.labels).not.toHaveProperty('tier');
    expect(live.metadata.annotations).not.toHaveProperty('kubectl.kubernetes.io/last-applied-configuration');
    expect(live.spec.template.spec.containers[0].env?.map(e => e.name)).toEqual(['POD_NAME', 'GREETING']);
    expect(live.metadata.managedFields.map(e => e.manager)).not.toContain('kubectl-client-side-apply');
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v2`);
    ws.remove();
  }, 90_000);

  it('two pruning steps in one job (and two legs of a matrix) keep each other’s objects', async () => {
    const cm = (name: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: default }\ndata: { a: "1" }\n`;
    const ws = workspace({
      'k8s/web/config.yaml': `${cm('web-config')}---\n${cm('web-flags')}`,
      'k8s/worker/config.yaml': cm('worker-config')
    });
    const step = (id: string, manifests: string) =>
      deploy(ws.dir, { manifests, prune: 'true' }, { env: { GITHUB_ACTION: id } });
    const exist = (...names: string[]) =>
      expect(names.filter(n => !stack.kube.get('v1', 'ConfigMap', 'default', n))).toEqual([]);
    for (const [id, manifests] of [
      ['deploy-web', 'k8s/web'],
      ['deploy-worker', 'k8s/worker'],
      ['deploy-web', 'k8s/web']
    ])
      expect((await step(id, manifests)).result.code).toBe(0);
    exist('web-config', 'web-flags', 'worker-config');

    // Prune still prunes its own set: web-flags left the web step's manifests.
    ws.write({ 'k8s/web/config.yaml': cm('web-config') });
    const { result } = await step('deploy-web', 'k8s/web');
    expect(JSON.parse(result.outputs.resources)).toContainEqual({
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'web-flags',
      action: 'pruned'
    });
    expect(stack.kube.get('v1', 'ConfigMap', 'default', 'web-flags')).toBeUndefined();
    exist('web-config', 'worker-config');

    // The legs of a matrix: one step id, other manifests.
    for (const manifests of ['k8s/web', 'k8s/worker', 'k8s/web'])
      expect((await step('deploy', manifests)).result.code).toBe(0);
    exist('web-config', 'worker-config');
    ws.remove();
  }, 120_000);

  it('a Job whose template changed is replaced and completes; a running one is refused before any write', async () => {
    const ws = workspace({ 'k8s/job.yaml': migrateJob(`${REGISTRY}/web:v1`) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    const first = stack.kube.get('batch/v1', 'Job', 'default', 'migrate') as { metadata: { uid: string } };

    ws.write({ 'k8s/job.yaml': migrateJob(`${REGISTRY}/web:v2`) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(JSON.parse(result.outputs.resources)).toEqual([
      { kind: 'Job', namespace: 'default', name: 'migrate', action: 'replaced' }
    ]);
    expect(result.stdout).toMatch(/Job default\/migrate: complete/);
    const second = stack.kube.get('batch/v1', 'Job', 'default', 'migrate') as {
      metadata: { uid: string };
      spec: { template: { spec: { containers: { image: string }[] } } };
      status: { conditions?: { type: string; status: string }[] };
    };
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    expect(second.spec.template.spec.containers[0].image).toBe(`${REGISTRY}/web:v2`);
    expect(second.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Complete', status: 'True' })
    );

    // A Job still running (its pod runs a minute) whose template changes is not replaced.
    stack.kube.setTiming({ jobRunMs: 60_000 });
    ws.write({ 'k8s/job.yaml': migrateJob(`${REGISTRY}/web:v3`) });
    expect((await deploy(ws.dir, { manifests: 'k8s', wait: 'false' })).result.code).toBe(0);
    const writes = written().length;
    ws.write({ 'k8s/job.yaml': migrateJob(`${REGISTRY}/web:v4`) });
    const refused = await deploy(ws.dir, { manifests: 'k8s' });
    expect(refused.result.code).not.toBe(0);
    expect(refused.result.stdout).toMatch(
      /::error::Input 'replace-running-jobs': Job default\/migrate \(k8s\/job\.yaml\) has not finished \(1 active pod\)/
    );
    expect(written().length).toBe(writes);
    ws.remove();
  }, 120_000);

  it('a typo’d field fails before any write, with every refusal at once; warnings name their object', async () => {
    const typo = appManifest({
      extra: `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: ${NS} }\ndata: { a: "1" }\n`
    })
      .replace(
        '        - name: app\n',
        '        - name: app\n          livenesProbe: { httpGet: { path: /, port: 80 } }\n'
      )
      .replace('  ports: [{ port: 80, targetPort: 8080 }]', '  portz: [{ port: 80, targetPort: 8080 }]');
    // The namespace exists (the usual case): every object is checked before anything is written.
    stack.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const ws = workspace({ 'k8s/app.yaml': typo });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('FAILED');
    expect(result.commands.find(c => c.name === 'error')?.data.split('\n')).toEqual([
      "Input 'manifests': 2 of 4 objects were refused by the server-side dry run, so nothing was written:",
      expect.stringContaining('Service shop/web (k8s/app.yaml (document 3)): unknown field .spec.portz'),
      expect.stringContaining(
        'Deployment shop/web (k8s/app.yaml (document 2)): unknown field .spec.template.spec.containers[name="app"].livenesProbe'
      )
    ]);
    // Nothing in the cluster: every write was a dry run.
    expect(written()).toEqual([]);
    expect(stack.kube.get('v1', 'ConfigMap', NS, 'settings')).toBeUndefined();
    expect(stack.kube.get('apps/v1', 'Deployment', NS, 'web')).toBeUndefined();

    // A namespace the manifests create: its objects can be checked only once it exists, so it alone is written.
    await stack.fresh();
    const inNew = await deploy(ws.dir, { manifests: 'k8s' });
    expect(inNew.result.code).not.toBe(0);
    expect(inNew.result.stdout).toContain(
      'so only the Namespaces and CustomResourceDefinitions they need were written'
    );
    expect(written().map(r => `${r.verb} ${r.resource}`)).toEqual(['apply namespaces']);
    expect(stack.kube.get('v1', 'ConfigMap', NS, 'settings')).toBeUndefined();

    // A PodSecurity `warn` level on the namespace: the Deployment is applied, with the warning naming it.
    const warned = appManifest().replace(
      `  name: ${NS}\n`,
      `  name: ${NS}\n  labels: { pod-security.kubernetes.io/warn: restricted }\n`
    );
    ws.write({ 'k8s/app.yaml': warned });
    await stack.fresh();
    const ok = await deploy(ws.dir, { manifests: 'k8s' });
    expect(ok.result.code).toBe(0);
    const warnings = ok.result.commands.filter(c => c.name === 'warning').map(c => c.data);
    expect(
      warnings.filter(w => w.startsWith('Deployment shop/web: would violate PodSecurity "restricted:latest"'))
    ).toHaveLength(1);
    ws.remove();
  }, 90_000);
});
