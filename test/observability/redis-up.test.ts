import { Queue } from 'bullmq';
import { collectQueueDepth, createRedis, createRegistry, QUEUE_NAMES, type RedisConnection } from '@bullpen/core';
import { RedisServer } from '../support/redis-server';

/** Resolves on the connection's next `event` (or at once if `already` holds). */
function next(redis: RedisConnection, event: string, already: () => boolean): Promise<void> {
  return already() ? Promise.resolve() : new Promise((resolve) => redis.once(event, () => resolve()));
}

describe('bullpen_redis_up', () => {
  let server: RedisServer;
  let redis: RedisConnection;
  let queues: Queue[];
  const register = createRegistry();

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = createRedis(server.url, 'consumer');
    redis.on('error', () => {});
    queues = QUEUE_NAMES.map((name) => new Queue(name, { connection: redis, prefix: 'bullpen-up' }));
    for (const q of queues) q.on('error', () => {});
    collectQueueDepth(register, queues, redis, 300);
    await next(redis, 'ready', () => redis.status === 'ready');
  });

  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
    await server.destroy();
  });

  it('is 1 with the queue gauges while Redis answers', async () => {
    const text = await register.metrics();
    expect(text).toMatch(/^bullpen_redis_up 1$/m);
    expect(text).toContain('bullpen_queue_jobs{queue="critical",state="waiting"} 0');
  });

  it('is 0, without stale queue gauges, while Redis is frozen; the scrape still answers', async () => {
    server.freeze();
    try {
      const text = await register.metrics();
      expect(text).toMatch(/^bullpen_redis_up 0$/m);
      expect(text).not.toMatch(/^bullpen_queue_jobs\{/m);
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    } finally {
      server.thaw();
    }
  });

  it('is 0 at once while the connection is down, and 1 again once Redis is back', async () => {
    const closed = next(redis, 'close', () => redis.status !== 'ready');
    await server.kill();
    await closed;
    const down = await register.metrics();
    expect(down).toMatch(/^bullpen_redis_up 0$/m);
    expect(down).not.toMatch(/^bullpen_queue_oldest_waiting_seconds\{/m);

    const ready = next(redis, 'ready', () => false);
    await server.start();
    await ready;
    const up = await register.metrics();
    expect(up).toMatch(/^bullpen_redis_up 1$/m);
    expect(up).toContain('bullpen_queue_paused{queue="low"} 0');
  });
});
