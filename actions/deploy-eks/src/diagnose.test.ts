import { describe, expect, it } from '@jest/globals';
import { explain, podProblems, UnschedulableTracker, type Pod } from './diagnose.js';
import { FakeKube } from './testing/fake-kube.js';
import { crashLooping, deployment, pod, pullFailing, replicaSet, running } from './testing/fixtures.js';

const web = deployment('web');
const rs = replicaSet(web, '2', 'abc', 'web:v2');

describe('podProblems', () => {
  it('a container in CrashLoopBackOff is fatal, with its last exit code', () => {
    const [p] = podProblems(pod('web-abc-1', rs, [crashLooping('web:v2')]), 0, new UnschedulableTracker());
    expect(p).toMatchObject({
      pod: 'web-abc-1',
      container: 'app',
      reason: 'CrashLoopBackOff',
      exitCode: 1,
      restarts: 1,
      fatal: true
    });
  });

  it('a pod that crashed once and runs again has no problem', () => {
    expect(podProblems(pod('web-abc-1', rs, [running('web:v2', 1)]), 0, new UnschedulableTracker())).toEqual(
      []
    );
  });

  it('pull failures, bad config and bad names are fatal at once', () => {
    for (const reason of [
      'ErrImagePull',
      'ImagePullBackOff',
      'CreateContainerConfigError',
      'InvalidImageName'
    ]) {
      const status = { ...pullFailing('web:v2'), state: { waiting: { reason, message: 'm' } } };
      expect(podProblems(pod('p', rs, [status]), 0, new UnschedulableTracker())[0]).toMatchObject({
        reason,
        fatal: true,
        image: 'web:v2'
      });
    }
  });

  it('unschedulable is fatal only after the grace period; a pending Fargate pod without the condition never is', () => {
    const tracker = new UnschedulableTracker(45_000);
    const unschedulable = pod(
      'p',
      rs,
      [],
      [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient cpu.'
        }
      ]
    );
    expect(podProblems(unschedulable, 1_000, tracker)[0].fatal).toBe(false);
    expect(podProblems(unschedulable, 40_000, tracker)[0].fatal).toBe(false);
    expect(podProblems(unschedulable, 46_000, tracker)[0]).toMatchObject({
      reason: 'Unschedulable',
      fatal: true
    });
    const fargate: Pod = {
      ...pod('f', rs, []),
      spec: { schedulerName: 'fargate-scheduler' },
      status: { phase: 'Pending' }
    };
    expect(podProblems(fargate, 600_000, tracker)).toEqual([]);
  });

  it('a pod that becomes schedulable again starts its grace period anew', () => {
    const tracker = new UnschedulableTracker(10_000);
    expect(tracker.overdue('p', true, 0)).toBe(false);
    expect(tracker.overdue('p', false, 5_000)).toBe(false);
    expect(tracker.overdue('p', true, 12_000)).toBe(false);
    expect(tracker.overdue('p', true, 22_000)).toBe(true);
  });
});

describe('explain', () => {
  it('puts the root cause first: the container, the reason, the exit code and the last log line', async () => {
    const kube = new FakeKube();
    const p = pod('web-abc-1', rs, [crashLooping('web:v2', 2)]);
    kube.logLines.set(
      'default/web-abc-1/app/previous',
      Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).concat(['panic: cannot connect to database'])
    );
    kube.put({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container app',
      involvedObject: { kind: 'Pod', name: 'web-abc-1' }
    });
    kube.put({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e2', namespace: 'default' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'unrelated',
      involvedObject: { kind: 'Pod', name: 'other' }
    });
    const problems = podProblems(p, 0, new UnschedulableTracker());
    const out = await explain(kube, web, [p], problems);
    expect(out.rootCause).toBe(
      'web: container app CrashLoopBackOff (exit 1): panic: cannot connect to database'
    );
    const text = out.diagnostics.map(d => [d.title, ...d.lines].join('\n')).join('\n');
    expect(text).toContain('restarts 2');
    expect(text).toContain('Pod web-abc-1: BackOff: Back-off restarting failed container app');
    expect(text).not.toContain('unrelated');
    const logs = out.diagnostics.find(d => d.title.startsWith('Last log lines'))!;
    expect(logs.lines).toHaveLength(30);
    expect(logs.lines[0]).toBe('line 12');
  });

  it('names the image of a pull failure', async () => {
    const p = pod('web-abc-1', rs, [pullFailing('registry.local:5000/web:missing')]);
    const out = await explain(new FakeKube(), web, [p], podProblems(p, 0, new UnschedulableTracker()));
    expect(out.rootCause).toBe(
      'web: container app ErrImagePull: image registry.local:5000/web:missing: failed to pull and unpack image "registry.local:5000/web:missing": not found'
    );
  });
  it('for ImagePullBackOff, takes the reason the pull failed from the kubelet event', async () => {
    const kube = new FakeKube();
    const image = 'registry.local:5000/web:missing';
    const p = pod('web-abc-1', rs, [
      {
        ...pullFailing(image),
        state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } }
      }
    ]);
    kube.put({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      type: 'Warning',
      reason: 'Failed',
      message: `Failed to pull image "${image}": not found`,
      involvedObject: { kind: 'Pod', name: 'web-abc-1' }
    });
    const out = await explain(kube, web, [p], podProblems(p, 0, new UnschedulableTracker()));
    expect(out.rootCause).toBe(
      `web: container app ImagePullBackOff: image ${image}: Failed to pull image "${image}": not found`
    );
  });
});
