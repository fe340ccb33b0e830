/**
 * deploy-eks end to end: the bundle (dist/deploy-eks/index.js) runs as the GitHub runner runs it, against
 * the Kubernetes API test server (sim/eks) behind moto's EKS and STS: DescribeCluster through the EKS front,
 * the token checked by replaying its presigned STS request against moto, pods that behave by image tag.
 * Each test checks the exit code, outputs, log, job summary and report, what the API server holds afterwards
 * and the requests the action made.
 */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { parseReports } from '../core/report.js';
import { appManifest, liveImages, NS, REGISTRY, workspace } from '../sim/eks/scenario.js';
import type { EksStack } from '../sim/eks/stack.js';
import type { RunOptions } from '../sim/runner.js';
import { deployEks, eksStackForFile, migrateJob, writes } from './eks.js';

let stack: EksStack;

eksStackForFile(started => (stack = started));

type Json = Record<string, unknown>;

/** A run of the bundle against this file's cluster (test/eks.ts: the smallest poll, the IAM policy checked). */
const deploy = (ws: string, inputs: Record<string, string>, options?: RunOptions) =>
  deployEks(stack, ws, inputs, options);

/**
 * The most times the kubelet backed off one container in the app's namespace (a BackOff event's count). The
 * back-off starts at 10 s and doubles, so at most 2 is a failure decided within about 30 s of the first back-off:
 * the target `npm run bench -- eks` measures in seconds, here counted by what the cluster did meanwhile.
 */
const mostBackOffs = () =>
  Math.max(
    0,
    ...(stack.kube.events(NS) as Json[]).filter(e => e.reason === 'BackOff').map(e => Number(e.count ?? 1))
  );

