import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeClustersCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import {
  createClient,
  ensureCredentials,
  isAccessDenied,
  isExpiredCredentials,
  isThrottling,
  isTransient,
  networkErrorCode,
  permissionFor,
  resolveRegion
} from './aws.js';
import { DockyardError } from './errors.js';
import { VERSION } from './version.js';

describe('AWS client factory', () => {
  let server: Server;
  let endpoint = '';
  const seen: { target: string; headers: IncomingHttpHeaders }[] = [];
  const held: ServerResponse[] = [];
  /** Told when a request arrives that the server holds unanswered. */
  let onHeld: (() => void) | undefined;
  /** SDK retries without real backoff. */
  const noDelay = (attempts: number) => new ConfiguredRetryStrategy(attempts, () => 0);
  let saved: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      seen.push({ target, headers: req.headers });
      req.resume();
      if (target.endsWith('ListServices')) {
        held.push(res);
        return void onHeld?.();
      }
      if (target.endsWith('DescribeClusters')) {
        res.writeHead(502, { 'content-type': 'text/html', 'x-amzn-requestid': 'rid-1' });
        return void res.end('<html><body>502 Bad Gateway</body></html>');
      }
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target.endsWith('UpdateService')) {
        res.statusCode = 400;
        res.end(
          JSON.stringify({
            __type: 'AccessDeniedException',
            message: 'User: arn:aws:sts::1:assumed-role/ci is not authorized to perform: ecs:UpdateService'
          })
        );
      } else if (target.endsWith('ListClusters') && seen.filter(s => s.target === target).length < 3) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      } else {
        res.end(JSON.stringify({ clusterArns: ['arn:aws:ecs:us-east-1:1:cluster/main'] }));
      }
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    saved = { ...process.env };
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ENDPOINT_URL_ECS = endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  });

  afterAll(async () => {
    process.env = saved;
    held.forEach(r => r.destroy());
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  it('takes the endpoint from the environment, sends the dockyard user agent and retries throttling', async () => {
    const ecs = createClient(ECSClient, { region: 'us-east-1', retryStrategy: noDelay(8) });
    const out = await ecs.send(new ListClustersCommand({}));
    expect(out.clusterArns).toEqual(['arn:aws:ecs:us-east-1:1:cluster/main']);
    const calls = seen.filter(s => s.target.endsWith('ListClusters'));
    expect(calls).toHaveLength(3);
    expect(String(calls[0].headers['user-agent'])).toContain(`dockyard/${VERSION}`);
  });

  it('turns AccessDenied into an error naming the missing permission, without retrying', async () => {
    const ecs = createClient(ECSClient, { region: 'us-east-1' });
    const before = seen.length;
    const error = await ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 's' })).catch(e => e);
    expect(error).toBeInstanceOf(DockyardError);
    expect((error as DockyardError).describe()).toContain("the credentials lack 'ecs:UpdateService'");
    expect((error as DockyardError).describe()).toContain("Allow 'ecs:UpdateService'");
    expect(seen.length - before).toBe(1);
  });

  it('names the service, the status, the call and the endpoint when the answer is an HTML page', async () => {
    const ecs = createClient(ECSClient, { region: 'us-east-1', retryStrategy: noDelay(2) });
    const error = await ecs.send(new DescribeClustersCommand({ clusters: ['c'] })).catch(e => e);
    expect((error as Error).message).toBe(
      `ECS answered HTTP 502 to DescribeClusters (${endpoint}), request id rid-1, with a body that is not an AWS answer.`
    );
    expect(isTransient(error)).toBe(true);
  });

  it('gives up on a call that is not answered within the request timeout, naming it', async () => {
    const ecs = createClient(ECSClient, { region: 'us-east-1', maxAttempts: 1, requestTimeoutMs: 200 });
    const error = await ecs.send(new ListServicesCommand({ cluster: 'c' })).catch(e => e);
    expect((error as Error).message).toMatch(
      new RegExp(`^ECS did not answer ListServices \\(${endpoint}\\): .*200 ms`)
    );
    expect(isTransient(error)).toBe(true);
  });

  it("stops every call when the step's signal aborts", async () => {
    const controller = new AbortController();
    const ecs = createClient(ECSClient, { region: 'us-east-1', signal: controller.signal });
    // The signal aborts while the call hangs.
    onHeld = () => controller.abort(new Error('Received SIGTERM'));
    const error = await ecs.send(new ListServicesCommand({ cluster: 'c' })).catch(e => e);
    onHeld = undefined;
    expect((error as Error).message).toBe(`ECS ListServices (${endpoint}) was stopped: Received SIGTERM.`);
    expect(isTransient(error)).toBe(false);
  });

  it('uses adaptive retries in the region asked for', async () => {
    const ecs = createClient(ECSClient, { region: 'eu-west-1' });
    expect(await ecs.config.region()).toBe('eu-west-1');
    expect(await ecs.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
  });

  it('uses standard retries (backoff without client-side rate limiting) when asked', async () => {
    const ecs = createClient(ECSClient, { region: 'eu-west-1', retryMode: 'standard', maxAttempts: 3 });
    expect(await ecs.config.retryStrategy()).toMatchObject({ mode: 'standard' });
    expect(await ecs.config.maxAttempts()).toBe(3);
  });

  it('signs with the credentials it is given instead of the default chain', async () => {
    const ecs = createClient(ECSClient, {
      region: 'us-east-1',
      credentials: { accessKeyId: 'ASIAGIVEN', secretAccessKey: 'given' }
    });
    expect((await ecs.config.credentials()).accessKeyId).toBe('ASIAGIVEN');
    ecs.destroy();
  });
});

