import { describe, expect, it } from '@jest/globals';
import { InputError } from './errors.js';
import { InputReader, recordInputSource, splitList } from './inputs.js';

const reader = (values: Record<string, string>) => new InputReader(recordInputSource(values));

describe('InputReader', () => {
  it('reads strings, defaults and required values', () => {
    const r = reader({ name: 'web' });
    expect(r.string('name')).toBe('web');
    expect(r.string('other', { default: 'x' })).toBe('x');
    expect(r.required('cluster')).toBe('');
    expect(() => r.done()).toThrow("Input 'cluster': is required.");
  });

  it('collects every problem before throwing, each naming its input and the fix', () => {
    const r = reader({ wait: 'maybe', timeout: 'soon', count: '-3', mode: 'LOUD' });
    r.boolean('wait', true);
    r.duration('timeout', '15m');
    r.integer('count', { min: 0 });
    r.choice('mode', ['QUIET', 'NORMAL'] as const, 'NORMAL');
    let error: InputError | undefined;
    try {
      r.done();
    } catch (e) {
      error = e as InputError;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error?.problems.map(p => p.input)).toEqual(['wait', 'timeout', 'count', 'mode']);
    expect(error?.message).toContain("Input 'wait': 'maybe' is not a boolean. Use 'true' or 'false'.");
    expect(error?.message).toContain("Use a number with a unit, such as '30s'");
    expect(error?.message).toContain('Use one of: QUIET, NORMAL.');
    expect(error?.message).toMatch(/^4 inputs need fixing:/);
  });

  it('accepts YAML-style booleans and case-insensitive choices when asked', () => {
    const r = reader({ a: 'True', b: 'false', c: 'high' });
    expect(r.boolean('a', false)).toBe(true);
    expect(r.boolean('b', true)).toBe(false);
    expect(r.choice('c', ['LOW', 'HIGH'] as const, 'LOW', { ignoreCase: true })).toBe('HIGH');
    expect(() => r.done()).not.toThrow();
  });

  it('parses integers within bounds', () => {
    const r = reader({ n: '12', big: '99' });
    expect(r.integer('n', { min: 0, max: 50 })).toBe(12);
    expect(r.integer('big', { min: 0, max: 50 })).toBeUndefined();
    expect(r.integer('unset')).toBeUndefined();
    expect(() => r.done()).toThrow(/'99' is not a whole number from 0 to 50/);
  });

  it('keeps =, spaces and quotes in KEY=VALUE values and names the bad line', () => {
    const r = reader({
      env: 'A=b=c\n  B = "quoted value" \n# comment\nC=\nbroken'
    });
    const kv = r.keyValues('env', { allowEmptyValue: true, example: 'KEY=value' });
    expect(kv).toEqual([
      { key: 'A', value: 'b=c', line: 1 },
      { key: 'B', value: '"quoted value"', line: 2 },
      { key: 'C', value: '', line: 4 }
    ]);
    expect(() => r.done()).toThrow("Input 'env': line 5 ('broken') is not of the form KEY=VALUE.");
  });

  it('splits lists on commas and newlines', () => {
    expect(splitList('a, b\nc,,\n d ')).toEqual(['a', 'b', 'c', 'd']);
    expect(reader({ l: 'x\n#skip\ny' }).lines('l')).toEqual(['x', 'y']);
  });
});
