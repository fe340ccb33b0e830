/**
 * What reaching a cluster takes, whichever way it was found (EKS DescribeCluster or a kubeconfig): the AWS
 * access the EKS token is made from, the token itself (masked the moment it exists, made again well before it
 * expires), and why the cluster refused it: the credentials expired, or the cluster does not know them.
 */
import type { Cluster } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { isExpiredCredentials } from '../../../core/aws.js';
import { describeError, DockyardError } from '../../../core/errors.js';
import { systemClock, type Clock } from '../../../core/poll.js';
import type { Connection, TokenSource } from './kube.js';
import { eksToken, TOKEN_REFRESH_MS } from './token.js';

/** What deploy-eks needs from AWS, so the cluster logic runs against fakes in tests. */
export interface AwsAccess {
  /** The credentials the token is signed with; renewed before they expire when they come from `role-arn`. */
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

/** Hides a secret from every later log line (Logger.mask). */
export type Mask = (secret: string) => void;

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

/** The EKS token for a cluster, masked before anything can print it. */
export function eksTokenSource(
  cluster: string,
  region: string,
  aws: AwsAccess,
  options: { clock?: Clock; mask: Mask }
): TokenSource {
  return cachedToken(async () => {
    const token = await eksToken({ cluster, region, credentials: aws.credentials });
    options.mask(token);
    return token;
  }, options.clock ?? systemClock);
}

/** An assumed-role session ARN becomes the role ARN an access entry names. */
export function principalArn(arn: string): string {
  const m = /^arn:(aws[\w-]*):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

const REFUSED = 'The cluster refused the token twice (HTTP 401 Unauthorized)';

function accessEntryHint(principal: string): string {
  return `Give that identity access to the cluster: an EKS access entry (aws eks create-access-entry --principal-arn ${principal} and an access policy or Kubernetes groups allowed to apply these objects), or a mapping in the aws-auth ConfigMap. See the RBAC section of the deploy-eks README.`;
}

function expired(at: Date | undefined): DockyardError {
  return new DockyardError(
    `${REFUSED}: the AWS credentials it was signed with have expired${at ? ` (at ${at.toISOString()})` : ''}.`,
    {
      hint: "Credentials set by an earlier step (aws-actions/configure-aws-credentials) last for its role-duration-seconds (1 hour by default) and this step cannot renew them: make them outlast the step's timeout, or give 'role-arn', whose credentials Dockyard renews before they expire."
    }
  );
}

/**
 * Why the cluster refused a fresh EKS token, found out rather than guessed: credentials that could not be
 * renewed, credentials that have expired (their expiry, or STS saying so), or an identity the cluster does not
 * know (named by GetCallerIdentity, with the access entry to create).
 */
export async function explainRefusedToken(
  aws: AwsAccess,
  clock: Clock = systemClock
): Promise<DockyardError> {
  let expiration: Date | undefined;
  try {
    expiration = (await aws.credentials()).expiration;
  } catch (error) {
    return new DockyardError(
      `${REFUSED}, and no AWS credentials could be had to sign another: ${describeError(error)}`,
      {
        cause: error
      }
    );
  }
  if (expiration && expiration.getTime() <= clock.now()) return expired(expiration);
  let arn: string;
  try {
    arn = await aws.callerArn();
  } catch (error) {
    if (isExpiredCredentials(error)) return expired(expiration);
    return new DockyardError(
      `${REFUSED}: it does not know these AWS credentials (STS could not say whose they are: ${describeError(error)}).`,
      { hint: accessEntryHint('<the role ARN>'), cause: error }
    );
  }
  return new DockyardError(`${REFUSED}: it does not know ${arn}.`, {
    hint: accessEntryHint(principalArn(arn))
  });
}
