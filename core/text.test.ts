import { describe, expect, it } from '@jest/globals';
import { oneLine, rootCauseLine, sentence } from './text.js';

describe('oneLine', () => {
  it.each([
    ['joins lines and collapses whitespace', 'a\n  b\tc ', {}, 'a b c'],
    ['keeps the first non-empty line', '\n first line \nsecond', { firstLine: true }, 'first line'],
    ['cuts to max with an ellipsis', 'abcdefghij', { max: 5 }, 'abcd…'],
    ['leaves a short line as it is', 'short', { max: 5 }, 'short']
  ])('%s', (_name, text, options, expected) => {
    expect(oneLine(text, options)).toBe(expected);
  });
});

describe('sentence', () => {
  it.each([
    ['adds a full stop between', 'web crashed', 'Rolled back.', 'web crashed. Rolled back.'],
    ['does not double one', 'web crashed.', 'Rolled back.', 'web crashed. Rolled back.'],
    ['ends a lone cause', 'web crashed', '', 'web crashed.'],
    ['keeps a question', 'why?', 'then', 'why? then']
  ])('%s', (_name, cause, more, expected) => {
    expect(sentence(cause, more)).toBe(expected);
  });
});

describe('rootCauseLine', () => {
  it.each([
    [
      'a Node error above its stack',
      [
        'boot',
        'Error: DATABASE_URL is not set',
        '    at loadConfig (/app/config.js:12:11)',
        '    at main (/app/index.js:3:1)'
      ],
      'Error: DATABASE_URL is not set'
    ],
    [
      'a Python traceback: the exception, not the frame',
      [
        'Traceback (most recent call last):',
        '  File "/app/main.py", line 3, in <module>',
        'KeyError: missing key DB'
      ],
      'KeyError: missing key DB'
    ],
    [
      'a Go panic',
      ['starting', 'panic: cannot connect to database', 'goroutine 1 [running]:'],
      'panic: cannot connect to database'
    ],
    ['no error word: the last line', ['listening on 8080', 'bye'], 'bye'],
    ['only frames: the last of them', ['    at a (x.js:1:1)'], 'at a (x.js:1:1)'],
    [
      'colours left out (a coloured logger, docker resetting its colour before a RUN line)',
      ['\x1b[32minfo\x1b[39m: up', '\x1b[0mnpm ERR! \x1b[1;31mmissing script\x1b[0m'],
      'npm ERR! missing script'
    ],
    ['an empty log', ['', '  '], undefined]
  ])('%s', (_name, lines, expected) => {
    expect(rootCauseLine(lines)).toBe(expected);
  });
});
