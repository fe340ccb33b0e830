/**
 * What EKS's cloud controllers do for a LoadBalancer Service and a PersistentVolumeClaim, on the controllers' tick:
 *
 * - the AWS Load Balancer Controller gives a LoadBalancer Service its NLB: `status.loadBalancer.ingress[0].hostname`
 *   (`k8s-<namespace>-<name>-<hash>.elb.<region>.amazonaws.com`, as it names them) `delayMs` after it first sees the
 *   Service, with the Normal event `SuccessfullyReconciled` `Successfully reconciled`; or never, re-emitting a
 *   Warning (`FailedBuildModel` `Failed build model due to couldn't auto-discover subnets: unable to discover at
 *   least one subnet`, as kubernetes-sigs/aws-load-balancer-controller#3051 shows it) on the workqueue's back-off;
 * - the PV controller and the EBS CSI provisioner bind a claim: Immediate classes at once, WaitForFirstConsumer
 *   classes once the scheduler placed a pod that uses the claim (`volumeBinding`, which the kubelet's scheduler
 *   calls: it writes `volume.kubernetes.io/selected-node` and holds the pod until the claim is Bound),
 *   with the controllers' events (`WaitForFirstConsumer`, `ExternalProvisioning`, `Provisioning`,
 *   `ProvisioningSucceeded` or `ProvisioningFailed`, `FailedBinding` when no class is set or defaulted), a
 *   PersistentVolume `pvc-<uid>` and the claim Bound `provisionMs` later.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { createHash } from 'node:crypto';
import { clone } from './apply.js';
import type { EmitEvent } from './kubelet.js';
import type { ResourceInfo } from './resources.js';
import { meta, nameOf, namespaceOf, uidOf, type Entry, type Store } from './store.js';

type K = Record<string, any>;

/** A load balancer that never comes: the controller's event, re-emitted on every retry. */
export interface LoadBalancerOptions {
  delayMs: number;
  failure?: { reason: string; message: string };
}

/** How long provisioning a volume takes, and the provisioner's error when it cannot. */
export interface VolumeOptions {
  provisionMs: number;
  failure?: string;
}

export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const LBC = 'service';
const PV_CONTROLLER = 'persistentvolume-controller';
const EBS_CSI = 'ebs.csi.aws.com_ebs-csi-controller-7d8f9c6b5-x2x4z_1b6f3c2e-5a7d-4e8f-9c0b-2d1e3f4a5b6c';
const NO_CLASS = 'no persistent volumes available for this claim and no storage class is set';
const FIRST_CONSUMER = 'waiting for first consumer to be created before binding';
/** The PV controller's resync period: a Pending claim's event comes again this often. */
const RESYNC_MS = 15_000;

export interface CloudHost {
  readonly store: Store;
  readonly now: number;
  info(apiVersion: string, kind: string): ResourceInfo;
  ms(value: number): number;
  event: EmitEvent;
  putStatus(e: Entry, status: K): void;
}

/** The AWS Load Balancer Controller's NLB DNS name for a Service (names cut to 8 characters, a hash of the uid). */
export function loadBalancerHostname(service: K, region = 'us-east-1'): string {
  const hash = createHash('sha256').update(uidOf(service)).digest('hex');
  const ns = namespaceOf(service).slice(0, 8);
  return `k8s-${ns}-${nameOf(service).slice(0, 8)}-${hash.slice(0, 10)}-${hash.slice(10, 26)}.elb.${region}.amazonaws.com`;
}

/** When each object was first seen and when its controller tries again (uid → ms). */
export class CloudControllers {
  private readonly firstSeen = new Map<string, number>();
  private readonly retryAt = new Map<string, { at: number; failures: number }>();

  constructor(private readonly host: CloudHost) {}

  reset(): void {
    this.firstSeen.clear();
    this.retryAt.clear();
  }

  tick(loadBalancers: LoadBalancerOptions, volumes: VolumeOptions): void {
    for (const e of this.host.store.list(this.host.info('v1', 'Service'))) this.service(e, loadBalancers);
    for (const e of this.host.store.list(this.host.info('v1', 'PersistentVolumeClaim')))
      this.claim(e, volumes);
  }

