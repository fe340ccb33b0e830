/**
 * Throttling is retried by the client core's factory builds, not by a loop of our own: here against a local HTTP
 * endpoint that answers like SES v2 does when the send rate is exceeded. The retries are the client's own, without
 * the waits between them (core/testing/retry.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, memoryLogger } from '../../../core/index.js';
import { withoutBackoff } from '../../../core/testing/retry.js';
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

let server: Server;
let throttleFirst = 0;
const requests: { path: string; body: unknown }[] = [];
let saved: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body: JSON.parse(body || '{}') });
      res.setHeader('content-type', 'application/json');
      if (requests.length <= throttleFirst) {
        res.statusCode = 429;
        res.setHeader('x-amzn-errortype', 'TooManyRequestsException');
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      } else {
        res.end(JSON.stringify({ MessageId: `msg-${requests.length}` }));
      }
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  saved = { ...process.env };
  process.env.AWS_ENDPOINT_URL_SESV2 = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

afterAll(async () => {
  process.env = saved;
  await new Promise(r => server.close(r));
});

beforeEach(() => {
  requests.length = 0;
});

describe('throttling', () => {
  it('is retried until SES accepts the message', async () => {
    throttleFirst = 2;
    const result = await deliver(
      await withoutBackoff(createClient(SESv2Client, { region: 'us-east-1' })),
      message,
      { region: 'us-east-1' },
      memoryLogger()
    );
    expect(result).toEqual({ sent: true, messageId: 'msg-3' });
    expect(requests.map(r => r.path)).toEqual([
      '/v2/email/outbound-emails',
      '/v2/email/outbound-emails',
      '/v2/email/outbound-emails'
    ]);
    expect(requests[2].body).toMatchObject({
      FromEmailAddress: 'deploys@example.com',
      Destination: { ToAddresses: ['team@example.com'] }
    });
  });

  it('is explained when it outlasts the retries', async () => {
    throttleFirst = 100;
    const result = await deliver(
      await withoutBackoff(createClient(SESv2Client, { region: 'us-east-1', maxAttempts: 3 })),
      message,
      { region: 'us-east-1' },
      memoryLogger()
    );
    expect(requests).toHaveLength(3);
    expect(!result.sent && result.error.message).toBe(
      'SES kept throttling the request after 3 attempts. SES said: TooManyRequestsException: Maximum sending rate exceeded.'
    );
  });
});
