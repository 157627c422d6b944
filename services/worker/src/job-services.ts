import type { Metrics } from '@bullpen/core';

/** What this service hands every job besides the core's `metrics` (see JobServices). */
declare module '@bullpen/core' {
  interface JobServices {
    metrics: Metrics;
    /** Where HealthCheckWorker sends its GET. */
    apiHealthUrl: string;
  }
}

export {};
