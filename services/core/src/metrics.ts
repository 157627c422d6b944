import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; spans 5 ms jobs to 20 min jobs. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200];

/**
 * Every Bullpen metric (the names are a contract: dashboards, alerts and autoscalers use them).
 * Each process creates one set on its own Registry and exports what it updates.
 */
export function createMetrics(register = new Registry(), { processMetrics = true } = {}) {
  // Process metrics sample the event loop and GC all the time: off where nobody scrapes them.
  if (processMetrics) collectDefaultMetrics({ register });
  const registers = [register];
  const jobLabels = ['queue', 'worker'] as const;
  const hooks: { refreshQueueGauges?: () => Promise<void>; readActiveJobs?: () => void } = {};
  // The three queue gauges share one read of Redis per scrape (prom-client collects them concurrently).
  let refreshing: Promise<void> | undefined;
  const refreshQueueGauges = async (): Promise<void> => {
    refreshing ??= (hooks.refreshQueueGauges?.() ?? Promise.resolve()).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };
  const metrics = {
    register,
    /** Filled in at scrape time: the queue gauges by `collectQueueDepth`, busy slots by the worker pool. */
    hooks,
    queueJobs: new Gauge({
      name: 'bullpen_queue_jobs',
      help: 'Jobs per queue and state, read from Redis at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers,
      collect: refreshQueueGauges,
    }),
    queuePaused: new Gauge({ name: 'bullpen_queue_paused', help: '1 when the queue is paused', labelNames: ['queue'] as const, registers, collect: refreshQueueGauges }),
    queueOldestWaiting: new Gauge({ name: 'bullpen_queue_oldest_waiting_seconds', help: 'Age of the oldest job ready to run, 0 when none waits', labelNames: ['queue'] as const, registers, collect: refreshQueueGauges }),
    jobsEnqueued: new Counter({ name: 'bullpen_jobs_enqueued_total', help: 'Jobs enqueued by this process', labelNames: jobLabels, registers }),
    jobsCompleted: new Counter({ name: 'bullpen_jobs_completed_total', help: 'Jobs completed by this process', labelNames: jobLabels, registers }),
    jobsFailed: new Counter({ name: 'bullpen_jobs_failed_total', help: 'Jobs failed for good (retries exhausted or unrecoverable)', labelNames: jobLabels, registers }),
    jobsRetried: new Counter({ name: 'bullpen_jobs_retried_total', help: 'Failed attempts that will be retried', labelNames: jobLabels, registers }),
    jobsStalled: new Counter({ name: 'bullpen_jobs_stalled_total', help: 'Jobs whose worker lost its lock and that were moved back to wait', labelNames: ['queue'] as const, registers }),
    jobDuration: new Histogram({ name: 'bullpen_job_duration_seconds', help: 'Run time of a job attempt', labelNames: jobLabels, buckets: DURATION_BUCKETS, registers }),
    jobWait: new Histogram({ name: 'bullpen_job_wait_seconds', help: 'Time from ready-to-run until the attempt started', labelNames: jobLabels, buckets: DURATION_BUCKETS, registers }),
    workerActiveJobs: new Gauge({ name: 'bullpen_worker_active_jobs', help: 'Job slots of this pod busy with each queue', labelNames: ['queue'] as const, registers, collect: () => hooks.readActiveJobs?.() }),
    /** Registered by the worker pool: a label-less gauge would otherwise be exported, as 0, by the api and the beat too. */
    workerConcurrency: new Gauge({ name: 'bullpen_worker_concurrency', help: 'Job slots of this pod, shared by the queues it consumes', registers: [] }),
    healthCheckUp: new Gauge({ name: 'bullpen_health_check_up', help: '1 when the last health check of the API succeeded', registers }),
    healthCheckLastSuccess: new Gauge({ name: 'bullpen_health_check_last_success_timestamp_seconds', help: 'Unix time of the last successful health check', registers }),
    /**
     * 1 when the last scrape read queue depth from Redis, 0 when Redis did not answer. Registered
     * by `collectQueueDepth`, so only processes that read Redis at scrape time export it.
     */
    redisUp: new Gauge({ name: 'bullpen_redis_up', help: '1 when this process read queue depth from Redis at the last scrape, 0 when Redis did not answer', registers: [], collect: refreshQueueGauges }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
