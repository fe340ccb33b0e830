/**
 * The EKS token check. An EKS bearer token is `k8s-aws-v1.` + unpadded base64url of a presigned STS
 * GetCallerIdentity URL; the cluster's authenticator decodes it, refuses a URL that is not for the real STS
 * host, that does not sign `x-k8s-aws-id`, or whose signing time is too old, then replays the GET with
 * `x-k8s-aws-id: <cluster>` against STS and takes the caller's ARN from the answer. Here STS is moto.
 */
import { request } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HashConstructor } from '@smithy/types';
import { readBody } from './http.js';

export const TOKEN_PREFIX = 'k8s-aws-v1.';

export type TokenCheck =
  | { ok: true; url: URL; region: string; signedAt: number; accessKey: string }
  | { ok: false; reason: string; detail: string };

const STS_HOST = /^sts(\.([a-z0-9-]+))?\.amazonaws\.com(\.cn)?$/;

/** `20261206T104254Z` → epoch ms. */
function amzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

/** The checks EKS makes before replaying the URL (pure). */
export function checkToken(token: string, now: number, lifetimeMs: number): TokenCheck {
  const fail = (reason: string, detail: string): TokenCheck => ({ ok: false, reason, detail });
  if (!token.startsWith(TOKEN_PREFIX)) return fail('not an EKS token', 'missing the k8s-aws-v1. prefix');
  const encoded = token.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return fail('malformed', 'the token is not unpadded base64url');
  let url: URL;
  try {
    url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return fail('malformed', 'the token does not decode to a URL');
  }
  if (url.protocol !== 'https:') return fail('wrong host', `scheme ${url.protocol} is not https`);
  const host = STS_HOST.exec(url.hostname);
  if (!host || url.port) return fail('wrong host', `${url.host} is not an STS host`);
  if (url.pathname !== '/') return fail('malformed', `path ${url.pathname} is not /`);
  const q = url.searchParams;
  if (q.get('Action') !== 'GetCallerIdentity')
    return fail('malformed', `Action ${q.get('Action')} is not GetCallerIdentity`);
  if (q.get('X-Amz-Expires') !== '60')
    return fail('X-Amz-Expires is not 60', `X-Amz-Expires=${q.get('X-Amz-Expires')}`);
  const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  if (!signed.includes('x-k8s-aws-id'))
    return fail('x-k8s-aws-id not signed', `signed headers: ${signed.join(';')}`);
  if (!q.get('X-Amz-Signature')) return fail('malformed', 'no X-Amz-Signature');
  const credential = /^([^/]+)\/\d{8}\/([a-z0-9-]+)\/sts\/aws4_request$/.exec(
    q.get('X-Amz-Credential') ?? ''
  );
  if (!credential)
    return fail('malformed', `X-Amz-Credential ${q.get('X-Amz-Credential')} is not an STS credential`);
  const signedAt = amzDate(q.get('X-Amz-Date') ?? '');
  if (signedAt === undefined) return fail('malformed', `X-Amz-Date ${q.get('X-Amz-Date')}`);
  if (now > signedAt + lifetimeMs)
    return fail('expired', `signed at ${new Date(signedAt).toISOString()}, older than ${lifetimeMs} ms`);
  if (signedAt > now + 5 * 60_000) return fail('malformed', 'X-Amz-Date is in the future');
  return { ok: true, url, region: credential[2], signedAt, accessKey: credential[1] };
}

const AUTH_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Security-Token',
  'X-Amz-Signature'
]);

/**
 * Whether the URL's signature is the one `secretAccessKey` makes for it with `x-k8s-aws-id: <cluster>`: what
 * STS checks when EKS replays the URL (moto does not check signatures, so this server does when it knows the
 * secret). A token signed for another cluster fails here.
 */
export async function signatureMatches(url: URL, cluster: string, secretAccessKey: string): Promise<boolean> {
  const q = url.searchParams;
  const [accessKeyId, , region] = (q.get('X-Amz-Credential') ?? '').split('/');
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey, sessionToken: q.get('X-Amz-Security-Token') ?? undefined },
    region,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256') as HashConstructor
  });
  const query: Record<string, string> = {};
  for (const [k, v] of q) if (!AUTH_PARAMS.has(k)) query[k] = v;
  const signed = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers: { host: url.host, 'x-k8s-aws-id': cluster }
    }),
    {
      expiresIn: Number(q.get('X-Amz-Expires')),
      signingDate: new Date(amzDate(q.get('X-Amz-Date') ?? '') ?? 0)
    }
  );
  return (signed.query as Record<string, string>)['X-Amz-Signature'] === q.get('X-Amz-Signature');
}

export interface Rejection {
  at: number;
  reason: string;
  detail: string;
}

export type AuthResult = { ok: true; identity: string } | { ok: false; reason: string };

export interface AuthOptions {
  /** moto's endpoint; without one, STS tokens are refused. */
  stsEndpoint?: string;
  cluster: string;
  tokenLifetimeMs: number;
  /** Token → identity, for kubectl and for seeding. */
  staticTokens: Record<string, string>;
}

