import { join } from 'node:path';
import { WorkerRegistry } from '@bullpen/core';

/** Where users' Worker classes live (`src/workers` in development, `dist/workers` when built). */
export const WORKERS_DIR = join(__dirname, 'workers');

/** Every Worker class exported from `WORKERS_DIR`, by class name. */
export function discoverWorkers(): WorkerRegistry {
  return WorkerRegistry.discover(WORKERS_DIR);
}
