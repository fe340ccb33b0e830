import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockyardError } from '../../../core/errors.js';
import { memoryLogger } from '../../../core/log.js';
import { clusterFromEks, clusterFromKubeconfig, type AwsAccess } from './cluster.js';
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
    expect(await access.connection.whoami!()).toBe('arn:aws:sts::123456789012:assumed-role/deploy/x');
  });

  it('says at once that a private-only endpoint cannot be reached from outside the VPC', async () => {
    const error = (await clusterFromEks(
      'prod',
      'us-east-1',
      aws({ resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true } }),
      { log: memoryLogger() }
    ).catch(e => e)) as DockyardError;
    expect(error.input).toBe('cluster');
    expect(error.message).toContain('private only');
    expect(error.hint).toContain('self-hosted runner inside the VPC');
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

const kubeconfig = (
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = { 'certificate-authority-data': Buffer.from(CA).toString('base64') }
) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ctx',
    contexts: [
      { name: 'other', context: { cluster: 'x', user: 'x' } },
      { name: 'ctx', context: { cluster: 'c', user: 'u' } }
    ],
    clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443', ...cluster } }],
    users: [{ name: 'u', user }]
  });

describe('clusterFromKubeconfig', () => {
  const read = (text: string) => () => text;

  it('uses the current context: server, CA data and a static token', async () => {
    const access = clusterFromKubeconfig('/ws/kubeconfig', { readFile: read(kubeconfig({ token: 'abc' })) });
    expect(access.secrets).toEqual(['abc']);
    expect([access.server, access.connection.ca, await access.connection.auth!.token()]).toEqual([
      'https://10.0.0.1:6443',
      CA,
      'abc'
    ]);
  });

  it('replaces an `aws eks get-token` exec with our own token, for its cluster and region', async () => {
    const regions: string[] = [];
    const access = clusterFromKubeconfig('/ws/kubeconfig', {
      readFile: read(
        kubeconfig({
          exec: {
            command: 'aws',
            args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'prod']
          }
        })
      ),
      aws: region => (regions.push(region), aws({}))
    });
    const url = Buffer.from((await access.connection.auth!.token()).slice(11), 'base64url').toString();
    expect(url).toContain('https://sts.eu-west-1.amazonaws.com/');
    expect(regions).toEqual(['eu-west-1']);
  });

  it('reads a CA file relative to the kubeconfig', () => {
    const files: Record<string, string> = {
      '/ws/k/config': kubeconfig({ token: 't' }, { 'certificate-authority': 'ca.crt' }),
      '/ws/k/ca.crt': CA
    };
    expect(clusterFromKubeconfig('/ws/k/config', { readFile: p => files[p] }).connection.ca).toBe(CA);
  });

  it('refuses a CA file outside the workspace', () => {
    const ws = mkdtempSync(join(tmpdir(), 'dockyard-kubeconfig-'));
    writeFileSync(
      join(ws, 'config'),
      kubeconfig({ token: 't' }, { 'certificate-authority': '/etc/ssl/certs/ca-certificates.crt' })
    );
    expect(() => clusterFromKubeconfig(join(ws, 'config'), { workspace: ws })).toThrow(
      /outside the workspace/
    );
    writeFileSync(join(ws, 'ca.crt'), CA);
    writeFileSync(join(ws, 'config'), kubeconfig({ token: 't' }, { 'certificate-authority': 'ca.crt' }));
    expect(clusterFromKubeconfig(join(ws, 'config'), { workspace: ws }).connection.ca).toBe(CA);
    rmSync(ws, { recursive: true, force: true });
  });

  it('refuses what would weaken TLS or run a command, naming the kubeconfig input', () => {
    const refuse = (text: string) => {
      try {
        clusterFromKubeconfig('/ws/kubeconfig', { readFile: read(text) });
      } catch (error) {
        return [(error as DockyardError).input, (error as DockyardError).message];
      }
      return undefined;
    };
    expect(refuse(kubeconfig({ token: 't' }, { 'insecure-skip-tls-verify': true }))).toEqual([
      'kubeconfig',
      expect.stringContaining('insecure-skip-tls-verify')
    ]);
    expect(refuse(kubeconfig({ token: 't' }, {}))).toEqual([
      'kubeconfig',
      expect.stringContaining('has no CA')
    ]);
    expect(refuse(kubeconfig({ exec: { command: 'gke-gcloud-auth-plugin' } }))).toEqual([
      'kubeconfig',
      expect.stringContaining('which Dockyard does not run')
    ]);
    expect(refuse('not: [valid')).toEqual([
      'kubeconfig',
      expect.stringContaining('not a readable kubeconfig')
    ]);
  });
});
