import { Redis } from 'ioredis';
import type { Logger } from './logger';

/**
 * `consumer` connections (workers, schedulers) wait out a Redis outage: BullMQ requires
 * `maxRetriesPerRequest: null` so blocking commands never give up. `producer` connections
 * (API, enqueue scripts) fail fast instead, so a request answers 503 rather than hanging.
 */
export type ConnectionRole = 'consumer' | 'producer';

export function createRedis(url: string, role: ConnectionRole): Redis {
  const common = {
    // Reconnect forever with a capped delay; the services recover by themselves when Redis returns.
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  };
  return role === 'consumer'
    ? new Redis(url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true })
    : new Redis(url, { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3_000 });
}

/**
 * BullMQ loses jobs if Redis evicts keys, and loses acknowledged jobs on restart without AOF.
 * Neither is fatal for a local run, so this warns loudly rather than refusing to start.
 */
export async function warnOnUnsafeRedis(redis: Redis, logger: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    if (policy !== 'noeviction') {
      logger.warn({ maxmemoryPolicy: policy }, 'REDIS IS UNSAFE FOR JOBS: maxmemory-policy must be noeviction or jobs can be evicted');
    }
    if (aof !== 'yes') {
      logger.warn({ appendonly: aof }, 'redis runs without AOF: jobs acknowledged just before a Redis restart can be lost');
    }
  } catch (err) {
    // Managed Redis often disables CONFIG; say so once and carry on.
    logger.warn({ err }, 'could not read redis config to check maxmemory-policy and appendonly');
  }
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
