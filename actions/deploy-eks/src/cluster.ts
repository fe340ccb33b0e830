/**
 * How to reach the cluster: EKS DescribeCluster for the endpoint and CA (with an early word when the
 * endpoint is private or limited to CIDRs), or a kubeconfig; the bearer token made in-process and made
 * again well before it expires.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Cluster } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { DockyardError } from '../../../core/errors.js';
import { resolveInsideWorkspace } from '../../../core/inputs.js';
import type { Logger } from '../../../core/log.js';
import { systemClock, type Clock } from '../../../core/poll.js';
import type { Connection, TokenSource } from './kube.js';
import { eksToken, TOKEN_REFRESH_MS } from './token.js';

/** What deploy-eks needs from AWS, so the cluster logic runs against fakes in tests. */
export interface AwsAccess {
  credentials: AwsCredentialIdentityProvider;
  describeCluster(name: string): Promise<Cluster | undefined>;
  /** The GetCallerIdentity ARN of these credentials. */
  callerArn(): Promise<string>;
}

export interface ClusterAccess {
  connection: Connection;
  /** The EKS cluster name, or the kubeconfig's cluster entry. */
  name: string;
  server: string;
  /** `eks` (DescribeCluster) or `kubeconfig`. */
  via: 'eks' | 'kubeconfig';
  /** Credentials read from a kubeconfig, masked in the log as soon as they are read. */
  secrets?: string[];
}

/** A token made on demand, kept for `refreshMs`, and made again at once when `fresh` is asked (after a 401). */
export function cachedToken(
  make: () => Promise<string>,
  clock: Clock = systemClock,
  refreshMs = TOKEN_REFRESH_MS
): TokenSource & { made: number } {
  let current: { token: string; at: number } | undefined;
  const source = {
    made: 0,
    async token(fresh = false) {
      if (!current || fresh || clock.now() - current.at >= refreshMs) {
        current = { token: await make(), at: clock.now() };
        source.made++;
      }
      return current.token;
    }
  };
  return source;
}

function eksTokenSource(cluster: string, region: string, aws: AwsAccess, clock: Clock): TokenSource {
  return cachedToken(() => eksToken({ cluster, region, credentials: aws.credentials }), clock);
}

/** The cluster from EKS: endpoint, CA, and whether a runner outside the VPC can reach it. */
export async function clusterFromEks(
  name: string,
  region: string,
  aws: AwsAccess,
  options: { log: Logger; clock?: Clock }
): Promise<ClusterAccess> {
  let cluster: Cluster | undefined;
  try {
    cluster = await aws.describeCluster(name);
  } catch (error) {
    if ((error as Error)?.name === 'ResourceNotFoundException') cluster = undefined;
    else throw error;
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
  if (!cluster.endpoint || !cluster.certificateAuthority?.data)
    throw new DockyardError(`EKS did not return an endpoint and CA for '${name}'.`, {
      input: 'cluster',
      hint: 'The cluster may still be creating; check it in the EKS console.'
    });
  const vpc = cluster.resourcesVpcConfig;
  let reachHint: string | undefined;
  if (vpc?.endpointPublicAccess === false) {
    throw new DockyardError(
      `the API endpoint of '${name}' is private only: a runner outside the cluster's VPC cannot reach it.`,
      {
        input: 'cluster',
        hint: "Run this job on a self-hosted runner inside the VPC (or a peered network), or enable the cluster's public endpoint (aws eks update-cluster-config --resources-vpc-config endpointPublicAccess=true)."
      }
    );
  }
  const cidrs = vpc?.publicAccessCidrs ?? [];
  if (cidrs.length > 0 && !cidrs.includes('0.0.0.0/0')) {
    reachHint = `The public endpoint of '${name}' accepts only ${cidrs.join(', ')}: a GitHub-hosted runner is outside those unless you added its address. Use a self-hosted runner inside one of them, or add the runner's egress CIDR to publicAccessCidrs.`;
    options.log.warning(
      `Cluster ${name}: public access is limited to ${cidrs.join(', ')}. ${reachHint.split(': ').slice(1).join(': ')}`
    );
  }
  return {
    name,
    server: cluster.endpoint,
    via: 'eks',
    connection: {
      server: cluster.endpoint,
      ca: Buffer.from(cluster.certificateAuthority.data, 'base64').toString('utf8'),
      auth: eksTokenSource(name, region, aws, options.clock ?? systemClock),
      whoami: () => aws.callerArn(),
      reachHint
    }
  };
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  clusters?: {
    name: string;
    cluster?: {
      server?: string;
      'certificate-authority-data'?: string;
      'certificate-authority'?: string;
      'insecure-skip-tls-verify'?: boolean;
    };
  }[];
  users?: {
    name: string;
    user?: {
      token?: string;
      'client-certificate-data'?: string;
      'client-key-data'?: string;
      exec?: { command?: string; args?: string[]; env?: { name: string; value: string }[] | null };
    };
  }[];
}

/** `--name value` or `--name=value` from an exec's arguments. */
function argValue(args: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    for (const n of names) {
      if (args[i] === n) return args[i + 1];
      if (args[i].startsWith(`${n}=`)) return args[i].slice(n.length + 1);
    }
  }
  return undefined;
}

