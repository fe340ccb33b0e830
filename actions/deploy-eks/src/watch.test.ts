import { describe, expect, it } from '@jest/globals';
import { virtualClock } from '../../../core/poll.js';
import type { Pod } from './diagnose.js';
import type { KubeObject } from './kube.js';
import { FakeKube } from './testing/fake-kube.js';
import {
  crashLooping,
  deployment,
  event,
  pod,
  replicaSet,
  running,
  GRACE,
  UNSCHEDULABLE
} from './testing/fixtures.js';
import { selectorString, WorkloadWatch } from './watch.js';

const QUOTA =
  'pods "web-new-x2x4z" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2';

/** A Deployment at revision 2 with its old and new ReplicaSets. */
function rollingDeployment(status: Record<string, unknown> = {}) {
  const kube = new FakeKube();
  const web = kube.put(
    deployment('web', { revision: '2', generation: 2, status: { observedGeneration: 2, ...status } })
  );
  const old = kube.put(replicaSet(web, '1', 'old', 'web:v1'));
  const rs = kube.put(replicaSet(web, '2', 'new', 'web:v2'));
  return { kube, web, old, rs, watch: new WorkloadWatch(kube, { clock: virtualClock(0), grace: GRACE }) };
}

/** A workload of another kind whose pods carry its labels and owner reference. */
function owned(kind: string, name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    ...deployment(name),
    apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: { ...deployment(name).metadata, uid: `uid-${kind}-${name}` },
    ...extra
  };
}

function podOf(
  owner: KubeObject,
  name: string,
  labels: Record<string, string>,
  containers: Pod['status']
): Pod {
  const p = pod(name, owner, []);
  p.metadata.labels = { app: owner.metadata.name, ...labels };
  p.metadata.ownerReferences = [{ kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid! }];
  p.status = containers;
  return p;
}

const eventReads = (kube: FakeKube) => kube.lists.filter(l => l.kind === 'Event').length;

