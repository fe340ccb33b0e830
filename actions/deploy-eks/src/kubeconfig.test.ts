import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockyardError } from '../../../core/errors.js';
import type { AwsAccess } from './access.js';
import { clusterFromKubeconfig } from './kubeconfig.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const aws: AwsAccess = {
  credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
  describeCluster: async () => undefined,
  callerArn: async () => 'arn:aws:sts::123456789012:assumed-role/deploy/x'
};

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
      aws: region => (regions.push(region), aws)
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

  it('masks the tokens it makes for an exec user, and explains their refusal by asking AWS', async () => {
    const masked: string[] = [];
    const access = clusterFromKubeconfig('/ws/kubeconfig', {
      readFile: read(
        kubeconfig({ exec: { command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'prod'] } })
      ),
      region: 'us-east-1',
      aws: () => aws,
      mask: s => masked.push(s)
    });
    expect(masked).toEqual([await access.connection.auth!.token()]);
    expect((await access.connection.explainUnauthorized!()).message).toContain(
      'it does not know arn:aws:sts::123456789012:assumed-role/deploy/x'
    );
  });

  it("a refused static token or client certificate is the kubeconfig's, named by user and file", async () => {
    const byToken = clusterFromKubeconfig('/ws/kubeconfig', { readFile: read(kubeconfig({ token: 'abc' })) });
    const error = await byToken.connection.explainUnauthorized!();
    expect([error.input, error.message]).toEqual([
      'kubeconfig',
      "The cluster refused the token of user 'u' in kubeconfig (HTTP 401 Unauthorized)."
    ]);
    const key = Buffer.from('KEY').toString('base64');
    const byCert = clusterFromKubeconfig('/ws/kubeconfig', {
      readFile: read(
        kubeconfig({
          'client-certificate-data': Buffer.from('CERT').toString('base64'),
          'client-key-data': key
        })
      )
    });
    expect([byCert.connection.clientCert, byCert.connection.clientKey, byCert.connection.auth]).toEqual([
      'CERT',
      'KEY',
      undefined
    ]);
    expect(byCert.secrets).toEqual([key, 'KEY']);
    expect((await byCert.connection.explainUnauthorized!()).message).toContain('client certificate');
  });
});
