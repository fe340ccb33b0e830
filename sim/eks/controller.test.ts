/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON here */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { Admission } from './admission.js';
import { BehaviourTable, DEFAULT_TIMING } from './behaviour.js';
import { Controller, resolveIntOrPercent, templateHash } from './controller.js';
import { imageReferenceError } from './kubelet.js';
import { ResourceRegistry } from './resources.js';
import { condition } from './status.js';
import { Store, TEMPLATE_GENERATION } from './store.js';

let now: number;
let store: Store;
let registry: ResourceRegistry;
let behaviours: BehaviourTable;
let controller: Controller;

const info = (apiVersion: string, kind: string) => registry.byKind(apiVersion, kind)!;
const get = (apiVersion: string, kind: string, name: string): any =>
  store.get(info(apiVersion, kind), 'default', name);
const list = (apiVersion: string, kind: string): any[] =>
  store.list(info(apiVersion, kind), 'default').map(e => store.render(e));

/** Runs the controllers for `ms` of virtual time in 50 ms ticks. */
function run(ms: number, until?: () => boolean): void {
  for (let t = 0; t < ms; t += 50) {
    now += 50;
    controller.tick();
    if (until?.()) return;
  }
}

function deploy(name: string, image: string, spec: any = {}): void {
  const existing = get('apps/v1', 'Deployment', name);
  store.write(
    info('apps/v1', 'Deployment'),
    {
      metadata: {
        name,
        namespace: 'default',
        ...(existing ? { annotations: existing.metadata.annotations } : {})
      },
      spec: {
        replicas: 3,
        progressDeadlineSeconds: 600,
        revisionHistoryLimit: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
        ...spec
      },
      ...(existing ? { status: existing.status } : {})
    },
    { manager: 'test' }
  );
}

