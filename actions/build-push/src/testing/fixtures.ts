/** Shared test fixtures for build-push's unit tests. */
import type { RunContext } from '../../../../core/index.js';
import type { RepositoryInfo } from '../ecr.js';
import type { Finding, ScanResult } from '../scan.js';

export const ACCOUNT = '123456789012';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
export const URI = `${REGISTRY}/team/app`;

/** An immutable repository with scan on push, as the action creates it. */
export const REPO: RepositoryInfo = {
  name: 'team/app',
  uri: URI,
  registryId: ACCOUNT,
  registry: REGISTRY,
  mutability: 'IMMUTABLE',
  exclusions: [],
  scanOnPush: true
};

/** An AWS-style error with the given name (what the SDK throws for service exceptions). */
export const named = (name: string, message = name) => Object.assign(new Error(message), { name });

/** The run context of a push to main of octo/app; `over` changes parts of it. */
export const runContextFor = (over: Partial<RunContext> = {}): RunContext => ({
  repository: 'octo/app',
  serverUrl: 'https://github.com',
  sha: '0123456789abcdef0123456789abcdef01234567',
  ref: 'refs/heads/main',
  refName: 'main',
  refType: 'branch',
  runId: '1',
  runAttempt: '1',
  workflow: 'ci',
  job: 'build',
  actor: 'octocat',
  eventName: 'push',
  ...over
});

/** A completed basic scan that fails the gate at HIGH with one finding. */
export const failedScan = (finding: Finding): ScanResult => ({
  scanType: 'BASIC',
  status: 'COMPLETE',
  counts: { HIGH: 1 },
  worst: [finding],
  blocking: 1,
  passed: false,
  waitedMs: 5000
});
