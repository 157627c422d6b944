import type { RedisConnection } from '@bullpen/core';
import type { Principal } from './auth';
import { HttpError } from './http-error';
import type { RedisGuard } from './redis-guard';

/**
 * Two token buckets per API token, one for requests and one for jobs, in one Redis hash, so the
 * limit holds across API replicas. One call takes `need` of each bucket or nothing, and with it up
 * to `extra` more for the replica's lease (as many as are there). It answers `{0, extra0, extra1}`
 * (what it gave beyond the need), or `{wait}`: the milliseconds until both buckets will hold the
 * need. Redis's clock (TIME) is the only clock, so replicas' clocks never disagree. A rate of 0
 * means no limit.
 */
const TAKE = `
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local wait = 0
local levels = {}
for i = 0, 1 do
  local rate, burst, need = tonumber(ARGV[1 + i * 4]), tonumber(ARGV[2 + i * 4]), tonumber(ARGV[3 + i * 4])
  if rate > 0 then
    local saved = redis.call('HMGET', KEYS[1], 'l' .. i, 't' .. i)
    local level = tonumber(saved[1])
    if level == nil then level = burst else level = math.min(burst, level + (t - tonumber(saved[2])) * rate / 1000) end
    levels[i] = level
    if level < need then wait = math.max(wait, math.ceil((need - level) * 1000 / rate)) end
  end
end
if wait > 0 then return {wait, 0, 0} end
local ttl = 0
local extras = {0, 0}
for i = 0, 1 do
  if levels[i] ~= nil then
    local rate, burst, need, extra = tonumber(ARGV[1 + i * 4]), tonumber(ARGV[2 + i * 4]), tonumber(ARGV[3 + i * 4]), tonumber(ARGV[4 + i * 4])
    extras[i + 1] = math.max(0, math.min(extra, math.floor(levels[i] - need)))
    redis.call('HSET', KEYS[1], 'l' .. i, levels[i] - need - extras[i + 1], 't' .. i, t)
    ttl = math.max(ttl, math.ceil(burst * 1000 / rate))
  end
end
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl + 1000) end
return {0, extras[1], extras[2]}
`;

/**
 * How much of a second's rate a replica takes ahead (its lease), so most requests spend tokens
 * it already holds instead of a Redis round trip. Nothing is lost: leased tokens stay with the
 * replica until spent. The cost: a replica may refuse while another holds up to 50 ms of the
 * rate; a rate under 20 per second leases nothing and is exact.
 */
export const LEASE_SECONDS = 0.05;

/** Request and job tokens. */
interface Tokens {
  requests: number;
  jobs: number;
}

/** The tokens a replica holds ahead for one API token; taken synchronously, so concurrent requests never spend one twice. */
class Lease implements Tokens {
  requests = 0;
  jobs = 0;

  take(want: Tokens): Tokens {
    const taken = { requests: Math.min(this.requests, want.requests), jobs: Math.min(this.jobs, want.jobs) };
    this.requests -= taken.requests;
    this.jobs -= taken.jobs;
    return taken;
  }

  add(tokens: Tokens): void {
    this.requests += tokens.requests;
    this.jobs += tokens.jobs;
  }
}

type Take = (key: string, ...args: number[]) => Promise<[number, number, number]>;

/** What `spend` answers when nothing needs waiting for. */
const SPENT: Promise<void> = Promise.resolve();

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
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly deps: RateLimiterDeps) {
    deps.redis.defineCommand('bullpenRateTake', { numberOfKeys: 1, lua: TAKE });
    const redis = deps.redis as unknown as { bullpenRateTake: Take };
    this.take = (key, ...args) => redis.bullpenRateTake(key, ...args);
  }

  /**
   * Spends one request and `jobs` jobs of `principal`'s limits, or throws 429 / 413 having spent
   * nothing. Not `async`: a request the lease covers (most of them) costs no promise and no
   * allocation.
   */
  spend(principal: Principal, jobs: number): Promise<void> {
    const { requestsPerSecond, jobsPerSecond } = principal.rateLimit;
    if (requestsPerSecond === 0 && jobsPerSecond === 0) return SPENT;
    if (jobsPerSecond > 0 && jobs > this.burst(jobsPerSecond)) {
      const why = `this request has ${jobs} jobs; token "${principal.name}" may enqueue at most ${this.burst(jobsPerSecond)} at once (${jobsPerSecond} per second, bursts of ${this.deps.burstSeconds} s): split it`;
      return Promise.reject(new HttpError(413, 'too_many_jobs', why));
    }
    let lease = this.leases.get(principal.name);
    if (!lease) this.leases.set(principal.name, (lease = new Lease()));
    const wantRequests = requestsPerSecond > 0 ? 1 : 0;
    const wantJobs = jobsPerSecond > 0 ? jobs : 0;
    if (lease.requests >= wantRequests && lease.jobs >= wantJobs) {
      lease.requests -= wantRequests;
      lease.jobs -= wantJobs;
      return SPENT;
    }
    return this.spendFromRedis(principal, lease, { requests: wantRequests, jobs: wantJobs });
  }

  /** A token may spend this many at once: its rate over the burst, at least 1. */
  private burst(rate: number): number {
    return Math.max(1, rate * this.deps.burstSeconds);
  }

  /** Takes what the lease lacks of `want` from Redis, with a new lease; gives the lease back on a refusal. */
  private async spendFromRedis(principal: Principal, lease: Lease, want: Tokens): Promise<void> {
    const { requestsPerSecond, jobsPerSecond } = principal.rateLimit;
    const held = lease.take(want);
    const ahead = (rate: number) => Math.floor(rate * LEASE_SECONDS);
    const key = `${this.deps.prefix}:ratelimit:${principal.name}`;
    const [waitMs, extraRequests, extraJobs] = await this.deps.guard.run(() => this.take(
      key,
      requestsPerSecond, this.burst(requestsPerSecond), want.requests - held.requests, ahead(requestsPerSecond),
      jobsPerSecond, this.burst(jobsPerSecond), want.jobs - held.jobs, ahead(jobsPerSecond),
    )).catch((err: unknown) => {
      lease.add(held);
      throw err;
    });
    if (waitMs > 0) {
      lease.add(held);
      const retryAfterSeconds = Math.ceil(waitMs / 1000);
      throw new HttpError(429, 'rate_limited', `token "${principal.name}" is over its enqueue rate (${requestsPerSecond} requests and ${jobsPerSecond} jobs per second); retry after ${retryAfterSeconds} s`, { retryAfterMs: waitMs }, retryAfterSeconds);
    }
    lease.add({ requests: extraRequests, jobs: extraJobs });
  }
}
