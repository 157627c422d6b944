import {
  closeAll, collectQueueDepth, createMetrics, createRedis, HealthServer, logRedisReconnects, Producer, redisWriteCheck, warnOnUnsafeRedis,
  type Logger, type WorkerRegistry,
} from '@bullpen/core';
import { Beat } from './beat';
import type { BeatConfig } from './config';

export interface BeatServiceDeps {
  config: BeatConfig;
  registry: WorkerRegistry;
  logger: Logger;
}

/** The beat process: keeps BullMQ job schedulers in step with the workers' cron schedules. */
export function createBeatService({ config, registry, logger }: BeatServiceDeps) {
  const connection = createRedis(config.redis, 'consumer');
  logRedisReconnects(connection, config.redis, logger);
  const metrics = createMetrics();
  const producer = new Producer({ connection, prefix: config.prefix, cluster: Boolean(config.redis.clusterNodes), metrics, maxArgsBytes: config.maxArgsBytes });
  const beat = new Beat({ producer, registry, logger, intervalMs: config.syncIntervalSeconds * 1000 });
  const redisWrites = redisWriteCheck(connection);
  const health = new HealthServer({
    port: config.metricsPort,
    host: config.host,
    register: metrics.register,
    logger,
    // Not ready while Redis cannot take writes (down, a replica, out of memory, loading), and says why.
    notReadyReason: async () => (await redisWrites()) ?? (beat.isHealthy() ? undefined : 'schedules not synced recently'),
  });
  collectQueueDepth(metrics, producer.allQueues(), connection);

  return {
    beat,
    async start(): Promise<{ metricsPort: number }> {
      // The port answers first: /healthz stays up and /readyz explains while Redis is unreachable.
      const metricsPort = await health.start();
      await warnOnUnsafeRedis(connection, logger);
      await beat.start();
      const schedules = registry.scheduled().map((w) => ({ worker: w.name, cron: w.cronSchedule, queue: w.queue }));
      logger.info({ schedules, metricsPort }, 'beat started');
      return { metricsPort };
    },
    async close(): Promise<void> {
      await closeAll([
        () => beat.close(),
        () => producer.close(),
        () => health.close(),
        () => connection.quit().catch(() => connection.disconnect()),
      ]);
      logger.info('beat stopped');
    },
  };
}

export type BeatService = ReturnType<typeof createBeatService>;
