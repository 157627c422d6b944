import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
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
export async function readQueueDepth(queue: Queue, redis: Redis, now = Date.now()): Promise<QueueDepth> {
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

/** Makes the queue gauges read Redis whenever `/metrics` is scraped. */
export function collectQueueDepth(metrics: Metrics, queues: readonly Queue[], redis: Redis): void {
  metrics.hooks.refreshQueueGauges = async () => {
    const depths = await Promise.all(queues.map((q) => readQueueDepth(q, redis)));
    for (const d of depths) {
      for (const state of JOB_STATES) metrics.queueJobs.set({ queue: d.queue, state }, d.counts[state] ?? 0);
      metrics.queuePaused.set({ queue: d.queue }, d.paused ? 1 : 0);
      metrics.queueOldestWaiting.set({ queue: d.queue }, d.oldestWaitingSeconds);
    }
  };
}