export class Authenticator {
  /** The next n authenticated requests are answered 401 (after the token checked out). */
  private failing = 0;
  alwaysFail = false;
  /** The caller ARNs let in (an entry ending in `*` is a prefix); undefined: every identity STS vouches for. */
  acceptIdentities: string[] | undefined;
  tokenLifetimeMs: number;
  cluster: string;
  readonly rejections: Rejection[] = [];
  /** Identities as STS answered them, by token (EKS caches them for the token's life too). */
  private readonly cache = new Map<string, string>();
  stsCalls = 0;
  /** Secret keys by access key id (the test credentials, and those moto handed out to AssumeRole). */
  private readonly secrets = new Map<string, string>([['testing', 'testing']]);

  constructor(private readonly options: AuthOptions) {
    this.tokenLifetimeMs = options.tokenLifetimeMs;
    this.cluster = options.cluster;
  }

  /** Lets the server check signatures made with these credentials (the front records AssumeRole answers). */
  learnCredentials(accessKeyId: string, secretAccessKey: string): void {
    this.secrets.set(accessKeyId, secretAccessKey);
  }

  failNext(n = 1): void {
    this.failing = n;
  }

  reset(options: Partial<AuthOptions> = {}): void {
    this.failing = 0;
    this.alwaysFail = false;
    this.acceptIdentities = undefined;
    this.tokenLifetimeMs = options.tokenLifetimeMs ?? this.options.tokenLifetimeMs;
    this.cluster = options.cluster ?? this.options.cluster;
    this.rejections.length = 0;
    this.cache.clear();
  }

  async authenticate(authorization: string | undefined): Promise<AuthResult> {
    const result = await this.identify(authorization);
    if (!result.ok) return this.reject(result.reason, result.detail);
    if (this.alwaysFail) return this.reject('switch', 'alwaysFail');
    if (this.failing > 0) {
      this.failing--;
      return this.reject('switch', 'failNext');
    }
    if (
      this.acceptIdentities &&
      !this.acceptIdentities.some(a =>
        a.endsWith('*') ? result.identity.startsWith(a.slice(0, -1)) : a === result.identity
      )
    )
      return this.reject('identity not accepted', result.identity);
    return { ok: true, identity: result.identity };
  }

  private reject(reason: string, detail: string): AuthResult {
    this.rejections.push({ at: Date.now(), reason, detail });
    return { ok: false, reason };
  }

  private async identify(
    authorization: string | undefined
  ): Promise<{ ok: true; identity: string } | { ok: false; reason: string; detail: string }> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: 'no token', detail: 'no Authorization: Bearer header' };
    const token = m[1];
    const fixed = this.options.staticTokens[token];
    if (fixed) return { ok: true, identity: fixed };
    const check = checkToken(token, Date.now(), this.tokenLifetimeMs);
    if (!check.ok) return check;
    const cached = this.cache.get(token);
    if (cached) return { ok: true, identity: cached };
    const secret = this.secrets.get(check.accessKey);
    const signedHeaders = check.url.searchParams.get('X-Amz-SignedHeaders');
    if (
      secret &&
      signedHeaders === 'host;x-k8s-aws-id' &&
      !(await signatureMatches(check.url, this.cluster, secret))
    )
      return {
        ok: false,
        reason: 'signature mismatch',
        detail: `the signature is not the one for x-k8s-aws-id: ${this.cluster} (signed for another cluster, or with other credentials)`
      };
    if (!this.options.stsEndpoint)
      return { ok: false, reason: 'sts refused', detail: 'no STS endpoint configured' };
    const answer = await this.replay(check.url);
    if (answer.status !== 200)
      return { ok: false, reason: 'sts refused', detail: `STS answered ${answer.status}: ${answer.body}` };
    const arn = /<Arn>([^<]+)<\/Arn>/.exec(answer.body)?.[1];
    if (!arn) return { ok: false, reason: 'sts refused', detail: `no Arn in ${answer.body.slice(0, 200)}` };
    this.cache.set(token, arn);
    return { ok: true, identity: arn };
  }

  /**
   * GETs the presigned URL's path and query from moto with `x-k8s-aws-id: <cluster>`, as EKS GETs it from STS.
   * moto routes a request to a service by the credential scope of an Authorization header, which a presigned
   * GET does not carry, so one is added naming the URL's own X-Amz-Credential (moto does not check signatures).
   */
  private replay(url: URL): Promise<{ status: number; body: string }> {
    this.stsCalls++;
    const target = new URL(url.pathname + url.search, this.options.stsEndpoint);
    const credential = url.searchParams.get('X-Amz-Credential') ?? '';
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'GET',
          headers: {
            host: url.host,
            'x-k8s-aws-id': this.cluster,
            authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${url.searchParams.get('X-Amz-SignedHeaders')}, Signature=${url.searchParams.get('X-Amz-Signature')}`
          },
          timeout: 10_000
        },
        res => {
          readBody(res).then(body => resolve({ status: res.statusCode ?? 0, body }), reject);
        }
      );
      req.on('error', reject);
      req.end();
    });
  }
}
