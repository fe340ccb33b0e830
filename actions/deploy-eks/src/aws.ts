/**
 * The AWS side of deploy-eks: credentials from the SDK's default chain, or from STS AssumeRole when `role-arn`
 * is given (masked as soon as they exist, and renewed before they expire, so a long wait keeps a valid token);
 * EKS DescribeCluster; STS GetCallerIdentity. Nothing else is called.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createClient, ensureCredentials, isExpiredCredentials } from '../../../core/aws.js';
import { describeError, DockyardError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { systemClock, type Clock } from '../../../core/poll.js';
import type { AwsAccess } from './access.js';
import { TOKEN_REFRESH_MS } from './token.js';

/** The session asked of AssumeRole: an hour, the most a chained role session may last. */
const SESSION_SECONDS = 3600;
/**
 * Credentials are renewed this long before they expire. A token signed with them is used for up to
 * TOKEN_REFRESH_MS, and the API server checks it against STS while it is used: they must outlast it.
 */
export const RENEW_BEFORE_MS = TOKEN_REFRESH_MS + 5 * 60_000;

export interface AwsSession extends AwsAccess {
  destroy(): void;
}

/** One AssumeRole call: its credentials, masked before they are returned. */
async function assumeRole(sts: STSClient, roleArn: string, log: Logger): Promise<AwsCredentialIdentity> {
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: 'dockyard-deploy-eks',
      DurationSeconds: SESSION_SECONDS
    })
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
  for (const secret of [c.AccessKeyId, c.SecretAccessKey, c.SessionToken]) if (secret) log.mask(secret);
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration
  };
}

/** A failed AssumeRole, first or renewal, naming the input and the likely fix. */
function assumeRoleError(roleArn: string, error: unknown, renewal: boolean): DockyardError {
  const hint = isExpiredCredentials(error)
    ? "The step's own credentials have expired (those set by aws-actions/configure-aws-credentials last for its role-duration-seconds): make them outlast the step's timeout."
    : "Check the role's trust policy allows the workflow's credentials to assume it (sts:AssumeRole).";
  return new DockyardError(
    `could not ${renewal ? 'renew the credentials of' : 'assume'} ${roleArn}: ${describeError(error)}`,
    { input: 'role-arn', hint, cause: error }
  );
}

/**
 * Credentials made by `obtain`, kept until RENEW_BEFORE_MS before they expire, then made again; callers at the
 * same moment share one call. A renewal that fails while the current credentials are still valid is warned
 * about and tried again on the next use.
 */
export function renewingCredentials(
  obtain: () => Promise<AwsCredentialIdentity>,
  options: { clock?: Clock; log: Logger; describeFailure: (error: unknown) => DockyardError }
): AwsCredentialIdentityProvider {
  const clock = options.clock ?? systemClock;
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (c: AwsCredentialIdentity | undefined): c is AwsCredentialIdentity =>
    !!c && (!c.expiration || c.expiration.getTime() - clock.now() > RENEW_BEFORE_MS);
  const renew = async () => {
    try {
      current = await obtain();
      return current;
    } catch (error) {
      const stillValid = current?.expiration && current.expiration.getTime() > clock.now();
      if (!current || !stillValid) throw options.describeFailure(error);
      options.log.warning(
        `${describeError(options.describeFailure(error))} The current ones are used until they expire.`
      );
      return current;
    } finally {
      pending = undefined;
    }
  };
  return async () => {
    if (fresh(current)) return current;
    pending ??= renew();
    return pending;
  };
}

export async function awsSession(options: {
  region: string;
  roleArn?: string;
  signal?: AbortSignal;
  log: Logger;
  clock?: Clock;
}): Promise<AwsSession> {
  const { region, signal, roleArn } = options;
  const base = defaultProvider();
  const baseSts = createClient(STSClient, { region, signal, credentials: base });
  await ensureCredentials(baseSts);
  let credentials: AwsCredentialIdentityProvider = base;
  if (roleArn) {
    let first = true;
    credentials = renewingCredentials(() => assumeRole(baseSts, roleArn, options.log), {
      clock: options.clock,
      log: options.log,
      describeFailure: error => assumeRoleError(roleArn, error, !first)
    });
    // Assumed at once: a role that cannot be assumed fails the step before the cluster is looked at.
    await credentials();
    first = false;
  }
  const eks = createClient(EKSClient, { region, signal, credentials });
  const sts = roleArn ? createClient(STSClient, { region, signal, credentials }) : baseSts;
  return {
    credentials,
    describeCluster: async name => (await eks.send(new DescribeClusterCommand({ name }))).cluster,
    callerArn: async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'an unknown identity',
    destroy: () => new Set([baseSts, eks, sts]).forEach(c => c.destroy())
  };
}