  private seen(uid: string): number {
    if (!this.firstSeen.has(uid)) this.firstSeen.set(uid, this.host.now);
    return this.host.now - this.firstSeen.get(uid)!;
  }

  /** Whether the object's retry is due now; `back-off`: the workqueue's (5 ms doubling), else a resync. */
  private due(uid: string, backoff: boolean): boolean {
    const retry = this.retryAt.get(uid);
    if (retry && this.host.now < retry.at) return false;
    const failures = (retry?.failures ?? 0) + 1;
    const delay = backoff ? Math.min(5 * 2 ** (failures - 1), 1_000_000) : this.host.ms(RESYNC_MS);
    this.retryAt.set(uid, { at: this.host.now + delay, failures });
    return true;
  }

  private service(e: Entry, options: LoadBalancerOptions): void {
    const svc = e.object as K;
    if (svc.spec?.type !== 'LoadBalancer' || svc.metadata.deletionTimestamp) return;
    if ((svc.status?.loadBalancer?.ingress ?? []).length > 0) return;
    const age = this.seen(uidOf(svc));
    if (options.failure) {
      if (this.due(uidOf(svc), true))
        this.host.event(svc, 'Warning', options.failure.reason, options.failure.message, LBC);
      return;
    }
    if (age < this.host.ms(options.delayMs)) return;
    this.host.putStatus(e, { loadBalancer: { ingress: [{ hostname: loadBalancerHostname(svc) }] } });
    this.host.event(svc, 'Normal', 'SuccessfullyReconciled', 'Successfully reconciled', LBC);
  }

  /** The claim's StorageClass: named, or the default one (the DefaultStorageClass admission plugin's choice). */
  private storageClass(claim: K): { name?: string; object?: K } {
    const classes = this.host.store.list(this.host.info('storage.k8s.io/v1', 'StorageClass'));
    const name = claim.spec?.storageClassName;
    if (name) return { name, object: classes.find(c => nameOf(c.object) === name)?.object };
    const fallback = classes.find(c => (meta(c.object) as K).annotations?.[DEFAULT_CLASS] === 'true')?.object;
    return { name: fallback && nameOf(fallback), object: fallback };
  }

  /** A controller saying why it cannot go on, again on each retry: the workqueue's back-off, or a resync. */
  private retrying(
    object: K,
    backoff: boolean,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string
  ): void {
    if (this.due(uidOf(object), backoff)) this.host.event(object, type, reason, message, PV_CONTROLLER);
  }

