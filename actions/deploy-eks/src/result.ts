/**
 * What one deploy-eks run found and did: the phases (deploy.ts) fill it in, summary.ts and the outputs read it.
 * Free of AWS and cluster code, so main.ts can declare the action without loading either.
 */
import { deployBase, type DeployBase } from '../../../core/deploy.js';
import type { ResourceResult } from './apply.js';
import type { Inputs } from './inputs.js';
import type { ImageChange } from './manifests.js';
import type { RollbackResult } from './rollback.js';
import type { WorkloadOutcome } from './rollout.js';

export interface DeployResult extends DeployBase {
  /** The EKS cluster, or the kubeconfig's cluster entry once connected. */
  cluster: string;
  namespace: string;
  server?: string;
  resources: ResourceResult[];
  images: ImageChange[];
  /** Workloads, and with `wait-for` the LoadBalancer Services and the claims waited for. */
  workloads: WorkloadOutcome[];
  /** The LoadBalancer Services that got their address (with `wait-for: load-balancers`). */
  loadBalancers: { namespace?: string; name: string; addresses: string[] }[];
  rollbacks: { name: string; result: RollbackResult }[];
}

/** The result before any phase ran (and the step's result when the inputs did not validate). */
export function initialResult(inputs: Inputs | undefined): DeployResult {
  return {
    ...deployBase(),
    cluster: inputs?.cluster ?? '',
    namespace: inputs?.namespace ?? 'default',
    resources: [],
    images: [],
    workloads: [],
    loadBalancers: [],
    rollbacks: []
  };
}

/** `2 created, 1 unchanged`: what the apply (and prune) did. */
export function summarizeResources(resources: ResourceResult[]): string {
  const count = (a: string) => resources.filter(r => r.action === a).length;
  const parts = ['created', 'configured', 'unchanged', 'pruned']
    .map(a => [a, count(a)] as const)
    .filter(([, n]) => n > 0);
  return parts.length ? parts.map(([a, n]) => `${n} ${a}`).join(', ') : 'nothing';
}
