import { createLogger, exitOnSignals, exitOnStartupError, shutdownDeadlineMs } from '@bullpen/core';
import { discoverWorkers } from '@bullpen/jobs/discover';
import { loadBeatConfig } from './config';
import { createBeatService } from './beat-service';

async function main(): Promise<void> {
  const config = loadBeatConfig(process.env);
  const logger = createLogger('beat', config.logLevel);
  const service = createBeatService({ config, registry: discoverWorkers(), logger });
  exitOnSignals(logger, () => service.close(), shutdownDeadlineMs(config.shutdownTimeoutSeconds));
  await service.start();
}

main().catch(exitOnStartupError);
