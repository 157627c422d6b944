import { createRuntime, type Logger, type WorkerRegistry } from '@bullpen/core';
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
 * The worker process: the runtime (its consumer connection, producer for jobs that enqueue jobs,
 * metrics and health port) plus a pool consuming the configured queues, which drains first on close.
 */
export function createWorkerService({ config, registry, logger }: WorkerServiceDeps) {
  const runtime = createRuntime({ name: 'worker', config, logger, role: 'consumer', gaugedQueues: config.queues });
  const pool = new WorkerPool({ ...config, registry, connection: runtime.connection, logger, services: { register: runtime.register, apiHealthUrl: config.apiHealthUrl } });
  // Exported from the start (at 0) by a pod that runs the job, so its first failure is a change, not a new series.
  for (const cls of registry.list()) if (config.queues.includes(cls.queue)) cls.registerMetrics(runtime.register);
  const health = runtime.serveHealth({ port: config.metricsPort, notReadyReason: () => (pool.isRunning() ? undefined : 'workers not running') });
  runtime.use('worker pool', { start: () => pool.start(), close: () => pool.close(config.shutdownTimeoutSeconds * 1000) });

  return {
    pool,
    register: runtime.register,
    async start(): Promise<{ metricsPort: number }> {
      await runtime.start();
      const metricsPort = health.port!;
      logger.info({ queues: config.queues, concurrency: config.concurrency, reservedCritical: config.reservedCritical, order: config.queueWeights ?? 'strict', workers: registry.list().map((w) => w.name), metricsPort }, 'worker started');
      return { metricsPort };
    },
    /** Drains within the shutdown budget, then closes the runtime. Idempotent. */
    close: (): Promise<void> => runtime.close(),
  };
}

export type WorkerService = ReturnType<typeof createWorkerService>;
