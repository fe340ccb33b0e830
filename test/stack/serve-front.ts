/**
 * Runs the ECR front (front.ts) as a process, configured from the environment:
 *   FRONT_HOST          the ECR registry hostname to serve
 *   FRONT_REGISTRY_URL  the plain registry behind it
 *   FRONT_CERT, FRONT_KEY  its TLS certificate (for FRONT_HOST) and key
 *   FRONT_ADDRESS, FRONT_PORT  where to listen (default 127.0.0.1:443)
 *   FRONT_READY_FILE    written with the pid once it listens
 *   AWS_ENDPOINT_URL, AWS_* moto, and dummy credentials
 * scripts/local-stack.sh starts it with `tsx test/stack/serve-front.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { createClient } from '../../core/aws.js';
import { createFront } from './front.js';
import { parseEcrHost } from './registry-api.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const host = required('FRONT_HOST');
  const region = parseEcrHost(host)?.region ?? required('AWS_REGION');
  const server = createFront({
    host,
    registryUrl: required('FRONT_REGISTRY_URL'),
    ecr: createClient(ECRClient, { region, maxAttempts: 3 }),
    cert: readFileSync(required('FRONT_CERT')),
    key: readFileSync(required('FRONT_KEY')),
    log: line => console.log(`${new Date().toISOString()} ${line}`)
  });
  const address = process.env.FRONT_ADDRESS ?? '127.0.0.1';
  const port = Number(process.env.FRONT_PORT ?? '443');
  server.on('error', error => {
    console.error(`The ECR front cannot listen on ${address}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, address, () => {
    console.log(`ECR front for ${host} on https://${address}:${port}`);
    if (process.env.FRONT_READY_FILE) writeFileSync(process.env.FRONT_READY_FILE, `${process.pid}\n`);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
}

await main();
