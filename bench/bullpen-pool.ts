// The one way the benches build a Bullpen WorkerPool in their own process: the worker
// service's config (loadWorkerConfig, so retention, lock, isolation and reserved-slot
// defaults are the service's), a registry loaded from module files (so isolated jobs'
// processes can load their classes), metrics on, and info logging into /dev/null.
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createRegistry, WorkerRegistry, type Env, type MetricsRegistry } from '@bullpen/core';
import { loadWorkerConfig, WorkerPool } from '@bullpen/worker';

export interface BenchPoolOptions {
  /** A consumer connection (`maxRetriesPerRequest: null`); the caller closes it. */
  connection: Redis;
  prefix: string;
  /** Absolute paths of the modules whose exported Worker classes the pool runs. */
  modules: string[];
  /** Worker env on top of the defaults, e.g. `{ WORKER_QUEUES: 'default', WORKER_CONCURRENCY: '50' }`. */
  env?: Env;
  /** Where the pool's metrics go, for a bench that reads them; default a fresh registry. */
  register?: MetricsRegistry;
}

/** A pool configured as `npm run serve:worker` would be with `env`; not started. */
export function createBenchPool({ connection, prefix, modules, env = {}, register = createRegistry() }: BenchPoolOptions): WorkerPool {
  // Only what the bench passes: a LOG_LEVEL or WORKER_* in the caller's shell must not change the figures.
  const config = loadWorkerConfig({ ...env, BULLPEN_PREFIX: prefix });
  return new WorkerPool({
    ...config,
    registry: WorkerRegistry.fromModules(modules),
    connection,
    // createLogger's options, with the same asynchronous sonic-boom stream its default stdout
    // destination uses in production, here into /dev/null.
    logger: pino(
      { level: config.logLevel, base: { service: 'worker' }, timestamp: pino.stdTimeFunctions.isoTime },
      pino.destination({ dest: '/dev/null', sync: false }),
    ),
    services: { register, apiHealthUrl: config.apiHealthUrl },
  });
}
