/**
 * deploy-eks end to end, the rollout as real clusters behave (issue 15) and the text they print (issue 14): the
 * bundle runs as the runner runs it against the Kubernetes API test server, switched to what EKS does — pods
 * that never become Ready, admission refusing pods, a registry's 429, a node that arrives late, StatefulSets
 * stuck in their ordered update, apps that log workflow commands. Each test is scripted by what the cluster
 * reached and what the action asked it, not by wall-clock seconds; the server's `speed` and `backoffScale`
 * compress its clock where a real cluster would take minutes.
 */
import { describe, expect, it } from '@jest/globals';
import { parseReports } from '../core/report.js';
import { appManifest, liveImages, NS, REGISTRY, workspace } from '../sim/eks/scenario.js';
import type { RunOptions } from '../sim/runner.js';
import type { EksStack } from '../sim/eks/stack.js';
import { deployEks, eksStackForFile } from './eks.js';

let stack: EksStack;

eksStackForFile(started => (stack = started));

/** A run of the bundle against this file's cluster (test/eks.ts: the smallest poll, the IAM policy checked). */
const deploy = (ws: string, inputs: Record<string, string>, options?: RunOptions) =>
  deployEks(stack, ws, inputs, options);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the cluster

const GATE = 'target-health.elbv2.k8s.aws/k8s-shop-web-6b2ad5ec1f';

/** The action's reads of Deployments from `since` (epoch ms) until its first write to one (the rollback). */
function looksBeforeRollback(eks: typeof stack, since: number): number {
  const later = eks.kube.requests.filter(r => r.at >= since && r.resource === 'deployments');
  const write = later.findIndex(
    r => ['apply', 'patch', 'update'].includes(r.verb) && r.query.dryRun === undefined
  );
  return later.slice(0, write < 0 ? undefined : write).filter(r => ['get', 'list'].includes(r.verb)).length;
}

/** A Deployment `web` in `shop` with the given image and pod spec extras (readiness gates), and its deadline. */
function webManifest(options: {
  image: string;
  replicas?: number;
  deadlineSeconds?: number;
  gates?: boolean;
}): string {
  return `apiVersion: v1
kind: Namespace
metadata: { name: ${NS} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${options.replicas ?? 2}
  progressDeadlineSeconds: ${options.deadlineSeconds ?? 600}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      ${options.gates ? `readinessGates: [{ conditionType: ${GATE} }]` : ''}
      containers:
        - name: app
          image: ${options.image}
          readinessProbe: { httpGet: { path: /healthz, port: 8080 } }
`;
}

/** A workload of `kind` in `default` whose one container is named after it; `spec`: more of its spec, as YAML. */
function workloadManifest(kind: string, name: string, image: string, spec = ''): string {
  return `apiVersion: apps/v1
kind: ${kind}
metadata: { name: ${name}, namespace: default }
spec:
  ${spec}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: ${name}, image: "${image}" }] }
`;
}

const rollbackApplies = (since: number) =>
  stack.kube.requests
    .slice(since)
    .filter(r => r.verb === 'apply' && r.resource === 'deployments' && r.query.dryRun !== 'All').length;

