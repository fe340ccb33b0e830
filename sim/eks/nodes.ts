/**
 * The cluster's nodes: the Node objects, and a node that arrives late. With `lateNode`, new pods find no room
 * (the scheduler's `FailedScheduling`); a provisioner (Karpenter, EKS Auto Mode) nominates them to a NodeClaim
 * (`Nominated`: `Pod should schedule on: nodeclaim/default-…`), and the node joins `delayMs` later and takes them.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { randomBytes } from 'node:crypto';

type K = Record<string, any>;

/** A late node: how long the provisioner takes, and how many new pods wait for it (default: every new pod). */
export interface LateNode {
  delayMs: number;
  pods?: number;
  /** The NodePool the NodeClaim comes from (Karpenter's `default`; EKS Auto Mode's `general-purpose`). */
  nodePool?: string;
}

/** A Node object as an EKS node reports itself. */
export function nodeObject(name: string, index: number, labels: Record<string, string> = {}): K {
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': `us-east-1${'abc'[index % 3]}`,
        ...labels
      }
    },
    spec: {},
    status: {
      capacity: { cpu: '2', memory: '8Gi', pods: '29' },
      allocatable: { cpu: '1930m', memory: '7Gi', pods: '29' },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      ],
      nodeInfo: {
        kubeletVersion: 'v1.34.0-eks-test',
        containerRuntimeVersion: 'containerd://1.7.27',
        osImage: 'Amazon Linux 2023',
        architecture: 'amd64',
        operatingSystem: 'linux'
      }
    }
  };
}

/** Where a pod stands with the provisioner. */
export type Placement = { wait: false; node?: string } | { wait: true; claim: string; nominate: boolean };

export class Provisioner {
  private claim?: { name: string; node: string; joinAt: number; joined: boolean };
  private readonly waiting = new Map<string, boolean>();
  private taken = 0;

  reset(): void {
    this.claim = undefined;
    this.waiting.clear();
    this.taken = 0;
  }

  /**
   * Places a pod the scheduler is about to bind. `join` writes the new Node when it arrives. A pod that waits
   * is nominated once (`nominate`), then waits until the node has joined.
   */
  place(
    podUid: string,
    late: LateNode | undefined,
    now: number,
    delayMs: number,
    join: (node: string) => void
  ): Placement {
    if (!this.waiting.has(podUid)) {
      if (!late || (late.pods !== undefined && this.taken >= late.pods)) return { wait: false };
      this.taken++;
      this.waiting.set(podUid, false);
    }
    this.claim ??= {
      name: `${late?.nodePool ?? 'default'}-${randomBytes(3).toString('hex').slice(0, 5)}`,
      node: `ip-192-168-${100 + Math.floor(Math.random() * 100)}-${10 + Math.floor(Math.random() * 200)}.ec2.internal`,
      joinAt: now + delayMs,
      joined: false
    };
    if (now >= this.claim.joinAt) {
      if (!this.claim.joined) join(this.claim.node);
      this.claim.joined = true;
      return { wait: false, node: this.claim.node };
    }
    const nominate = !this.waiting.get(podUid);
    this.waiting.set(podUid, true);
    return { wait: true, claim: this.claim.name, nominate };
  }
}
