import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { memoryLogger } from '../../../core/log.js';
import { virtualClock } from '../../../core/poll.js';
import type { ClusterAccess } from './cluster.js';
import { readRecord, writeRecord } from './prune.js';
import { deploy, type Connect } from './deploy.js';
import type { Inputs } from './inputs.js';
import { ARGO_ROLLOUT } from './manifests.js';
import { KubeError, type Kube, type KubeObject } from './kube.js';
import { FakeKube } from './testing/fake-kube.js';
import { crashLooping, pod, replicaSet } from './testing/fixtures.js';

const access: ClusterAccess = {
  name: 'prod',
  server: 'https://k',
  via: 'eks',
  connection: { server: 'https://k', ca: '' }
};

const web = (image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { 'dockyard.dev/set': 's' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image }] } }
  }
});

const ws = realpathSync(mkdtempSync(join(tmpdir(), 'dockyard-eks-deploy-')));
mkdirSync(join(ws, 'k8s'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

/** The inputs of a deploy of k8s/web.yaml, which holds the web Deployment with `image`. */
const inputs = (image: string, over: Partial<Inputs> = {}): Inputs => {
  writeFileSync(join(ws, 'k8s/web.yaml'), stringify(web(image)));
  return {
    cluster: 'prod',
    region: 'us-east-1',
    namespace: 'default',
    workspace: ws,
    manifestFiles: [join(ws, 'k8s/web.yaml')],
    vars: {},
    imageRules: [],
    podTemplateKinds: [ARGO_ROLLOUT],
    waitFor: { loadBalancers: false, volumes: false },
    labels: { 'dockyard.dev/set': 's' },
    annotations: {},
    set: 's',
    prune: false,
    pruneCrds: false,
    prunePvcs: false,
    replaceRunningJobs: false,
    wait: true,
    timeoutMs: 600_000,
    pollIntervalMs: 2000,
    grace: { failureMs: 90_000, unschedulableMs: 120_000 },
    rollback: true,
    forceConflicts: false,
    fieldManager: 'dockyard',
    dryRun: false,
    ...over
  };
};

/** The fake cluster, reached. */
const reach =
  (kube: Kube): Connect =>
  async () => ({ access, kube, close: async () => kube.close() });

/** A controller: each apply of the Deployment makes a ReplicaSet revision (reused for a template seen before) with one pod. */
function cluster(behaviour: (image: string) => 'runs' | 'crashloop' | 'never-ready') {
  const kube = new FakeKube();
  const revisions: string[] = [];
  kube.onApply = o => {
    if (o.kind !== 'Deployment') return;
    const image = (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
      .containers[0].image;
    const hash = image.replace(/\W/g, '');
    revisions.push(hash);
    const revision = String(revisions.length);
    const rs = kube.put(replicaSet(o, revision, hash, image));
    const runs = behaviour(image) === 'runs';
    kube.put(
      pod(`web-${hash}-1`, rs, [
        behaviour(image) === 'crashloop'
          ? crashLooping(image)
          : { name: 'app', image, ready: runs, restartCount: 0, state: { running: {} } }
      ])
    );
    kube.logLines.set(`default/web-${hash}-1/app/previous`, ['panic: boom']);
    kube.put({
      ...o,
      metadata: {
        ...o.metadata,
        annotations: { ...o.metadata.annotations, 'deployment.kubernetes.io/revision': revision }
      },
      status: runs
        ? { observedGeneration: o.metadata.generation, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }
        : { observedGeneration: o.metadata.generation, replicas: 2, updatedReplicas: 1, availableReplicas: 1 }
    });
  };
  return kube;
}

const ctx = () => ({
  log: memoryLogger(),
  signal: new AbortController().signal,
  clock: virtualClock(1_000_000),
  deadline: 1_000_000 + 600_000
});

describe('deploy', () => {
  it('applies, records the set, waits, and completes', async () => {
    const kube = cluster(() => 'runs');
    const result = await deploy(inputs('web:v1'), ctx(), reach(kube));
    expect(result).toMatchObject({ status: 'COMPLETED', success: true, namespace: 'default' });
    expect(result.resources).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web', action: 'created' }
    ]);
    expect(
      await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'dockyard-set.s' })
    ).toMatchObject({ data: { kinds: 'apps/v1 Deployment' } });
  });

  it('a crash loop fails fast and rolls back to the previous revision: ROLLED_BACK, not a success', async () => {
    const kube = cluster(image => (image === 'web:v2' ? 'crashloop' : 'runs'));
    await deploy(inputs('web:v1'), ctx(), reach(kube));
    const result = await deploy(inputs('web:v2'), ctx(), reach(kube));
    expect(result).toMatchObject({
      status: 'ROLLED_BACK',
      success: false,
      rootCause: 'web: container app CrashLoopBackOff (exit 1): panic: boom'
    });
    // The root cause first, then what the wait saw, then what was done.
    expect(result.reason).toBe(
      'web: container app CrashLoopBackOff (exit 1): panic: boom. Deployment default/web failed to roll out. Deployment default/web rolled back to revision 1.'
    );
    const live = await kube.get<
      KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }
    >({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' });
    expect(live?.spec.template.spec.containers[0].image).toBe('web:v1');
    // Written (not dry-run) by one field manager: the deploys and the rollback.
    expect(
      kube.applies.filter(a => a.object.kind === 'Deployment' && !a.dryRun).map(a => a.fieldManager)
    ).toEqual(['dockyard', 'dockyard', 'dockyard']);
  });

  it('wait-for: a workload that fails ends the wait for a load balancer still without its address', async () => {
    const kube = cluster(() => 'crashloop');
    writeFileSync(
      join(ws, 'k8s/svc.yaml'),
      stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] }
      })
    );
    const result = await deploy(
      inputs('web:v1', {
        manifestFiles: [join(ws, 'k8s/web.yaml'), join(ws, 'k8s/svc.yaml')],
        waitFor: { loadBalancers: true, volumes: false }
      }),
      ctx(),
      reach(kube)
    );
    expect(result.status).toBe('FAILED');
    expect(result.workloads.map(w => `${w.ref.kind} ${w.outcome}`)).toEqual([
      'Deployment failed',
      'Service abandoned'
    ]);
    expect(result.loadBalancers).toEqual([]);
  });

  it('without rollback, or without a previous revision, the failure is FAILED', async () => {
    const kube = cluster(() => 'crashloop');
    expect((await deploy(inputs('web:v1'), ctx(), reach(kube))).status).toBe('FAILED');
    const other = cluster(image => (image === 'web:v2' ? 'crashloop' : 'runs'));
    await deploy(inputs('web:v1'), ctx(), reach(other));
    const result = await deploy(inputs('web:v2', { rollback: false }), ctx(), reach(other));
    expect([result.status, result.rollbacks]).toEqual(['FAILED', []]);
  });

  it('an unchanged re-run of a failing Deployment is not rolled back: FAILED, and it says why', async () => {
    const kube = cluster(image => (image === 'web:v2' ? 'crashloop' : 'runs'));
    await deploy(inputs('web:v1'), ctx(), reach(kube));
    expect((await deploy(inputs('web:v2', { rollback: false }), ctx(), reach(kube))).status).toBe('FAILED');
    const result = await deploy(inputs('web:v2'), ctx(), reach(kube));
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(
      /Deployment default\/web was not changed by this run: it is not rolled back\.$/
    );
    // Three deploys, each a dry run and a write; no rollback's apply.
    expect(kube.applies.filter(a => a.object.kind === 'Deployment' && !a.dryRun)).toHaveLength(3);
  });

  it('a wait that runs out of time is explained and rolled back; one of a Deployment this run created stays TIMED_OUT', async () => {
    const kube = cluster(image => (image === 'web:v2' ? 'never-ready' : 'runs'));
    const short = () => ({ ...ctx(), deadline: 1_000_000 + 60_000 });
    await deploy(inputs('web:v1'), ctx(), reach(kube));
    const stalled = await deploy(inputs('web:v2', { timeoutMs: 60_000 }), short(), reach(kube));
    expect(stalled).toMatchObject({
      status: 'ROLLED_BACK',
      rootCause: 'web: container app is running but not ready: its readiness probe has not passed'
    });
    const fresh = cluster(() => 'never-ready');
    const created = await deploy(inputs('web:v2', { timeoutMs: 60_000 }), short(), reach(fresh));
    expect(created.status).toBe('TIMED_OUT');
    expect(created.reason).toMatch(/was created by this run: nothing ran before it to go back to\.$/);
  });

  it('wait: false applies and stops; dry run writes nothing', async () => {
    const kube = cluster(() => 'crashloop');
    expect((await deploy(inputs('web:v1', { wait: false }), ctx(), reach(kube))).status).toBe('COMPLETED');
    const dry = new FakeKube();
    const result = await deploy(inputs('web:v1', { dryRun: true }), ctx(), reach(dry));
    expect(result.status).toBe('DRY_RUN');
    expect(dry.objects.size).toBe(0);
    expect(dry.applies.every(a => a.dryRun)).toBe(true);
  });

  it('an apply that fails ends FAILED with the explained error, nothing waited for', async () => {
    const kube = cluster(() => 'runs');
    kube.failApply = () =>
      new KubeError(422, 'PATCH', '/x', {
        message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1'
      });
    const result = await deploy(inputs('web:v1'), ctx(), reach(kube));
    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain("Input 'manifests': Deployment default/web (k8s/web.yaml) was refused");
    expect(result.workloads).toEqual([]);
  });

  it('a record the role may not read is a warning with prune; a refused token is the failure', async () => {
    const forbidden = cluster(() => 'runs');
    const get = forbidden.get.bind(forbidden);
    forbidden.get = async ref => {
      if (ref.kind === 'ConfigMap')
        throw new KubeError(403, 'GET', '/api/v1/namespaces/default/configmaps/x', { message: 'forbidden' });
      return get(ref);
    };
    const c = ctx();
    expect((await deploy(inputs('web:v1', { prune: true }), c, reach(forbidden))).status).toBe('COMPLETED');
    expect(c.log.text()).toMatch(/warning: Could not read the record of set s: forbidden/);
    const refused = cluster(() => 'runs');
    refused.get = async () => {
      throw new Error('The cluster refused the token twice (HTTP 401 Unauthorized)');
    };
    const result = await deploy(inputs('web:v1'), ctx(), reach(refused));
    expect([result.status, result.reason]).toEqual([
      'FAILED',
      'The cluster refused the token twice (HTTP 401 Unauthorized)'
    ]);
  });

  it('prunes only after the workloads are healthy: a failed rollout prunes nothing and keeps the kinds recorded', async () => {
    const kube = cluster(image => (image === 'web:v2' ? 'crashloop' : 'runs'));
    const old: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'old', namespace: 'default', labels: { 'dockyard.dev/set': 's' } }
    };
    kube.put(old);
    await writeRecord(kube, 's', 'default', { kinds: ['v1 ConfigMap'], namespaces: ['default'] }, 'dockyard');
    const failed = await deploy(inputs('web:v2', { prune: true }), ctx(), reach(kube));
    expect(failed.status).toBe('FAILED');
    expect(kube.deletes).toEqual([]);
    expect(await readRecord(kube, 's', 'default')).toMatchObject({
      kinds: ['apps/v1 Deployment', 'v1 ConfigMap']
    });

    const c = ctx();
    const healthy = await deploy(inputs('web:v1', { prune: true }), c, reach(kube));
    expect(healthy.status).toBe('COMPLETED');
    expect(healthy.resources.map(r => `${r.kind}/${r.name} ${r.action}`)).toContain('ConfigMap/old pruned');
    // The Prune group comes after the wait.
    const groups = c.log.lines.filter(l => l.startsWith('group: ')).map(l => l.slice(7));
    expect(groups.indexOf('Prune')).toBeGreaterThan(groups.indexOf('Wait for the rollout'));
    expect(await readRecord(kube, 's', 'default')).toMatchObject({ kinds: ['apps/v1 Deployment'] });
  });

  it('a cancel while applying stops at once and says what was applied', async () => {
    const controller = new AbortController();
    const kube = cluster(() => 'runs');
    kube.onApply = () => controller.abort(new Error('Received SIGTERM'));
    const result = await deploy(inputs('web:v1'), { ...ctx(), signal: controller.signal }, reach(kube));
    expect(result.status).toBe('CANCELLED');
    expect(result.reason).toBe('Stopped while applying: Received SIGTERM. 1 objects applied (1 created).');
  });
});
