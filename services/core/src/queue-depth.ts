import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import { withDeadline } from './deadline';
import type { RedisConnection } from './redis';

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
 * Defines the queue gauges (`bullpen_queue_jobs`, `bullpen_queue_paused`,
 * `bullpen_queue_oldest_waiting_seconds`) and `bullpen_redis_up` on `register`, read from Redis
 * whenever it is scraped. When Redis does not answer, the scrape still succeeds (so the process's
 * own metrics keep flowing): `bullpen_redis_up` is 0 and the queue gauges are left out rather
 * than repeating stale values.
 */
export function collectQueueDepth(register: Registry, queues: readonly Queue[], redis: RedisConnection, timeoutMs = REDIS_READ_TIMEOUT_MS): void {
  // The four gauges share one read of Redis per scrape (prom-client collects them concurrently).
  let refreshing: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    refreshing ??= read().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };
  const registers = [register];
  const jobs = new Gauge({ name: 'bullpen_queue_jobs', help: 'Jobs per queue and state, read from Redis at scrape time', labelNames: ['queue', 'state'] as const, registers, collect: refresh });
  const paused = new Gauge({ name: 'bullpen_queue_paused', help: '1 when the queue is paused', labelNames: ['queue'] as const, registers, collect: refresh });
  const oldest = new Gauge({ name: 'bullpen_queue_oldest_waiting_seconds', help: 'Age of the oldest job ready to run, 0 when none waits', labelNames: ['queue'] as const, registers, collect: refresh });
  const redisUp = new Gauge({ name: 'bullpen_redis_up', help: '1 when this process read queue depth from Redis at the last scrape, 0 when Redis did not answer', registers, collect: refresh });

  async function read(): Promise<void> {
    let depths: QueueDepth[];
    try {
      // A consumer connection queues commands while it reconnects: answer at once instead of hanging.
      if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
      depths = await withDeadline(Promise.all(queues.map((q) => readQueueDepth(q, redis))), timeoutMs, () => new Error(`redis did not answer within ${timeoutMs} ms`));
    } catch {
      redisUp.set(0);
      jobs.reset();
      paused.reset();
      oldest.reset();
      return;
    }
    redisUp.set(1);
    for (const d of depths) {
      for (const state of JOB_STATES) jobs.set({ queue: d.queue, state }, d.counts[state] ?? 0);
      paused.set({ queue: d.queue }, d.paused ? 1 : 0);
      oldest.set({ queue: d.queue }, d.oldestWaitingSeconds);
    }
  }
}
