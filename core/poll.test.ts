import { describe, expect, it } from '@jest/globals';
import { poll, retry, systemClock, virtualClock } from './poll.js';

const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

describe('poll', () => {
  it('looks until done, sleeping the interval between looks', async () => {
    const clock = virtualClock();
    const outcome = await poll({
      check: async attempt => (attempt === 3 ? { done: true, value: 'ok' } : { done: false }),
      intervalMs: 5000,
      timeoutMs: 60_000,
      clock
    });
    expect(outcome).toEqual({ kind: 'done', value: 'ok', attempts: 3, elapsedMs: 10_000 });
    expect(clock.slept).toEqual([5000, 5000]);
  });

  it('starts looks an interval apart, counting the time a look takes', async () => {
    let now = 0;
    const slept: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      }
    };
    const starts: number[] = [];
    await poll({
      check: async attempt => {
        starts.push(now);
        now += 300; // each look takes 300 ms
        return attempt === 3 ? { done: true, value: 1 } : { done: false };
      },
      intervalMs: 1000,
      timeoutMs: 60_000,
      clock
    });
    expect(starts).toEqual([0, 1000, 2000]);
    expect(slept).toEqual([700, 700]);
  });

  it('times out at the deadline, with one last look at it', async () => {
    const clock = virtualClock();
    let looks = 0;
    const outcome = await poll({
      check: async () => {
        looks++;
        return { done: false };
      },
      intervalMs: 4000,
      timeoutMs: 10_000,
      clock
    });
    expect(outcome.kind).toBe('timeout');
    expect(clock.slept).toEqual([4000, 4000, 2000]);
    expect(looks).toBe(4);
    expect(outcome.elapsedMs).toBe(10_000);
  });

  it('backs off on transient errors without ending the wait, then resets', async () => {
    const clock = virtualClock();
    const retries: number[] = [];
    const outcome = await poll({
      check: async attempt => {
        if (attempt <= 3) throw throttle();
        return attempt === 5 ? { done: true, value: attempt } : { done: false };
      },
      intervalMs: 1000,
      timeoutMs: 60_000,
      clock,
      onRetry: (_e, _a, delay) => retries.push(delay)
    });
    expect(outcome.kind).toBe('done');
    expect(retries).toEqual([1000, 2000, 4000]);
    expect(clock.slept).toEqual([1000, 2000, 4000, 1000]);
  });

  it('reports the last transient error when the deadline passes during errors', async () => {
    const error = Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 503 } });
    const outcome = await poll({
      check: async () => {
        throw error;
      },
      intervalMs: 1000,
      timeoutMs: 3000,
      clock: virtualClock()
    });
    expect(outcome).toMatchObject({ kind: 'timeout', lastError: error });
  });

  it('ends at once on a non-transient error', async () => {
    await expect(
      poll({
        check: async () => {
          throw Object.assign(new Error('nope'), { name: 'AccessDeniedException' });
        },
        intervalMs: 1000,
        timeoutMs: 10_000,
        clock: virtualClock()
      })
    ).rejects.toThrow('nope');
  });

  it('grows the interval with backoff, capped', async () => {
    const clock = virtualClock();
    await poll({
      check: async a => (a === 5 ? { done: true, value: 1 } : { done: false }),
      intervalMs: 1000,
      backoff: 2,
      maxIntervalMs: 5000,
      timeoutMs: 60_000,
      clock
    });
    expect(clock.slept).toEqual([1000, 2000, 4000, 5000]);
  });

  it('stops promptly when cancelled, even mid-sleep with the real clock', async () => {
    const controller = new AbortController();
    const outcome = await poll({
      // The cancel comes once the poller sleeps its minute (the test would time out if that sleep went on).
      check: async () => {
        setImmediate(() => controller.abort());
        return { done: false };
      },
      intervalMs: 60_000,
      timeoutMs: 600_000,
      signal: controller.signal,
      clock: systemClock
    });
    expect(outcome.kind).toBe('cancelled');
  });
});

describe('retry', () => {
  it('retries transient errors with exponential backoff', async () => {
    const clock = virtualClock();
    const value = await retry(
      async attempt => {
        if (attempt < 3) throw throttle();
        return 'done';
      },
      { clock, baseDelayMs: 100 }
    );
    expect(value).toBe('done');
    expect(clock.slept).toEqual([100, 200]);
  });

  it('gives up after the attempts and never retries other errors', async () => {
    const clock = virtualClock();
    await expect(
      retry(
        async () => {
          throw throttle();
        },
        { clock, attempts: 2 }
      )
    ).rejects.toThrow('Rate exceeded');
    await expect(
      retry(
        async () => {
          throw new Error('bad request');
        },
        { clock }
      )
    ).rejects.toThrow('bad request');
    expect(clock.slept).toEqual([1000]);
  });

  it('waits what the answer asked for instead of the backoff, when it says', async () => {
    const clock = virtualClock();
    const asked = Object.assign(throttle(), { retryAfterMs: 3000 });
    let n = 0;
    await retry(
      async () => {
        n++;
        if (n === 1) throw asked;
        if (n === 2) throw throttle();
        return 'done';
      },
      { clock, baseDelayMs: 100, delayMs: e => (e as { retryAfterMs?: number }).retryAfterMs }
    );
    expect(clock.slept).toEqual([3000, 200]);
  });

  it('never sleeps past the deadline: the error is thrown instead', async () => {
    const clock = virtualClock(1000);
    let tries = 0;
    await expect(
      retry(
        async () => {
          tries++;
          throw throttle();
        },
        { clock, baseDelayMs: 400, deadline: 2000 }
      )
    ).rejects.toThrow('Rate exceeded');
    expect([clock.slept, tries]).toEqual([[400], 2]);
  });

  it('tells isRetryable which attempt failed', async () => {
    const clock = virtualClock();
    const seen: number[] = [];
    await expect(
      retry(
        async () => {
          throw throttle();
        },
        { clock, attempts: 10, isRetryable: (_e, attempt) => (seen.push(attempt), attempt < 3) }
      )
    ).rejects.toThrow('Rate exceeded');
    expect(seen).toEqual([1, 2, 3]);
  });
});
