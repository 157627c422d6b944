import { createRuntime, type Logger, type WorkerRegistry } from '@bullpen/core';
import { Beat } from './beat';
import type { BeatConfig } from './config';

export interface BeatServiceDeps {
  config: BeatConfig;
  registry: WorkerRegistry;
  logger: Logger;
}

/** The beat process: the runtime plus the loop that keeps BullMQ job schedulers in step with the workers' cron schedules. */
export function createBeatService({ config, registry, logger }: BeatServiceDeps) {
  const runtime = createRuntime({ name: 'beat', config, logger, role: 'consumer' });
  const beat = new Beat({ queues: runtime.queues, registry, logger, intervalMs: config.syncIntervalSeconds * 1000 });
  const health = runtime.serveHealth({ port: config.metricsPort, notReadyReason: () => (beat.isHealthy() ? undefined : 'schedules not synced recently') });
  runtime.use('schedule sync', beat);

  return {
    beat,
    register: runtime.register,
    async start(): Promise<{ metricsPort: number }> {
      await runtime.start();
      const metricsPort = health.port!;
      const schedules = registry.scheduled().map((w) => ({ worker: w.name, cron: w.cronSchedule, queue: w.queue }));
      logger.info({ schedules, metricsPort }, 'beat started');
      return { metricsPort };
    },
    close: (): Promise<void> => runtime.close(),
  };
}

export type BeatService = ReturnType<typeof createBeatService>;
