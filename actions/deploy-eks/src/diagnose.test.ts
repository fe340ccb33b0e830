import { describe, expect, it } from '@jest/globals';
import {
  failedCreate,
  FailureJudge,
  latestFailedCreate,
  needsEvents,
  podProblems,
  type Pod
} from './diagnose.js';
import {
  crashLooping,
  deployment,
  event,
  pod,
  pullFailing,
  running,
  UNSCHEDULABLE,
  WEB_RS as rs
} from './testing/fixtures.js';

const image = 'registry.local:5000/team/web:v2';

/** The kubelet's words (containerd's resolver, kubelet images/image_manager.go), as the test cluster mirrors them. */
const NOT_FOUND = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
const THROTTLED = `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": unexpected status from HEAD request to https://registry.local:5000/v2/team/web/manifests/v2: 429 Too Many Requests`;
const MANIFEST_UNKNOWN = `Error response from daemon: manifest for ${image} not present: manifest unknown: manifest unknown`;

const waiting = (reason: string, message?: string) => ({
  ...pullFailing(image),
  state: { waiting: { reason, message } }
});
const unschedulable = (name: string): Pod => pod(name, rs, [], [UNSCHEDULABLE]);

describe('podProblems: the kind of each problem', () => {
  it.each([
    ['CrashLoopBackOff', 'back-off 10s restarting failed container=app', {}, 'doomed', undefined],
    ['CrashLoopBackOff', 'back-off 10s restarting failed container=app', { job: true }, 'waiting', undefined],
    ['ErrImagePull', NOT_FOUND, {}, 'doomed', true],
    ['ErrImagePull', MANIFEST_UNKNOWN, {}, 'doomed', true],
    ['ErrImagePull', THROTTLED, {}, 'may-heal', undefined],
    ['ImagePullBackOff', `Back-off pulling image "${image}"`, {}, 'may-heal', undefined],
    [
      'InvalidImageName',
      'Failed to apply default image tag "Web:1": couldn\'t parse image name "Web:1": invalid reference format',
      {},
      'doomed',
      true
    ],
    ['CreateContainerConfigError', 'secret "db" not found', {}, 'may-heal', undefined],
    ['SomethingNew', 'a reason this code does not know', {}, 'waiting', undefined]
  ])('%s (%s) %j: %s', (reason, message, context, kind, everyPod) => {
    const [p] = podProblems(pod('p', rs, [waiting(reason, message)]), context);
    expect(p).toMatchObject({ pod: 'p', container: 'app', reason, message, kind });
    expect(p.everyPod).toBe(everyPod);
  });

  it('a container on its normal way up, or one that crashed once and runs again, has no problem', () => {
    expect(podProblems(pod('p', rs, [waiting('ContainerCreating')]))).toEqual([]);
    expect(podProblems(pod('p', rs, [running(image, 1)]))).toEqual([]);
  });

  it('a crash loop carries its last exit code and restarts', () => {
    expect(podProblems(pod('p', rs, [crashLooping(image, 3)]))[0]).toMatchObject({
      reason: 'CrashLoopBackOff',
      exitCode: 1,
      restarts: 3
    });
  });

  it("an ImagePullBackOff takes the kubelet's Failed event for why the pull failed", () => {
    const p = pod('p', rs, [waiting('ImagePullBackOff', `Back-off pulling image "${image}"`)]);
    const events = [
      event(p, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, 1),
      event(p, 'Warning', 'Failed', `Failed to pull image "${image}": ${NOT_FOUND}`, 2)
    ];
    expect(podProblems(p, { events })[0]).toMatchObject({
      kind: 'doomed',
      everyPod: true,
      message: `Failed to pull image "${image}": ${NOT_FOUND}`
    });
  });

  it('Unschedulable may heal; with a node on its way (Karpenter, Cluster Autoscaler, preemption) it is waiting', () => {
    const p = unschedulable('p');
    expect(podProblems(p)[0]).toMatchObject({ reason: 'Unschedulable', kind: 'may-heal' });
    const karpenter = [event(p, 'Normal', 'Nominated', 'Pod should schedule on: nodeclaim/default-x2x4z', 1)];
    expect(podProblems(p, { events: karpenter })[0]).toMatchObject({
      kind: 'waiting',
      message: expect.stringContaining(
        'a node is on its way: Nominated: Pod should schedule on: nodeclaim/default-x2x4z'
      )
    });
    const autoscaler = [
      event(p, 'Normal', 'TriggeredScaleUp', 'pod triggered scale-up: [{eks-ng-1 1->2 (max: 5)}]', 1)
    ];
    expect(podProblems(p, { events: autoscaler })[0].kind).toBe('waiting');
    const preempting: Pod = { ...p, status: { ...p.status, nominatedNodeName: 'node-2' } };
    expect(podProblems(preempting)[0].kind).toBe('waiting');
  });

  it("another pod's provisioning event (or an earlier pod's of the same name) does not count", () => {
    const p = unschedulable('db-0');
    const other = { ...p, metadata: { ...p.metadata, uid: 'uid-earlier-db-0' } };
    const events = [event(other, 'Normal', 'Nominated', 'Pod should schedule on: nodeclaim/default-old', 1)];
    expect(podProblems(p, { events })[0].kind).toBe('may-heal');
  });

  it('needsEvents: only when an ImagePullBackOff or an Unschedulable pod could read differently', () => {
    const backoff = podProblems(pod('p', rs, [waiting('ImagePullBackOff', 'Back-off pulling image "x"')]));
    expect(needsEvents(backoff)).toBe(true);
    expect(needsEvents(podProblems(unschedulable('p')))).toBe(true);
    expect(needsEvents(podProblems(pod('p', rs, [crashLooping(image)])))).toBe(false);
  });
});

