import { describe, expect, it } from '@jest/globals';
import { failedCreate, podProblems, type Pod } from './diagnose.js';
import { explain } from './explain.js';
import type { KubeObject } from './kube.js';
import { FakeKube } from './testing/fake-kube.js';
import * as fixtures from './testing/fixtures.js';

const { crashLooping, deployment, event, pod, pullFailing, running, WEB: web, WEB_RS: rs } = fixtures;

const text = (out: { diagnostics: { title: string; lines: string[] }[] }) =>
  out.diagnostics.map(d => [d.title, ...d.lines].join('\n')).join('\n');

/** What Node 20 prints when a required file is missing: the frames say where, the Error line says why. */
const NODE_CRASH = [
  'node:internal/modules/cjs/loader:1228',
  '  throw err;',
  '  ^',
  '',
  "Error: Cannot find module '/app/config/production.json'",
  'Require stack:',
  '- /app/src/config.js',
  '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)',
  '    at Module._load (node:internal/modules/cjs/loader:1051:27)',
  '    at loadConfig (/app/src/config.js:12:11)',
  '    at Object.<anonymous> (/app/src/server.js:3:16) {',
  "  code: 'MODULE_NOT_FOUND',",
  "  requireStack: [ '/app/src/config.js' ]",
  '}',
  '',
  'Node.js v20.11.1'
];

/** A pod of the new ReplicaSet that runs but whose readiness probe fails (kubelet prober's words). */
function neverReady(name: string, gates: string[] = []): Pod {
  const p = pod(name, rs, [{ ...running('web:v2'), ready: false }]);
  p.spec = { ...p.spec, readinessGates: gates.map(conditionType => ({ conditionType })) };
  return p;
}

