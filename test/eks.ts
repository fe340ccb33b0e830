/**
 * The Kubernetes test cluster for the deploy-eks end-to-end tests: one EKS stack (sim/eks: moto, the EKS front,
 * the API server) per test file, started before its tests, a fresh cluster before each test, stopped after.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { startEksStack, type EksStack } from '../sim/eks/stack.js';

/**
 * The smallest `poll-interval` deploy-eks accepts, given to every end-to-end run: a wait then ends as soon as the
 * cluster got there instead of on the next 2 s poll. What a run decides depends on what the cluster reached, not
 * on how often it was asked; `npm run bench -- eks` measures the default interval.
 */
export const SMALLEST_POLL = { 'poll-interval': '100ms' } as const;

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