describe('deploy-eks against the Kubernetes API test server', () => {
  it('happy path: images set in init and app containers (registry with a port), the sidecar untouched, $(POD_NAME) left for the cluster', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const { result, requests, awsCalls } = await deploy(ws.dir, {
      manifests: 'k8s/',
      images: `web=${REGISTRY}/web:v2`
    });
    expect(result.code).toBe(0);
    expect(awsCalls).toEqual({ DescribeCluster: 1 });
    expect(result.outputs.status).toBe('COMPLETED');
    // In Helm's install order: the Service before the Deployment.
    expect(JSON.parse(result.outputs.resources)).toEqual([
      { kind: 'Namespace', name: NS, action: 'created' },
      { kind: 'Service', namespace: NS, name: 'web', action: 'created' },
      { kind: 'Deployment', namespace: NS, name: 'web', action: 'created' }
    ]);
    expect(liveImages(stack)).toEqual({
      migrate: `${REGISTRY}/web:v2`,
      app: `${REGISTRY}/web:v2`,
      proxy: `${REGISTRY}/web-sidecar:v1`
    });
    const live = stack.kube.get('apps/v1', 'Deployment', NS, 'web') as { metadata: Json; spec: Json };
    expect(JSON.stringify(live.spec)).toContain('hello from $(POD_NAME)');
    expect(live.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'dockyard',
      'dockyard.dev/set': expect.any(String)
    });
    expect(live.metadata.annotations).toMatchObject({
      'dockyard.dev/run': 'https://github.com/octo/app/actions/runs/4242',
      'dockyard.dev/commit': '0123456789abcdef0123456789abcdef01234567'
    });
    // Every write is a server-side apply by the dockyard field manager.
    const applies = stack.kube.requests.filter(r => r.verb === 'apply' || r.verb === 'patch');
    expect(applies.length).toBeGreaterThan(0);
    expect(applies.every(r => r.verb === 'apply' && r.query.fieldManager === 'dockyard')).toBe(true);
    expect(writes(requests)).toBe(requests.apply);
    const [report] = parseReports(result.outputs.report);
    expect(report).toMatchObject({
      action: 'deploy-eks',
      status: 'success',
      outcome: 'COMPLETED',
      eks: { cluster: stack.cluster }
    });
    expect(report.eks?.resources).toContain(`Deployment/${NS}/web`);
    expect(result.summary).toContain('COMPLETED');
    expect(result.summary).toContain(`${REGISTRY}/web:v2`);
    ws.remove();
  }, 60_000);

  it('CrashLoopBackOff: fails within two back-offs of the first with the reason and the last log line, rolled back', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    const run = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:crashloop` });
    const { result } = run;
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(run.firstSeen.CrashLoopBackOff).toBeDefined();
    expect(mostBackOffs()).toBeLessThanOrEqual(2);
    const rootCause = /web: container \w+ CrashLoopBackOff \(exit 1\): panic: cannot connect to database/;
    expect(result.stdout).toMatch(rootCause);
    expect(result.summary).toMatch(rootCause);
    expect(result.stdout).toContain('connecting to database db:5432');
    const [report] = parseReports(result.outputs.report);
    expect(report.summary).toMatch(rootCause);
    expect(report.diagnostics.flatMap(d => d.lines).join('\n')).toContain(
      'panic: cannot connect to database'
    );
    // The previous revision is back.
    expect(liveImages(stack)).toMatchObject({ app: `${REGISTRY}/web:v1`, migrate: `${REGISTRY}/web:v1` });

    // The next deploy after a rollback applies cleanly: no field-manager conflict left behind.
    const next = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:v3` });
    expect(next.result.code).toBe(0);
    expect(next.result.outputs.status).toBe('COMPLETED');
    expect(stack.kube.requests.filter(r => r.status === 409)).toEqual([]);
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v3`);
    ws.remove();
  }, 90_000);

  it('ErrImagePull: names the image, fails fast and rolls back', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    await deploy(ws.dir, { manifests: 'k8s' });
    const run = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:pull-fail` });
    expect(run.result.code).not.toBe(0);
    expect(run.result.outputs.status).toBe('ROLLED_BACK');
    expect(run.firstSeen.ErrImagePull ?? run.firstSeen.ImagePullBackOff).toBeDefined();
    expect(mostBackOffs()).toBeLessThanOrEqual(2);
    expect(run.result.stdout).toMatch(
      new RegExp(`web: container \\w+ (ErrImagePull|ImagePullBackOff): image ${REGISTRY}/web:pull-fail`)
    );
    ws.remove();
  }, 90_000);

  it('a pod that crashes once and then runs does not fail the deploy', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    await deploy(ws.dir, { manifests: 'k8s' });
    const { result } = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:crash-once` });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    const pods = stack.kube.list('v1', 'Pod', NS) as {
      status?: { containerStatuses?: { restartCount?: number }[] };
    }[];
    expect(pods.some(p => (p.status?.containerStatuses ?? []).some(c => (c.restartCount ?? 0) > 0))).toBe(
      true
    );
    ws.remove();
  }, 60_000);

  it('a rollout three token lifetimes long completes: the token is made again after a 401', async () => {
    // EKS tokens last 15 min and rollouts may last longer; here 3 s and 9 s.
    await stack.fresh({ tokenLifetimeMs: 3_000, timing: { readyMs: 9_000 } });
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 1 }) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' }, { timeoutMs: 90_000 });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(stack.kube.auth.rejections.some(r => r.reason === 'expired')).toBe(true);
    // Each 401 was followed by a success with a fresh token: never two in a row.
    const statuses = stack.kube.requests.map(r => r.status);
    expect(statuses.some((s, i) => s === 401 && statuses[i + 1] === 401)).toBe(false);
    ws.remove();
  }, 120_000);

  it('prune removes what left the manifests (kinds that left too) and nothing else', async () => {
    const extra = `apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: ${NS} }
data: { mode: fast }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: ${NS} }
spec:
  schedule: "0 3 * * *"
  jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: job, image: "${REGISTRY}/web:v1" }] } } } }