/** kubectl's rollout status rule for a Deployment: done, waiting, or failed. */
function rolloutStatus(d: any): 'done' | 'waiting' | 'failed' {
  if (d.metadata.generation > (d.status?.observedGeneration ?? 0)) return 'waiting';
  if (condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded') return 'failed';
  const s = d.status ?? {};
  if ((s.updatedReplicas ?? 0) < d.spec.replicas) return 'waiting';
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return 'waiting';
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return 'waiting';
  return 'done';
}

beforeEach(() => {
  now = Date.UTC(2026, 11, 6, 10, 0, 0);
  store = new Store();
  registry = new ResourceRegistry();
  behaviours = new BehaviourTable();
  controller = new Controller(
    store,
    registry,
    behaviours,
    {
      nodes: 3,
      speed: 1,
      timing: DEFAULT_TIMING,
      crdEstablishMs: 200,
      backoffScale: 1,
      readinessGates: 'open',
      loadBalancers: { delayMs: 1000 },
      volumes: { provisionMs: 500 }
    },
    () => now
  );
});

describe('rollout arithmetic', () => {
  it('rounds maxSurge up and maxUnavailable down, as the deployment controller does', () => {
    expect(resolveIntOrPercent('25%', 3, true, '25%')).toBe(1);
    expect(resolveIntOrPercent('25%', 3, false, '25%')).toBe(0);
    expect(resolveIntOrPercent(undefined, 10, false, '25%')).toBe(2);
    expect(resolveIntOrPercent(2, 10, true, '25%')).toBe(2);
  });

  it('hashes a template the same way every time, and differently for another image', () => {
    const t = { spec: { containers: [{ name: 'a', image: 'x:1' }] } };
    expect(templateHash(t)).toBe(templateHash(JSON.parse(JSON.stringify(t))));
    expect(templateHash(t)).not.toBe(templateHash({ spec: { containers: [{ name: 'a', image: 'x:2' }] } }));
    expect(templateHash(t)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });
});

describe('image references', () => {
  it.each([
    ['nginx', undefined],
    ['nginx:1.27', undefined],
    ['registry.example.com:5000/team/web:1', undefined],
    ['localhost/web@sha256:' + 'a'.repeat(64), undefined],
    ['web:bad tag', 'invalid reference format'],
    ['Web:1', 'invalid reference format: repository name (library/Web) must be lowercase'],
    ['', 'invalid reference format'],
    ['web@sha256:xyz', 'invalid reference format']
  ])('%s: %s', (image, error) => {
    expect(imageReferenceError(image)).toBe(error);
  });
});

describe('Deployments', () => {
  it('rolls out: a ReplicaSet with the template hash and revision 1, then every replica available', () => {
    deploy('web', 'web:1');
    run(5000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    const d = get('apps/v1', 'Deployment', 'web');
    expect(rolloutStatus(d)).toBe('done');
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3
    });
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    const [rs] = list('apps/v1', 'ReplicaSet');
    const hash = rs.metadata.labels['pod-template-hash'];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(list('v1', 'Pod').every(p => p.metadata.labels['pod-template-hash'] === hash)).toBe(true);
  });

  it('never goes below replicas - maxUnavailable available pods nor above replicas + maxSurge pods in an update', () => {
    deploy('web', 'web:1', { replicas: 4 });
    run(5000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    deploy('web', 'web:2', { replicas: 4 });
    let maxPods = 0;
    let minAvailable = Infinity;
    run(10_000, () => {
      const d = get('apps/v1', 'Deployment', 'web');
      maxPods = Math.max(maxPods, list('v1', 'Pod').length);
      minAvailable = Math.min(minAvailable, d.status.availableReplicas ?? 0);
      return rolloutStatus(d) === 'done';
    });
    expect(rolloutStatus(get('apps/v1', 'Deployment', 'web'))).toBe('done');
    expect(maxPods).toBeLessThanOrEqual(5);
    expect(minAvailable).toBeGreaterThanOrEqual(3);
    const sets = list('apps/v1', 'ReplicaSet').map(rs => [
      rs.metadata.annotations['deployment.kubernetes.io/revision'],
      rs.spec.replicas
    ]);
    expect(sets.sort()).toEqual([
      ['1', 0],
      ['2', 4]
    ]);
  });

  it('reuses the old ReplicaSet with the next revision when the old template comes back (rollout undo)', () => {
    deploy('web', 'web:1');
    run(5000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    const first = list('apps/v1', 'ReplicaSet')[0].metadata.name;
    deploy('web', 'web:2');
    run(5000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    deploy('web', 'web:1');
    run(5000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    const sets = list('apps/v1', 'ReplicaSet');
    expect(sets).toHaveLength(2);
    const reused = sets.find(rs => rs.metadata.name === first);
    expect(reused.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(reused.spec.replicas).toBe(3);
    expect(
      get('apps/v1', 'Deployment', 'web').metadata.annotations['deployment.kubernetes.io/revision']
    ).toBe('3');
  });

  it('with terminateMs, replaced pods stay Terminating for that long without being counted', () => {
    controller.options = { ...controller.options, timing: { ...DEFAULT_TIMING, terminateMs: 2000 } };
    deploy('web', 'web:1', { replicas: 2 });
    run(5000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    deploy('web', 'web:2', { replicas: 2 });
    let sawTerminating = false;
    run(10_000, () => {
      const terminating = list('v1', 'Pod').filter(p => p.metadata.deletionTimestamp);
      if (terminating.length) {
        sawTerminating = true;
        expect(terminating.every(p => p.spec.containers[0].image === 'web:1')).toBe(true);
      }
      return rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done' && terminating.length === 0;
    });
    expect(sawTerminating).toBe(true);
    expect(get('apps/v1', 'Deployment', 'web').status).toMatchObject({ replicas: 2, updatedReplicas: 2 });
    expect(list('v1', 'Pod').map(p => p.spec.containers[0].image)).toEqual(['web:2', 'web:2']);
    const killing = store
      .list(info('v1', 'Event'), 'default')
      .filter(e => (e.object as any).reason === 'Killing');
    expect(killing).toHaveLength(2);
  });

  it('reports ProgressDeadlineExceeded once progressDeadlineSeconds pass without progress', () => {
    deploy('web', 'web:crashloop', { progressDeadlineSeconds: 5 });
    run(4000);
    expect(rolloutStatus(get('apps/v1', 'Deployment', 'web'))).toBe('waiting');
    run(4000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'failed');
    const d = get('apps/v1', 'Deployment', 'web');
    expect(condition(d, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded'
    });
    expect(condition(d, 'Progressing')!.message).toMatch(
      /^ReplicaSet "web-[a-z0-9]+" has timed out progressing\.$/
    );
  });

  it('a speed of 10 makes the same rollout ten times shorter', () => {
    // Phases of seconds, so that the 50 ms tick does not dominate.
    const timing = { ...DEFAULT_TIMING, scheduleMs: 1000, startMs: 3000, readyMs: 4000 };
    const elapsed = (speed: number) => {
      controller.options = { ...controller.options, timing, speed };
      const start = now;
      deploy(`web${speed}`, 'web:1');
      run(60_000, () => rolloutStatus(get('apps/v1', 'Deployment', `web${speed}`)) === 'done');
      return now - start;
    };
    const slow = elapsed(1);
    const fast = elapsed(10);
    expect(slow).toBeGreaterThanOrEqual(8000);
    expect(fast).toBeGreaterThanOrEqual(800);
    expect(fast).toBeLessThan(slow / 5);
  });
});

describe('pods by image', () => {
  const podOf = (name: string) => list('v1', 'Pod').find(p => p.metadata.labels.app === name);
  const appStatus = (name: string) => podOf(name)?.status?.containerStatuses?.[0];

  it("crash-loops: exit 1, restart, then CrashLoopBackOff with the crashed instance's lines kept", () => {
    deploy('web', 'web:crashloop', { replicas: 1 });
    run(5000, () => appStatus('web')?.state?.waiting?.reason === 'CrashLoopBackOff');
    const s = appStatus('web');
    expect(s.state.waiting.reason).toBe('CrashLoopBackOff');
    expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(s.restartCount).toBe(1);
    expect(s.ready).toBe(false);
    const logs = controller.logs(podOf('web').metadata.uid, 'app')!;
    expect(logs.instances.at(-1)!.at(-1)).toBe('panic: cannot connect to database');
    const backoff = store
      .list(info('v1', 'Event'), 'default')
      .map(e => e.object as any)
      .find(e => e.reason === 'BackOff');
    expect(backoff).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'Pod', name: podOf('web').metadata.name, fieldPath: 'spec.containers{app}' }
    });
  });

  it('a crashing container reports what it wrote to its termination log as its terminated message', () => {
    behaviours.set('web:oom', { behaviour: 'crashloop', message: 'out of memory: heap limit 512Mi reached' });
    deploy('web', 'web:oom', { replicas: 1 });
    run(5000, () => appStatus('web')?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(appStatus('web').lastState.terminated).toMatchObject({
      exitCode: 1,
      message: 'out of memory: heap limit 512Mi reached'
    });
  });

  it('crash-once: restarts once and becomes ready, never in CrashLoopBackOff', () => {
    deploy('web', 'web:crash-once', { replicas: 1 });
    let sawBackOff = false;
    run(5000, () => {
      sawBackOff ||= appStatus('web')?.state?.waiting?.reason === 'CrashLoopBackOff';
      return rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done';
    });
    expect(rolloutStatus(get('apps/v1', 'Deployment', 'web'))).toBe('done');
    expect(sawBackOff).toBe(false);
    expect(appStatus('web')).toMatchObject({
      ready: true,
      restartCount: 1,
      lastState: { terminated: { exitCode: 1 } }
    });
  });

  it('pull-fail: ErrImagePull then ImagePullBackOff, with the Failed event naming the image', () => {
    deploy('web', 'registry.example.com:5000/team/web:pull-fail', { replicas: 1 });
    const reasons = new Set<string>();
    run(3000, () => {
      const r = appStatus('web')?.state?.waiting?.reason;
      if (r) reasons.add(r);
      return reasons.has('ImagePullBackOff');
    });
    expect([...reasons]).toEqual(expect.arrayContaining(['ErrImagePull', 'ImagePullBackOff']));
    expect(podOf('web').status.phase).toBe('Pending');
    const failed = store
      .list(info('v1', 'Event'), 'default')
      .map(e => e.object as any)
      .find(e => e.reason === 'Failed' && e.message.startsWith('Failed to pull image'));
    expect(failed.message).toContain('"registry.example.com:5000/team/web:pull-fail"');
  });

  it('unschedulable: Pending with PodScheduled False and a FailedScheduling event', () => {
    deploy('web', 'web:unschedulable', { replicas: 1 });
    run(1000);
    const pod = podOf('web');
    expect(pod.status.phase).toBe('Pending');
    expect(condition(pod, 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(
      store.list(info('v1', 'Event'), 'default').some(e => (e.object as any).reason === 'FailedScheduling')
    ).toBe(true);
  });

  it('CreateContainerConfigError while an env ConfigMap is missing, running once it exists', () => {
    store.write(info('apps/v1', 'Deployment'), {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'web:1',
                env: [{ name: 'DB', valueFrom: { configMapKeyRef: { name: 'db', key: 'url' } } }]
              }
            ]
          }
        }
      }
    });
    run(2000);
    expect(appStatus('web').state.waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'configmap "db" not found'
    });
    store.write(info('v1', 'ConfigMap'), {
      metadata: { name: 'db', namespace: 'default' },
      data: { other: 'x' }
    });
    run(1000);
    expect(appStatus('web').state.waiting.message).toBe("couldn't find key url in ConfigMap default/db");
    store.write(info('v1', 'ConfigMap'), {
      metadata: { name: 'db', namespace: 'default' },
      data: { url: 'postgres://db' }
    });
    run(3000, () => appStatus('web')?.ready === true);
    expect(appStatus('web')).toMatchObject({ ready: true, state: { running: {} } });
  });

  it('InvalidImageName for an image reference that does not parse', () => {
    deploy('web', 'Registry.example.com/Team/Web:1', { replicas: 1 });
    run(1000);
    expect(appStatus('web').state.waiting.reason).toBe('InvalidImageName');
    expect(appStatus('web').state.waiting.message).toContain('must be lowercase');
  });

  it('a rule can make scheduling slow without any scheduling failure (a Fargate pod)', () => {
    behaviours.set('web:1', { behaviour: 'runs', timing: { scheduleMs: 60_000 } });
    deploy('web', 'web:1', { replicas: 1 });
    run(30_000);
    expect(podOf('web').status.phase).toBe('Pending');
    expect(podOf('web').status.conditions ?? []).toEqual([]);
    run(35_000, () => appStatus('web')?.ready === true);
    expect(appStatus('web')?.ready).toBe(true);
  });

  it('a rule set by the test wins over the tag', () => {
    behaviours.set('web:1', { behaviour: 'crashloop', logs: ['boom'] });
    deploy('web', 'web:1', { replicas: 1 });
    run(5000, () => appStatus('web')?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(controller.logs(podOf('web').metadata.uid, 'app')!.instances[0]).toEqual(['boom']);
  });
});

describe('other workloads', () => {
  it('a Job completes, and one whose pods fail reaches its backoff limit', () => {
    const job = (name: string, image: string) =>
      store.write(info('batch/v1', 'Job'), {
        metadata: { name, namespace: 'default' },
        spec: {
          backoffLimit: 1,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'j', image }] } }
        }
      });
    job('ok', 'task:1');
    job('bad', 'task:fails');
    run(10_000, () => ['ok', 'bad'].every(n => get('batch/v1', 'Job', n).status?.conditions?.length >= 2));
    expect(condition(get('batch/v1', 'Job', 'ok'), 'Complete')).toMatchObject({ status: 'True' });
    expect(get('batch/v1', 'Job', 'ok').status.succeeded).toBe(1);
    expect(condition(get('batch/v1', 'Job', 'bad'), 'Failed')).toMatchObject({
      status: 'True',
      reason: 'BackoffLimitExceeded'
    });
    expect(get('batch/v1', 'Job', 'bad').status.failed).toBe(2);
  });

  it('a StatefulSet creates its pods in order and reports one revision when done', () => {
    store.write(info('apps/v1', 'StatefulSet'), {
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'db', image: 'pg:1' }] }
        }
      }
    });
    run(300);
    expect(list('v1', 'Pod').map(p => p.metadata.name)).toEqual(['db-0']);
    run(10_000, () => get('apps/v1', 'StatefulSet', 'db').status?.readyReplicas === 3);
    const s = get('apps/v1', 'StatefulSet', 'db').status;
    expect(s).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3 });
    expect(s.currentRevision).toBe(s.updateRevision);
  });

  it('a DaemonSet runs one pod per node', () => {
    store.write(info('apps/v1', 'DaemonSet'), {
      metadata: { name: 'agent', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: {
          metadata: { labels: { app: 'a' } },
          spec: { containers: [{ name: 'a', image: 'agent:1' }] }
        }
      }
    });
    run(5000, () => get('apps/v1', 'DaemonSet', 'agent').status?.numberAvailable === 3);
    expect(get('apps/v1', 'DaemonSet', 'agent').status).toMatchObject({
      desiredNumberScheduled: 3,
      updatedNumberScheduled: 3,
      numberAvailable: 3
    });
    expect(new Set(list('v1', 'Pod').map(p => p.spec.nodeName))).toEqual(
      new Set(['node-1', 'node-2', 'node-3'])
    );
  });

  it("a DaemonSet's template generation: 1, bumped by a template change only, on its pods as pod-template-generation", () => {
    const ds = (image: string, minReadySeconds = 0) => ({
      metadata: { name: 'agent', namespace: 'default' },
      spec: {
        minReadySeconds,
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image }] } }
      }
    });
    const generation = () => get('apps/v1', 'DaemonSet', 'agent').metadata.annotations[TEMPLATE_GENERATION];
    store.write(info('apps/v1', 'DaemonSet'), ds('agent:1'));
    expect(generation()).toBe('1');
    store.write(info('apps/v1', 'DaemonSet'), ds('agent:1', 5));
    expect(generation()).toBe('1');
    store.write(info('apps/v1', 'DaemonSet'), ds('agent:2', 5));
    expect(generation()).toBe('2');
    run(5000, () => list('v1', 'Pod').length === 3);
    expect(list('v1', 'Pod').map(p => p.metadata.labels['pod-template-generation'])).toEqual(['2', '2', '2']);
  });
});

