/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON here */
import { describe, expect, it } from '@jest/globals';
import { BehaviourTable, DEFAULT_TIMING } from './behaviour.js';
import { SELECTED_NODE, type LoadBalancerOptions, type VolumeOptions } from './cloud.js';
import { Controller } from './controller.js';
import { ResourceRegistry } from './resources.js';
import { Store } from './store.js';

let now: number;
let store: Store;
let registry: ResourceRegistry;

const info = (apiVersion: string, kind: string) => registry.byKind(apiVersion, kind)!;
const get = (apiVersion: string, kind: string, name: string, ns = 'default'): any =>
  store.get(info(apiVersion, kind), ns, name);
const events = (name: string) =>
  store
    .list(info('v1', 'Event'), 'default')
    .map(e => e.object as any)
    .filter(e => e.involvedObject.name === name)
    .map(e => `${e.type} ${e.reason}: ${e.message}${e.count > 1 ? ` (×${e.count})` : ''}`);

function cluster(loadBalancers: LoadBalancerOptions, volumes: VolumeOptions): Controller {
  now = Date.UTC(2026, 11, 7, 10);
  store = new Store();
  registry = new ResourceRegistry();
  const options = {
    nodes: 3,
    speed: 1,
    timing: DEFAULT_TIMING,
    crdEstablishMs: 200,
    backoffScale: 1,
    readinessGates: 'open' as const,
    loadBalancers,
    volumes
  };
  return new Controller(store, registry, new BehaviourTable(), options, () => now);
}

/** Runs the controllers for `ms` of virtual time in 50 ms ticks. */
function run(controller: Controller, ms: number): void {
  for (let t = 0; t < ms; t += 50) {
    now += 50;
    controller.tick();
  }
}

const write = (apiVersion: string, kind: string, object: any) =>
  store.write(info(apiVersion, kind), object, { manager: 'test' });

const lbService = () =>
  write('v1', 'Service', {
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] }
  });

describe('the AWS Load Balancer Controller', () => {
  it('gives a LoadBalancer Service its NLB hostname after the delay, with its event', () => {
    const controller = cluster({ delayMs: 1000 }, { provisionMs: 500 });
    lbService();
    run(controller, 900);
    expect(get('v1', 'Service', 'web').status?.loadBalancer?.ingress).toBeUndefined();
    run(controller, 200);
    expect(get('v1', 'Service', 'web').status.loadBalancer.ingress[0].hostname).toMatch(
      /^k8s-default-web-[0-9a-f]{10}-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/
    );
    expect(events('web')).toEqual(['Normal SuccessfullyReconciled: Successfully reconciled']);
  });

  it('never gives one when it fails, and says so again on each retry', () => {
    const message =
      "Failed build model due to couldn't auto-discover subnets: unable to discover at least one subnet";
    const controller = cluster(
      { delayMs: 1000, failure: { reason: 'FailedBuildModel', message } },
      { provisionMs: 500 }
    );
    lbService();
    run(controller, 2000);
    expect(get('v1', 'Service', 'web').status?.loadBalancer?.ingress).toBeUndefined();
    expect(events('web')).toEqual([
      expect.stringMatching(new RegExp(`^Warning FailedBuildModel: ${message} \\(×\\d+\\)$`))
    ]);
  });

  it('leaves a ClusterIP Service alone', () => {
    const controller = cluster({ delayMs: 0 }, { provisionMs: 0 });
    write('v1', 'Service', {
      metadata: { name: 'web', namespace: 'default' },
      spec: { ports: [{ port: 80 }] }
    });
    run(controller, 200);
    expect(get('v1', 'Service', 'web').status?.loadBalancer).toBeUndefined();
  });
});

/** A pod `db-0` that mounts the claim `data`. */
const consumer = () =>
  write('v1', 'Pod', {
    metadata: { name: 'db-0', namespace: 'default' },
    spec: {
      containers: [{ name: 'db', image: 'postgres:16' }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }]
    }
  });

