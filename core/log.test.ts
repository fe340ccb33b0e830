import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { runnerCommands } from '../sim/commands.js';
import { actionsLogger, labelledLogger, memoryLogger, untrustedLines } from './log.js';

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

  it('streams a command output in one block, closed before anything of its own is printed', () => {
    const chunks: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation(chunk => chunks.push(String(chunk)) > 0);
    const stream = actionsLogger.untrustedStream();
    stream.write('Step 1/2 : RUN make\n::set-output name=dig');
    stream.write('est::INJECTED\n##[add-mask]x\n');
    actionsLogger.warning('Received SIGTERM: stopping.', { title: 'build-push cancelled' });
    stream.write('last line, no break');
    actionsLogger.mask('s3cret');
    stream.end();
    const printed = chunks.join('').split('\n').slice(0, -1);
    const [first, second] = printed
      .filter(l => l.startsWith('::stop-commands::'))
      .map(l => l.slice('::stop-commands::'.length));
    expect(printed).toEqual([
      `::stop-commands::${first}`,
      'Step 1/2 : RUN make',
      '::set-output name=digest::INJECTED',
      '##[add-mask]x',
      `::${first}::`,
      '::warning title=build-push cancelled::Received SIGTERM: stopping.',
      '::add-mask::s3cret',
      `::stop-commands::${second}`,
      'last line, no break',
      `::${second}::`
    ]);
    // The runner runs Dockyard's warning and mask, and nothing of the stream.
    expect(runnerCommands(printed.join('\n')).map(c => c.name)).toEqual([
      'stop-commands',
      first,
      'warning',
      'add-mask',
      'stop-commands',
      second
    ]);
  });

  it('holds a line until it ends, but not one that never does', () => {
    const log = memoryLogger();
    const stream = log.untrustedStream();
    stream.write('a\r\nb');
    stream.write('c\n');
    stream.write('x'.repeat(10_000));
    expect(log.lines).toEqual(['untrusted: a', 'untrusted: bc']);
    stream.write('x'.repeat(10_000));
    expect(log.lines).toHaveLength(3);
    stream.write('tail');
    stream.end();
    expect(log.lines.map(l => l.length)).toEqual([12, 13, 11 + 20_000, 11 + 4]);
  });
});

describe('labelledLogger', () => {
  it("labels its own lines and untrusted text's, keeps annotations' titles, opens no group inside a group", async () => {
    const log = memoryLogger();
    const worker = labelledLogger(log, 'worker');
    worker.info('UpdateService: worker → web:8');
    worker.warning('slow', { title: 'Deployment' });
    worker.untrusted('panic: boom\nat main');
    await log.group('Waiting', () => worker.group('inner', async () => worker.info('looked')));
    expect(log.lines).toEqual([
      '[worker] UpdateService: worker → web:8',
      'warning: [worker] slow',
      'untrusted: [worker] panic: boom',
      'untrusted: [worker] at main',
      'group: Waiting',
      '[worker] looked',
      'endgroup: Waiting'
    ]);
  });
});