describe('explain', () => {
  it("a crash loop: the log line is core's rule (the Error, not a stack frame); the pod's events; a 30-line tail", async () => {
    const kube = new FakeKube();
    const p = pod('web-abc-1', rs, [crashLooping('web:v2', 2)]);
    kube.logLines.set('default/web-abc-1/app/previous', [
      ...Array.from({ length: 20 }, (_, i) => `starting ${i}`),
      ...NODE_CRASH
    ]);
    kube.put(event(p, 'Warning', 'BackOff', 'Back-off restarting failed container app in pod web-abc-1', 3));
    kube.put(event(pod('other', rs, []), 'Warning', 'BackOff', 'unrelated', 4));
    const problems = podProblems(p);
    const out = await explain(kube, { workload: web, pods: [p], problems, fatal: problems[0] });
    expect(out.rootCause).toBe(
      "web: container app CrashLoopBackOff (exit 1): Error: Cannot find module '/app/config/production.json'"
    );
    expect(text(out)).toContain('restarts 2');
    expect(text(out)).toContain('Pod web-abc-1: BackOff: Back-off restarting failed container app');
    expect(text(out)).not.toContain('unrelated');
    const logs = out.diagnostics.find(d => d.title.startsWith('Last log lines'))!;
    expect(logs.title).toBe('Last log lines of web-abc-1/app (previous instance)');
    expect(logs.lines).toHaveLength(30);
    expect(logs.lines.at(-1)).toBe('Node.js v20.11.1');
  });

  it('a pull failure names the image; an ImagePullBackOff takes the reason from the kubelet event', async () => {
    const image = 'registry.local:5000/web:missing';
    const pulling = pod('web-abc-1', rs, [pullFailing(image)]);
    const out = await explain(new FakeKube(), {
      workload: web,
      pods: [pulling],
      problems: podProblems(pulling),
      fatal: podProblems(pulling)[0]
    });
    expect(out.rootCause).toBe(
      `web: container app ErrImagePull: image ${image}: failed to pull and unpack image "${image}": not found`
    );
    const kube = new FakeKube();
    const backoff = pod('web-abc-1', rs, [
      {
        ...pullFailing(image),
        state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } }
      }
    ]);
    kube.put(event(backoff, 'Warning', 'Failed', `Failed to pull image "${image}": not found`, 1));
    const problems = podProblems(backoff);
    const again = await explain(kube, { workload: web, pods: [backoff], problems, fatal: problems[0] });
    expect(again.rootCause).toBe(
      `web: container app ImagePullBackOff: image ${image}: Failed to pull image "${image}": not found`
    );
  });

  it("pods never created: the admission's refusal leads, with the ReplicaSet's FailedCreate events", async () => {
    const kube = new FakeKube();
    const refusal =
      'pods "web-abc-x2x4z" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2';
    kube.put(event(rs, 'Warning', 'FailedCreate', `Error creating: ${refusal}`, 2, { count: 7 }));
    const problem = failedCreate(refusal, false);
    const out = await explain(kube, {
      workload: web,
      pods: [],
      problems: [problem],
      fatal: problem,
      related: [rs.metadata.name]
    });
    expect(out.rootCause).toBe(`web: pods cannot be created (FailedCreate): ${refusal}`);
    expect(text(out)).toContain(`ReplicaSet web-abc: FailedCreate: Error creating: ${refusal} (×7)`);
  });

  it('never Ready at the progress deadline: the readiness probe failure, its events, the running container’s log', async () => {
    const kube = new FakeKube();
    const p = neverReady('web-abc-1');
    kube.put(event(p, 'Normal', 'Started', 'Started container app', 1));
    kube.put(
      event(p, 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 9, {
        count: 40,
        fieldPath: 'spec.containers{app}'
      })
    );
    kube.logLines.set('default/web-abc-1/app', ['listening on :8080', 'GET /healthz 503 db pool exhausted']);
    const out = await explain(kube, {
      workload: web,
      pods: [p],
      problems: podProblems(p),
      verdict: {
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "web-abc" has timed out progressing.'
      }
    });
    expect(out.rootCause).toBe(
      'web: container app is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 503 (ProgressDeadlineExceeded)'
    );
    expect(text(out)).toContain(
      'Pod web-abc-1: Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503 (×40)'
    );
    expect(text(out)).toContain('app (web:v2): running, not ready; restarts 0');
    const logs = out.diagnostics.find(d => d.title === 'Last log lines of web-abc-1/app')!;
    expect(logs.lines).toEqual(['listening on :8080', 'GET /healthz 503 db pool exhausted']);
  });

  it("a closed ALB readiness gate: the gate's condition leads (aws-load-balancer-controller's target health)", async () => {
    const gate = 'target-health.elbv2.k8s.aws/k8s-shop-web-6b2ad5ec1f';
    const p = neverReady('web-abc-1', [gate]);
    p.status!.containerStatuses = [running('web:v2')];
    p.status!.conditions = [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ReadinessGatesNotReady',
        message: `the status of pod readiness gate "${gate}" is not "True", but False`
      },
      { type: 'ContainersReady', status: 'True' },
      { type: gate, status: 'False', reason: 'Target.FailedHealthChecks', message: 'Health checks failed' }
    ];
    const out = await explain(new FakeKube(), { workload: web, pods: [p], problems: [] });
    expect(out.rootCause).toBe(
      `web: pod web-abc-1 is not ready: readiness gate ${gate} is False: Target.FailedHealthChecks (Health checks failed)`
    );
  });

  it('a failed Job: the container that exited, its log line (kept from a pod that is gone), the Job’s reason', async () => {
    const job: KubeObject = { ...deployment('migrate'), apiVersion: 'batch/v1', kind: 'Job' };
    const gone = pod('migrate-x1', rs, [
      {
        name: 'app',
        image: 'web:v2',
        restartCount: 0,
        state: { terminated: { reason: 'Error', exitCode: 2 } }
      }
    ]);
    const kept = new Map([
      ['migrate-x1/app', ['running migrations', 'FATAL: relation "users" does not exist']]
    ]);
    const out = await explain(new FakeKube(), {
      workload: job,
      pods: [gone],
      problems: [],
      verdict: { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
      kept
    });
    expect(out.rootCause).toBe(
      'migrate: container app Error (exit 2): FATAL: relation "users" does not exist (BackoffLimitExceeded)'
    );
    expect(text(out)).toContain('Last log lines of migrate-x1/app\nrunning migrations');
  });

  it('no pod problem at all: the verdict and the latest Warning event; events that cannot be read are said', async () => {
    const kube = new FakeKube();
    const p = pod('web-abc-1', rs, []);
    p.status!.phase = 'Pending';
    kube.put(
      event(
        p,
        'Warning',
        'FailedMount',
        'MountVolume.SetUp failed for volume "certs" : secret "tls" not found',
        5
      )
    );
    const verdict = {
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "web-abc" has timed out progressing.'
    };
    const out = await explain(kube, { workload: web, pods: [p], problems: [], verdict });
    expect(out.rootCause).toBe(
      'web: ProgressDeadlineExceeded: ReplicaSet "web-abc" has timed out progressing.; last warning: Pod web-abc-1: FailedMount: MountVolume.SetUp failed for volume "certs" : secret "tls" not found'
    );
    const failing = new FakeKube();
    failing.list = () => Promise.reject(new Error('events are forbidden'));
    const blind = await explain(failing, { workload: web, pods: [p], problems: [], verdict });
    expect(text(blind)).toContain('(could not be read: events are forbidden)');
  });
});
