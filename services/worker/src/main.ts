import { createLogger, exitOnSignals, exitOnStartupError, shutdownDeadlineMs } from '@bullpen/core';
import { discoverWorkers } from '@bullpen/jobs/discover';
import { loadWorkerConfig } from './config';
import { createWorkerService } from './worker-service';

async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = createLogger('worker', config.logLevel);
  const service = createWorkerService({ config, registry: discoverWorkers(), logger });
  exitOnSignals(logger, () => service.close(), shutdownDeadlineMs(config.shutdownTimeoutSeconds));
  await service.start();
}

main().catch(exitOnStartupError);