const events = (reason: string): any[] =>
  store
    .list(info('v1', 'Event'), 'default')
    .map(e => e.object as any)
    .filter(e => e.reason === reason);

describe('admission of the pods controllers create', () => {
  beforeEach(() => {
    controller.admission = new Admission({
      get: (apiVersion, kind, ns, name) => store.get(info(apiVersion, kind), ns, name),
      list: (apiVersion, kind, ns) => store.list(info(apiVersion, kind), ns).map(e => store.render(e))
    });
    store.write(info('v1', 'Namespace'), { metadata: { name: 'default' } });
  });

  it('a quota the new pods exceed: FailedCreate on the ReplicaSet, ReplicaFailure on it and on the Deployment', () => {
    store.write(info('v1', 'ResourceQuota'), {
      metadata: { name: 'compute', namespace: 'default' },
      spec: { hard: { pods: '1' } }
    });
    deploy('web', 'web:1', { replicas: 2 });
    run(1000);
    expect(list('v1', 'Pod')).toHaveLength(1);
    const [failed] = events('FailedCreate');
    expect(failed).toMatchObject({ type: 'Warning', source: { component: 'replicaset-controller' } });
    expect(failed.message).toMatch(
      /^Error creating: pods "web-\w+-\w{5}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=1, limited: pods=1$/
    );
    // Retried with the workqueue's back-off (each try names a new pod), not on every tick.
    expect(events('FailedCreate').length).toBeGreaterThan(1);
    expect(events('FailedCreate').length).toBeLessThan(20);
    const d = get('apps/v1', 'Deployment', 'web');
    expect(condition(d, 'ReplicaFailure')).toMatchObject({
      status: 'True',
      reason: 'FailedCreate',
      message: expect.stringContaining('exceeded quota: compute')
    });
    expect(get('v1', 'ResourceQuota', 'compute').status).toEqual({
      hard: { pods: '1' },
      used: { pods: '1' }
    });
  });

  it('a missing ServiceAccount, until it is created: then the pods come and ReplicaFailure goes', () => {
    deploy('web', 'web:1', { replicas: 1 });
    const d0 = get('apps/v1', 'Deployment', 'web');
    d0.spec.template.spec.serviceAccountName = 'deployer';
    store.write(info('apps/v1', 'Deployment'), d0, { manager: 'test' });
    run(500);
    expect(events('FailedCreate')[0].message).toContain(
      'error looking up service account default/deployer: serviceaccount "deployer" not found'
    );
    store.write(info('v1', 'ServiceAccount'), { metadata: { name: 'deployer', namespace: 'default' } });
    run(3000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    expect(rolloutStatus(get('apps/v1', 'Deployment', 'web'))).toBe('done');
    expect(condition(get('apps/v1', 'Deployment', 'web'), 'ReplicaFailure')).toBeUndefined();
  });

  it("a StatefulSet's refused pod is its FailedCreate in the StatefulSet controller's words", () => {
    store.write(info('v1', 'Namespace'), {
      metadata: { name: 'default', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } }
    });
    store.write(info('apps/v1', 'StatefulSet'), {
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { hostNetwork: true, containers: [{ name: 'db', image: 'db:1' }] }
        }
      }
    });
    run(200);
    expect(events('FailedCreate')[0].message).toBe(
      'create Pod db-0 in StatefulSet db failed error: pods "db-0" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)'
    );
  });
});

