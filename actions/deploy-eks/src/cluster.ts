/**
 * How to reach the cluster: EKS DescribeCluster for the endpoint and CA, and what its endpoint access settings
 * mean for this runner (said at once for CIDRs, explained only if a connection then fails for a private-only
 * endpoint), or a kubeconfig (kubeconfig.ts). The bearer token is made in-process (access.ts).
 */
import type { Cluster, VpcConfigResponse } from '@aws-sdk/client-eks';
import { DockyardError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { systemClock, type Clock } from '../../../core/poll.js';
import { eksTokenSource, explainRefusedToken, type AwsAccess, type ClusterAccess } from './access.js';

export type { AwsAccess, ClusterAccess } from './access.js';
export { clusterFromKubeconfig } from './kubeconfig.js';

/** DescribeCluster's answer, or the `cluster` input's error when there is no usable cluster of that name. */
async function describeActiveCluster(name: string, region: string, aws: AwsAccess) {
  let cluster: Cluster | undefined;
  try {
    cluster = await aws.describeCluster(name);
  } catch (error) {
    if ((error as Error)?.name !== 'ResourceNotFoundException') throw error;
  }
  if (!cluster)
    throw new DockyardError(`no EKS cluster '${name}' in ${region}.`, {
      input: 'cluster',
      hint: "Check the name and the 'region' input (aws eks list-clusters --region <region>)."
    });
  if (cluster.status && !['ACTIVE', 'UPDATING'].includes(cluster.status))
    throw new DockyardError(`the EKS cluster '${name}' is ${cluster.status}, not ACTIVE.`, {
      input: 'cluster',
      hint: 'Wait until the cluster is ACTIVE, then run the deployment again.'
    });
  const endpoint = cluster.endpoint;
  const ca = cluster.certificateAuthority?.data;
  if (!endpoint || !ca)
    throw new DockyardError(`EKS did not return an endpoint and CA for '${name}'.`, {
      input: 'cluster',
      hint: 'The cluster may still be creating; check it in the EKS console.'
    });
  return { endpoint, ca, vpc: cluster.resourcesVpcConfig };
}

/**
 * What the endpoint access settings mean for this runner, said when a connection fails. A private-only endpoint
 * is tried (a runner in the VPC, such as actions-runner-controller on the cluster itself, reaches it); public
 * access limited to CIDRs is warned about at once, since a GitHub-hosted runner is rarely inside them.
 */
function endpointReachHint(
  name: string,
  vpc: VpcConfigResponse | undefined,
  log: Logger
): string | undefined {
  if (vpc?.endpointPublicAccess === false) {
    log.info(
      `Cluster ${name}: the API endpoint is private only (endpointPublicAccess: false), reachable from inside the cluster's VPC or a network connected to it; trying it.`
    );
    return `The API endpoint of '${name}' is private only (endpointPublicAccess: false): only a runner inside the cluster's VPC or a network connected to it (peering, Transit Gateway, VPN) reaches it, and a GitHub-hosted runner does not. Run this job on a self-hosted runner there (actions-runner-controller on a cluster in that VPC works), or turn on public access for the runner's addresses (aws eks update-cluster-config --name ${name} --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=<runner CIDR>).`;
  }
  const cidrs = vpc?.publicAccessCidrs ?? [];
  if (cidrs.length === 0 || cidrs.includes('0.0.0.0/0')) return undefined;
  const advice =
    "a GitHub-hosted runner is outside those unless you added its address. Use a self-hosted runner inside one of them, or add the runner's egress CIDR to publicAccessCidrs.";
  log.warning(`Cluster ${name}: public access is limited to ${cidrs.join(', ')}. ${advice}`);
  return `The public endpoint of '${name}' accepts only ${cidrs.join(', ')}: ${advice}`;
}

/** The cluster from EKS: endpoint, CA, the token for it, and what to say if the endpoint cannot be reached. */
export async function clusterFromEks(
  name: string,
  region: string,
  aws: AwsAccess,
  options: { log: Logger; clock?: Clock }
): Promise<ClusterAccess> {
  const { endpoint, ca, vpc } = await describeActiveCluster(name, region, aws);
  const clock = options.clock ?? systemClock;
  return {
    name,
    server: endpoint,
    via: 'eks',
    connection: {
      server: endpoint,
      ca: Buffer.from(ca, 'base64').toString('utf8'),
      auth: eksTokenSource(name, region, aws, { clock, mask: secret => options.log.mask(secret) }),
      explainUnauthorized: () => explainRefusedToken(aws, clock),
      reachHint: endpointReachHint(name, vpc, options.log)
    }
  };
}
