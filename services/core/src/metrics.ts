import { collectDefaultMetrics, Registry } from 'prom-client';

/** prom-client's Registry: one per process, where its metrics are exported from. */
export type MetricsRegistry = Registry;

/**
 * A process's prom-client registry. Each Bullpen metric is defined next to the code that records
 * it, on the registry of the process that records it (the names are a contract: docs/metrics.md),
 * so a process exports only what it can update.
 */
export function createRegistry({ processMetrics = true } = {}): Registry {
  const register = new Registry();
  // Process metrics sample the event loop and GC all the time: off where nobody scrapes them.
  if (processMetrics) collectDefaultMetrics({ register });
  return register;
}
