import { describe, expect, it } from '@jest/globals';
import { DockyardError } from '../../../core/errors.js';
import { memoryLogger } from '../../../core/log.js';
import { clusterFromEks, type AwsAccess } from './cluster.js';
import type { Cluster } from '@aws-sdk/client-eks';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
const aws = (cluster: Partial<Cluster> | undefined): AwsAccess => ({
  credentials,
  describeCluster: async () =>
    cluster && {
      name: 'prod',
      status: 'ACTIVE',
      endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
      certificateAuthority: { data: Buffer.from(CA).toString('base64') },
      resourcesVpcConfig: {
        endpointPublicAccess: true,
        endpointPrivateAccess: false,
        publicAccessCidrs: ['0.0.0.0/0']
      },
      ...cluster
    },
  callerArn: async () => 'arn:aws:sts::123456789012:assumed-role/deploy/x'
});

describe('clusterFromEks', () => {
  it('takes the endpoint and CA from DescribeCluster and signs tokens for the cluster', async () => {
    const access = await clusterFromEks('prod', 'us-east-1', aws({}), { log: memoryLogger() });
    expect(access.connection.server).toBe('https://ABC.gr7.us-east-1.eks.amazonaws.com');
    expect(access.connection.ca).toBe(CA);
    const token = await access.connection.auth!.token();
    const url = Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString();
    expect(url).toMatch(/^https:\/\/sts\.us-east-1\.amazonaws\.com\/\?Action=GetCallerIdentity/);
    expect((await access.connection.explainUnauthorized!()).message).toContain(
      'it does not know arn:aws:sts::123456789012:assumed-role/deploy/x'
    );
  });

  it('masks the token as soon as it is made', async () => {
    const log = memoryLogger();
    const access = await clusterFromEks('prod', 'us-east-1', aws({}), { log });
    const token = await access.connection.auth!.token();
    expect(log.masked).toEqual([token]);
  });

  it('tries a private-only endpoint (a runner in the VPC reaches it), and keeps what to do for a failed connection', async () => {
    const log = memoryLogger();
    const access = await clusterFromEks(
      'prod',
      'us-east-1',
      aws({ resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true } }),
      { log }
    );
    expect(access.server).toBe('https://ABC.gr7.us-east-1.eks.amazonaws.com');
    expect(log.text()).toBe(
      "Cluster prod: the API endpoint is private only (endpointPublicAccess: false), reachable from inside the cluster's VPC or a network connected to it; trying it."
    );
    expect(access.connection.reachHint).toContain('private only (endpointPublicAccess: false)');
    expect(access.connection.reachHint).toContain('self-hosted runner');
    expect(access.connection.reachHint).toContain(
      'aws eks update-cluster-config --name prod --resources-vpc-config endpointPublicAccess=true'
    );
  });

  it('says nothing of an endpoint open to everyone', async () => {
    const log = memoryLogger();
    const access = await clusterFromEks('prod', 'us-east-1', aws({}), { log });
    expect([log.lines, access.connection.reachHint]).toEqual([[], undefined]);
  });

  it('warns at once when public access is limited to CIDRs, and keeps the advice for a failed connection', async () => {
    const log = memoryLogger();
    const access = await clusterFromEks(
      'prod',
      'us-east-1',
      aws({ resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] } }),
      { log }
    );
    expect(log.text()).toMatch(/^warning: Cluster prod: public access is limited to 203\.0\.113\.0\/24/m);
    expect(access.connection.reachHint).toContain('self-hosted runner');
  });

  it('names the cluster input when EKS has no such cluster, or it is not ACTIVE', async () => {
    const missing = (await clusterFromEks('nope', 'us-east-1', aws(undefined), { log: memoryLogger() }).catch(
      e => e
    )) as DockyardError;
    expect([missing.input, missing.message]).toEqual(['cluster', "no EKS cluster 'nope' in us-east-1."]);
    const creating = (await clusterFromEks('prod', 'us-east-1', aws({ status: 'CREATING' }), {
      log: memoryLogger()
    }).catch(e => e)) as DockyardError;
    expect(creating.message).toContain('CREATING');
  });
});
