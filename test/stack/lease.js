/**
 * Who uses the local stack, so the last jest run that needs it takes it down (plain JavaScript: jest loads
 * globalSetup/globalTeardown without the TypeScript module mapping).
 *
 * Each e2e run registers its pid in <stack dir>/users. When the stack is not running at the start of a run,
 * the run marks it `started-for-tests`; at the end, a run stops the stack when that mark is there and no
 * other registered run is still alive. A stack brought up by hand has no mark and keeps running.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts', 'local-stack.sh');

export function stackDir(env = process.env) {
  return env.DOCKYARD_STACK_DIR || '/tmp/dockyard-stack';
}

async function stackIsUp() {
  try {
    await run('bash', [SCRIPT, 'status'], { cwd: ROOT, timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Registers this run; marks the stack as started for tests when it does not run yet. */
export async function beginStackUse(pid = process.pid) {
  const dir = stackDir();
  mkdirSync(join(dir, 'users'), { recursive: true });
  if (!(await stackIsUp())) writeFileSync(join(dir, 'started-for-tests'), `${pid}\n`);
  writeFileSync(join(dir, 'users', String(pid)), '');
  // Test workers (test/stack.ts ensureStack) register this run's pid rather than their own.
  process.env.DOCKYARD_STACK_RUN_PID = String(pid);
}

/** Unregisters this run; stops the stack when tests started it and no other run uses it. */
export async function endStackUse(pid = process.pid) {
  const dir = stackDir();
  const users = join(dir, 'users');
  rmSync(join(users, String(pid)), { force: true });
  const others = [];
  for (const entry of existsSync(users) ? readdirSync(users) : []) {
    if (/^\d+$/.test(entry) && alive(Number(entry))) others.push(entry);
    else rmSync(join(users, entry), { force: true });
  }
  if (others.length > 0 || !existsSync(join(dir, 'started-for-tests'))) return false;
  await run('bash', [SCRIPT, 'down'], { cwd: ROOT, timeout: 120_000 });
  rmSync(join(dir, 'started-for-tests'), { force: true });
  return true;
}
