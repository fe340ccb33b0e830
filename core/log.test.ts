import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { runnerCommands } from '../sim/commands.js';
import { actionsLogger, memoryLogger, untrustedLines } from './log.js';

describe('untrusted text', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const printed = (text: string | string[]) => {
    const chunks: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      chunks.push(String(chunk));
      return true;
    });
    actionsLogger.untrusted(text);
    return chunks.join('').split(/\r?\n/).slice(0, -1);
  };

  it('prints inside a stop-commands block with a fresh token each time', () => {
    const hostile = ['::add-mask::x', '##[set-output name=status;]COMPLETED', '::stop-commands::guess'];
    const first = printed(hostile);
    const token = /^::stop-commands::([0-9a-f]{32})$/.exec(first[0])?.[1];
    expect(token).toBeDefined();
    expect(first).toEqual([`::stop-commands::${token}`, ...hostile, `::${token}::`]);
    // What the runner would run of it: the stop and the resume, nothing in between.
    expect(runnerCommands(first.join('\n')).map(c => c.name)).toEqual(['stop-commands', token]);
    const second = printed('one line');
    expect(second[0]).not.toBe(first[0]);
  });

  it('splits on every kind of line break, so a CR cannot hide a line', () => {
    expect(untrustedLines('a\r\nb\rc\nd\n\n')).toEqual(['a', 'b', 'c', 'd']);
    expect(printed([])).toEqual([]);
  });

  it('is recorded line by line by the memory logger', () => {
    const log = memoryLogger();
    log.untrusted('Error: boom\n    at main');
    expect(log.lines).toEqual(['untrusted: Error: boom', 'untrusted:     at main']);
  });
});
