/** Account-wide throttling and the deploys-at-once targets: pure, so they run with the unit tests. */
import { describe, expect, it } from '@jest/globals';
import { checkConcurrent, kindOf, percentile, type ConcurrentReport } from './concurrent.js';
import { TokenBucket } from './proxy.js';

describe('account-wide throttling and the deploys-at-once measurement', () => {
  it('a token bucket lets the burst through, then the sustained rate, and counts what it refused', () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, 0);
    expect([0, 0, 0, 0].map(() => bucket.take(0))).toEqual([true, true, true, false]);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.throttled).toBe(2);
  });

  it('percentiles by nearest rank', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile([], 95)).toBeUndefined();
  });

  it('the targets: every run right, and failures seen within two intervals at p95', () => {
    const run = (i: number, seenMs: number, ok = true) => ({
      service: `svc-${i}`,
      kind: kindOf(i),
      expected: '',
      status: '',
      exitCode: 0,
      registrations: 1,
      updates: 1,
      throttled: 0,
      seenMs,
      detectionMs: seenMs,
      ok,
      problems: ok ? [] : ['2 UpdateService']
    });
    const report = (runs: ReturnType<typeof run>[]): ConcurrentReport => ({
      n: runs.length,
      pollIntervalMs: 1000,
      wallMs: 0,
      runs,
      throttledByOperation: {},
      callsByOperation: {}
    });
    const fine = report(Array.from({ length: 20 }, (_, i) => run(i, 900)));
    expect(checkConcurrent(fine).every(c => c.ok)).toBe(true);
    const slow = report(Array.from({ length: 20 }, (_, i) => run(i, i % 4 === 1 ? 2600 : 900)));
    expect(checkConcurrent(slow).map(c => c.ok)).toEqual([true, false]);
    const wrong = report(Array.from({ length: 20 }, (_, i) => run(i, 900, i !== 3)));
    expect(checkConcurrent(wrong)[0]).toMatchObject({ ok: false, detail: 'svc-3: 2 UpdateService' });
  });
});
