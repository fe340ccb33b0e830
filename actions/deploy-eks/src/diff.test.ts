import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../../core/log.js';
import { changes, diff, LAST_APPLIED, maskSecret } from './diff.js';
import type { KubeObject } from './kube.js';

const secret = (fields: Record<string, unknown>, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop', annotations },
  type: 'Opaque',
  ...fields
});

describe('diff', () => {
  it('walks maps and lists; a map that is new or gone is walked key by key', () => {
    expect(diff({ a: [1, 2], b: { c: 'x' } }, { a: [1, 3, 4], b: {}, d: { e: 1, f: { g: true } } })).toEqual([
      'a[1]: 2 → 3',
      'a[2]: (none) → 4',
      'b.c: "x" → (none)',
      'd.e: (none) → 1',
      'd.f.g: (none) → true'
    ]);
  });

  it('an empty map is no change, one that appears or goes is', () => {
    expect(diff({ a: {}, b: {} }, { a: {}, c: {} })).toEqual(['b: {} → (none)', 'c: (none) → {}']);
  });

  it('stops at the limit', () => {
    expect(diff({}, { a: 1, b: 2, c: 3 }, { limit: 2 })).toEqual(['a: (none) → 1', 'b: (none) → 2']);
  });
});

describe("a Secret's changes", () => {
  // The cases of issue 14: a Secret with no data before, then one whose values change, from kubectl's
  // client-side apply (its last-applied annotation holds the values).
  it.each([
    [
      'data added where there was none',
      secret({}),
      secret({ data: { password: 'c3VwM3Ityy' } }),
      ['data.password: (added)']
    ],
    [
      'a value changed, a key removed, the type changed',
      secret({ data: { password: 'b2xk', user: 'YWRtaW4=' } }),
      secret({ data: { password: 'bmV3' }, type: 'kubernetes.io/basic-auth' }),
      [
        'data.password: (value changed)',
        'data.user: (removed)',
        'type: "Opaque" → "kubernetes.io/basic-auth"'
      ]
    ],
    [
      "kubectl's copy of the values going",
      secret({ data: { password: 'b2xk' } }, { [LAST_APPLIED]: '{"data":{"password":"b2xk"}}' }),
      secret({ data: { password: 'b2xk' } }),
      [`metadata.annotations.${LAST_APPLIED}: (removed)`]
    ],
    ['stringData', secret({}), secret({ stringData: { token: 'hunter22' } }), ['stringData.token: (added)']]
  ])('%s: keys only', (_name, before, after, expected) => {
    const lines = changes(before, after);
    expect(lines).toEqual(expected);
    expect(lines.join('\n')).not.toMatch(/b2xk|bmV3|YWRtaW4|c3VwM|hunter22/);
  });

  it('shows the values of other kinds', () => {
    const cm = (data: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', annotations: { 'dockyard.dev/run': String(Math.random()) } },
      data
    });
    expect(changes(cm({ x: '1' }), cm({ x: '2' }))).toEqual(['data.x: "1" → "2"']);
  });
});

describe('maskSecret', () => {
  it('masks plain and base64 forms of every value, from data and stringData, and the last-applied copy', () => {
    const log = memoryLogger();
    const copy = '{"stringData":{"token":"tok-en-1234"}}';
    maskSecret(
      secret(
        {
          data: { password: Buffer.from('old-hunter2').toString('base64'), flag: 'MQ==' },
          stringData: { token: 'line one\nline two' }
        },
        { [LAST_APPLIED]: copy }
      ),
      log
    );
    expect(log.masked).toEqual(
      expect.arrayContaining([
        'old-hunter2',
        Buffer.from('old-hunter2').toString('base64'),
        'line one\nline two',
        'line one',
        'line two',
        Buffer.from('line one\nline two').toString('base64'),
        copy
      ])
    );
    // A value of fewer than 4 characters ("1") would hide every 1 in the log: not masked.
    expect(log.masked).not.toContain('1');
    expect(log.masked).not.toContain('MQ==');
  });

  it('masks nothing of other kinds', () => {
    const log = memoryLogger();
    maskSecret({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'value' } }, log);
    maskSecret(undefined, log);
    expect(log.masked).toEqual([]);
  });
});
