import { describe, expect, it } from '@jest/globals';
import { runCommand } from './exec.js';
import { memoryLogger } from './log.js';

describe('runCommand', () => {
  it('stops a command whose signal aborts while it starts (as the command line is printed)', async () => {
    const log = memoryLogger();
    const cancel = new AbortController();
    const streamOf = log.untrustedStream;
    log.untrustedStream = () => {
      const stream = streamOf();
      return {
        write: text => (stream.write(text), cancel.abort(new Error('cancelled'))),
        end: () => stream.end()
      };
    };
    const result = await runCommand(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      log,
      signal: cancel.signal,
      keepWhenStopped: true
    });
    expect(result.stopped).toEqual(new Error('cancelled'));
    await expect(
      runCommand(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { log, signal: cancel.signal })
    ).rejects.toThrow('cancelled');
  });

  it("leaves the step's inputs out of a user's command when asked, and keeps the rest of the environment", async () => {
    const print = [
      '-e',
      'console.log(JSON.stringify([process.env["INPUT_GITHUB-TOKEN"], process.env.DOCKYARD_X]))'
    ];
    process.env['INPUT_GITHUB-TOKEN'] = 'ghs_test';
    try {
      const options = { log: memoryLogger(), env: { DOCKYARD_X: 'x' }, silent: true };
      const kept = await runCommand(process.execPath, print, options);
      const left = await runCommand(process.execPath, print, { ...options, withoutInputs: true });
      expect([kept.stdout.trim(), left.stdout.trim()]).toEqual(['["ghs_test","x"]', '[null,"x"]']);
    } finally {
      delete process.env['INPUT_GITHUB-TOKEN'];
    }
  });
});
