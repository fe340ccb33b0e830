/**
 * SendEmail against a local HTTP endpoint that answers like SES v2 (or like a broken proxy): throttling is
 * retried, a 5xx at most once with a warning (SES may have accepted the message), an HTML error page and a
 * silent endpoint are named. The clock is virtual, so no test waits for real backoff.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, memoryLogger, virtualClock } from '../../../core/index.js';
import { deliver, type EmailMessage } from './send.js';

const message: EmailMessage = {
  from: 'deploys@example.com',
  to: ['team@example.com'],
  cc: [],
  bcc: [],
  replyTo: [],
  subject: 'subject',
  html: '<p>html</p>',
  text: 'text'
};

type Answer = 'throttle' | 'html500' | 'json500' | 'hang' | 'ok';
let script: Answer[] = [];
let server: Server;
let endpoint = '';
const requests: { path: string; body: unknown }[] = [];
const hanging: ServerResponse[] = [];
/** Called when a request is held ('hang'): a test cancels the step then. */
let onHang: () => void = () => undefined;
let saved: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body: JSON.parse(body || '{}') });
      const answer = script[requests.length - 1] ?? script[script.length - 1] ?? 'ok';
      if (answer === 'hang') {
        hanging.push(res);
        return onHang();
      }
      if (answer === 'html500') {
        res.writeHead(500, { 'content-type': 'text/html' });
        return void res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
      }
      res.setHeader('content-type', 'application/json');
      if (answer === 'throttle') {
        res.statusCode = 429;
        res.setHeader('x-amzn-errortype', 'TooManyRequestsException');
        return void res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      }
      if (answer === 'json500') {
        res.statusCode = 500;
        res.setHeader('x-amzn-errortype', 'InternalServiceErrorException');
        res.setHeader('x-amzn-requestid', 'req-500');
        return void res.end(JSON.stringify({ message: 'Internal failure.' }));
      }
      res.end(JSON.stringify({ MessageId: `msg-${requests.length}` }));
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  saved = { ...process.env };
  process.env.AWS_ENDPOINT_URL_SESV2 = endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

afterAll(async () => {
  process.env = saved;
  hanging.forEach(r => r.destroy());
  server.closeAllConnections();
  await new Promise(r => server.close(r));
});

beforeEach(() => {
  requests.length = 0;
});

async function send(answers: Answer[], options: { requestTimeoutMs?: number; signal?: AbortSignal } = {}) {
  script = answers;
  const log = memoryLogger();
  const client = createClient(SESv2Client, { region: 'us-east-1', maxAttempts: 1, ...options });
  try {
    const result = await deliver(client, message, { region: 'us-east-1', clock: virtualClock() }, log);
    return { result, log };
  } finally {
    client.destroy();
  }
}

describe('throttling', () => {
  it('is retried until SES accepts the message', async () => {
    const { result } = await send(['throttle', 'throttle', 'ok']);
    expect(result).toEqual({ sent: true, messageId: 'msg-3' });
    expect(requests.map(r => r.path)).toEqual(Array(3).fill('/v2/email/outbound-emails'));
    expect(requests[2].body).toMatchObject({
      FromEmailAddress: 'deploys@example.com',
      Destination: { ToAddresses: ['team@example.com'] }
    });
  });

  it('is explained when it outlasts the retries', async () => {
    const { result } = await send(['throttle']);
    expect(requests).toHaveLength(6);
    expect(!result.sent && result.error.message).toBe(
      'SES kept throttling the request. SES said: TooManyRequestsException: Maximum sending rate exceeded.'
    );
  });
});

describe('a 5xx, after which SES may have accepted the message', () => {
  it('is tried once more, with a warning that a duplicate is possible', async () => {
    const { result, log } = await send(['json500', 'ok']);
    expect(result).toEqual({ sent: true, messageId: 'msg-2' });
    expect(requests).toHaveLength(2);
    expect(log.text()).toMatch(
      /warning: SendEmail: InternalServiceErrorException .*trying once more.*duplicate/
    );
  });

  it('is not tried a third time', async () => {
    const { result } = await send(['json500']);
    expect(requests).toHaveLength(2);
    expect(result.sent).toBe(false);
  });

  it('names the status, the call and the endpoint when the body is an HTML page', async () => {
    const { result } = await send(['html500']);
    expect(requests).toHaveLength(2);
    expect(!result.sent && result.error.message).toContain(
      `SES answered HTTP 500 to SendEmail (${endpoint}), with a body that is not an AWS answer.`
    );
    expect(!result.sent && result.error.message).not.toMatch(/Unexpected token|\$response/);
  });
});

describe('an endpoint that never answers', () => {
  it('is given up on after the request timeout, naming the call and the endpoint', async () => {
    const { result } = await send(['hang'], { requestTimeoutMs: 300 });
    expect(requests).toHaveLength(2);
    expect(!result.sent && result.error.message).toContain(`SES did not answer SendEmail (${endpoint})`);
  });

  it('is left at once when the step is cancelled', async () => {
    const controller = new AbortController();
    onHang = () => controller.abort(new Error('Received SIGTERM'));
    const { result } = await send(['hang'], { signal: controller.signal });
    onHang = () => undefined;
    expect(requests).toHaveLength(1);
    expect(!result.sent && result.error.message).toContain('SES SendEmail');
    expect(!result.sent && result.error.message).toContain('was stopped: Received SIGTERM');
  });
});