describe('the PV controller and the EBS provisioner', () => {
  const claim = (storageClassName?: string) =>
    write('v1', 'PersistentVolumeClaim', {
      metadata: { name: 'data', namespace: 'default' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '4Gi' } },
        ...(storageClassName ? { storageClassName } : {})
      }
    });
  const storageClass = (name: string, volumeBindingMode: string) =>
    write('storage.k8s.io/v1', 'StorageClass', {
      metadata: { name },
      provisioner: 'ebs.csi.aws.com',
      volumeBindingMode
    });

  it('binds a claim of an Immediate class to a new volume once provisioned', () => {
    const controller = cluster({ delayMs: 0 }, { provisionMs: 500 });
    storageClass('gp3', 'Immediate');
    claim('gp3');
    run(controller, 300);
    expect(get('v1', 'PersistentVolumeClaim', 'data').status.phase).toBe('Pending');
    run(controller, 400);
    const pvc = get('v1', 'PersistentVolumeClaim', 'data');
    expect(pvc.status).toMatchObject({ phase: 'Bound', capacity: { storage: '4Gi' } });
    expect(get('v1', 'PersistentVolume', pvc.spec.volumeName, '')).toMatchObject({
      status: { phase: 'Bound' }
    });
    // Events list by name, not by time.
    expect(
      events('data')
        .map(e => e.split(':')[0])
        .sort()
    ).toEqual(['Normal ExternalProvisioning', 'Normal Provisioning', 'Normal ProvisioningSucceeded']);
  });

  it('leaves a WaitForFirstConsumer claim Pending until a pod that uses it is scheduled', () => {
    const controller = cluster({ delayMs: 0 }, { provisionMs: 100 });
    storageClass('gp2', 'WaitForFirstConsumer');
    claim('gp2');
    run(controller, 1000);
    expect(get('v1', 'PersistentVolumeClaim', 'data').status.phase).toBe('Pending');
    expect(events('data')).toEqual([
      'Normal WaitForFirstConsumer: waiting for first consumer to be created before binding'
    ]);
    consumer();
    // The scheduler picks a node, writes it on the claim and holds the pod until the claim is Bound.
    run(controller, 150);
    expect(get('v1', 'PersistentVolumeClaim', 'data').metadata.annotations[SELECTED_NODE]).toMatch(
      /^node-\d$/
    );
    expect(get('v1', 'Pod', 'db-0').spec.nodeName).toBeUndefined();
    run(controller, 600);
    const pvc = get('v1', 'PersistentVolumeClaim', 'data');
    expect(pvc.status.phase).toBe('Bound');
    expect(get('v1', 'Pod', 'db-0').spec.nodeName).toBe(pvc.metadata.annotations[SELECTED_NODE]);
  });

  it.each([
    ['a claim that is not there', false, 'persistentvolumeclaim "data" not found'],
    [
      'an unbound claim with no class (bound at once, or never)',
      true,
      'pod has unbound immediate PersistentVolumeClaims'
    ]
  ])('keeps a pod that names %s unschedulable, as the scheduler says it', (_what, withClaim, why) => {
    const controller = cluster({ delayMs: 0 }, { provisionMs: 0 });
    if (withClaim) claim();
    consumer();
    run(controller, 500);
    expect(events('db-0')).toEqual([
      `Warning FailedScheduling: 0/3 nodes are available: ${why}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`
    ]);
    expect(get('v1', 'Pod', 'db-0').spec.nodeName).toBeUndefined();
  });

  it.each([
    [
      'no class and no default',
      undefined,
      'Normal FailedBinding: no persistent volumes available for this claim and no storage class is set'
    ],
    [
      'a class that is not there',
      'gp3',
      'Warning ProvisioningFailed: storageclass.storage.k8s.io "gp3" not found'
    ]
  ])('keeps a claim Pending with %s', (_what, storageClassName, said) => {
    const controller = cluster({ delayMs: 0 }, { provisionMs: 0 });
    claim(storageClassName);
    run(controller, 500);
    expect(get('v1', 'PersistentVolumeClaim', 'data').status.phase).toBe('Pending');
    expect(events('data')[0]).toMatch(new RegExp(`^${said.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});