`;
    const ws = workspace({ 'k8s/app.yaml': appManifest({ extra }) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    // Something else's ConfigMap in the same namespace, without the set label.
    stack.kube.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'not-ours', namespace: NS },
      data: {}
    });
    ws.write({ 'k8s/app.yaml': appManifest() });
    const { result } = await deploy(ws.dir, { manifests: 'k8s', prune: 'true' });
    expect(result.code).toBe(0);
    const pruned = (
      JSON.parse(result.outputs.resources) as { kind: string; name: string; action: string }[]
    ).filter(r => r.action === 'pruned');
    expect(pruned.map(r => `${r.kind}/${r.name}`).sort()).toEqual(['ConfigMap/settings', 'CronJob/nightly']);
    expect(stack.kube.get('v1', 'ConfigMap', NS, 'settings')).toBeUndefined();
    expect(stack.kube.get('batch/v1', 'CronJob', NS, 'nightly')).toBeUndefined();
    expect(stack.kube.get('v1', 'ConfigMap', NS, 'not-ours')).toBeDefined();
    expect(stack.kube.get('apps/v1', 'Deployment', NS, 'web')).toBeDefined();

    // A Namespace that leaves the manifests is never pruned.
    ws.write({
      'k8s/app.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: alone, namespace: default }\n`
    });
    const after = await deploy(ws.dir, { manifests: 'k8s', prune: 'true' });
    expect(after.result.code).toBe(0);
    expect(stack.kube.get('v1', 'Namespace', '', NS)).toBeDefined();
    ws.remove();
  }, 90_000);

  it.each([
    [
      'malformed YAML',
      { 'k8s/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n' },
      {},
      'manifests'
    ],
    [
      'an images line that matches nothing',
      { 'k8s/app.yaml': appManifest() },
      { images: `api=${REGISTRY}/api:v2` },
      'images'
    ],
    ['a forgotten ${var.NAME}', { 'k8s/app.yaml': appManifest({ image: '${var.IMAGE}' }) }, {}, 'manifests']
  ])(
    '%s fails naming the input, with nothing written',
    async (_name, files, inputs, input) => {
      const ws = workspace(files);
      const { result, requests, awsCalls } = await deploy(ws.dir, { manifests: 'k8s', ...inputs });
      expect(result.code).not.toBe(0);
      expect(result.outputs.status).toBe('FAILED');
      expect(result.stdout).toContain(`Input '${input}'`);
      expect(requests).toEqual({});
      expect(awsCalls).toEqual({});
      const [report] = parseReports(result.outputs.report);
      expect(report.status).toBe('failure');
      ws.remove();
    },
    60_000
  );

  it('a Job is waited for until Complete; a failing Job fails the step with its reason', async () => {
    const ws = workspace({ 'k8s/job.yaml': migrateJob(`${REGISTRY}/web:v1`) });
    const ok = await deploy(ws.dir, { manifests: 'k8s' });
    expect(ok.result.code).toBe(0);
    expect(ok.result.stdout).toMatch(/Job default\/migrate: complete/);
    const done = stack.kube.get('batch/v1', 'Job', 'default', 'migrate') as {
      status?: { conditions?: { type: string }[] };
    };
    expect(done.status?.conditions?.some(c => c.type === 'Complete')).toBe(true);

    const bad = workspace({
      'k8s/job.yaml': migrateJob(`${REGISTRY}/web:fails`).replace(
        'name: migrate, namespace',
        'name: migrate-2, namespace'
      )
    });
    const failed = await deploy(bad.dir, { manifests: 'k8s' });
    expect(failed.result.code).not.toBe(0);
    expect(failed.result.outputs.status).toBe('FAILED');
    expect(failed.result.stdout).toContain('BackoffLimitExceeded');
    // The failed pod's log is in the diagnosis, its error line in the root cause.
    expect(failed.result.stdout).toMatch(
      /migrate-2: container migrate Error \(exit 1\): panic: cannot connect to database \(BackoffLimitExceeded\)/
    );
    const [report] = parseReports(failed.result.outputs.report);
    expect(report.diagnostics).toContainEqual(
      expect.objectContaining({
        title: expect.stringMatching(/^Last log lines of migrate-2-\S+\/migrate$/),
        lines: ['starting app', 'connecting to database db:5432', 'panic: cannot connect to database']
      })
    );
    ws.remove();
    bad.remove();
  }, 60_000);

  it('refuses an API server whose certificate the cluster CA does not vouch for', async () => {
    stack.kube.setCertificate('untrusted');
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const { result, requests } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('FAILED');
    expect(result.stdout).toMatch(/TLS certificate is not vouched for by the cluster's CA/);
    expect(requests).toEqual({});
    ws.remove();
  }, 60_000);

  it('a private-only endpoint is tried: a runner inside the VPC (here, the same host) deploys', async () => {
    stack.endpointAccess({ publicAccess: false, privateAccess: true });
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const { result, requests } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(result.stdout).toContain(
      'Cluster dockyard-test: the API endpoint is private only (endpointPublicAccess: false), reachable from inside'
    );
    expect(requests.apply).toBeGreaterThan(0);
    ws.remove();
  }, 60_000);

  it('429 from API Priority and Fairness: waits the Retry-After it sends, then goes on', async () => {
    stack.kube.throttle({ times: 2, retryAfterSeconds: 2, verb: 'patch', resource: 'deployments' });
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.code).toBe(0);
    // The throttled calls are the Deployment's server-side dry run (the first of its applies); then it is written.
    const tries = stack.kube.requests.filter(r => r.method === 'PATCH' && r.resource === 'deployments');
    expect(tries.map(r => `${r.status}${r.query.dryRun ? ' dry run' : ''}`)).toEqual([
      '429 dry run',
      '429 dry run',
      '201 dry run',
      '201'
    ]);
    // Each try comes at least the Retry-After (2 s) after the one refused; the SDK-like backoff would be 0.5 s, 1 s.
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(2000);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(2000);
    ws.remove();
  }, 60_000);

  it('a token the cluster keeps refusing is explained with the caller ARN and the access-entry advice', async () => {
    stack.kube.auth.alwaysFail = true;
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    const { result, awsCalls } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(
      /refused the token twice \(HTTP 401 Unauthorized\): it does not know arn:aws:(iam|sts)::123456789012:/
    );
    expect(result.stdout).toContain('create-access-entry');
    expect(awsCalls.GetCallerIdentity).toBe(1);
    ws.remove();
  }, 60_000);

  it('dry run: what would change and what prune would delete, nothing written; a Secret shows key names only', async () => {
    const settings = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: ${NS} }\n`;
    const secret = `apiVersion: v1\nkind: Secret\nmetadata: { name: db, namespace: ${NS} }\nstringData: { password: "\${var.DB_PASSWORD}" }\n`;
    // Issue 14's case: a Secret that held no data gets some (the diff printed `data: (none) → {"token":"…"}`).
    const api = (data: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata: { name: api, namespace: ${NS} }\n${data}`;
    const ws = workspace({
      'k8s/app.yaml': appManifest({ extra: `${settings}---\n${secret}---\n${api('type: Opaque\n')}` })
    });
    await deploy(ws.dir, { manifests: 'k8s', vars: 'DB_PASSWORD=old-hunter2' });
    ws.write({
      'k8s/app.yaml': appManifest({
        extra: `${secret}---\n${api(`data: { token: ${Buffer.from('tok-hunter2').toString('base64')} }\n`)}`
      })
    });
    const before = JSON.stringify(stack.kube.get('apps/v1', 'Deployment', NS, 'web'));
    const first = stack.kube.requests.length;
    const { result } = await deploy(ws.dir, {
      manifests: 'k8s',
      images: `web=${REGISTRY}/web:v9`,
      vars: 'DB_PASSWORD=new-hunter2',
      prune: 'true',
      'dry-run': 'true'
    });
    // A Secret's change is named by key, its values never shown (plain or base64), whatever it held before.
    expect(result.summary).toContain('data.password: (value changed)');
    expect(result.summary).toContain('data.token: (added)');
    // What the runner shows: stdout and stderr without the add-mask commands it consumes.
    const shown = result.output
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .join('\n');
    const masked = result.commands.filter(c => c.name === 'add-mask').map(c => c.data);
    for (const value of ['old-hunter2', 'new-hunter2', 'tok-hunter2']) {
      for (const text of [shown, result.summary, result.outputs.report, result.outputs.resources]) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(Buffer.from(value).toString('base64'));
      }
      expect(masked).toEqual(expect.arrayContaining([value, Buffer.from(value).toString('base64')]));
    }
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('DRY_RUN');
    expect(JSON.parse(result.outputs.resources)).toContainEqual({
      kind: 'ConfigMap',
      namespace: NS,
      name: 'settings',
      action: 'pruned'
    });
    expect(stack.kube.get('v1', 'ConfigMap', NS, 'settings')).toBeDefined();
    expect(result.summary).toContain(
      `spec.template.spec.containers[0].image: "${REGISTRY}/web:v1" → "${REGISTRY}/web:v9"`
    );
    const applies = stack.kube.requests.slice(first).filter(r => r.verb === 'apply');
    expect(applies.length).toBe(5);
    expect(
      stack.kube.requests
        .slice(first)
        .filter(r => r.verb === 'delete')
        .every(r => r.query.dryRun === 'All')
    ).toBe(true);
    expect(applies.every(r => r.query.dryRun === 'All')).toBe(true);
    expect(
      stack.kube.requests.slice(first).filter(r => ['create', 'update', 'patch'].includes(r.verb))
    ).toEqual([]);
    expect(JSON.stringify(stack.kube.get('apps/v1', 'Deployment', NS, 'web'))).toBe(before);
    ws.remove();
  }, 60_000);

  it('timeout: a rollout still going at the deadline is TIMED_OUT, naming the workload and where it stood', async () => {
    await stack.fresh({ timing: { readyMs: 60_000 } });
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 1 }) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s', timeout: '6s' });
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('TIMED_OUT');
    expect(result.stdout).toMatch(
      /::error::TIMED_OUT: web: container app is running but not ready: its readiness probe has not passed\. Timed out waiting for Deployment shop\/web \(0 of 1 updated replicas available\)/
    );
    expect(result.durationMs).toBeGreaterThanOrEqual(6_000 - 1_500);
    // Ended by the step's timeout, long before the pods would have become ready (60 s).
    expect(result.durationMs).toBeLessThan(6_000 + 20_000);
    expect(JSON.parse(result.outputs.report).status).toBe('failure');
    ws.remove();
  }, 60_000);

  it('SIGTERM while waiting: exits before the runner kills it, says what was left, sets the outputs', async () => {
    await stack.fresh({ timing: { readyMs: 60_000 } });
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 1 }) });
    // Sent once the objects are applied and the rollout (60 s to ready) is being waited for.
    const { result } = await deploy(
      ws.dir,
      { manifests: 'k8s' },
      {
        signal: { name: 'SIGTERM', whenOutput: /::group::Wait for the rollout[\s\S]*Deployment shop\/web: / }
      }
    );
    expect(result.outputs.status).toBe('CANCELLED');
    expect(result.code).not.toBe(0);
    // By itself, before the runner's kill (2.5 s after SIGTERM, sim/runner.ts).
    expect(result.signal).toBeNull();
    expect(result.stdout).toMatch(/not yet rolled out: Deployment shop\/web/);
    ws.remove();
  }, 60_000);

  it('a kubeconfig instead of an EKS lookup', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    stack.kubeconfig(join(ws.dir, 'kubeconfig'));
    const { result, awsCalls } = await deploy(ws.dir, {
      cluster: '',
      kubeconfig: 'kubeconfig',
      manifests: 'k8s'
    });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(awsCalls).toEqual({});
    ws.remove();
  }, 60_000);
});
