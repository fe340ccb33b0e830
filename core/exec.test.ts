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
});
