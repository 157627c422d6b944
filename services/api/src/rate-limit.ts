import type { RedisConnection } from '@bullpen/core';
import type { Principal } from './auth';
import { HttpError } from './http-error';
import type { RedisGuard } from './redis-guard';

/**
 * Two token buckets per API token, one for requests and one for jobs, in one Redis hash, so the
 * limit holds across API replicas. One call takes 1 request and `jobs` jobs, or nothing: it
 * answers 0 when both buckets had enough, else the milliseconds until they will. Redis's clock
 * (TIME) is the only clock, so replicas' clocks never disagree. A rate of 0 means no limit.
 */
const TAKE = `
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local wait = 0
local levels = {}
for i = 0, 1 do
  local rate, burst, need = tonumber(ARGV[1 + i * 3]), tonumber(ARGV[2 + i * 3]), tonumber(ARGV[3 + i * 3])
  if rate > 0 then
    local saved = redis.call('HMGET', KEYS[1], 'l' .. i, 't' .. i)
    local level = tonumber(saved[1])
    if level == nil then level = burst else level = math.min(burst, level + (t - tonumber(saved[2])) * rate / 1000) end
    levels[i] = level
    if level < need then wait = math.max(wait, math.ceil((need - level) * 1000 / rate)) end
  end
end
if wait > 0 then return wait end
local ttl = 0
for i = 0, 1 do
  if levels[i] ~= nil then
    local rate, burst, need = tonumber(ARGV[1 + i * 3]), tonumber(ARGV[2 + i * 3]), tonumber(ARGV[3 + i * 3])
    redis.call('HSET', KEYS[1], 'l' .. i, levels[i] - need, 't' .. i, t)
    ttl = math.max(ttl, math.ceil(burst * 1000 / rate))
  end
end
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl + 1000) end
return 0
`;

type Take = (key: string, ...args: number[]) => Promise<number>;

export interface RateLimiterDeps {
  redis: RedisConnection;
  guard: RedisGuard;
  prefix: string;
  /** A token may spend this many seconds of its rate at once (`API_RATE_BURST_SECONDS`). */
  burstSeconds: number;
}

/** Per-token enqueue limits: 429 with `Retry-After` over the rate; 413 for a bulk no wait would let through. */
export class RateLimiter {
  private readonly take: Take;

  constructor(private readonly deps: RateLimiterDeps) {
    deps.redis.defineCommand('bullpenRateTake', { numberOfKeys: 1, lua: TAKE });
    const redis = deps.redis as unknown as { bullpenRateTake: Take };
    this.take = (key, ...args) => redis.bullpenRateTake(key, ...args);
  }

  /** Spends one request and `jobs` jobs of `principal`'s limits, or throws 429 / 413 having spent nothing. */
  async spend(principal: Principal, jobs: number): Promise<void> {
    const { requestsPerSecond, jobsPerSecond } = principal.rateLimit;
    if (requestsPerSecond === 0 && jobsPerSecond === 0) return;
    const burst = (rate: number) => Math.max(1, rate * this.deps.burstSeconds);
    if (jobsPerSecond > 0 && jobs > burst(jobsPerSecond)) {
      throw new HttpError(413, 'too_many_jobs', `this request has ${jobs} jobs; token "${principal.name}" may enqueue at most ${burst(jobsPerSecond)} at once (${jobsPerSecond} per second, bursts of ${this.deps.burstSeconds} s): split it`);
    }
    const key = `${this.deps.prefix}:ratelimit:${principal.name}`;
    const waitMs = await this.deps.guard.run(() => this.take(key, requestsPerSecond, burst(requestsPerSecond), 1, jobsPerSecond, burst(jobsPerSecond), jobs));
    if (waitMs > 0) {
      const retryAfterSeconds = Math.ceil(waitMs / 1000);
      throw new HttpError(429, 'rate_limited', `token "${principal.name}" is over its enqueue rate (${requestsPerSecond} requests and ${jobsPerSecond} jobs per second); retry after ${retryAfterSeconds} s`, { retryAfterMs: waitMs }, retryAfterSeconds);
    }
  }
}
