import { createLogger, type WorkerRegistry } from '@bullpen/core';
import { createWorkerService, loadWorkerConfig, type WorkerService } from '@bullpen/worker';
import { REDIS_URL } from './api';

/** A real worker process, in-process, consuming the test's prefix; `env` overrides its settings (e.g. LOG_LEVEL). */
export async function startTestWorker(prefix: string, registry: WorkerRegistry, env: Record<string, string> = {}): Promise<WorkerService> {
  const config = loadWorkerConfig({
    REDIS_URL, BULLPEN_PREFIX: prefix, METRICS_PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_TIMEOUT_SECONDS: '1', WORKER_CONCURRENCY: '2', ...env,
  });
  const service = createWorkerService({ config, registry, logger: createLogger('worker', config.logLevel) });
  await service.start();
  return service;
}
