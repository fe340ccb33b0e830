/**
 * The EKS stack end to end, as deploy-eks meets it: DescribeCluster through the front points at the test
 * server with its CA; EKS tokens are checked against moto's STS (identity from moto, assumed roles included);
 * the switches and the endpoint-access report work.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { request } from 'node:https';
import { readBody } from './http.js';
import { startEksStack, type EksStack } from './stack.js';
import { testToken } from './token.js';

jest.setTimeout(30_000);

let stack: EksStack;
let eks: EKSClient;
let sts: STSClient;

function get(
  path: string,
  options: { token?: string; ca?: string; endpoint?: string } = {}
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      (options.endpoint ?? stack.kube.url) + path,
      {
        ca: options.ca ?? stack.kube.caPem,
        // A connection of its own: a kept-alive one may be closed by the server between tests.
        agent: false,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          'user-agent': 'stack-test/1.0'
        }
      },
      res => {
        readBody(res).then(body => resolve({ status: res.statusCode ?? 0, body }), reject);
      }
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  stack = await startEksStack();
  const client = {
    endpoint: stack.env.AWS_ENDPOINT_URL,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  };
  eks = new EKSClient(client);
  sts = new STSClient(client);
}, 60_000);

afterAll(async () => {
  eks?.destroy();
  sts?.destroy();
  await stack?.stop();
});

beforeEach(() => stack.fresh());

describe('the EKS front', () => {
  it('answers DescribeCluster with the test server as endpoint and its CA, and records the call', async () => {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: stack.cluster }));
    expect(cluster?.endpoint).toBe(stack.kube.url);
    const ca = Buffer.from(cluster!.certificateAuthority!.data!, 'base64').toString();
    expect(ca).toBe(stack.kube.caPem);
    expect(cluster?.resourcesVpcConfig).toMatchObject({
      endpointPublicAccess: true,
      publicAccessCidrs: ['0.0.0.0/0']
    });
    expect(stack.front.countByOperation({ qualified: true })).toEqual({ 'eks:DescribeCluster': 1 });
    const version = await get('/version', { ca });
    expect(JSON.parse(version.body)).toMatchObject({ major: '1', minor: '34' });
  });

  it('reports a private endpoint or public access limited to CIDRs when told to', async () => {
    stack.endpointAccess({ publicAccess: false, privateAccess: true });
    expect(
      (await eks.send(new DescribeClusterCommand({ name: stack.cluster }))).cluster?.resourcesVpcConfig
    ).toMatchObject({
      endpointPublicAccess: false,
      endpointPrivateAccess: true
    });
    stack.endpointAccess({ publicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] });
    expect(
      (await eks.send(new DescribeClusterCommand({ name: stack.cluster }))).cluster?.resourcesVpcConfig
        ?.publicAccessCidrs
    ).toEqual(['203.0.113.0/24']);
  });

  it('still answers ResourceNotFoundException for another cluster', async () => {
    await expect(eks.send(new DescribeClusterCommand({ name: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException'
    });
  });
});

describe('EKS tokens', () => {
  it('lets in the identity moto vouches for, and records it with each request', async () => {
    const token = await testToken({ cluster: stack.cluster });
    const answer = await get('/api/v1/namespaces/default/pods', { token });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ kind: 'PodList', items: [] });
    expect(stack.kube.requests.at(-1)).toMatchObject({
      verb: 'list',
      resource: 'pods',
      identity: 'arn:aws:sts::123456789012:user/moto',
      userAgent: 'stack-test/1.0',
      status: 200
    });
  });

  it('sees an assumed role as the role session, and the accepted-identities list applies', async () => {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::123456789012:role/deploy',
        RoleSessionName: 'github-actions'
      })
    );
    const token = await testToken({
      cluster: stack.cluster,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken
      }
    });
    stack.kube.auth.acceptIdentities = ['arn:aws:sts::123456789012:assumed-role/deploy/*'];
    expect((await get('/api', { token })).status).toBe(200);
    expect(stack.kube.requests.at(-1)!.identity).toBe(
      'arn:aws:sts::123456789012:assumed-role/deploy/github-actions'
    );
    const user = await testToken({ cluster: stack.cluster });
    const refused = await get('/api', { token: user });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect(stack.kube.auth.rejections.at(-1)).toMatchObject({
      reason: 'identity not accepted',
      detail: 'arn:aws:sts::123456789012:user/moto'
    });
  });

  it('refuses a token signed for another cluster, or older than the token lifetime', async () => {
    expect((await get('/api', { token: await testToken({ cluster: 'other' }) })).status).toBe(401);
    expect(stack.kube.auth.rejections.at(-1)!.reason).toBe('signature mismatch');
    await stack.fresh({ tokenLifetimeMs: 10_000 });
    const old = await testToken({ cluster: stack.cluster, signedAt: new Date(Date.now() - 11_000) });
    expect((await get('/api', { token: old })).status).toBe(401);
    expect(stack.kube.auth.rejections.at(-1)!.reason).toBe('expired');
    expect((await get('/api', { token: await testToken({ cluster: stack.cluster }) })).status).toBe(200);
  });

  it('answers 401 once when told to, then lets the same token in', async () => {
    const token = await testToken({ cluster: stack.cluster });
    stack.kube.auth.failNext();
    expect((await get('/api', { token })).status).toBe(401);
    expect((await get('/api', { token })).status).toBe(200);
    stack.kube.auth.alwaysFail = true;
    expect((await get('/api', { token })).status).toBe(401);
    expect((await get('/api', { token })).status).toBe(401);
  });

  it('refuses a write whose body is over 3 MiB with 413, as the API server does', async () => {
    const token = await testToken({ cluster: stack.cluster });
    const post = (size: number) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `big-${size}`, namespace: 'default' },
          data: { a: 'x'.repeat(size) }
        });
        const req = request(
          `${stack.kube.url}/api/v1/namespaces/default/configmaps`,
          {
            method: 'POST',
            ca: stack.kube.caPem,
            agent: false,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
          },
          res => void readBody(res).then(text => resolve({ status: res.statusCode ?? 0, body: text }), reject)
        );
        req.on('error', reject);
        req.end(body);
      });
    const big = await post(4 * 1024 * 1024);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({
      kind: 'Status',
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: limit is 3145728',
      code: 413
    });
    expect(stack.kube.get('v1', 'ConfigMap', 'default', `big-${4 * 1024 * 1024}`)).toBeUndefined();
    expect((await post(1000)).status).toBe(201);
  });

  it('lets anonymous callers read /version only', async () => {
    expect((await get('/version')).status).toBe(200);
    const forbidden = await get('/api/v1/pods');
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body).message).toBe(
      'forbidden: User "system:anonymous" cannot get path "/api/v1/pods"'
    );
  });
});