  private claim(e: Entry, options: VolumeOptions): void {
    const claim = e.object as K;
    if (claim.status?.phase === 'Bound' || claim.metadata.deletionTimestamp) return;
    if (claim.status?.phase !== 'Pending')
      this.host.putStatus(e, { ...(claim.status ?? {}), phase: 'Pending' });
    const { name, object: sc } = this.storageClass(claim);
    if (!name) return this.retrying(claim, false, 'Normal', 'FailedBinding', NO_CLASS);
    if (!sc)
      return this.retrying(
        claim,
        true,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${name}" not found`
      );
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !claim.metadata.annotations?.[SELECTED_NODE])
      return this.retrying(claim, false, 'Normal', 'WaitForFirstConsumer', FIRST_CONSUMER);
    this.provision(e, sc, options);
  }

  private provision(e: Entry, sc: K, options: VolumeOptions): void {
    const claim = e.object as K;
    const key = `${uidOf(claim)}/provisioning`;
    const started = this.seen(key);
    if (started === 0) {
      const provisioner = String(sc.provisioner ?? 'ebs.csi.aws.com');
      this.host.event(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
        PV_CONTROLLER
      );
      this.host.event(
        claim,
        'Normal',
        'Provisioning',
        `External provisioner is provisioning volume for claim "${namespaceOf(claim)}/${nameOf(claim)}"`,
        EBS_CSI
      );
    }
    if (started < this.host.ms(options.provisionMs)) return;
    if (options.failure) {
      if (this.due(uidOf(claim), true))
        this.host.event(
          claim,
          'Warning',
          'ProvisioningFailed',
          `failed to provision volume with StorageClass "${nameOf(sc)}": ${options.failure}`,
          EBS_CSI
        );
      return;
    }
    this.bind(e, sc);
  }

  /** The PersistentVolume made for the claim, and the claim Bound to it. */
  private bind(e: Entry, sc: K): void {
    const claim = e.object as K;
    const volume = `pvc-${uidOf(claim)}`;
    const storage = claim.spec?.resources?.requests?.storage ?? '1Gi';
    const accessModes = claim.spec?.accessModes ?? ['ReadWriteOnce'];
    this.host.store.write(this.host.info('v1', 'PersistentVolume'), {
      metadata: { name: volume, annotations: { 'pv.kubernetes.io/provisioned-by': String(sc.provisioner) } },
      spec: {
        capacity: { storage },
        accessModes,
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: nameOf(sc),
        claimRef: {
          kind: 'PersistentVolumeClaim',
          namespace: namespaceOf(claim),
          name: nameOf(claim),
          uid: uidOf(claim)
        },
        csi: {
          driver: String(sc.provisioner),
          volumeHandle: `vol-${uidOf(claim).replace(/-/g, '').slice(0, 17)}`
        }
      },
      status: { phase: 'Bound' }
    });
    const next = clone(claim) as K;
    next.metadata.annotations = {
      ...(next.metadata.annotations ?? {}),
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.kubernetes.io/storage-provisioner': String(sc.provisioner)
    };
    next.spec = { ...next.spec, volumeName: volume, storageClassName: nameOf(sc) };
    const { entry } = this.host.store.write(e.info, next, { manager: 'kube-controller-manager' });
    this.host.putStatus(entry, { phase: 'Bound', accessModes, capacity: { storage } });
    this.host.event(
      claim,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${volume}`,
      EBS_CSI
    );
  }
}

/** Where the scheduler's volume binding leaves a pod: bound to its node, waiting for its claims, or refused. */
export type VolumeBinding = { wait: false } | { wait: true; unschedulable?: string };

/**
 * The scheduler's VolumeBinding plugin for a pod about to be bound to `node`: every claim the pod names must be
 * there; an unbound claim of an Immediate class makes the pod unschedulable; an unbound WaitForFirstConsumer claim
 * gets the node in `volume.kubernetes.io/selected-node` and the pod waits (PreBind) until the claim is Bound.
 */
export function volumeBinding(
  store: Store,
  info: (apiVersion: string, kind: string) => ResourceInfo,
  pod: K,
  node: string,
  nodes: number
): VolumeBinding {
  const claimInfo = info('v1', 'PersistentVolumeClaim');
  const refused = (why: string) => ({
    wait: true as const,
    unschedulable: `0/${nodes} nodes are available: ${why}. preemption: 0/${nodes} nodes are available: ${nodes} Preemption is not helpful for scheduling.`
  });
  let waiting = false;
  for (const volume of pod.spec?.volumes ?? []) {
    const name = volume.persistentVolumeClaim?.claimName;
    if (!name) continue;
    const entry = store.entry(claimInfo, namespaceOf(pod), name);
    if (!entry) return refused(`persistentvolumeclaim "${name}" not found`);
    const claim = entry.object as K;
    if (claim.status?.phase === 'Bound') continue;
    const sc = store
      .list(info('storage.k8s.io/v1', 'StorageClass'))
      .find(c => nameOf(c.object) === claim.spec?.storageClassName)?.object as K | undefined;
    if (sc?.volumeBindingMode !== 'WaitForFirstConsumer')
      return refused('pod has unbound immediate PersistentVolumeClaims');
    waiting = true;
    if (claim.metadata.annotations?.[SELECTED_NODE]) continue;
    const next = clone(claim) as K;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [SELECTED_NODE]: node };
    store.write(claimInfo, next, { manager: 'kube-scheduler' });
  }
  return waiting ? { wait: true } : { wait: false };
}
