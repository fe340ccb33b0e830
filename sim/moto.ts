/**
 * moto_server, the AWS API emulator: one for the whole end-to-end run (jest's globalSetup starts it and hands its
 * address to the test files), or a private one for a tool such as the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  endpoint: string;
  port: number;
  /** Environment that points the AWS SDK (and the bundled actions) at this moto. */
  env: Record<string, string>;
  /** Stops a moto this process started; leaves the run's shared one alone. */
  stop(): Promise<void>;
}

/** Where the end-to-end run's moto is (its URL), set by the e2e project's globalSetup (test/stack/global-setup.js). */
export const SHARED_MOTO_ENV = 'DOCKYARD_E2E_MOTO_URL';

/**
 * The moto to use: the end-to-end run's, when its globalSetup started one, else a private one (the bench, a test
 * file run outside the e2e project). The run's moto is never reset: everyone in it gives what they create names
 * of their own (sim/ecs/seed.ts), so test files can run side by side and in any order.
 */
export async function useMoto(): Promise<Moto> {
  const shared = process.env[SHARED_MOTO_ENV];
  if (!shared) return startMoto();
  return { endpoint: shared, port: Number(new URL(shared).port), env: awsEnv(shared), stop: async () => {} };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';

/**
 * A call to one of moto's query APIs (EC2, IAM) without its SDK client, which the project does not depend on:
 * moto reads the service from the credential scope and does not check the signature.
 */
export async function motoQuery(
  endpoint: string,
  service: string,
  params: Record<string, string>
): Promise<{ ok: boolean; xml: string }> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${TEST_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`
    },
    body: new URLSearchParams(params).toString()
  });
  return { ok: res.ok, xml: await res.text() };
}

export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: TEST_REGION,
    AWS_EC2_METADATA_DISABLED: 'true'
  };
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ACCOUNT_ID: TEST_ACCOUNT }
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok || res.status < 500) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not start on port ${port}:\n${log}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return {
    endpoint,
    port,
    env: awsEnv(endpoint),
    stop: async () => {
      if (child.exitCode !== null) return;
      const closed = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise(r => (timer = setTimeout(r, 3000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  };
}
