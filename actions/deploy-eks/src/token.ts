/**
 * The EKS bearer token, made in-process the way `aws eks get-token` makes it: a presigned STS
 * GetCallerIdentity URL (60 s expiry, the `x-k8s-aws-id` header signed with the cluster name), encoded as
 * `k8s-aws-v1.` + unpadded base64url. The API server's authenticator replays that URL against STS to learn
 * who we are, so it is signed for the real STS host of the region even when AWS_ENDPOINT_URL points the SDK
 * elsewhere.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, HashConstructor } from '@smithy/types';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
/** The presigned URL's lifetime, as the aws CLI sets it; the API server accepts the token up to 15 min. */
export const URL_EXPIRES_SECONDS = 60;
/** A token is made again after this long: well before the 15 minutes the API server allows. */
export const TOKEN_REFRESH_MS = 10 * 60_000;

/** `sts.<region>.amazonaws.com`, `.amazonaws.com.cn` in the China regions. */
export function stsHost(region: string): string {
  return `sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** RFC 3986 escaping, as SigV4 and botocore write query values (also `!'()*`). */
function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// The aws CLI's order of the query parameters (botocore adds the auth ones in this order).
const QUERY_ORDER = [
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Security-Token',
  'X-Amz-Signature'
];

export interface TokenOptions {
  cluster: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The signing time; now by default. */
  now?: Date;
}

/** The presigned GetCallerIdentity URL the token carries. */
export async function presignedUrl(options: TokenOptions): Promise<string> {
  const host = stsHost(options.region);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256') as HashConstructor
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: host,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host, 'x-k8s-aws-id': options.cluster }
  });
  const signed = await signer.presign(request, {
    expiresIn: URL_EXPIRES_SECONDS,
    signingDate: options.now ?? new Date()
  });
  const query = signed.query as Record<string, string>;
  const keys = [
    ...QUERY_ORDER.filter(k => k in query),
    ...Object.keys(query).filter(k => !QUERY_ORDER.includes(k))
  ];
  return `https://${host}/?${keys.map(k => `${escape(k)}=${escape(query[k])}`).join('&')}`;
}

/** The bearer token for the cluster, byte for byte what `aws eks get-token --cluster-name <cluster>` prints. */
export async function eksToken(options: TokenOptions): Promise<string> {
  const url = await presignedUrl(options);
  return TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}
