// Runs a real api or worker process (as their main.ts do) with the Worker classes exported by
// FIXTURE_WORKERS instead of the discovered ones. Tests only.
import { createLogger, exitOnSignals, exitOnStartupError, shutdownDeadlineMs, WorkerRegistry } from '@bullpen/core';
import { createApi, loadApiConfig } from '@bullpen/api';
import { createWorkerService, loadWorkerConfig } from '@bullpen/worker';

async function main(): Promise<void> {
  const { FIXTURE_SERVICE: service, FIXTURE_WORKERS: workersModule } = process.env;
  if (!workersModule) throw new Error('FIXTURE_WORKERS must name a module exporting Worker classes');
  // From the module file, so isolated classes can be loaded again in their job processes.
  const registry = WorkerRegistry.fromModules([workersModule]);
  if (service === 'api') {
    const config = loadApiConfig(process.env);
    const logger = createLogger('api', config.logLevel);
    const api = createApi({ config, registry, logger });
    exitOnSignals(logger, () => api.close(), shutdownDeadlineMs(config.shutdownTimeoutSeconds));
    await api.start();
  } else if (service === 'worker') {
    const config = loadWorkerConfig(process.env);
    const logger = createLogger('worker', config.logLevel);
    const worker = createWorkerService({ config, registry, logger });
    exitOnSignals(logger, () => worker.close(), shutdownDeadlineMs(config.shutdownTimeoutSeconds));
    await worker.start();
  } else {
    throw new Error(`FIXTURE_SERVICE must be api or worker, got ${service}`);
  }
}

main().catch(exitOnStartupError);
