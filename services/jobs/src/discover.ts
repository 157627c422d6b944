import { join } from 'node:path';
import { WorkerRegistry } from '@bullpen/core';

/** Where users' Worker classes live (`src/workers` in development, `dist/workers` when built). */
export const WORKERS_DIR = join(__dirname, 'workers');

/**
 * Every Worker class exported from `WORKERS_DIR`, by class name. Its own entry
 * (`@bullpen/jobs/discover`), apart from the index of classes: the services load the job modules
 * inside their start, so a broken one stops it with its error (exit 2), not at import.
 */
export function discoverWorkers(): WorkerRegistry {
  return WorkerRegistry.discover(WORKERS_DIR);
}
