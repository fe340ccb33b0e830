/**
 * A TLS server on loopback for the REST client's unit tests (certificates from the test CA of sim/eks/tls.ts):
 * each test sets the handler, and reads what the client sent in `seen`.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeChain, type Chain } from '../../../../sim/eks/tls.js';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: Seen, res: ServerResponse) => void;

export interface TlsTestServer {
  url: string;
  /** host:port, as the client's messages name the server. */
  host: string;
  chain: Chain;
  seen: Seen[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startTlsServer(): Promise<TlsTestServer> {
  const chain = makeChain();
  const seen: Seen[] = [];
  let handler: Handler = (_req, res) => res.end('{}');
  const server = createServer({ cert: chain.certPem, key: chain.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      res.setHeader('content-type', 'application/json');
      handler(s, res);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `https://${host}`,
    host,
    chain,
    seen,
    handle: h => {
      seen.length = 0;
      handler = h;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  };
}

/** Answers JSON with the status; true, so a handler can chain `a(req, res) || json(res, ...)`. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): true {
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
  return true;
}
