/** The retry settings of a Worker class that decide how long to wait before the next attempt. */
export interface RetryPolicy {
  /** `true`: exponential from 1 s; a number: exponential from that many seconds; `false`: retry at once. */
  retryBackoff: boolean | number;
  /** Cap of the exponential delay, in seconds. */
  retryBackoffMax: number;
  /** Full jitter (a random delay between 0 and the computed one) so retries of many jobs spread out. */
  retryJitter: boolean;
}

/**
 * Delay before retry number `retry` (1 for the first retry), in milliseconds: Celery's
 * `retry_backoff` semantics, base * 2^(retry-1) seconds, capped at `retryBackoffMax`.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const baseSeconds = policy.retryBackoff === true ? 1 : policy.retryBackoff === false ? 0 : policy.retryBackoff;
  const seconds = Math.min(baseSeconds * 2 ** Math.max(0, retry - 1), policy.retryBackoffMax);
  const ms = Math.round(seconds * 1000);
  return policy.retryJitter ? Math.round(random() * ms) : ms;
}
