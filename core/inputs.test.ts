import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockyardError, InputError } from './errors.js';
import { InputReader, recordInputSource, resolveInsideWorkspace, splitList } from './inputs.js';

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
    expect(() => r.done()).toThrow("Input 'env': line 5 has no '=': it is not of the form KEY=VALUE.");
  });

  it('never quotes a malformed line, which may be a value without its key', () => {
    const r = reader({ env: 's3cr3t-value\n=s3cr3t-value\nKEY=' });
    r.keyValues('env');
    expect(() => r.done()).toThrow(
      /line 1 has no '='.*line 2 has no key before '='.*line 3 \('KEY'\) has no value/s
    );
    expect(() => r.done()).not.toThrow(/s3cr3t/);
  });

  it('splits lists on commas and newlines', () => {
    expect(splitList('a, b\nc,,\n d ')).toEqual(['a', 'b', 'c', 'd']);
    expect(reader({ l: 'x\n#skip\ny' }).lines('l')).toEqual(['x', 'y']);
  });
});

describe('paths inside the workspace', () => {
  let root: string;
  let ws: string;
  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'dockyard-paths-')));
    ws = join(root, 'ws');
    mkdirSync(join(ws, 'app'), { recursive: true });
    writeFileSync(join(ws, 'app', 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(root, 'outside.txt'), 'secret\n');
    symlinkSync(join(root, 'outside.txt'), join(ws, 'link-out'));
    symlinkSync(join(ws, 'app'), join(ws, 'link-in'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const fault = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error as DockyardError;
    }
    throw new Error('expected an error');
  };

  it('resolves relative and absolute paths inside it, following links that stay inside', () => {
    expect(resolveInsideWorkspace('file', 'app/Dockerfile', { workspace: ws, kind: 'file' })).toBe(
      join(ws, 'app', 'Dockerfile')
    );
    expect(resolveInsideWorkspace('context', join(ws, 'app'), { workspace: ws, kind: 'dir' })).toBe(
      join(ws, 'app')
    );
    expect(resolveInsideWorkspace('context', 'link-in', { workspace: ws, kind: 'dir' })).toBe(
      join(ws, 'app')
    );
    expect(resolveInsideWorkspace('context', '.', { workspace: ws, kind: 'dir' })).toBe(ws);
  });

  it('refuses what escapes it, by .., by an absolute path or through a symlink, naming the input', () => {
    const up = fault(() => resolveInsideWorkspace('template', '../../../../etc/passwd', { workspace: ws }));
    expect(up.input).toBe('template');
    expect(up.message).toBe(`'../../../../etc/passwd' is outside the workspace (${ws}).`);
    expect(
      fault(() => resolveInsideWorkspace('template', '/etc/passwd', { workspace: ws })).message
    ).toContain('is outside the workspace');
    // A sibling whose name starts like the workspace is outside too.
    expect(fault(() => resolveInsideWorkspace('x', `${ws}-other/f`, { workspace: ws })).message).toContain(
      'is outside the workspace'
    );
    const link = fault(() =>
      resolveInsideWorkspace('file', 'link-out', { workspace: ws, kind: 'file', line: 2 })
    );
    expect(link.message).toBe(
      `line 2: 'link-out' leads outside the workspace through a symbolic link (to ${join(root, 'outside.txt')}).`
    );
  });

  it('says what is missing or of the wrong kind', () => {
    expect(fault(() => resolveInsideWorkspace('file', 'nope', { workspace: ws })).message).toContain(
      "'nope' does not exist"
    );
    expect(fault(() => resolveInsideWorkspace('file', 'app', { workspace: ws, kind: 'file' })).message).toBe(
      "'app' is not a file."
    );
    expect(
      fault(() => resolveInsideWorkspace('context', 'app/Dockerfile', { workspace: ws, kind: 'dir' })).message
    ).toBe("'app/Dockerfile' is not a directory.");
  });

  it('collects path problems in the reader, resolving against GITHUB_WORKSPACE', () => {
    const r = new InputReader(recordInputSource({ context: 'app', file: '../x' }), {
      env: { GITHUB_WORKSPACE: ws }
    });
    expect(r.workspace).toBe(ws);
    expect(r.path('context', { kind: 'dir' })).toBe(join(ws, 'app'));
    expect(r.path('file', { kind: 'file' })).toBeUndefined();
    expect(r.path('unset')).toBeUndefined();
    expect(r.problems.map(p => p.input)).toEqual(['file']);
  });
});

describe('secrets', () => {
  it('masks a secret input as soon as it is read, each line too', () => {
    const masked: string[] = [];
    const r = new InputReader(recordInputSource({ token: 'abc\ndef' }, masked));
    expect(r.secret('token')).toBe('abc\ndef');
    expect(masked).toEqual(['abc\ndef', 'abc', 'def']);
  });

  it('masks every value of ID=VALUE lines and reports a bad line by number and id only', () => {
    const masked: string[] = [];
    const token = 'npm_0123456789abcdef';
    const r = new InputReader(
      recordInputSource({ secrets: `good=v1=x\nnpm_token ${token}\n<only-a-value>\nempty=` }, masked)
    );
    expect(r.secretEntries('secrets')).toEqual([{ key: 'good', value: 'v1=x', line: 1 }]);
    expect(masked).toEqual(expect.arrayContaining(['v1=x', token, '<only-a-value>']));
    const error = fault(() => r.done());
    expect(error.message).toContain("line 2 (id 'npm_token') is not of the form ID=VALUE");
    expect(error.message).toContain('line 3 is not of the form');
    expect(error.message).toContain("line 4 (id 'empty')");
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain('only-a-value');
  });

  const fault = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error as InputError;
    }
    throw new Error('expected an error');
  };
});

describe('region', () => {
  it('takes the input, then the fallback, then the environment, and checks the form', () => {
    const env = { AWS_REGION: 'eu-west-1' };
    const r = new InputReader(recordInputSource({ region: 'us-east-2', bad: 'Europe' }), { env });
    expect(r.region()).toBe('us-east-2');
    expect(r.region('none')).toBe('eu-west-1');
    expect(r.region('none', { fallback: 'ap-south-1' })).toBe('ap-south-1');
    expect(r.region('bad')).toBe('');
    expect(new InputReader(recordInputSource({}), { env: {} }).region()).toBe('');
    expect(r.problems.map(p => p.describe())).toEqual([
      "Input 'bad': 'Europe' is not an AWS region. Use a region code such as 'eu-west-1'."
    ]);
  });

  it('with required: false, an unset region is undefined and no problem; a set one is still checked', () => {
    const none = new InputReader(recordInputSource({}), { env: {} });
    expect(none.region('region', { required: false })).toBeUndefined();
    expect(none.problems).toEqual([]);
    const fromEnv = new InputReader(recordInputSource({}), { env: { AWS_DEFAULT_REGION: 'eu-north-1' } });
    expect(fromEnv.region('region', { required: false })).toBe('eu-north-1');
    const bad = new InputReader(recordInputSource({ region: 'Frankfurt' }), { env: {} });
    expect(bad.region('region', { required: false })).toBe('');
    expect(bad.problems.map(p => p.describe())).toEqual([
      "Input 'region': 'Frankfurt' is not an AWS region. Use a region code such as 'eu-west-1'."
    ]);
    const needed = new InputReader(recordInputSource({}), { env: {} });
    expect(needed.region('region', { required: true })).toBe('');
    expect(needed.problems.map(p => p.message)).toEqual(['no AWS region is set.']);
  });
});
