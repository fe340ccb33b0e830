/**
 * The cluster from a kubeconfig: its current context's server and CA (the only one trusted), and its user's
 * token, client certificate, or `aws eks get-token` / `aws-iam-authenticator token` exec, which Dockyard does not
 * run but replaces with its own token for the same cluster and region.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { DockyardError } from '../../../core/errors.js';
import { resolveInsideWorkspace } from '../../../core/inputs.js';
import { systemClock, type Clock } from '../../../core/poll.js';
import {
  eksTokenSource,
  explainRefusedToken,
  type AwsAccess,
  type ClusterAccess,
  type Mask
} from './access.js';
import type { Connection } from './kube.js';

interface KubeconfigCluster {
  server?: string;
  'certificate-authority-data'?: string;
  'certificate-authority'?: string;
  'insecure-skip-tls-verify'?: boolean;
}

interface KubeconfigUser {
  token?: string;
  'client-certificate-data'?: string;
  'client-key-data'?: string;
  exec?: { command?: string; args?: string[]; env?: { name: string; value: string }[] | null };
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  clusters?: { name: string; cluster?: KubeconfigCluster }[];
  users?: { name: string; user?: KubeconfigUser }[];
}

export interface KubeconfigOptions {
  region?: string;
  aws?: (region: string) => AwsAccess;
  clock?: Clock;
  /** Hides the tokens Dockyard makes for an exec user (the file's own secrets are in ClusterAccess.secrets). */
  mask?: Mask;
  readFile?: (p: string) => string;
  /** When given, a CA file the kubeconfig names must be inside it. */
  workspace?: string;
}

