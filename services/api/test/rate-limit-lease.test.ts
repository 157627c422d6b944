import type { Redis } from 'ioredis';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis';
import type { Principal } from '../src/auth';
import { HttpError } from '../src/http-error';
import { LEASE_SECONDS, RateLimiter } from '../src/rate-limit';
import { RedisGuard } from '../src/redis-guard';

const principal = (requestsPerSecond: number, jobsPerSecond: number): Principal => ({
  name: 'leased',
  role: 'client',
  rateLimit: { requestsPerSecond, jobsPerSecond },
});

/** A limiter on its own connection, like one API replica. */
function replica(prefix: string, burstSeconds: number): { limiter: RateLimiter; redis: Redis } {
  const redis = testRedis();
  return { redis, limiter: new RateLimiter({ redis, guard: new RedisGuard(redis, 2000), prefix, burstSeconds }) };
}

/** Replaces the token's buckets with a string, so any call that reaches Redis fails with WRONGTYPE. */
async function spoil(redis: Redis, prefix: string): Promise<void> {
  await redis.set(`${prefix}:ratelimit:leased`, 'not a bucket');
}

async function outcome(spend: Promise<void>): Promise<'ok' | number> {
  return spend.then(
    () => 'ok' as const,
    (err: unknown) => (err instanceof HttpError ? err.status : Promise.reject(err)),
  );
}

describe('RateLimiter leases (real Redis)', () => {
  const prefix = uniquePrefix('rate-lease');
  const opened: Redis[] = [];
  const open = (burstSeconds: number) => {
    const r = replica(prefix, burstSeconds);
    opened.push(r.redis);
    return r;
  };

  afterEach(async () => {
    const cleaner = testRedis();
    await deletePrefix(cleaner, prefix);
    cleaner.disconnect();
    opened.splice(0).forEach((r) => r.disconnect());
  });

  it('spends the tokens it leased without asking Redis, and asks again when they are gone', async () => {
    const rate = 100; // a lease of 100 × 0.05 = 5 requests
    const { limiter, redis } = open(10);
    await redis.ping();
    await limiter.spend(principal(rate, 0), 1); // asks Redis: 1 now and 5 ahead
    await spoil(redis, prefix); // from here asking Redis fails

    const leased = Math.floor(rate * LEASE_SECONDS);
    for (let i = 0; i < leased; i++) await limiter.spend(principal(rate, 0), 1);
    await expect(limiter.spend(principal(rate, 0), 1)).rejects.toThrow(/WRONGTYPE/);
  });

  it('never lets two replicas together spend more than the bucket holds plus its refill', async () => {
    const rate = 400; // leases of 20 requests per replica
    const burstSeconds = 0.25; // a bucket of 100
    const replicas = [open(burstSeconds), open(burstSeconds)];
    await Promise.all(replicas.map((r) => r.redis.ping()));

    const started = Date.now();
    let accepted = 0;
    let refusedInARow = 0;
    for (let i = 0; refusedInARow < 2; i++) {
      const result = await outcome(replicas[i % 2].limiter.spend(principal(rate, 0), 1));
      if (result === 'ok') {
        accepted++;
        refusedInARow = 0;
      } else {
        expect(result).toBe(429);
        refusedInARow++;
      }
    }
    const refill = Math.ceil((rate * (Date.now() - started)) / 1000);
    expect(accepted).toBeGreaterThanOrEqual(rate * burstSeconds);
    expect(accepted).toBeLessThanOrEqual(rate * burstSeconds + refill);
  });

  it('gives back what it took from the lease when Redis refuses the rest', async () => {
    // Requests lease 5 ahead (100/s); jobs (0.05/s, a bucket of 5 over 100 s) lease nothing.
    const { limiter, redis } = open(100);
    await redis.ping();
    const p = principal(100, 0.05);
    await limiter.spend(p, 3); // Redis: 1 request + 5 ahead, 3 of the 5 jobs
    expect(await outcome(limiter.spend(p, 3))).toBe(429); // its request came from the lease, and goes back
    await spoil(redis, prefix);

    for (let i = 0; i < 5; i++) await limiter.spend(p, 0); // all 5 leased requests are still there
    await expect(limiter.spend(p, 0)).rejects.toThrow(/WRONGTYPE/);
  });
});
