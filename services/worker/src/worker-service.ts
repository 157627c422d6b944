import {
  closeAll, collectQueueDepth, createMetrics, createRedis, HealthServer, logRedisReconnects, Producer, redisWriteCheck, useProducer, warnOnUnsafeRedis,
  type Logger, type WorkerRegistry,
} from '@bullpen/core';
import type { WorkerConfig } from './config';
import { WorkerPool } from './worker-pool';
// The JobServices the job classes declare (@bullpen/jobs' job-services.ts), without loading them.
import type {} from '@bullpen/jobs';

export interface WorkerServiceDeps {
  config: WorkerConfig;
  registry: WorkerRegistry;
  logger: Logger;
}

/**
 * The worker process: a pool consuming the configured queues, a producer for jobs that
 * enqueue jobs, and the health/metrics port. It owns its Redis connection and closes it last.
 */
export function createWorkerService({ config, registry, logger }: WorkerServiceDeps) {
  const connection = createRedis(config.redis, 'consumer');
  logRedisReconnects(connection, config.redis, logger);
  const metrics = createMetrics();
  const producer = new Producer({ connection, prefix: config.prefix, cluster: Boolean(config.redis.clusterNodes), metrics, maxArgsBytes: config.maxArgsBytes });
  const pool = new WorkerPool({ ...config, registry, connection, logger, services: { metrics, apiHealthUrl: config.apiHealthUrl } });
  const redisWrites = redisWriteCheck(connection);
  const health = new HealthServer({
    port: config.metricsPort,
    host: config.host,
    register: metrics.register,
    logger,
    // Not ready while Redis cannot take writes (down, a replica, out of memory, loading), and says why.
    notReadyReason: async () => (await redisWrites()) ?? (pool.isRunning() ? undefined : 'workers not running'),
  });
  collectQueueDepth(metrics, config.queues.map((q) => producer.queue(q)), connection);

  return {
    pool,
    metrics,
    async start(): Promise<{ metricsPort: number }> {
      useProducer(producer);
      // The port answers first: /healthz stays up and /readyz explains while Redis is unreachable.
      const metricsPort = await health.start();
      await warnOnUnsafeRedis(connection, logger);
      await pool.start();
      logger.info({ queues: config.queues, concurrency: config.concurrency, reservedCritical: config.reservedCritical, order: config.queueWeights ?? 'strict', workers: registry.list().map((w) => w.name), metricsPort }, 'worker started');
      return { metricsPort };
    },
    /** Drains within the shutdown budget, then closes everything in reverse order of creation. */
    async close(): Promise<void> {
      let handedBack = 0;
      await closeAll([
        async () => ({ handedBack } = await pool.close(config.shutdownTimeoutSeconds * 1000)),
        () => producer.close(),
        () => health.close(),
        () => connection.quit().catch(() => connection.disconnect()),
      ]);
      logger.info({ handedBack }, 'worker stopped');
    },
  };
}

export type WorkerService = ReturnType<typeof createWorkerService>;
