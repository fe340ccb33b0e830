/**
 * EKS tokens for tests of the test server itself: a presigned STS GetCallerIdentity URL with the
 * `x-k8s-aws-id` header signed, `k8s-aws-v1.` + unpadded base64url (the format `aws eks get-token` prints).
 * Options make the malformed ones the server must refuse.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HashConstructor } from '@smithy/types';
import { TOKEN_PREFIX } from './auth.js';

export interface TestTokenOptions {
  cluster: string;
  credentials?: AwsCredentialIdentity;
  region?: string;
  host?: string;
  expiresIn?: number;
  /** The header carrying the cluster name (another name: the token does not sign x-k8s-aws-id). */
  header?: string;
  signedAt?: Date;
}

export async function testToken(options: TestTokenOptions): Promise<string> {
  const region = options.region ?? 'us-east-1';
  const host = options.host ?? `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials: options.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' },
    region,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256') as HashConstructor
  });
  const signed = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host, [options.header ?? 'x-k8s-aws-id']: options.cluster }
    }),
    { expiresIn: options.expiresIn ?? 60, signingDate: options.signedAt ?? new Date() }
  );
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  return TOKEN_PREFIX + Buffer.from(`https://${host}/?${query}`).toString('base64url');
}