function refuse(message: string, hint: string): never {
  throw new DockyardError(message, { input: 'kubeconfig', hint });
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

/** The current context (else the first), its cluster entry and its user. */
function currentContext(config: KubeconfigFile, file: string) {
  const contextName = config['current-context'] || config.contexts?.[0]?.name;
  const context = config.contexts?.find(c => c.name === contextName)?.context;
  if (!context)
    refuse(`${file} has no context '${contextName ?? ''}'.`, 'Set current-context to one of its contexts.');
  const cluster = config.clusters?.find(c => c.name === context.cluster)?.cluster;
  if (!cluster?.server)
    refuse(
      `${file}: cluster '${context.cluster ?? ''}' has no server.`,
      'Each cluster entry needs server and certificate-authority-data.'
    );
  if (cluster['insecure-skip-tls-verify'])
    refuse(
      `${file}: insecure-skip-tls-verify is set; Dockyard verifies the API server against the cluster's CA only.`,
      "Give the cluster's CA in certificate-authority-data."
    );
  const user = config.users?.find(u => u.name === context.user)?.user ?? {};
  return {
    clusterName: context.cluster ?? 'cluster',
    userName: context.user ?? '',
    server: cluster.server,
    cluster,
    user
  };
}

/** The CA: inline data, or a file next to the kubeconfig (inside the workspace, like the kubeconfig itself). */
function readCa(
  cluster: KubeconfigCluster,
  clusterName: string,
  path: string,
  options: KubeconfigOptions,
  read: (p: string) => string
): string {
  const file = basename(path);
  if (cluster['certificate-authority-data'])
    return Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  const caFile = cluster['certificate-authority'];
  if (!caFile)
    refuse(
      `${file}: cluster '${clusterName}' has no CA.`,
      "Add certificate-authority-data: Dockyard trusts the cluster's CA only, never the system CAs."
    );
  const full = resolve(dirname(path), caFile);
  if (options.workspace)
    resolveInsideWorkspace('kubeconfig', relative(options.workspace, full), {
      workspace: options.workspace,
      kind: 'file'
    });
  try {
    return read(full);
  } catch {
    return refuse(
      `${file}: cannot read certificate-authority ${caFile}.`,
      'Use certificate-authority-data, or a CA file inside the workspace.'
    );
  }
}

/** An `aws eks get-token` or `aws-iam-authenticator token` exec, replaced by Dockyard's own EKS token. */
function execAuth(
  exec: NonNullable<KubeconfigUser['exec']>,
  userName: string,
  file: string,
  options: KubeconfigOptions
): Pick<Connection, 'auth' | 'explainUnauthorized'> {
  const command = basename(exec.command ?? '');
  const args = exec.args ?? [];
  let clusterName: string | undefined;
  if (command === 'aws' && args.includes('get-token'))
    clusterName = argValue(args, '--cluster-name', '--cluster-id');
  else if (command === 'aws-iam-authenticator' && args.includes('token'))
    clusterName = argValue(args, '-i', '--cluster-id');
  else
    refuse(
      `${file}: user '${userName}' runs '${exec.command}', which Dockyard does not run.`,
      'Use a token, a client certificate, or the `aws eks get-token` exec (Dockyard makes that token itself).'
    );
  if (!clusterName)
    refuse(`${file}: the get-token exec names no cluster.`, 'Add --cluster-name <name> to its args.');
  const envRegion = exec.env?.find(e => e.name === 'AWS_REGION' || e.name === 'AWS_DEFAULT_REGION')?.value;
  const region = argValue(args, '--region') ?? envRegion ?? options.region;
  if (!region)
    refuse(
      `${file}: no region for the EKS token.`,
      "Add --region to the exec args, or set the 'region' input."
    );
  const aws = options.aws?.(region);
  if (!aws) refuse('an EKS token needs AWS credentials.', 'Configure AWS credentials before this step.');
  const clock = options.clock ?? systemClock;
  return {
    auth: eksTokenSource(clusterName, region, aws, { clock, mask: options.mask ?? (() => {}) }),
    explainUnauthorized: () => explainRefusedToken(aws, clock)
  };
}

/** The user's own credentials: a static token or a client certificate, and what to say when they are refused. */
function staticAuth(user: KubeconfigUser, userName: string, file: string): Partial<Connection> {
  const connection: Partial<Connection> = {};
  if (user['client-certificate-data'] && user['client-key-data']) {
    connection.clientCert = Buffer.from(user['client-certificate-data'], 'base64').toString('utf8');
    connection.clientKey = Buffer.from(user['client-key-data'], 'base64').toString('utf8');
  }
  const token = user.token;
  if (token) connection.auth = { token: async () => token };
  const what = token ? 'token' : 'client certificate';
  connection.explainUnauthorized = async () =>
    new DockyardError(
      `The cluster refused the ${what} of user '${userName}' in ${file} (HTTP 401 Unauthorized).`,
      {
        input: 'kubeconfig',
        hint: `The ${what} is not valid for this cluster, or has expired or been revoked: give a current one.`
      }
    );
  return connection;
}

export function clusterFromKubeconfig(path: string, options: KubeconfigOptions): ClusterAccess {
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const file = basename(path);
  let config: KubeconfigFile;
  try {
    config = parse(read(path)) as KubeconfigFile;
  } catch (error) {
    return refuse(
      `${file} is not a readable kubeconfig (${(error as Error).message.split('\n')[0]}).`,
      'Give a kubeconfig YAML file.'
    );
  }
  if (!config || typeof config !== 'object') refuse(`${file} is empty.`, 'Give a kubeconfig YAML file.');
  const { clusterName, userName, server, cluster, user } = currentContext(config, file);
  const ca = readCa(cluster, clusterName, path, options, read);
  const connection: Connection = {
    server,
    ca,
    ...staticAuth(user, userName, file),
    ...(!user.token && user.exec ? execAuth(user.exec, userName, file, options) : {})
  };
  const secrets = [user.token, user['client-key-data'], connection.clientKey].filter((v): v is string => !!v);
  return { name: clusterName, server, via: 'kubeconfig', connection, secrets };
}