describe('failedCreate and latestFailedCreate', () => {
  const quota =
    'pods "web-7d4b9c-x2x4z" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2';
  it('admission refusals doom every pod; an exceeded quota may heal while pods of the workload are going', () => {
    expect(failedCreate(quota, false)).toMatchObject({
      kind: 'doomed',
      everyPod: true,
      reason: 'FailedCreate'
    });
    expect(failedCreate(quota, true)).toMatchObject({ kind: 'may-heal', everyPod: false });
    const psa = 'pods "web-x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true';
    expect(failedCreate(psa, true).everyPod).toBe(true);
  });

  it('reads the controller event only when it is newer than the newest pod, without its prefix', () => {
    const db = { ...deployment('db'), kind: 'StatefulSet' };
    const refused = `create Pod db-1 in StatefulSet db failed error: ${quota}`;
    const events = [event(db, 'Warning', 'FailedCreate', refused, 20)];
    const db0 = { ...pod('db-0', rs, [running(image)]) };
    db0.metadata.creationTimestamp = '2026-12-06T10:00:10Z';
    expect(latestFailedCreate(events, db, [db0])).toBe(refused);
    db0.metadata.creationTimestamp = '2026-12-06T10:00:30Z';
    expect(latestFailedCreate(events, db, [db0])).toBeUndefined();
    const job = { ...deployment('migrate'), kind: 'Job' };
    const jobEvents = [event(job, 'Warning', 'FailedCreate', `Error creating: ${quota}`, 5)];
    expect(latestFailedCreate(jobEvents, job, [])).toBe(quota);
  });
});

