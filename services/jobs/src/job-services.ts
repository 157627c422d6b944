import type { Metrics } from '@bullpen/core';

/**
 * What the built-in jobs need from the worker that runs them, besides the core's `metrics` (see
 * JobServices): the worker service and an isolated job's process hand every job these.
 */
declare module '@bullpen/core' {
  interface JobServices {
    metrics: Metrics;
    /** Where HealthCheckWorker sends its GET. */
    apiHealthUrl: string;
  }
}

export {};
