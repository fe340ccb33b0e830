import { describe, expect, it } from '@jest/globals';
import { INVALID_STOP_TOKEN_MESSAGE, outputsFromCommands, runnerCommands, stepCommands } from './commands.js';

const names = (stdout: string, env?: Record<string, string>) =>
  runnerCommands(stdout, { env }).map(c => `${c.name}:${c.data}`);

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

  // ActionCommandManager's registered commands and ActionCommand's properties are OrdinalIgnoreCase.
  it.each([
    ['::ADD-MASK::x', 'add-mask', {}, 'x'],
    ['::Set-Output name=a::b', 'set-output', { name: 'a' }, 'b'],
    ['::set-output NAME=a::b', 'set-output', { name: 'a' }, 'b'],
    ['log: ##[Set-Output Name=a]b', 'set-output', { name: 'a' }, 'b'],
    ['::Warning Title=t::w', 'warning', { title: 't' }, 'w'],
    ['##[STOP-COMMANDS]tok1234', 'stop-commands', {}, 'tok1234']
  ])('matches %j ignoring case', (line, name, properties, data) => {
    expect(runnerCommands(line)).toEqual([{ name, properties, data, line: 1, stream: 'stdout' }]);
  });

  it.each([
    ['\u0085::add-mask::x', ['add-mask:x']], // .NET whitespace, not JavaScript's
    ['\u3000\t::add-mask::x', ['add-mask:x']],
    ['\ufeff::add-mask::x', []], // JavaScript's whitespace, not .NET's
    ['x ::add-mask::y', []]
  ])('trims what .NET TrimStart trims before `::`: %j', (line, expected) => {
    expect(names(line)).toEqual(expected);
  });

  it('stops at stop-commands and resumes only at its token, ignoring case', () => {
    const stdout = [
      '::stop-commands::tok123',
      '::add-mask::hidden',
      '::stop-commands::other',
      '::tok999::',
      '##[set-output name=x;]1',
      '::TOK123::',
      '::notice::after'
    ].join('\n');
    expect(names(stdout)).toEqual(['stop-commands:tok123', 'tok123:', 'notice:after']);
  });

  it.each(['', 'warning', 'Set-Output', 'pause-logging', 'STOP-COMMANDS'])(
    'fails the step at a stop-commands with the invalid token %j, and runs nothing after it',
    token => {
      const commands = runnerCommands(`::stop-commands::${token}\n::add-mask::x`);
      expect(commands).toEqual([
        expect.objectContaining({ name: 'stop-commands', error: INVALID_STOP_TOKEN_MESSAGE })
      ]);
    }
  );

  it.each([
    ['true', false],
    ['1', false],
    ['$TRUE', false],
    ['yes', true]
  ])(
    'with ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS=%j an empty token stops commands for good',
    (allow, fails) => {
      const commands = runnerCommands('::stop-commands::\n::add-mask::x\n::::', {
        env: { ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS: allow }
      });
      expect(commands.map(c => [c.name, c.data, c.error !== undefined])).toEqual([
        ['stop-commands', '', fails]
      ]);
    }
  );

  it('with invalid tokens allowed, a command used as the token resumes and is unregistered', () => {
    const env = { ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS: 'true' };
    const stdout = [
      '::stop-commands::warning',
      '::add-mask::a',
      '::Warning::resumes',
      '::warning::gone',
      '::add-mask::b'
    ];
    expect(names(stdout.join('\n'), env)).toEqual(['stop-commands:warning', 'warning:resumes', 'add-mask:b']);
  });

  it('refuses set-env and add-path unless ACTIONS_ALLOW_UNSECURE_COMMANDS is true, and names a missing name', () => {
    const stdout = '::set-env name=A::1\n##[add-path]/evil\n::set-output::no-name';
    expect(runnerCommands(stdout).map(c => [c.name, c.error])).toEqual([
      [
        'set-env',
        expect.stringMatching(
          /^The `set-env` command is disabled\. Please upgrade to using Environment Files/
        )
      ],
      ['add-path', expect.stringMatching(/^The `add-path` command is disabled\./)],
      ['set-output', "Required field 'name' is missing in ##[set-output] command."]
    ]);
    const allowed = runnerCommands(stdout, { env: { ACTIONS_ALLOW_UNSECURE_COMMANDS: 'True' } });
    expect(allowed.map(c => c.error === undefined)).toEqual([true, true, false]);
  });

  it('ends a line at a lone carriage return, as .NET ReadLine does', () => {
    expect(names('harmless\r::add-mask::secret')).toEqual(['add-mask:secret']);
  });

  it.each([
    ['::error title=a%3Ab%2Cc::line%0Anext 100%25', { title: 'a:b,c' }, 'line\nnext 100%'],
    // Ordinal, case-sensitive, in the runner's order: %253A is `%3A`, not `:`; %0a stays.
    ['::error title=%253A::a%0ab%3A', { title: '%3A' }, 'a%0ab%3A'],
    // The legacy form unescapes `;` and `]` too, in properties and data.
    ['##[error title=a%3Bb%5D]x%5D%3By', { title: 'a;b]' }, 'x];y'],
    // .NET Split('=', 2, RemoveEmptyEntries): leading and repeated `=` vanish; `k=` is no property.
    ['::error  title==a=b ,=line=3,col=::x', { title: 'a=b ', line: '3' }, 'x']
  ])('unescapes %j as the runner does', (line, properties, data) => {
    const [c] = runnerCommands(line);
    expect([c.properties, c.data]).toEqual([properties, data]);
  });

  it('reads stderr too, and a stop-commands block on stdout does not cover it', () => {
    const commands = stepCommands('::stop-commands::tok1234\nlog\n::tok1234::', '::add-mask::from-stderr');
    expect(commands.map(c => [c.stream, c.name, c.line])).toEqual([
      ['stdout', 'stop-commands', 1],
      ['stdout', 'tok1234', 3],
      ['stderr', 'add-mask', 1]
    ]);
  });
});
