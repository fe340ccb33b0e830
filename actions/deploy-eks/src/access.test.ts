import { describe, expect, it } from '@jest/globals';
import type { AwsCredentialIdentity } from '@smithy/types';
import { DockyardError } from '../../../core/errors.js';
import { virtualClock } from '../../../core/poll.js';
import { cachedToken, eksTokenSource, explainRefusedToken, principalArn, type AwsAccess } from './access.js';

const NOW = Date.parse('2026-12-06T10:30:00Z');

const access = (over: {
  credentials?: () => Promise<AwsCredentialIdentity>;
  callerArn?: () => Promise<string>;
}): AwsAccess => ({
  credentials: over.credentials ?? (async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' })),
  describeCluster: async () => undefined,
  callerArn: over.callerArn ?? (async () => 'arn:aws:sts::123456789012:assumed-role/deploy/gha-42')
});

describe('cachedToken', () => {
  it('keeps a token for the refresh period, then makes a new one; fresh forces one', async () => {
    const clock = virtualClock(0);
    let n = 0;
    const source = cachedToken(async () => `t${n++}`, clock, 600_000);
    expect(await source.token()).toBe('t0');
    await clock.sleep(599_999);
    expect(await source.token()).toBe('t0');
    await clock.sleep(1);
    expect(await source.token()).toBe('t1');
    expect(await source.token(true)).toBe('t2');
  });
});

describe('eksTokenSource', () => {
  it('masks every token it makes before returning it', async () => {
    const masked: string[] = [];
    const source = eksTokenSource('prod', 'us-east-1', access({}), { mask: s => masked.push(s) });
    const first = await source.token();
    const second = await source.token(true);
    expect(first).toMatch(/^k8s-aws-v1\./);
    expect(masked).toEqual([first, second]);
  });
});

describe('explainRefusedToken', () => {
  const explain = async (over: Parameters<typeof access>[0]) =>
    explainRefusedToken(access(over), virtualClock(NOW));

  it('an identity the cluster does not know: names it and the access entry for its role', async () => {
    const error = await explain({});
    expect(error.message).toBe(
      'The cluster refused the token twice (HTTP 401 Unauthorized): it does not know arn:aws:sts::123456789012:assumed-role/deploy/gha-42.'
    );
    expect(error.hint).toContain(
      'aws eks create-access-entry --principal-arn arn:aws:iam::123456789012:role/deploy'
    );
    expect(error.hint).toContain('aws-auth');
  });

  it('credentials past their expiry: says they expired, not that the cluster does not know them', async () => {
    let asked = false;
    const error = await explain({
      credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'S', expiration: new Date(NOW - 1000) }),
      callerArn: async () => ((asked = true), 'arn')
    });
    expect(error.message).toBe(
      'The cluster refused the token twice (HTTP 401 Unauthorized): the AWS credentials it was signed with have expired (at 2026-12-06T10:29:59.000Z).'
    );
    expect(error.hint).toContain('role-duration-seconds');
    expect(asked).toBe(false);
  });

  it('STS saying the session expired (no expiry known here) is an expiry too', async () => {
    const error = await explain({
      callerArn: async () => {
        throw Object.assign(new Error('The security token included in the request is expired'), {
          name: 'ExpiredToken'
        });
      }
    });
    expect(error.message).toBe(
      'The cluster refused the token twice (HTTP 401 Unauthorized): the AWS credentials it was signed with have expired.'
    );
  });

  it('credentials that cannot be renewed, or an identity STS cannot name, are said as such', async () => {
    const renewal = await explain({
      credentials: async () => {
        throw new DockyardError('could not renew the credentials of arn:aws:iam::1:role/r: AccessDenied', {
          input: 'role-arn'
        });
      }
    });
    expect(renewal.message).toBe(
      "The cluster refused the token twice (HTTP 401 Unauthorized), and no AWS credentials could be had to sign another: Input 'role-arn': could not renew the credentials of arn:aws:iam::1:role/r: AccessDenied"
    );
    const unnamed = await explain({
      callerArn: async () => {
        throw new Error('connect ETIMEDOUT sts.us-east-1.amazonaws.com');
      }
    });
    expect(unnamed.message).toContain(
      'it does not know these AWS credentials (STS could not say whose they are'
    );
    expect(unnamed.hint).toContain('create-access-entry');
  });
});

describe('principalArn', () => {
  it('turns an assumed-role session into the role an access entry names', () => {
    expect(principalArn('arn:aws:sts::123456789012:assumed-role/deploy/gha')).toBe(
      'arn:aws:iam::123456789012:role/deploy'
    );
    expect(principalArn('arn:aws:iam::123456789012:user/ci')).toBe('arn:aws:iam::123456789012:user/ci');
  });
});
