/**
 * Unit tests never sleep on the SDK's backoff. The client still retries exactly as a real one (throttling, 5xx,
 * connection errors, up to `maxAttempts`), only without the waits between attempts.
 */
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { RetryStrategyV2 } from '@smithy/types';

export function noBackoff(maxAttempts: number): RetryStrategyV2 {
  return new ConfiguredRetryStrategy(maxAttempts, 0);
}

interface RetryingClient {
  config: { retryStrategy: () => Promise<unknown>; maxAttempts: () => Promise<number> };
}

/**
 * Gives a client made by `createClient` the same number of attempts without the waits. The SDK reads
 * `config.retryStrategy` on every call, so replacing it after construction takes effect; once `createClient`
 * takes a `retryStrategy` option, pass `noBackoff(n)` there instead.
 */
export async function withoutBackoff<C extends RetryingClient>(client: C): Promise<C> {
  const strategy = noBackoff(await client.config.maxAttempts());
  client.config.retryStrategy = async () => strategy;
  return client;
}
