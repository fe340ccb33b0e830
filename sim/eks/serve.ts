/**
 * Runs the Kubernetes API test server by hand: `npx tsx sim/eks/serve.ts [--speed N] [--stack]`.
 * Prints a kubeconfig path for kubectl (the static test token); with `--stack`, also starts moto and the
 * EKS front and prints the environment for the action. Ctrl-C stops it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { kubectlPath, writeKubeconfig } from './kubectl.js';
import { startKubeServer } from './server.js';
import { startEksStack } from './stack.js';

const { values } = parseArgs({ options: { speed: { type: 'string' }, stack: { type: 'boolean' } } });
const options = { speed: values.speed ? Number(values.speed) : 1 };
const dir = mkdtempSync(join(tmpdir(), 'dockyard-kube-'));
let stop: () => Promise<void>;
if (values.stack) {
  const stack = await startEksStack({ kube: options });
  stop = stack.stop;
  console.log(`kubeconfig: ${stack.kubeconfig(join(dir, 'kubeconfig'))}`);
  console.log(`cluster: ${stack.cluster}`);
  for (const [k, v] of Object.entries(stack.env)) console.log(`export ${k}=${v}`);
} else {
  const kube = await startKubeServer(options);
  stop = () => kube.stop();
  console.log(
    `kubeconfig: ${writeKubeconfig(join(dir, 'kubeconfig'), { url: kube.url, caPem: kube.caPem, token: kube.staticToken })}`
  );
}
console.log(`kubectl: ${kubectlPath()}`);
const shutdown = () => void stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
