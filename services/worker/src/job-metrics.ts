import { counterOn, histogramOn, type MetricsRegistry } from '@bullpen/core';

/** Seconds; spans 5 ms jobs to 20 min jobs. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200];

/** What a worker pod records about the jobs it runs (docs/metrics.md), on its registry. */
export function jobMetrics(register: MetricsRegistry) {
  const labelNames = ['queue', 'worker'] as const;
  return {
    completed: counterOn(register, { name: 'bullpen_jobs_completed_total', help: 'Jobs completed by this process', labelNames }),
    failed: counterOn(register, { name: 'bullpen_jobs_failed_total', help: 'Jobs failed for good (retries exhausted or unrecoverable)', labelNames }),
    retried: counterOn(register, { name: 'bullpen_jobs_retried_total', help: 'Failed attempts that will be retried', labelNames }),
    stalled: counterOn(register, { name: 'bullpen_jobs_stalled_total', help: 'Jobs whose worker lost its lock and that were moved back to wait', labelNames: ['queue'] as const }),
    duration: histogramOn(register, { name: 'bullpen_job_duration_seconds', help: 'Run time of a job attempt', labelNames, buckets: DURATION_BUCKETS }),
    wait: histogramOn(register, { name: 'bullpen_job_wait_seconds', help: 'Time from ready-to-run until the attempt started', labelNames, buckets: DURATION_BUCKETS }),
  };
}

export type JobMetrics = ReturnType<typeof jobMetrics>;