describe('deploy-eks: failures explained, not timed out', () => {
  it('never Ready: fails at the progress deadline naming the readiness probe, its events and the log; rolled back', async () => {
    // 600 s of progress deadline in 5 s: the server's clock at 120×.
    await stack.fresh({ speed: 120 });
    const ws = workspace({ 'k8s/app.yaml': webManifest({ image: `${REGISTRY}/web:v1` }) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    ws.write({ 'k8s/app.yaml': webManifest({ image: `${REGISTRY}/web:never-ready` }) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' }, { timeoutMs: 120_000 });
    expect(result.outputs.status).toBe('ROLLED_BACK');
    const cause =
      'web: container app is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 503 (ProgressDeadlineExceeded)';
    expect(result.stdout).toContain(cause);
    expect(result.summary).toContain('Readiness probe failed: HTTP probe failed with statuscode: 503');
    const [report] = parseReports(result.outputs.report);
    const evidence = report.diagnostics.flatMap(d => [d.title, ...d.lines]).join('\n');
    expect(evidence).toMatch(/Pod web-\S+: Unhealthy: Readiness probe failed/);
    expect(evidence).toMatch(/Last log lines of web-\S+\/app\nstarting app\nlistening on :8080/);
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v1`);
    ws.remove();
  }, 120_000);

  it("an ALB readiness gate that never opens: the gate's condition is named, and the Deployment rolled back", async () => {
    // The AWS Load Balancer Controller finds every target unhealthy; v1 has no gate, v2 has one.
    await stack.fresh({ speed: 120, readinessGates: 'closed' });
    const ws = workspace({ 'k8s/app.yaml': webManifest({ image: `${REGISTRY}/web:v1` }) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    ws.write({ 'k8s/app.yaml': webManifest({ image: `${REGISTRY}/web:v2`, gates: true }) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' }, { timeoutMs: 120_000 });
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(result.stdout).toMatch(
      new RegExp(
        `web: pod web-\\S+ is not ready: readiness gate ${GATE} is False: Target.FailedHealthChecks \\(Health checks failed\\)`
      )
    );
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v1`);
    ws.remove();
  }, 120_000);

  it('never Ready past the step’s timeout (before the deadline): TIMED_OUT, explained the same way, rolled back', async () => {
    const ws = workspace({ 'k8s/app.yaml': webManifest({ image: `${REGISTRY}/web:v1` }) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    ws.write({ 'k8s/app.yaml': webManifest({ image: `${REGISTRY}/web:never-ready` }) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s', timeout: '20s' });
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(result.stdout).toContain(
      'web: container app is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 503'
    );
    expect(result.stdout).toMatch(/Timed out waiting for Deployment shop\/web/);
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v1`);
    ws.remove();
  }, 120_000);

  it('pods refused by a ResourceQuota: fails on the first FailedCreate, naming the quota; nothing waited out', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    // The namespace is full: the rollout's surge pod is refused (maxUnavailable rounds down to 0 of 2).
    stack.kube.apply({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: NS },
      spec: { hard: { pods: '2' } }
    });
    const run = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:v2` });
    const { result } = run;
    expect(result.code).not.toBe(0);
    expect(run.firstSeen.ReplicaFailure).toBeDefined();
    // Failed at the look that showed the refusal (issue: within 30 s, as a count of looks, not seconds): the
    // action read the Deployment at most twice between the controller's ReplicaFailure and the rollback's write.
    expect(looksBeforeRollback(stack, run.firstSeen.ReplicaFailure)).toBeLessThanOrEqual(2);
    expect(result.stdout).toMatch(
      /web: pods cannot be created \(FailedCreate\): pods "web-\S+" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2/
    );
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:v1`);
    ws.remove();
  }, 90_000);

  it('a paused Deployment is said at once, not waited for', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    stack.kube.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: NS },
        spec: { paused: true }
      },
      { manager: 'kubectl-rollout' }
    );
    const since = stack.kube.requests.length;
    const { result } = await deploy(ws.dir, { manifests: 'k8s', images: `web=${REGISTRY}/web:v2` });
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('FAILED');
    expect(result.stdout).toContain('Deployment shop/web is paused');
    // This run's own looks at the pods: the first poll decided.
    const podLists = stack.kube.requests.slice(since).filter(r => r.resource === 'pods' && r.verb === 'list');
    expect(podLists.length).toBeLessThan(3);
    ws.remove();
  }, 60_000);
});

describe('deploy-eks: no false alarms', () => {
  it('a registry 429 on one of three pods: the pull is retried and the rollout completes', async () => {
    // One node: every pod pulls there, and only the first pull is refused. The back-off (10 s) runs at 0.3×.
    await stack.fresh({ nodes: 1, pullThrottle: { node: 'node-1', failures: 1 }, backoffScale: 0.3 });
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 3 }) });
    const run = await deploy(ws.dir, { manifests: 'k8s' });
    expect(run.firstSeen.ErrImagePull).toBeDefined();
    expect(run.result.outputs.status).toBe('COMPLETED');
    expect(run.result.code).toBe(0);
    ws.remove();
  }, 90_000);

  it('a node that takes 60 s to arrive (Karpenter: FailedScheduling, then Nominated) is waited for, not failed on', async () => {
    // 60 s of provisioning at 20×: 3 s, longer than the unschedulable grace this run gives (1 s).
    await stack.fresh({ speed: 20, lateNode: { delayMs: 60_000 } });
    const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: 1 }) });
    const run = await deploy(ws.dir, { manifests: 'k8s', 'unschedulable-grace': '1s' });
    expect(run.result.outputs.status).toBe('COMPLETED');
    const events = stack.kube.events(NS) as Json[];
    expect(events.some(e => e.reason === 'Nominated')).toBe(true);
    expect(events.some(e => e.reason === 'FailedScheduling')).toBe(true);
    ws.remove();
  }, 60_000);

  it('a pod unschedulable with no node on its way fails after unschedulable-grace, named, and is rolled back', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    const { result } = await deploy(ws.dir, {
      manifests: 'k8s',
      images: `web=${REGISTRY}/web:unschedulable`,
      'unschedulable-grace': '2s'
    });
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(result.stdout).toMatch(
      /web: pod web-\S+ Unschedulable: 0\/3 nodes are available: 3 Insufficient cpu/
    );
    ws.remove();
  }, 60_000);
});

describe('deploy-eks: no surprise rollbacks', () => {
  it('an unchanged re-run of a failing Deployment is not rolled back: production stays as this run found it', async () => {
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    const crashing = { manifests: 'k8s', images: `web=${REGISTRY}/web:crashloop`, rollback: 'false' };
    expect((await deploy(ws.dir, crashing)).result.outputs.status).toBe('FAILED');
    const since = stack.kube.requests.length;
    const { result } = await deploy(ws.dir, { ...crashing, rollback: 'true' });
    expect(result.outputs.status).toBe('FAILED');
    expect(result.stdout).toContain('Deployment shop/web was not changed by this run: it is not rolled back');
    // One apply per object (the dry runs aside), none for a rollback; the crashing revision stays.
    expect(rollbackApplies(since)).toBe(1);
    expect(liveImages(stack).app).toBe(`${REGISTRY}/web:crashloop`);
    ws.remove();
  }, 90_000);

  it('a crash-looping StatefulSet is rolled back: its stuck pod replaced, every pod on the old revision again', async () => {
    await stack.fresh({ backoffScale: 0.2 });
    const sts = (image: string) =>
      workloadManifest('StatefulSet', 'db', image, 'replicas: 3\n  serviceName: db');
    const ws = workspace({ 'k8s/db.yaml': sts(`${REGISTRY}/db:v1`) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    const revision = (stack.kube.get('apps/v1', 'StatefulSet', 'default', 'db') as Json).status
      .currentRevision;
    ws.write({ 'k8s/db.yaml': sts(`${REGISTRY}/db:crashloop`) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(result.stdout).toMatch(
      /db: container db CrashLoopBackOff \(exit 1\): panic: cannot connect to database/
    );
    const live = stack.kube.get('apps/v1', 'StatefulSet', 'default', 'db') as Json;
    expect(live.status).toMatchObject({
      currentRevision: revision,
      updateRevision: revision,
      readyReplicas: 3
    });
    const pods = stack.kube.list('v1', 'Pod', 'default') as Json[];
    expect(pods.map(p => p.metadata.labels['controller-revision-hash'])).toEqual([
      revision,
      revision,
      revision
    ]);
    expect(pods.every(p => p.spec.containers[0].image === `${REGISTRY}/db:v1`)).toBe(true);
    ws.remove();
  }, 90_000);

  it("a crash-looping DaemonSet: judged by its new template's pods, rolled back, every node on the old template", async () => {
    await stack.fresh({ backoffScale: 0.2 });
    const daemon = (image: string) => workloadManifest('DaemonSet', 'agent', image);
    const ws = workspace({ 'k8s/agent.yaml': daemon(`${REGISTRY}/agent:v1`) });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    ws.write({ 'k8s/agent.yaml': daemon(`${REGISTRY}/agent:crashloop`) });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(result.stdout).toMatch(/agent: container agent CrashLoopBackOff \(exit 1\)/);
    expect(result.stdout).toContain('DaemonSet default/agent rolled back to template generation 1.');
    const pods = stack.kube.list('v1', 'Pod', 'default') as Json[];
    expect(pods).toHaveLength(3);
    expect(pods.every(p => p.spec.containers[0].image === `${REGISTRY}/agent:v1`)).toBe(true);
    ws.remove();
  }, 90_000);

  it('a Job with restartPolicy OnFailure: its crash loop fails it only at backoffLimit, with its log', async () => {
    await stack.fresh({ backoffScale: 0.05 });
    const ws = workspace({
      'k8s/job.yaml': `apiVersion: batch/v1
kind: Job
metadata: { name: migrate, namespace: default }
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: OnFailure
      containers: [{ name: migrate, image: "${REGISTRY}/web:crashloop" }]
`
    });
    const { result } = await deploy(ws.dir, { manifests: 'k8s' });
    expect(result.outputs.status).toBe('FAILED');
    expect(result.stdout).toMatch(
      /migrate: container migrate (CrashLoopBackOff|Error) \(exit 1\): panic: cannot connect to database \(BackoffLimitExceeded\)/
    );
    // The Job's own verdict ended the wait, not its first CrashLoopBackOff.
    const job = stack.kube.get('batch/v1', 'Job', 'default', 'migrate') as Json;
    expect(job.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' })
    );
    ws.remove();
  }, 90_000);
});

describe('deploy-eks: what apps and clusters print stays text (issue 14)', () => {
  it('a crash-looping pod whose logs, termination message and events are workflow commands: none runs, no output is set by them', async () => {
    const hostile = [
      '::add-mask::ROLLED_BACK',
      '::set-output name=status::COMPLETED',
      '##[set-output name=status;]COMPLETED',
      '::ADD-MASK::ROLLED_BACK',
      '::Set-Output name=status::COMPLETED',
      'GET / ##[SET-OUTPUT name=injected;]yes',
      '::warning::forged warning',
      '::stop-commands::forged',
      '::error file=app.js,line=1::forged error',
      'panic: ::set-output name=injected::yes'
    ];
    const ws = workspace({ 'k8s/app.yaml': appManifest() });
    expect((await deploy(ws.dir, { manifests: 'k8s' })).result.code).toBe(0);
    stack.kube.setBehaviour(`${REGISTRY}/web:evil`, {
      behaviour: 'crashloop',
      logs: hostile,
      message: '##[set-output name=injected;]yes'
    });
    stack.kube.apply({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.forged', namespace: NS },
      type: 'Warning',
      reason: 'Forged',
      message: '##[add-mask]ROLLED_BACK ::warning::forged',
      involvedObject: { kind: 'Deployment', name: 'web', namespace: NS }
    });
    const { result } = await deploy(ws.dir, {
      manifests: 'k8s',
      images: `web=${REGISTRY}/web:evil`
    });
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(result.outputs.injected).toBeUndefined();
    // The evidence is there, as data.
    expect(result.stdout).toContain('::error file=app.js,line=1::forged error');
    expect(result.stdout).toContain('(Error: ##[set-output name=injected;]yes)');
    expect(result.stdout).toContain('Deployment web: Forged: ##[add-mask]ROLLED_BACK ::warning::forged');
    expect(result.summary).toContain('forged error');
    // What runs: our groups, annotations and stop-commands blocks, and the mask of our own token; nothing the
    // app or the cluster wrote.
    const ours = new Set([
      'group',
      'endgroup',
      'debug',
      'notice',
      'warning',
      'error',
      'stop-commands',
      'add-mask'
    ]);
    for (const c of result.commands) {
      expect([c.name, ours.has(c.name) || /^[0-9a-f]{32}$/.test(c.name)]).toEqual([c.name, true]);
      if (c.name === 'stop-commands') expect(c.data).toMatch(/^[0-9a-f]{32}$/);
      if (c.name === 'add-mask') expect(c.data).toMatch(/^k8s-aws-v1\./);
      expect(c.properties.file).toBeUndefined();
      expect(`${c.properties.title ?? ''} ${c.name === 'warning' ? c.data : ''}`).not.toMatch(/forged/);
    }
    expect(result.commands.filter(c => c.name === 'set-output')).toEqual([]);
    ws.remove();
  }, 90_000);
});
