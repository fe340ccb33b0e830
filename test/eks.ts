/**
 * The Kubernetes test cluster for the deploy-eks end-to-end tests: one EKS stack (sim/eks: moto, the EKS front,
 * the API server) per test file, started before its tests, a fresh cluster before each test, stopped after.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { startEksStack, type EksStack } from '../sim/eks/stack.js';

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
