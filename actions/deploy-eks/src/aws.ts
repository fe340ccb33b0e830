/**
 * The AWS side of deploy-eks: credentials from the SDK's default chain (after STS AssumeRole when
 * `role-arn` is given), EKS DescribeCluster, STS GetCallerIdentity. Nothing else is called.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createClient, ensureCredentials } from '../../../core/aws.js';
import { DockyardError } from '../../../core/errors.js';
import type { AwsAccess } from './cluster.js';

type StsConfig = ConstructorParameters<typeof STSClient>[0];
type EksConfig = ConstructorParameters<typeof EKSClient>[0];

/** Client classes that sign with the given credentials instead of the default chain. */
function stsWith(credentials: AwsCredentialIdentityProvider) {
  return class extends STSClient {
    constructor(config: StsConfig) {
      super({ ...config, credentials });
    }
  };
}
function eksWith(credentials: AwsCredentialIdentityProvider) {
  return class extends EKSClient {
    constructor(config: EksConfig) {
      super({ ...config, credentials });
    }
  };
}

export interface AwsSession extends AwsAccess {
  destroy(): void;
}

export async function awsSession(options: {
  region: string;
  roleArn?: string;
  signal?: AbortSignal;
}): Promise<AwsSession> {
  const base = defaultProvider();
  const baseSts = createClient(stsWith(base), {
    region: options.region,
    signal: options.signal
  });
  await ensureCredentials(baseSts);
  let credentials: AwsCredentialIdentityProvider = base;
  const clients: { destroy(): void }[] = [baseSts];
  if (options.roleArn) {
    let assumed: AwsCredentialIdentity;
    try {
      const out = await baseSts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: 'dockyard-deploy-eks',
          DurationSeconds: 3600
        })
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
      assumed = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration
      };
    } catch (error) {
      throw new DockyardError(`could not assume ${options.roleArn}: ${(error as Error).message}`, {
        input: 'role-arn',
        hint: "Check the role's trust policy allows the workflow's credentials to assume it (sts:AssumeRole).",
        cause: error
      });
    }
    credentials = async () => assumed;
  }
  const eks = createClient(eksWith(credentials), {
    region: options.region,
    signal: options.signal
  });
  const sts = options.roleArn
    ? createClient(stsWith(credentials), {
        region: options.region,
        signal: options.signal
      })
    : baseSts;
  clients.push(eks, sts);
  return {
    credentials,
    describeCluster: async name => (await eks.send(new DescribeClusterCommand({ name }))).cluster,
    callerArn: async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'an unknown identity',
    destroy: () => clients.forEach(c => c.destroy())
  };
}