/**
 * The cluster from a kubeconfig: its current context's server and CA, and its user's token, client
 * certificate, or `aws eks get-token` / `aws-iam-authenticator token` exec, replaced by our own token.
 */
export function clusterFromKubeconfig(
  path: string,
  options: {
    region?: string;
    aws?: (region: string) => AwsAccess;
    clock?: Clock;
    readFile?: (p: string) => string;
    /** When given, a CA file the kubeconfig names must be inside it. */
    workspace?: string;
  }
): ClusterAccess {
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const fail = (message: string, hint: string): never => {
    throw new DockyardError(message, { input: 'kubeconfig', hint });
  };
  let config: KubeconfigFile;
  try {
    config = parse(read(path)) as KubeconfigFile;
  } catch (error) {
    return fail(
      `${basename(path)} is not a readable kubeconfig (${(error as Error).message.split('\n')[0]}).`,
      'Give a kubeconfig YAML file.'
    );
  }
  if (!config || typeof config !== 'object')
    return fail(`${basename(path)} is empty.`, 'Give a kubeconfig YAML file.');
  const contextName = config['current-context'] || config.contexts?.[0]?.name;
  const context = config.contexts?.find(c => c.name === contextName)?.context;
  if (!context)
    return fail(
      `${basename(path)} has no context '${contextName ?? ''}'.`,
      'Set current-context to one of its contexts.'
    );
  const clusterEntry = config.clusters?.find(c => c.name === context.cluster);
  const cluster = clusterEntry?.cluster;
  if (!cluster?.server)
    return fail(
      `${basename(path)}: cluster '${context.cluster ?? ''}' has no server.`,
      'Each cluster entry needs server and certificate-authority-data.'
    );
  if (cluster['insecure-skip-tls-verify'])
    return fail(
      `${basename(path)}: insecure-skip-tls-verify is set; Dockyard verifies the API server against the cluster's CA only.`,
      "Give the cluster's CA in certificate-authority-data."
    );
  let ca: string | undefined;
  if (cluster['certificate-authority-data'])
    ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  else if (cluster['certificate-authority']) {
    const file = resolve(dirname(path), cluster['certificate-authority']);
    // The CA file follows the kubeconfig's own rule: inside the workspace.
    if (options.workspace)
      resolveInsideWorkspace('kubeconfig', relative(options.workspace, file), {
        workspace: options.workspace,
        kind: 'file'
      });
    try {
      ca = read(file);
    } catch {
      fail(
        `${basename(path)}: cannot read certificate-authority ${cluster['certificate-authority']}.`,
        'Use certificate-authority-data, or a CA file inside the workspace.'
      );
    }
  }
  if (!ca)
    return fail(
      `${basename(path)}: cluster '${context.cluster}' has no CA.`,
      "Add certificate-authority-data: Dockyard trusts the cluster's CA only, never the system CAs."
    );
  const user = config.users?.find(u => u.name === context.user)?.user ?? {};
  const connection: Connection = { server: cluster.server, ca };
  if (user['client-certificate-data'] && user['client-key-data']) {
    connection.clientCert = Buffer.from(user['client-certificate-data'], 'base64').toString('utf8');
    connection.clientKey = Buffer.from(user['client-key-data'], 'base64').toString('utf8');
  }
  if (user.token) {
    const token = user.token;
    connection.auth = { token: async () => token };
  } else if (user.exec) {
    const command = basename(user.exec.command ?? '');
    const args = user.exec.args ?? [];
    const envRegion = user.exec.env?.find(
      e => e.name === 'AWS_REGION' || e.name === 'AWS_DEFAULT_REGION'
    )?.value;
    let clusterName: string | undefined;
    if (command === 'aws' && args.includes('get-token'))
      clusterName = argValue(args, '--cluster-name', '--cluster-id');
    else if (command === 'aws-iam-authenticator' && args.includes('token'))
      clusterName = argValue(args, '-i', '--cluster-id');
    else
      return fail(
        `${basename(path)}: user '${context.user}' runs '${user.exec.command}', which Dockyard does not run.`,
        'Use a token, a client certificate, or the `aws eks get-token` exec (Dockyard makes that token itself).'
      );
    if (!clusterName)
      return fail(
        `${basename(path)}: the get-token exec names no cluster.`,
        'Add --cluster-name <name> to its args.'
      );
    const region = argValue(args, '--region') ?? envRegion ?? options.region;
    if (!region)
      return fail(
        `${basename(path)}: no region for the EKS token.`,
        "Add --region to the exec args, or set the 'region' input."
      );
    const aws = options.aws?.(region);
    if (!aws)
      return fail('an EKS token needs AWS credentials.', 'Configure AWS credentials before this step.');
    connection.auth = eksTokenSource(clusterName, region, aws, options.clock ?? systemClock);
    connection.whoami = () => aws.callerArn();
  }
  const secrets = [user.token, user['client-key-data'], connection.clientKey].filter((v): v is string => !!v);
  return {
    name: context.cluster ?? 'cluster',
    server: cluster.server,
    via: 'kubeconfig',
    connection,
    secrets
  };
}