describe('WorkloadWatch', () => {
  it("a Deployment: only its new ReplicaSet's pods; no events read when the pods' status says it all", async () => {
    const { kube, web, old, rs, watch } = rollingDeployment();
    kube.put(pod('web-old-1', old, [crashLooping('web:v1', 5)]));
    kube.put(pod('web-new-1', rs, [running('web:v2')]));
    const look = await watch.look(web);
    expect(look.pods.map(p => p.metadata.name)).toEqual(['web-new-1']);
    expect(look.problems).toEqual([]);
    expect(look.related).toEqual(['web-new']);
    expect(eventReads(kube)).toBe(0);
  });

  it('a Deployment whose pods are refused (ReplicaFailure) fails at the first look, naming the quota', async () => {
    const { web, watch } = rollingDeployment({
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: QUOTA }]
    });
    const look = await watch.look(web);
    expect(look.fatal).toMatchObject({ reason: 'FailedCreate', message: QUOTA });
    expect((await watch.explain(web)).rootCause).toBe(`web: pods cannot be created (FailedCreate): ${QUOTA}`);
  });

  it('…but not while pods of the Deployment are still going away (they free the quota)', async () => {
    const { kube, web, old, watch } = rollingDeployment({
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: QUOTA }]
    });
    const going = pod('web-old-1', old, [running('web:v1')]);
    going.metadata.deletionTimestamp = '2026-12-06T10:00:00Z';
    kube.put(going);
    expect((await watch.look(web)).fatal).toBeUndefined();
  });

  it('an Unschedulable pod reads the events, and a Nominated one is a node on its way', async () => {
    const { kube, web, rs, watch } = rollingDeployment();
    const waiting = kube.put(pod('web-new-1', rs, [], [UNSCHEDULABLE]));
    kube.put(event(waiting, 'Normal', 'Nominated', 'Pod should schedule on: nodeclaim/default-abcde', 2));
    const look = await watch.look(web);
    expect(eventReads(kube)).toBe(1);
    expect(look.problems[0]).toMatchObject({ reason: 'Unschedulable', kind: 'waiting' });
  });

  it("a StatefulSet: the update revision's pods; its controller's FailedCreate while a pod is missing", async () => {
    const kube = new FakeKube();
    const db = kube.put(
      owned('StatefulSet', 'db', {
        spec: { replicas: 2, selector: { matchLabels: { app: 'db' } } },
        status: { observedGeneration: 1, replicas: 1, updateRevision: 'db-new', currentRevision: 'db-old' }
      })
    );
    const ready = { phase: 'Running', containerStatuses: [running('db:v2')] };
    const db0 = podOf(db, 'db-0', { 'controller-revision-hash': 'db-new' }, ready);
    db0.metadata.creationTimestamp = '2026-12-06T10:00:01Z';
    kube.put(db0);
    kube.put(podOf(db, 'db-9', { 'controller-revision-hash': 'db-old' }, ready));
    const refusal = `create Pod db-1 in StatefulSet db failed error: ${QUOTA}`;
    kube.put(event(db, 'Warning', 'FailedCreate', refusal, 5));
    const watch = new WorkloadWatch(kube, { clock: virtualClock(0), grace: GRACE });
    const look = await watch.look(db);
    expect(look.pods.map(p => p.metadata.name)).toEqual(['db-0']);
    expect(look.fatal).toMatchObject({ reason: 'FailedCreate', message: refusal });
  });

  it("a DaemonSet: its current template's pods only", async () => {
    const kube = new FakeKube();
    const agent = owned('DaemonSet', 'agent', {
      spec: { selector: { matchLabels: { app: 'agent' } } },
      status: { observedGeneration: 2, desiredNumberScheduled: 2, currentNumberScheduled: 2 }
    });
    agent.metadata.annotations = { 'deprecated.daemonset.template.generation': '2' };
    kube.put(agent);
    const labels = (g: string, hash: string) => ({
      'pod-template-generation': g,
      'controller-revision-hash': hash
    });
    kube.put(
      podOf(agent, 'agent-new', labels('2', 'bbb'), {
        phase: 'Running',
        containerStatuses: [crashLooping('a:2')]
      })
    );
    kube.put(
      podOf(agent, 'agent-old', labels('1', 'aaa'), {
        phase: 'Running',
        containerStatuses: [crashLooping('a:1', 9)]
      })
    );
    const look = await new WorkloadWatch(kube, { clock: virtualClock(0), grace: GRACE }).look(agent);
    expect(look.pods.map(p => p.metadata.name)).toEqual(['agent-new']);
    expect(look.fatal).toMatchObject({ pod: 'agent-new', reason: 'CrashLoopBackOff' });
  });

  it('a Job (OnFailure): a crash loop is left to its backoffLimit; the crashed log is kept for when its pod is gone', async () => {
    const kube = new FakeKube();
    const job = kube.put(
      owned('Job', 'migrate', {
        spec: { backoffLimit: 2, selector: { matchLabels: { app: 'migrate' } } },
        status: {}
      })
    );
    const crashing = podOf(
      job,
      'migrate-x1',
      {},
      { phase: 'Running', containerStatuses: [crashLooping('web:v2', 2)] }
    );
    kube.put(crashing);
    kube.logLines.set('default/migrate-x1/app/previous', [
      'running migrations',
      'FATAL: relation "users" does not exist'
    ]);
    const watch = new WorkloadWatch(kube, { clock: virtualClock(0), grace: GRACE });
    expect((await watch.look(job)).fatal).toBeUndefined();
    await watch.look(job);
    expect(kube.logReads).toBe(1);
    // The Job fails: its controller deletes the pod.
    await kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'migrate-x1' });
    kube.logLines.clear();
    const failed = {
      ...job,
      status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] }
    };
    await watch.look(failed);
    const out = await watch.explain(failed, {
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit'
    });
    expect(out.rootCause).toBe(
      'migrate: container app CrashLoopBackOff (exit 1): FATAL: relation "users" does not exist (BackoffLimitExceeded)'
    );
  });
});

describe('selectorString', () => {
  it('writes matchLabels and matchExpressions as a labelSelector', () => {
    expect(
      selectorString(
        {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['a', 'b'] },
            { key: 'x', operator: 'Exists' },
            { key: 'y', operator: 'DoesNotExist' }
          ]
        },
        { 'pod-template-hash': 'abc' }
      )
    ).toBe('app=web,pod-template-hash=abc,tier in (a,b),x,!y');
  });
});