describe('FailureJudge', () => {
  const grace = { failureMs: 60_000, unschedulableMs: 120_000 };
  /** The judge's verdict at `now` on these pods, with their problems as a poll reads them. */
  const verdict = (judge: FailureJudge, now: number, pods: Pod[]) =>
    judge.fatal(
      now,
      pods,
      pods.flatMap(p => podProblems(p))
    );

  it('fails at once when a problem dooms every pod of the template, whatever the other pods do', () => {
    const judge = new FailureJudge(grace);
    const pods = [pod('a', rs, [running(image)]), pod('b', rs, [waiting('ErrImagePull', NOT_FOUND)])];
    expect(verdict(judge, 0, pods)).toMatchObject({ pod: 'b' });
  });

  it('fails at once when every new pod is doomed; one crash loop among ready pods waits for the grace', () => {
    const judge = new FailureJudge(grace);
    const one = [pod('a', rs, [crashLooping(image)])];
    expect(verdict(judge, 0, one)).toMatchObject({ reason: 'CrashLoopBackOff' });
    const mixed = [pod('a', rs, [crashLooping(image)]), pod('b', rs, [running(image)])];
    const later = new FailureJudge(grace);
    expect(verdict(later, 0, mixed)).toBeUndefined();
    expect(verdict(later, 59_000, mixed)).toBeUndefined();
    expect(verdict(later, 60_000, mixed)).toMatchObject({ pod: 'a' });
  });

  it('a crash loop stays the same problem between restarts, until the container is ready', () => {
    const judge = new FailureJudge(grace);
    const other = pod('b', rs, [running(image)]);
    const loop = [pod('a', rs, [crashLooping(image)]), other];
    const between = [pod('a', rs, [{ ...running(image, 2), ready: false }]), other];
    expect(verdict(judge, 0, loop)).toBeUndefined();
    expect(verdict(judge, 30_000, between)).toBeUndefined();
    expect(verdict(judge, 60_000, loop)).toMatchObject({ pod: 'a' });
    const healed = new FailureJudge(grace);
    verdict(healed, 0, loop);
    const ready = [pod('a', rs, [running(image, 2)]), other];
    verdict(healed, 30_000, ready);
    expect(verdict(healed, 60_000, loop)).toBeUndefined();
  });

  it('a registry 429 on one of three pods heals within the grace: no failure', () => {
    const judge = new FailureJudge(grace);
    const ok = [pod('a', rs, [running(image)]), pod('b', rs, [running(image)])];
    const pulling = [...ok, pod('c', rs, [waiting('ErrImagePull', THROTTLED)])];
    const backoff = [...ok, pod('c', rs, [waiting('ImagePullBackOff', `Back-off pulling image "${image}"`)])];
    expect(verdict(judge, 0, pulling)).toBeUndefined();
    expect(verdict(judge, 8_000, backoff)).toBeUndefined();
    const pulled = [...ok, pod('c', rs, [running(image)])];
    expect(verdict(judge, 20_000, pulled)).toBeUndefined();
  });

  it('the same may-heal problem (a pull error alternating ErrImagePull and ImagePullBackOff) fails past the grace', () => {
    const judge = new FailureJudge(grace);
    const states = [
      waiting('ErrImagePull', THROTTLED),
      waiting('ImagePullBackOff', 'Back-off pulling image')
    ];
    for (let t = 0; t < 60_000; t += 10_000) {
      const pods = [pod('c', rs, [states[(t / 10_000) % 2]])];
      expect(verdict(judge, t, pods)).toBeUndefined();
    }
    const pods = [pod('c', rs, [states[0]])];
    expect(verdict(judge, 60_000, pods)).toMatchObject({ reason: 'ErrImagePull' });
  });

  it('Unschedulable fails after its own grace; a node on its way is never failed on; it starts anew once scheduled', () => {
    const judge = new FailureJudge(grace);
    const pods = [unschedulable('p')];
    expect(judge.fatal(0, pods, podProblems(pods[0]))).toBeUndefined();
    expect(judge.fatal(119_000, pods, podProblems(pods[0]))).toBeUndefined();
    expect(judge.fatal(120_000, pods, podProblems(pods[0]))).toMatchObject({ reason: 'Unschedulable' });
    const provisioning = new FailureJudge(grace);
    const events = [event(pods[0], 'Normal', 'Nominated', 'Pod should schedule on: nodeclaim/default-x', 1)];
    for (const t of [0, 120_000, 600_000])
      expect(provisioning.fatal(t, pods, podProblems(pods[0], { events }))).toBeUndefined();
    const again = new FailureJudge(grace);
    again.fatal(0, pods, podProblems(pods[0]));
    again.fatal(100_000, [pod('p', rs, [running(image)])], []);
    expect(again.fatal(130_000, pods, podProblems(pods[0]))).toBeUndefined();
  });

  it("the workload's FailedCreate fails at once; an exceeded quota while old pods go waits for the grace", () => {
    const quota =
      'pods "web-x" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2';
    expect(new FailureJudge(grace).fatal(0, [], [failedCreate(quota, false)])).toMatchObject({
      reason: 'FailedCreate'
    });
    const judge = new FailureJudge(grace);
    expect(judge.fatal(0, [], [failedCreate(quota, true)])).toBeUndefined();
    expect(judge.fatal(60_000, [], [failedCreate(quota, true)])).toMatchObject({ reason: 'FailedCreate' });
  });

  it('a Job crash loop is never failed on here (its backoffLimit decides), nor an unknown waiting reason', () => {
    const judge = new FailureJudge(grace);
    const job = [pod('m', rs, [crashLooping(image, 4)])];
    const unknown = [pod('u', rs, [waiting('SomethingNew', 'hm')])];
    for (const t of [0, 600_000]) {
      expect(judge.fatal(t, job, podProblems(job[0], { job: true }))).toBeUndefined();
      expect(judge.fatal(t, unknown, podProblems(unknown[0]))).toBeUndefined();
    }
  });

  it('a terminating pod is not counted among the new pods that must all be doomed', () => {
    const judge = new FailureJudge(grace);
    const going = pod('old', rs, [running(image)]);
    going.metadata.deletionTimestamp = '2026-12-06T10:00:00Z';
    const pods = [going, pod('a', rs, [crashLooping(image)])];
    expect(verdict(judge, 0, pods)).toMatchObject({ pod: 'a' });
  });
});
