import { errorName, isThrottling, isTransient } from './aws.js';
import type { Logger } from './log.js';

/** Time, made injectable so tests never really sleep. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise(resolve => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    })
};

/** A clock whose sleeps return at once and move its time forward. `onSleep` lets a test act between polls. */
export function virtualClock(
  start = 0,
  onSleep?: (ms: number, now: number) => void
): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) return;
      slept.push(ms);
      now += ms;
      onSleep?.(ms, now);
    }
  };
}

export type PollStep<T> = { done: true; value: T } | { done: false };

export type PollOutcome<T> =
  | { kind: 'done'; value: T; attempts: number; elapsedMs: number }
  | { kind: 'timeout'; attempts: number; elapsedMs: number; lastError?: unknown }
  | { kind: 'cancelled'; attempts: number; elapsedMs: number };

export interface PollOptions<T> {
  /** One look at the world. Return `{ done: true, value }` to stop. Throwing a non-transient error ends the poll. */
  check: (attempt: number) => Promise<PollStep<T>>;
  /** Time between looks, in ms. */
  intervalMs: number;
  /** Growth of the interval per look (1 = steady). */
  backoff?: number;
  maxIntervalMs?: number;
  /** Give up after this long. */
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Errors that do not end the wait; by default throttling, 5xx and connection errors. */
  isRetryable?: (error: unknown) => boolean;
  /** Told of each retryable error and how long until the next look. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * The one poller: looks, sleeps, looks again, until the check says done, the deadline passes, or the
 * signal aborts. Transient errors back off (doubling, capped) and never end the wait early.
 */
export async function poll<T>(options: PollOptions<T>): Promise<PollOutcome<T>> {
  const clock = options.clock ?? systemClock;
  const retryable = options.isRetryable ?? isTransient;
  const backoff = options.backoff ?? 1;
  const maxInterval = options.maxIntervalMs ?? Math.max(options.intervalMs, 60_000);
  const start = clock.now();
  const deadline = start + options.timeoutMs;
  let interval = options.intervalMs;
  let errorStreak = 0;
  let lastError: unknown;
  let attempts = 0;
  const elapsed = () => clock.now() - start;

  for (;;) {
    if (options.signal?.aborted) return { kind: 'cancelled', attempts, elapsedMs: elapsed() };
    attempts += 1;
    const lookStarted = clock.now();
    let delay = interval;
    try {
      const step = await options.check(attempts);
      if (step.done) return { kind: 'done', value: step.value, attempts, elapsedMs: elapsed() };
      errorStreak = 0;
      interval = Math.min(maxInterval, interval * backoff);
    } catch (error) {
      if (!retryable(error)) throw error;
      lastError = error;
      errorStreak += 1;
      delay = Math.min(maxInterval, options.intervalMs * 2 ** (errorStreak - 1));
      options.onRetry?.(error, attempts, delay);
    }
    if (options.signal?.aborted) return { kind: 'cancelled', attempts, elapsedMs: elapsed() };
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { kind: 'timeout', attempts, elapsedMs: elapsed(), lastError };
    // Looks start an interval apart: the time a look took counts towards the wait for the next one.
    const wait = Math.max(0, delay - (clock.now() - lookStarted));
    await clock.sleep(Math.min(wait, remaining), options.signal);
  }
}

export interface RetryOptions<T> {
  attempts?: number;
  baseDelayMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** Whether the error is worth another try; `attempt` is the one that failed (1-based). */
  isRetryable?: (error: unknown, attempt: number) => boolean;
  /** The wait the answer itself asked for (a Retry-After header), in ms; undefined: the backoff. */
  delayMs?: (error: unknown, attempt: number) => number | undefined;
  /** Clock time (epoch ms) after which no try starts: a wait that would end later throws the error instead. */
  deadline?: number;
  /** Runs before each retry; a value it returns ends the retries with that value. */
  beforeRetry?: (error: unknown, attempt: number) => Promise<T | undefined>;
}

/**
 * Retries one operation on transient errors (throttling, 5xx, connection errors) with exponential backoff,
 * or the wait the answer asked for, through an injectable clock: the one retry helper, for calls made through
 * a client without SDK retries. It never sleeps past the signal or the deadline.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions<T> = {}
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const clock = options.clock ?? systemClock;
  const retryable = options.isRetryable ?? isTransient;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryable(error, attempt) || options.signal?.aborted) throw error;
      const wait = options.delayMs?.(error, attempt) ?? (options.baseDelayMs ?? 1000) * 2 ** (attempt - 1);
      if (options.deadline !== undefined && clock.now() + wait > options.deadline) throw error;
      await clock.sleep(wait, options.signal);
      if (options.signal?.aborted) throw error;
      const found = await options.beforeRetry?.(error, attempt);
      if (found !== undefined) return found;
    }
  }
}

/**
 * Sends a call that creates something (SendEmail, RegisterTaskDefinition, UpdateService), through a client
 * without SDK retries, so it is never repeated blindly. A throttled call was refused and is tried again. After
 * a 5xx or a lost connection the call may have gone through: with `check`, look first and return what it finds;
 * without a way to look, try at most once more and say that a duplicate is possible.
 */
export async function sendOnce<T>(options: {
  operation: string;
  send: () => Promise<T>;
  /** Looks whether an earlier attempt went through; returns its result, or undefined. */
  check?: () => Promise<T | undefined>;
  log: Logger;
  attempts?: number;
  baseDelayMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
}): Promise<T> {
  let blindRetries = 0;
  return retry(() => options.send(), {
    attempts: options.attempts ?? 6,
    baseDelayMs: options.baseDelayMs,
    clock: options.clock,
    signal: options.signal,
    isRetryable: error =>
      isThrottling(error) || (isTransient(error) && (!!options.check || blindRetries === 0)),
    beforeRetry: async error => {
      const what = `${options.operation}: ${errorName(error)} (${(error as Error).message})`;
      if (isThrottling(error)) {
        options.log.info(`${what}; trying again.`);
        return undefined;
      }
      if (options.check) {
        options.log.warning(`${what}; checking whether the call went through before trying again.`);
        return options.check();
      }
      blindRetries += 1;
      options.log.warning(
        `${what}; trying once more. If the first call reached AWS before the failure, this can make a duplicate.`
      );
      return undefined;
    }
  });
}
