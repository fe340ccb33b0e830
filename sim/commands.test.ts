import { describe, expect, it } from '@jest/globals';
import { outputsFromCommands, runnerCommands } from './commands.js';

const names = (stdout: string) => runnerCommands(stdout).map(c => `${c.name}:${c.data}`);

describe('runner-faithful workflow commands', () => {
  it('runs `::` commands after leading whitespace and `##[` commands anywhere in a line', () => {
    const stdout = [
      '  ::warning file=a.ts,line=3::careful',
      'request header: ##[set-output name=run-task-exit-code;]0',
      'text ::error::not at the start',
      '::unknown::ignored'
    ].join('\n');
    const commands = runnerCommands(stdout);
    expect(commands.map(c => [c.name, c.data])).toEqual([
      ['warning', 'careful'],
      ['set-output', '0']
    ]);
    expect(commands[0].properties).toEqual({ file: 'a.ts', line: '3' });
    expect(outputsFromCommands(commands)).toEqual({ 'run-task-exit-code': '0' });
  });

  it('stops at stop-commands and resumes only at its token', () => {
    const stdout = [
      '::stop-commands::tok123',
      '::add-mask::hidden',
      '::stop-commands::other',
      '::tok999::',
      '##[set-output name=x;]1',
      '::tok123::',
      '::notice::after'
    ].join('\n');
    expect(names(stdout)).toEqual(['stop-commands:tok123', 'tok123:', 'notice:after']);
  });

  it('ends a line at a lone carriage return, as .NET ReadLine does', () => {
    expect(names('harmless\r::add-mask::secret')).toEqual(['add-mask:secret']);
  });

  it('unescapes data and properties as the toolkit escapes them', () => {
    const [c] = runnerCommands('::error title=a%3Ab%2Cc::line%0Anext 100%25');
    expect(c.properties.title).toBe('a:b,c');
    expect(c.data).toBe('line\nnext 100%');
  });
});
