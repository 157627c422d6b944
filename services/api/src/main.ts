import { createLogger, exitOnSignals, exitOnStartupError, shutdownDeadlineMs } from '@bullpen/core';
import { discoverWorkers } from '@bullpen/jobs/discover';
import { createApi } from './api';
import { loadApiConfig } from './config';

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const logger = createLogger('api', config.logLevel);
  const api = createApi({ config, registry: discoverWorkers(), logger });
  exitOnSignals(logger, () => api.close(), shutdownDeadlineMs(config.shutdownTimeoutSeconds));
  await api.start();
}

main().catch(exitOnStartupError);
