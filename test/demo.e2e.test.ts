/**
 * `npm run demo` and `npm run demo -- --fail` end to end, on the local stack, the way a person runs them
 * (scripts/demo.sh → scripts/demo.ts → the bundles under Node 24): what they print, and that each stays under
 * two minutes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../sim/runner.js';

async function demo(...args: string[]): Promise<{ code: number | null; output: string; ms: number }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const started = Date.now();
  const child = spawn('bash', [join(ROOT, 'scripts', 'demo.sh'), ...args], { cwd: ROOT, env });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const code = await new Promise<number | null>(resolve => child.on('close', resolve));
  clearTimeout(timer);
  return { code, output, ms: Date.now() - started };
}

/** The progress lines: `[  12.3s] …`, with their elapsed seconds. */
const progress = (output: string) =>
  [...output.matchAll(/^\[ *(\d+\.\d)s\] (.*)$/gm)].map(m => ({ s: Number(m[1]), text: m[2] }));

describe('npm run demo', () => {
  it('builds, deploys and mails, one line per step with the elapsed time, in under two minutes', async () => {
    const { code, output, ms } = await demo();
    expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(ms).toBeLessThan(120_000);
    const steps = progress(output);
    expect(steps.map(s => s.text.split(':')[0])).toEqual([
      '✓ local stack',
      '✓ build-push',
      '✓ ECS',
      '… deploy-ecs',
      '✓ deploy-ecs',
      '✓ notify-ses',
      'done'
    ]);
    expect(steps.map(s => s.s)).toEqual([...steps.map(s => s.s)].sort((a, b) => a - b));
    // The rollout as the scenario layer animates it, live, and each step's job summary for a terminal.
    expect(output).toMatch(/ecs-svc\/\d+: IN_PROGRESS, running 0\/2/);
    expect(output).toMatch(/ecs-svc\/\d+: COMPLETED, running 2\/2/);
    expect(output).toContain('── job summary of build-push ──');
    expect(output).toMatch(
      /── job summary of deploy-ecs ──\n.*deploy-ecs: hello \(dockyard-demo\) — COMPLETED\n═+/
    );
    expect(output).toMatch(/^ {2}Cluster +dockyard-demo$/m);
    expect(output).not.toMatch(/\| --- \|/);
    // The email moto recorded: subject, text, and the HTML in a file.
    expect(output).toContain('Subject: [SUCCEEDED] dockyard/demo · demo · deploy-ecs hello');
    const html = join(tmpdir(), 'dockyard-demo', 'email.html');
    expect(output).toContain(`HTML: ${html}`);
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  }, 150_000);

  it('--fail shows the failing rollout, the stopped tasks, the container’s last lines, the rollback and the email', async () => {
    const { code, output, ms } = await demo('--fail');
    expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(ms).toBeLessThan(120_000);
    expect(output).toMatch(/✓ build-push: dockyard\/hello-crash:sha-\w+ /);
    expect(output).toMatch(/ecs-svc\/\d+: FAILED/);
    expect(output).toContain('stoppedReason: Essential container in task exited');
    // What examples/hello/start.sh really prints and exits with when its configuration file is missing.
    expect(output).toContain('container hello: STOPPED exit code 78');
    expect(output).toContain('hello: error: /etc/hello/config.json does not exist');
    expect(output).toMatch(/Rolled back to hello:\d+\./);
    expect(output).toMatch(/✗ deploy-ecs: ROLLED_BACK/);
    expect(output).toContain('Subject: [FAILED] dockyard/demo · demo · deploy-ecs hello');
    // The failure email, as text: why it failed, line by line.
    const email = output.slice(output.indexOf('── the email moto recorded ──'));
    expect(email).toMatch(/^container hello: STOPPED exit code 78$/m);
    expect(email).toMatch(/^hello: error: \/etc\/hello\/config\.json does not exist$/m);
    expect(output).toContain('done: the failing rollout was caught, explained and rolled back (ROLLED_BACK)');
  }, 150_000);
});
