import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../../core/log.js';
import { virtualClock } from '../../../core/poll.js';
import type { Event } from './diagnose.js';
import type { KubeObject } from './kube.js';
import {
  claimState,
  explainProvision,
  failureEvent,
  loadBalancerAddresses,
  provisionedObjects,
  SELECTED_NODE,
  waitForProvisioned
} from './provisioned.js';
import { FakeKube } from './testing/fake-kube.js';

const service = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop', uid: 'svc-1' },
  spec: { type: 'LoadBalancer', ...spec },
  status
});

const claim = (phase: string | undefined, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'shop', uid: 'pvc-1', annotations },
  spec: { storageClassName: 'gp2', volumeName: phase === 'Bound' ? 'pvc-1234' : undefined },
  ...(phase ? { status: { phase } } : {})
});

/** An event about the claim or the Service, `at` seconds into the day. */
const event = (
  kind: string,
  name: string,
  reason: string,
  message: string,
  at = 0,
  type = 'Normal'
): Event => ({
  type,
  reason,
  message,
  involvedObject: { kind, name, namespace: 'shop' },
  lastTimestamp: new Date(Date.UTC(2026, 11, 7, 10, 0, at)).toISOString()
});

const NLB = 'k8s-shop-web-0123456789-0123456789abcdef.elb.us-east-1.amazonaws.com';
const SUBNETS =
  "Failed build model due to couldn't auto-discover subnets: unable to discover at least one subnet";

describe('provisionedObjects', () => {
  const objects = [service({}), service({ type: 'ClusterIP' }), claim(undefined)];
  it.each([
    [{ loadBalancers: true, volumes: false }, ['Service']],
    [{ loadBalancers: false, volumes: true }, ['PersistentVolumeClaim']],
    [{ loadBalancers: true, volumes: true }, ['Service', 'PersistentVolumeClaim']],
    [{ loadBalancers: false, volumes: false }, []]
  ])('%j picks %j (a ClusterIP Service never)', (waitFor, kinds) => {
    expect(provisionedObjects(objects, waitFor).map(o => o.kind)).toEqual(kinds);
  });
});

describe('claimState', () => {
  const wffc = event(
    'PersistentVolumeClaim',
    'data',
    'WaitForFirstConsumer',
    'waiting for first consumer to be created before binding'
  );
  it.each([
    ['Bound', claim('Bound'), [], 'done', 'Bound to pvc-1234'],
    ['Lost', claim('Lost'), [], 'failed', 'Lost: its volume  is gone (the data may be lost with it)'],
    ['Pending, nothing said yet', claim('Pending'), [], 'progressing', 'Pending: waiting for it to be Bound'],
    ['no status yet', claim(undefined), [], 'progressing', 'Pending: waiting for it to be Bound'],
    [
      'waiting for its first consumer',
      claim('Pending'),
      [wffc],
      'done',
      'Pending until a pod that uses it is scheduled (StorageClass gp2: WaitForFirstConsumer)'
    ],
    [
      'a consumer scheduled: provisioning',
      claim('Pending', { [SELECTED_NODE]: 'node-1' }),
      [wffc],
      'progressing',
      'Pending: waiting for it to be Bound'
    ]
  ])('%s', (_what, object, events, state, message) => {
    expect(claimState(object, events)).toMatchObject({ state, message });
  });
});

describe('failureEvent', () => {
  it.each([
    [[event('Service', 'web', 'FailedBuildModel', SUBNETS, 1, 'Warning')], 'FailedBuildModel'],
    [
      [
        event(
          'Service',
          'web',
          'SyncLoadBalancerFailed',
          'Error syncing load balancer: failed to ensure load balancer',
          1,
          'Warning'
        ),
        event('Service', 'web', 'EnsuredLoadBalancer', 'Ensured load balancer', 2)
      ],
      undefined
    ],
    [
      [
        event(
          'PersistentVolumeClaim',
          'data',
          'FailedBinding',
          'no persistent volumes available for this claim and no storage class is set'
        )
      ],
      'FailedBinding'
    ],
    [
      [
        event(
          'PersistentVolumeClaim',
          'data',
          'WaitForFirstConsumer',
          'waiting for first consumer to be created before binding'
        )
      ],
      undefined
    ],
    [[], undefined]
  ])('case %#: the latest event decides', (events, reason) => {
    expect(failureEvent(events)?.reason).toBe(reason);
  });
});

describe('explainProvision', () => {
  it('leads with the latest event', () => {
    const e = explainProvision(
      service({}),
      [event('Service', 'web', 'FailedBuildModel', SUBNETS, 1, 'Warning')],
      ''
    );
    expect(e.rootCause).toBe(`Service shop/web has no load balancer address: FailedBuildModel: ${SUBNETS}`);
    expect(e.diagnostics[0]).toMatchObject({
      title: 'Events of Service shop/web',
      lines: [`FailedBuildModel: ${SUBNETS}`]
    });
  });

  it('says when no controller reported on a Service', () => {
    expect(explainProvision(service({}), [], 'waiting').rootCause).toMatch(
      /^Service shop\/web has no load balancer address: no controller reported on it \(no events\)/
    );
  });
});

describe('waitForProvisioned', () => {
  const options = (clock = virtualClock(Date.UTC(2026, 11, 7, 10))) => ({
    timeoutMs: 60_000,
    intervalMs: 1000,
    clock,
    log: memoryLogger(),
    grace: { failureMs: 5000, unschedulableMs: 120_000 }
  });
  const ref = { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' };

  it('waits until the Service has an address, then gives it', async () => {
    const kube = new FakeKube();
    kube.put(service({}));
    const clock = virtualClock(0, (_ms, now) => {
      if (now >= 3000) kube.put(service({}, { loadBalancer: { ingress: [{ hostname: NLB }] } }));
    });
    const outcome = await waitForProvisioned(kube, ref, options(clock));
    expect(outcome).toMatchObject({ outcome: 'ready', message: `load balancer ${NLB}` });
    expect(clock.slept).toEqual([1000, 1000, 1000]);
    expect(loadBalancerAddresses([outcome])).toEqual([{ namespace: 'shop', name: 'web', addresses: [NLB] }]);
  });

  it('fails once the same failure event has lasted failure-grace, not before', async () => {
    const kube = new FakeKube();
    kube.put(service({}));
    kube.put({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'shop' },
      ...event('Service', 'web', 'FailedBuildModel', SUBNETS, 1, 'Warning')
    } as unknown as KubeObject);
    const clock = virtualClock(0);
    const outcome = await waitForProvisioned(kube, ref, options(clock));
    expect(outcome.outcome).toBe('failed');
    expect(outcome.detectedAt).toBe(5000);
    expect(outcome.explanation?.rootCause).toContain('FailedBuildModel');
  });

  it('a Service with no events runs to the timeout, explained', async () => {
    const kube = new FakeKube();
    kube.put(service({}));
    const outcome = await waitForProvisioned(kube, ref, { ...options(virtualClock(0)), timeoutMs: 4000 });
    expect(outcome.outcome).toBe('timeout');
    expect(outcome.explanation?.rootCause).toMatch(/no controller reported on it/);
  });
});
