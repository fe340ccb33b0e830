/**
 * Every bundled action against endpoints that fail the way networks do: one that accepts the connection and
 * never answers (each action must end by itself at its timeout, naming the call and the endpoint, and after a
 * SIGTERM sent while the call hangs, before the runner would kill it), and one that answers HTTP 500 with an HTML
 * page (named, not "Unexpected token '<'"). Report and summary are written on each of these paths.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsEnv } from '../sim/moto.js';
import { ROOT, runAction, type RunResult } from '../sim/runner.js';

type Mode = 'hang' | 'html500';
const servers: Record<Mode, { server: Server; endpoint: string; requests: string[] }> = {} as never;
const held: ServerResponse[] = [];
/** Told of the next request that arrives (and hangs). */
let onRequest: (() => void) | undefined;
const nextRequest = () => new Promise<void>(resolve => (onRequest = resolve));

beforeAll(async () => {
  for (const mode of ['hang', 'html500'] as Mode[]) {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers['x-amz-target'] ?? ''}`);
      onRequest?.();
      req.resume();
      if (mode === 'hang') return void held.push(res);
      res.writeHead(500, { 'content-type': 'text/html', 'x-amzn-requestid': 'req-html-500' });
      res.end('<html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1></body></html>');
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    servers[mode] = {
      server,
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      requests
    };
  }
});

afterAll(async () => {
  held.forEach(r => r.destroy());
  for (const { server } of Object.values(servers)) {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  }
});

const reports = readFileSync(join(ROOT, 'examples/reports/deploy-ecs-success.json'), 'utf8');

/** Each action with inputs that pass validation, so that its first AWS call meets the broken endpoint. */
const ACTIONS: Record<string, { inputs: Record<string, string>; service: string; operation: RegExp }> = {
  'build-push': {
    inputs: { repository: 'team/app', context: 'examples/hello' },
    service: 'ECR',
    operation: /DescribeRepositories/
  },
  'deploy-ecs': {
    inputs: { cluster: 'prod', service: 'web' },
    service: 'ECS',
    operation: /DescribeClusters/
  },
  'notify-ses': {
    inputs: { from: 'deploys@example.com', to: 'team@example.com', reports, 'fail-on-error': 'true' },
    service: 'SES',
    operation: /SendEmail/
  }
};

function run(action: string, mode: Mode, extra: Parameters<typeof runAction>[1] = {}): Promise<RunResult> {
  return runAction(action, {
    ...extra,
    inputs: { ...ACTIONS[action].inputs, ...extra.inputs },
    env: awsEnv(servers[mode].endpoint),
    timeoutMs: 60_000
  });
}

function expectReport(result: RunResult, status: string) {
  const report = JSON.parse(result.outputs.report) as { status: string; error?: string };
  expect(report.status).toBe(status);
  expect(result.summary).not.toBe('');
  return report;
}

describe.each(Object.keys(ACTIONS))('%s', action => {
  const { service, operation } = ACTIONS[action];

  it('ends at its timeout against an endpoint that never answers, naming the call and the endpoint', async () => {
    const result = await run(action, 'hang', { inputs: { timeout: '4s' } });
    // By itself (the run would otherwise be killed at 60 s), because its timeout passed.
    expect(result.code).toBe(1);
    const line = result.stdout.split('\n').find(l => l.startsWith('::error'));
    expect(line).toContain(`${service} `);
    expect(line).toMatch(operation);
    expect(line).toContain(servers.hang.endpoint);
    expect(line).toMatch(/timeout \(4s\) passed/);
    expect(expectReport(result, 'failure').error).toMatch(operation);
  }, 30_000);

  it('ends on SIGTERM while a call hangs, before the runner kills it, with outputs and summary written', async () => {
    const result = await run(action, 'hang', { signal: { name: 'SIGTERM', when: nextRequest() } });
    // Not killed: the runner stand-in kills 2.5 s after SIGTERM, as the runner does (sim/runner.ts).
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Received SIGTERM');
    expectReport(result, 'cancelled');
  }, 30_000);

  it('names the service, the status, the call and the endpoint for an HTML 500 page', async () => {
    const result = await run(action, 'html500');
    expect(result.code).toBe(1);
    const line = result.stdout.split('\n').find(l => l.startsWith('::error')) ?? '';
    expect(line).toContain(`${service} answered HTTP 500 to `);
    expect(line).toMatch(operation);
    expect(line).toContain(servers.html500.endpoint);
    expect(line).toContain('request id req-html-500');
    expect(result.output).not.toMatch(/Unexpected token|Deserialization error|\$response/);
    expectReport(result, 'failure');
  }, 60_000);
});
