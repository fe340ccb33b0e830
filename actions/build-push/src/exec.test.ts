import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionsLogger, memoryLogger, type MemoryLogger } from '../../../core/index.js';
import { runnerCommands } from '../../../sim/commands.js';
import { dockerRunner } from './exec.js';

/** Node stands in for docker: `run(script)` runs `node -e script` through the real runner. */
const node = (log: MemoryLogger | typeof actionsLogger, signal?: AbortSignal) => {
  const run = dockerRunner({ log, signal, program: process.execPath, env: { DOCKYARD_TEST: 'from-runner' } });
  return (script: string, options?: Parameters<typeof run>[1]) => run(['-e', script], options);
};

/** What a RUN step of a hostile build prints: every kind of workflow command the runner would execute. */
const HOSTILE = [
  '::add-mask::INJECTED-mask',
  '::set-output name=digest::INJECTED',
  '##[set-output name=digest;]sha256:INJECTED',
  '  ::warning::INJECTED-warning',
  '::stop-commands::INJECTEDTOKEN',
  '::error file=Dockerfile::INJECTED-error',
  '::ADD-MASK::INJECTED-mask',
  '::Set-Output name=digest::INJECTED',
  'layer ##[Set-Output name=digest;]sha256:INJECTED'
];

/** Calls `then` once, as soon as the log has `line`: the tests go by the command's progress, not by time. */
function onLine(log: MemoryLogger, line: string, then: () => void): void {
  const streamOf = log.untrustedStream;
  let done = false;
  log.untrustedStream = () => {
    const stream = streamOf();
    return {
      write: text => {
        stream.write(text);
        if (done || !log.lines.includes(line)) return;
        done = true;
        then();
      },
      end: () => stream.end()
    };
  };
}

describe('dockerRunner', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('prints the output while the command runs, a whole line at a time, and returns all of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-exec-'));
    const go = join(dir, 'go');
    try {
      const log = memoryLogger();
      let settled = false;
      let seenWhileRunning: string[] = [];
      let settledThen: boolean | undefined;
      // The command waits for `go`, which the test makes once the first line has been printed.
      onLine(log, 'untrusted: first line', () => {
        seenWhileRunning = [...log.lines];
        settledThen = settled;
        writeFileSync(go, '');
      });
      const script = [
        `process.stdout.write('first line\\npartial ');`,
        `const t = setInterval(() => {`,
        `if (!require('fs').existsSync(${JSON.stringify(go)})) return;`,
        `clearInterval(t); process.stdout.write('end\\nlast'); process.stderr.write('err line\\n');`,
        `}, 5);`
      ].join(' ');
      const running = node(log)(script).finally(() => (settled = true));
      const result = await running;
      expect(settledThen).toBe(false);
      expect(seenWhileRunning).toEqual([`untrusted: [command]node -e ${script}`, 'untrusted: first line']);
      expect(log.lines.slice(2).sort()).toEqual(
        ['untrusted: partial end', 'untrusted: last', 'untrusted: err line'].sort()
      );
      expect(result).toEqual({ code: 0, stdout: 'first line\npartial end\nlast', stderr: 'err line\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints nothing the runner would execute, on stdout or stderr, from what the command prints on either', async () => {
    const out: string[] = [];
    const err: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation(chunk => out.push(String(chunk)) > 0);
    jest.spyOn(process.stderr, 'write').mockImplementation(chunk => err.push(String(chunk)) > 0);
    // Half a command line in one write and the rest in the next, on both streams.
    const script = [
      `const lines = ${JSON.stringify(HOSTILE.join('\n'))};`,
      `process.stdout.write(lines.slice(0, 30)); process.stderr.write(lines + '\\n');`,
      `setTimeout(() => process.stdout.write(lines.slice(30) + '\\n'), 20);`
    ].join(' ');
    const result = await node(actionsLogger)(script);
    jest.restoreAllMocks();
    const printed = out.join('');
    expect(printed).toContain('::set-output name=digest::INJECTED');
    expect(err).toEqual([]);
    const executed = runnerCommands(printed);
    expect(executed.map(c => c.name).filter(n => n !== 'stop-commands')).toEqual(
      executed.filter(c => c.name === 'stop-commands').map(c => c.data)
    );
    expect(JSON.stringify(executed)).not.toContain('INJECTED');
    // Without the blocks the same text would have run (the cases are real commands; the injected stop-commands
    // would then have silenced the rest).
    const bare = printed
      .split('\n')
      .filter(line => !/^::(stop-commands::[0-9a-f]{32}|[0-9a-f]{32}::)$/.test(line));
    expect(runnerCommands(bare.join('\n')).map(c => c.name)).toEqual(
      expect.arrayContaining(['add-mask', 'set-output', 'warning', 'stop-commands'])
    );
    expect(result.code).toBe(0);
  });

  it('passes input on stdin and the step environment, and prints nothing when silent', async () => {
    const log = memoryLogger();
    const result = await node(log)(
      `let s = ''; process.stdin.on('data', d => (s += d)).on('end', () => { console.log(s + ' ' + process.env.DOCKYARD_TEST + ' ' + process.env.EXTRA); process.exit(3); });`,
      { input: 'password', env: { EXTRA: 'per-command' }, silent: true }
    );
    expect(result).toEqual({ code: 3, stdout: 'password from-runner per-command\n', stderr: '' });
    expect(log.lines).toEqual([]);
  });

  it('stops the command when the step is cancelled, and rejects with the reason once it has ended', async () => {
    const controller = new AbortController();
    const log = memoryLogger();
    onLine(log, 'untrusted: started', () => controller.abort(new Error('Received SIGTERM')));
    await expect(
      node(log, controller.signal)(`console.log('started'); setInterval(() => {}, 1000);`)
    ).rejects.toThrow('Received SIGTERM');
    // Nothing runs after a cancel.
    await expect(node(log, controller.signal)('console.log("again")')).rejects.toThrow('Received SIGTERM');
    expect(log.lines.filter(l => l.includes('again'))).toEqual([]);
  });

  it('rejects when the program cannot start', async () => {
    const run = dockerRunner({ log: memoryLogger(), program: join(tmpdir(), 'no-such-docker') });
    await expect(run(['version'], { silent: true })).rejects.toThrow(/ENOENT/);
  });
});