describe('the HPA controller', () => {
  it('writes the replicas its metrics ask for through the scale subresource, as kube-controller-manager', () => {
    deploy('web', 'web:1', { replicas: 2 });
    store.write(info('autoscaling/v2', 'HorizontalPodAutoscaler'), {
      metadata: {
        name: 'web',
        namespace: 'default',
        annotations: { 'dockyard.dev/test-desired-replicas': '9' }
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5
      }
    });
    run(100);
    const d = get('apps/v1', 'Deployment', 'web');
    expect(d.spec.replicas).toBe(5);
    const scaler = d.metadata.managedFields.find(
      (m: any) => m.manager === 'kube-controller-manager' && m.subresource === 'scale'
    );
    expect(scaler).toMatchObject({ operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    expect(events('SuccessfulRescale')[0].message).toBe(
      'New size: 5; reason: cpu resource utilization (percentage of request) above target'
    );
    const hpa = get('autoscaling/v2', 'HorizontalPodAutoscaler', 'web');
    expect(hpa.status).toMatchObject({ currentReplicas: 5, desiredReplicas: 5 });
    expect(condition(hpa, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
  });

  it('without metrics keeps the current count, raised to minReplicas', () => {
    deploy('web', 'web:1', { replicas: 1 });
    store.write(info('autoscaling/v2', 'HorizontalPodAutoscaler'), {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 3,
        maxReplicas: 6
      }
    });
    run(100);
    expect(get('apps/v1', 'Deployment', 'web').spec.replicas).toBe(3);
    expect(events('SuccessfulRescale')[0].message).toBe(
      'New size: 3; reason: Current number of replicas below Spec.MinReplicas'
    );
  });
});

describe('a kubelet that is not instant', () => {
  it('a late node: FailedScheduling and Nominated, then the node joins and takes the pods', () => {
    controller.options.lateNode = { delayMs: 5000 };
    deploy('web', 'web:1', { replicas: 2 });
    run(4000);
    expect(list('v1', 'Pod').every(p => condition(p, 'PodScheduled')?.reason === 'Unschedulable')).toBe(true);
    expect(events('FailedScheduling')[0].message).toMatch(/^0\/3 nodes are available: 3 Insufficient cpu\./);
    const nominated = events('Nominated');
    expect(nominated).toHaveLength(2);
    expect(nominated[0]).toMatchObject({ source: { component: 'karpenter' } });
    expect(nominated[0].message).toMatch(/^Pod should schedule on: nodeclaim\/default-\w{5}$/);
    run(3000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    const nodes = store.list(info('v1', 'Node')).map(e => e.object as any);
    const late = nodes.find(n => n.metadata.labels['karpenter.sh/nodepool'] === 'default');
    expect(late).toBeDefined();
    expect(list('v1', 'Pod').every(p => p.spec.nodeName === late.metadata.name)).toBe(true);
  });

  it('registry 429s on one node: ErrImagePull, ImagePullBackOff, then pulled on the retry', () => {
    controller.options.pullThrottle = { node: 'node-1', failures: 1 };
    controller.options.backoffScale = 0.05;
    for (let i = 0; i < 6; i++) deploy(`web${i}`, 'web:1', { replicas: 1 });
    run(800);
    const throttled = list('v1', 'Pod').filter(p => p.spec.nodeName === 'node-1');
    expect(throttled.length).toBeGreaterThan(0);
    const failed = events('Failed').find(e => e.message.includes('429 Too Many Requests'));
    expect(failed.message).toMatch(
      /^Failed to pull image "web:1": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io\/library\/web:1": .*unexpected status from HEAD request to https:\/\/docker.io\/v2\/library\/web\/manifests\/1: 429 Too Many Requests$/
    );
    run(3000, () => list('v1', 'Pod').every(p => p.status.phase === 'Running'));
    expect(list('v1', 'Pod').every(p => p.status.phase === 'Running')).toBe(true);
    expect(events('Failed').filter(e => e.message.includes('429')).length).toBe(1);
  });

  it('an ALB readiness gate that never opens: containers ready, pod not Ready, Deployment never Available', () => {
    controller.options.readinessGates = 'closed';
    deploy('web', 'web:1', {
      replicas: 1,
      progressDeadlineSeconds: 5,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          readinessGates: [{ conditionType: 'target-health.elbv2.k8s.aws/k8s-default-web-1234567890' }],
          containers: [{ name: 'app', image: 'web:1' }]
        }
      }
    });
    run(7000);
    const pod = list('v1', 'Pod')[0];
    expect(condition(pod, 'ContainersReady')?.status).toBe('True');
    expect(condition(pod, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message:
        'the status of pod readiness gate "target-health.elbv2.k8s.aws/k8s-default-web-1234567890" is not "True", but False'
    });
    expect(condition(get('apps/v1', 'Deployment', 'web'), 'Progressing')?.reason).toBe(
      'ProgressDeadlineExceeded'
    );
  });

  it('backoffScale compresses the back-off clock and keeps its words', () => {
    controller.options.backoffScale = 0.01;
    deploy('web', 'web:crashloop', { replicas: 1 });
    const messages = new Set<string>();
    run(10_000, () => {
      const c = list('v1', 'Pod')[0]?.status?.containerStatuses?.[0];
      const m = c?.state?.waiting?.message;
      if (m) messages.add(String(m).replace(/ restarting.*/, ''));
      return (c?.restartCount ?? 0) >= 5;
    });
    // Five restarts in seconds, where the kubelet takes 10+20+40+80 s: the messages still say the real waits.
    expect(list('v1', 'Pod')[0].status.containerStatuses[0].restartCount).toBeGreaterThanOrEqual(5);
    expect([...messages]).toEqual(expect.arrayContaining(['back-off 10s', 'back-off 20s', 'back-off 40s']));
  });

  it('a paused Deployment makes no new ReplicaSet and says it is paused', () => {
    deploy('web', 'web:1', { replicas: 1 });
    run(2000, () => rolloutStatus(get('apps/v1', 'Deployment', 'web')) === 'done');
    deploy('web', 'web:2', { replicas: 1, paused: true });
    run(500);
    expect(list('apps/v1', 'ReplicaSet')).toHaveLength(1);
    const d = get('apps/v1', 'Deployment', 'web');
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    expect(condition(d, 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused'
    });
  });
});