describe('error classification', () => {
  const err = (name: string, status?: number, extra: object = {}) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

  it('knows throttling, 5xx and connection resets as transient', () => {
    expect(isThrottling(err('ThrottlingException', 400))).toBe(true);
    expect(isThrottling(Object.assign(new Error('Rate exceeded'), { name: 'ClientException' }))).toBe(true);
    expect(isTransient(err('ServerException', 500))).toBe(true);
    expect(isTransient(err('Whatever', 503))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(err('ClusterNotFoundException', 400))).toBe(false);
    expect(isTransient(err('AccessDeniedException', 400))).toBe(false);
  });

  it('has one list of network failures, read through a DockyardError that explains one', () => {
    const unreachable = Object.assign(new Error('connect EHOSTUNREACH 10.0.0.1:443'), {
      code: 'EHOSTUNREACH'
    });
    expect(networkErrorCode(unreachable)).toBe('EHOSTUNREACH');
    expect(networkErrorCode(new DockyardError('Could not reach', { cause: unreachable }))).toBe(
      'EHOSTUNREACH'
    );
    expect(isTransient(new DockyardError('Could not reach', { cause: unreachable }))).toBe(true);
    expect(networkErrorCode(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }))).toBeUndefined();
    expect(networkErrorCode(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
  });

  it('knows expired credentials, by name or by what STS says', () => {
    expect(isExpiredCredentials(err('ExpiredToken', 403))).toBe(true);
    expect(isExpiredCredentials(err('ExpiredTokenException', 400))).toBe(true);
    expect(isExpiredCredentials(new Error('The security token included in the request is expired'))).toBe(
      true
    );
    expect(isExpiredCredentials(err('AccessDenied', 403))).toBe(false);
  });

  it('knows access denied', () => {
    expect(isAccessDenied(err('AccessDeniedException', 400))).toBe(true);
    expect(isAccessDenied(err('Error', 403, { message: 'User is not authorized to perform x' }))).toBe(true);
    expect(isAccessDenied(err('ClientException', 400))).toBe(false);
  });

  it('names permissions by IAM prefix', () => {
    expect(permissionFor('ECSClient', 'UpdateServiceCommand')).toBe('ecs:UpdateService');
    expect(permissionFor('SESv2Client', 'SendEmailCommand')).toBe('ses:SendEmail');
    expect(permissionFor('CloudWatchLogsClient', 'GetLogEventsCommand')).toBe('logs:GetLogEvents');
    expect(permissionFor('ElasticLoadBalancingV2Client', 'DescribeTargetHealthCommand')).toBe(
      'elasticloadbalancing:DescribeTargetHealth'
    );
  });
});

describe('region and credentials', () => {
  it('resolves the region from the input, then the environment', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(resolveRegion('', { AWS_REGION: 'us-east-2' })).toBe('us-east-2');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'ap-south-1' })).toBe('ap-south-1');
    expect(resolveRegion(undefined, {})).toBeUndefined();
  });

  it('explains missing credentials before any call', async () => {
    const client = {
      config: {
        credentials: async () => {
          throw new Error('Could not load credentials from any providers');
        }
      }
    };
    await expect(ensureCredentials(client)).rejects.toThrow(/No AWS credentials were found/);
    await expect(
      ensureCredentials({ config: { credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) } })
    ).resolves.toBeUndefined();
  });
});

describe('version', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });
});
