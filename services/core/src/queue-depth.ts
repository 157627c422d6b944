import type { Queue } from 'bullmq';
import { withDeadline } from './deadline';
import type { RedisConnection } from './redis';
import type { Metrics } from './metrics';

/** BullMQ's job states, as exported in `bullpen_queue_jobs{state}`. */
export const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed', 'waiting-children'] as const;

export interface QueueDepth {
  queue: string;
  counts: Record<(typeof JOB_STATES)[number], number>;
  paused: boolean;
  /** Age in seconds of the job that has been ready to run the longest; 0 when none waits. */
  oldestWaitingSeconds: number;
}

/** Reads a queue's depth with three commands sent together; no key scans. */
export async function readQueueDepth(queue: Queue, redis: RedisConnection, now = Date.now()): Promise<QueueDepth> {
  const [counts, paused, oldestId] = await Promise.all([
    queue.getJobCounts(...JOB_STATES),
    queue.isPaused(),
    // BullMQ pushes new jobs on the left and workers take from the right: the oldest is last.
    redis.lindex(queue.keys.wait, -1),
  ]);
  let oldestWaitingSeconds = 0;
  if (oldestId) {
    const [timestamp, delay] = await redis.hmget(queue.toKey(oldestId), 'timestamp', 'delay');
    if (timestamp) oldestWaitingSeconds = Math.max(0, (now - Number(timestamp) - Number(delay ?? 0)) / 1000);
  }
  return { queue: queue.name, counts: counts as QueueDepth['counts'], paused, oldestWaitingSeconds };
}

/** How long a scrape waits for Redis before reporting it down; below Prometheus' 10 s scrape timeout. */
const REDIS_READ_TIMEOUT_MS = 5_000;

/**
 * Makes the queue gauges read Redis whenever `/metrics` is scraped, and exports
 * `bullpen_redis_up`. When Redis does not answer, the scrape still succeeds (so the process's
 * own metrics keep flowing): `bullpen_redis_up` is 0 and the queue gauges are left out rather
 * than repeating stale values.
 */
export function collectQueueDepth(metrics: Metrics, queues: readonly Queue[], redis: RedisConnection, timeoutMs = REDIS_READ_TIMEOUT_MS): void {
  if (!metrics.register.getSingleMetric('bullpen_redis_up')) metrics.register.registerMetric(metrics.redisUp);
  metrics.hooks.refreshQueueGauges = async () => {
    let depths: QueueDepth[];
    try {
      // A consumer connection queues commands while it reconnects: answer at once instead of hanging.
      if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
      depths = await withDeadline(Promise.all(queues.map((q) => readQueueDepth(q, redis))), timeoutMs, () => new Error(`redis did not answer within ${timeoutMs} ms`));
    } catch {
      metrics.redisUp.set(0);
      metrics.queueJobs.reset();
      metrics.queuePaused.reset();
      metrics.queueOldestWaiting.reset();
      return;
    }
    metrics.redisUp.set(1);
    for (const d of depths) {
      for (const state of JOB_STATES) metrics.queueJobs.set({ queue: d.queue, state }, d.counts[state] ?? 0);
      metrics.queuePaused.set({ queue: d.queue }, d.paused ? 1 : 0);
      metrics.queueOldestWaiting.set({ queue: d.queue }, d.oldestWaitingSeconds);
    }
  };
}
