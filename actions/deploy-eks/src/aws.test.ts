import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { mockClient } from 'aws-sdk-client-mock';
import { DockyardError } from '../../../core/errors.js';
import { memoryLogger } from '../../../core/log.js';
import { virtualClock } from '../../../core/poll.js';
import { awsSession, RENEW_BEFORE_MS, renewingCredentials } from './aws.js';

const HOUR = 3_600_000;
const creds = (id: string, expiresAt?: number): AwsCredentialIdentity => ({
  accessKeyId: id,
  secretAccessKey: `secret-${id}`,
  ...(expiresAt !== undefined ? { expiration: new Date(expiresAt) } : {})
});
const failure = (error: unknown) =>
  new DockyardError(`could not renew: ${(error as Error).message}`, { input: 'role-arn' });

describe('renewingCredentials', () => {
  it('keeps credentials until RENEW_BEFORE_MS before they expire, then obtains new ones once for all callers', async () => {
    const clock = virtualClock(0);
    let n = 0;
    const provider = renewingCredentials(async () => creds(`k${n++}`, clock.now() + HOUR), {
      clock,
      log: memoryLogger(),
      describeFailure: failure
    });
    expect((await provider()).accessKeyId).toBe('k0');
    await clock.sleep(HOUR - RENEW_BEFORE_MS - 1);
    expect((await provider()).accessKeyId).toBe('k0');
    await clock.sleep(1);
    const [a, b] = await Promise.all([provider(), provider()]);
    expect([a.accessKeyId, b.accessKeyId, n]).toEqual(['k1', 'k1', 2]);
  });

  it('a failed renewal while the credentials are still valid: warned, the current ones used, tried again later', async () => {
    const clock = virtualClock(0);
    const log = memoryLogger();
    let fail = false;
    let n = 0;
    const provider = renewingCredentials(
      async () => {
        if (fail) throw new Error('Rate exceeded');
        return creds(`k${n++}`, clock.now() + HOUR);
      },
      { clock, log, describeFailure: failure }
    );
    await provider();
    await clock.sleep(HOUR - RENEW_BEFORE_MS);
    fail = true;
    expect((await provider()).accessKeyId).toBe('k0');
    expect(log.text()).toBe(
      "warning: Input 'role-arn': could not renew: Rate exceeded The current ones are used until they expire."
    );
    await clock.sleep(RENEW_BEFORE_MS);
    await expect(provider()).rejects.toThrow('could not renew: Rate exceeded');
    fail = false;
    expect((await provider()).accessKeyId).toBe('k1');
  });
});

describe('awsSession with role-arn', () => {
  const sts = mockClient(STSClient);
  const saved = { ...process.env };

  beforeAll(() => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDBASE',
      AWS_SECRET_ACCESS_KEY: 'base-secret',
      AWS_EC2_METADATA_DISABLED: 'true'
    });
    delete process.env.AWS_PROFILE;
  });

  afterAll(() => {
    process.env = saved;
    sts.restore();
  });

  beforeEach(() => {
    sts.reset();
  });

  it('assumes the role at once, masks its credentials, asks STS who it is with them, renews them before they expire', async () => {
    const clock = virtualClock(Date.parse('2026-12-06T10:00:00Z'));
    let n = 0;
    sts.on(AssumeRoleCommand).callsFake(async () => ({
      Credentials: {
        AccessKeyId: `ASIA${n}`,
        SecretAccessKey: `secret${n}`,
        SessionToken: `token${n++}`,
        Expiration: new Date(clock.now() + HOUR)
      }
    }));
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Arn: 'arn:aws:sts::123456789012:assumed-role/eks-deployer/dockyard-deploy-eks' });
    const log = memoryLogger();
    const session = await awsSession({
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::123456789012:role/eks-deployer',
      log,
      clock
    });
    expect(log.masked).toEqual(['ASIA0', 'secret0', 'token0']);
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input).toEqual({
      RoleArn: 'arn:aws:iam::123456789012:role/eks-deployer',
      RoleSessionName: 'dockyard-deploy-eks',
      DurationSeconds: 3600
    });
    expect(await session.callerArn()).toContain('assumed-role/eks-deployer');
    const whoAsked = sts.commandCalls(GetCallerIdentityCommand)[0].thisValue as STSClient;
    expect((await whoAsked.config.credentials()).accessKeyId).toBe('ASIA0');
    expect((await session.credentials()).accessKeyId).toBe('ASIA0');
    await clock.sleep(HOUR - RENEW_BEFORE_MS);
    expect((await session.credentials()).accessKeyId).toBe('ASIA1');
    expect(log.masked).toEqual(['ASIA0', 'secret0', 'token0', 'ASIA1', 'secret1', 'token1']);
    session.destroy();
  });

  it('a role that cannot be assumed fails at once, naming role-arn', async () => {
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(
        new Error('User: arn:aws:sts::1:assumed-role/ci is not authorized to perform: sts:AssumeRole'),
        {
          name: 'AccessDenied'
        }
      )
    );
    const error = (await awsSession({
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::123456789012:role/eks-deployer',
      log: memoryLogger()
    }).catch(e => e)) as DockyardError;
    expect(error.input).toBe('role-arn');
    expect(error.message).toMatch(/^could not assume arn:aws:iam::123456789012:role\/eks-deployer: /);
  });
});
