/**
 * The Kubernetes test cluster for the deploy-eks end-to-end tests: one EKS stack (sim/eks: moto, the EKS front,
 * the API server) per test file, started before its tests, a fresh cluster before each test, stopped after.
 */
import { afterAll, beforeAll, beforeEach, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDeploy, type Measured } from '../sim/eks/scenario.js';
import { startEksStack, type EksStack } from '../sim/eks/stack.js';
import { ROOT, type RunOptions } from '../sim/runner.js';

/**
 * The smallest `poll-interval` deploy-eks accepts, given to every end-to-end run: a wait then ends as soon as the
 * cluster got there instead of on the next 2 s poll. What a run decides depends on what the cluster reached, not
 * on how often it was asked; `npm run bench -- eks` measures the default interval.
 */
export const SMALLEST_POLL = { 'poll-interval': '100ms' } as const;

/** The actions of the README's IAM policy: every run checks the AWS calls it made against them. */
function readmePolicy(): Set<string> {
  const readme = readFileSync(join(ROOT, 'actions/deploy-eks/README.md'), 'utf8');
  const policy = /```json\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf('## IAM policy')))?.[1] ?? '{}';
  return new Set(
    (JSON.parse(policy) as { Statement: { Action: string[] }[] }).Statement.flatMap(s => s.Action)
  );
}
const allowed = readmePolicy();

/** Runs the bundle at the smallest poll interval, then checks its AWS calls against the README's IAM policy. */
export async function deployEks(
  stack: EksStack,
  ws: string,
  inputs: Record<string, string>,
  options: RunOptions = {}
): Promise<Measured> {
  const calls = stack.front.calls.length;
  const run = await runDeploy(stack, ws, { ...SMALLEST_POLL, ...inputs }, options);
  const made = stack.front.calls.slice(calls).map(c => `${c.service}:${c.operation}`);
  expect(made.filter(c => !allowed.has(c))).toEqual([]);
  return run;
}

/** The writes among a run's API server requests by verb (scenario.ts `requests`). */
export const writes = (requests: Record<string, number>) =>
  (requests.apply ?? 0) +
  (requests.patch ?? 0) +
  (requests.create ?? 0) +
  (requests.update ?? 0) +
  (requests.delete ?? 0);

/** A migration Job (default namespace) running `image`. */
export const migrateJob = (image: string) => `apiVersion: batch/v1
kind: Job
metadata: { name: migrate, namespace: default }
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: migrate, image: "${image}" }]
`;

/** Registers the file's hooks; `use` is given the stack once it runs. */
export function eksStackForFile(use: (stack: EksStack) => void): void {
  let started: EksStack | undefined;
  beforeAll(async () => {
    started = await startEksStack();
    use(started);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  beforeEach(async () => {
    await started?.fresh();
  });
}
