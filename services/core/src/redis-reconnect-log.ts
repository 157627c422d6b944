import { isLoopbackHost } from './env';
import type { Logger } from './logger';
import type { RedisConnection, RedisSettings } from './redis';
import { classifyRedisError, redisRefusal } from './redis-errors';

/** The variable that says where Redis is, as set (passwords hidden), and whether that is this machine. */
function whereRedisIs(settings: RedisSettings): { variable: string; where: string; local: boolean } {
  const nodes = settings.clusterNodes ?? settings.sentinels;
  if (nodes) {
    const variable = settings.clusterNodes ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINELS';
    return { variable, where: `${variable}=${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`, local: nodes.every((n) => isLoopbackHost(n.host)) };
  }
  try {
    const parsed = new URL(settings.url);
    if (parsed.password) parsed.password = '***';
    return { variable: 'REDIS_URL', where: `REDIS_URL=${parsed}`, local: isLoopbackHost(parsed.hostname.replace(/^\[|\]$/g, '')) };
  } catch {
    // A URL the config accepted parses; nothing to add for one that does not.
    return { variable: 'REDIS_URL', where: 'REDIS_URL=(unparseable)', local: false };
  }
}

/**
 * Reports a Redis outage the way a person needs it: ONE warn line per reconnect attempt (ioredis
 * retries with a capped backoff, so the rate is bounded) that says what failed, what to check
 * and when the next try is, e.g. `cannot reach Redis at REDIS_URL=redis://127.0.0.1:6379
 * (connect ECONNREFUSED 127.0.0.1:6379); retry 3 in 600 ms: check that Redis runs there and
 * that REDIS_URL points at it (`make redis` starts a local one)`. The error itself, with its
 * stack, is logged at debug only; one info line says when the connection is back. For the
 * connection a service creates; BullMQ's own connection errors are the same outage (see
 * `isConnectionError`).
 */
export function logRedisReconnects(redis: RedisConnection, settings: RedisSettings, logger: Logger): void {
  const { variable, where, local } = whereRedisIs(settings);
  let lastError: Error | undefined;
  let attempt = 0;
  redis.on('error', (err: Error) => {
    lastError = err;
    logger.debug({ err }, 'redis connection error');
  });
  redis.on('reconnecting', (delayMs?: number) => {
    attempt++;
    const refusal = classifyRedisError(lastError);
    const retry = `retry ${attempt}${typeof delayMs === 'number' ? ` in ${delayMs} ms` : ''}`;
    const detail = lastError?.message ?? 'connection closed';
    const msg = !refusal || refusal.cause === 'unreachable' || refusal.cause === 'timeout'
      ? `cannot reach Redis at ${where} (${detail}); ${retry}: check that Redis runs there and that ${variable} points at it${local ? ' (`make redis` starts a local one)' : ''}`
      : `${redisRefusal(refusal.cause, detail).message}; ${where}; ${retry}`;
    logger.warn({ attempt, retryInMs: delayMs, redis: where, cause: refusal?.cause ?? 'unreachable' }, msg);
  });
  redis.on('ready', () => {
    if (attempt > 0) logger.info({ attempts: attempt, redis: where }, 'redis connection restored');
    attempt = 0;
    lastError = undefined;
  });
}
