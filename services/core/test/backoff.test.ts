import { retryDelayMs } from '@bullpen/core';

describe('retryDelayMs', () => {
  const exact = { retryBackoff: true, retryBackoffMax: 600, retryJitter: false };

  it('doubles from 1 s and stops at retryBackoffMax', () => {
    const delays = [1, 2, 3, 4, 10, 11, 30].map((retry) => retryDelayMs(exact, retry));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 512_000, 600_000, 600_000]);
  });

  it('starts from the given number of seconds when retryBackoff is a number', () => {
    expect([1, 2, 3].map((r) => retryDelayMs({ ...exact, retryBackoff: 5 }, r))).toEqual([5000, 10_000, 20_000]);
  });

  it('retries at once when retryBackoff is false', () => {
    expect(retryDelayMs({ ...exact, retryBackoff: false }, 3)).toBe(0);
  });

  it('with jitter, picks a delay between 0 and the capped backoff', () => {
    const jittered = { ...exact, retryJitter: true };
    expect(retryDelayMs(jittered, 20, () => 0)).toBe(0);
    expect(retryDelayMs(jittered, 20, () => 0.5)).toBe(300_000);
    expect(retryDelayMs(jittered, 20, () => 0.999_999)).toBeLessThanOrEqual(600_000);
  });
});
