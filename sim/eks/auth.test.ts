import { describe, expect, it } from '@jest/globals';
import { checkToken, signatureMatches, TOKEN_PREFIX } from './auth.js';
import { testToken } from './token.js';

const SIGNED_AT = new Date(Date.UTC(2026, 11, 6, 10, 0, 0));
const LIFETIME = 15 * 60_000;

const token = (options: { cluster?: string; host?: string; expires?: number; header?: string } = {}) =>
  testToken({
    cluster: options.cluster ?? 'prod',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    host: options.host,
    expiresIn: options.expires,
    header: options.header,
    signedAt: SIGNED_AT
  });

describe('the EKS token check', () => {
  it('accepts a fresh token for the real STS host and reads the credential scope', async () => {
    const check = checkToken(await token(), SIGNED_AT.getTime() + 1000, LIFETIME);
    expect(check).toMatchObject({
      ok: true,
      region: 'us-east-1',
      accessKey: 'AKIDEXAMPLE',
      signedAt: SIGNED_AT.getTime()
    });
  });

  it('refuses it once the token lifetime has passed since X-Amz-Date, not the 60 s of the URL', async () => {
    const t = await token();
    expect(checkToken(t, SIGNED_AT.getTime() + 10 * 60_000, LIFETIME).ok).toBe(true);
    expect(checkToken(t, SIGNED_AT.getTime() + LIFETIME + 1000, LIFETIME)).toMatchObject({
      ok: false,
      reason: 'expired'
    });
    expect(checkToken(t, SIGNED_AT.getTime() + 11_000, 10_000)).toMatchObject({
      ok: false,
      reason: 'expired'
    });
  });

  it.each([
    ['a host that is not STS', { host: 'sts.us-east-1.example.com' }, 'wrong host'],
    ['another X-Amz-Expires', { expires: 900 }, 'X-Amz-Expires is not 60'],
    ['x-k8s-aws-id not signed', { header: 'x-other' }, 'x-k8s-aws-id not signed']
  ])('refuses %s', async (_name, options, reason) => {
    expect(checkToken(await token(options), SIGNED_AT.getTime(), LIFETIME)).toMatchObject({
      ok: false,
      reason
    });
  });

  it('accepts the regional, global and China STS hosts', async () => {
    for (const host of [
      'sts.amazonaws.com',
      'sts.eu-west-1.amazonaws.com',
      'sts.cn-north-1.amazonaws.com.cn'
    ])
      expect(checkToken(await token({ host }), SIGNED_AT.getTime(), LIFETIME).ok).toBe(true);
  });

  it('refuses what is not an EKS token', () => {
    expect(checkToken('abc', SIGNED_AT.getTime(), LIFETIME)).toMatchObject({
      ok: false,
      reason: 'not an EKS token'
    });
    expect(checkToken(`${TOKEN_PREFIX}a=b`, SIGNED_AT.getTime(), LIFETIME)).toMatchObject({
      ok: false,
      reason: 'malformed'
    });
  });

  it('checks the signature against the cluster name, as STS does when EKS replays the URL', async () => {
    const check = checkToken(await token({ cluster: 'prod' }), SIGNED_AT.getTime(), LIFETIME);
    if (!check.ok) throw new Error(check.reason);
    expect(await signatureMatches(check.url, 'prod', 'secret')).toBe(true);
    expect(await signatureMatches(check.url, 'staging', 'secret')).toBe(false);
    expect(await signatureMatches(check.url, 'prod', 'another-secret')).toBe(false);
  });
});
