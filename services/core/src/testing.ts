import type { QueueHandles } from './queue-handles';
import type { WorkerClass } from './worker';

export interface PendingJob<A = unknown> {
  id: string;
  args: A;
  /** Milliseconds the job was delayed by when enqueued (0 when it runs as soon as possible). */
  delayMs: number;
}

/**
 * For users' own tests: the jobs of `cls` enqueued and not yet started, oldest first.
 * `expect(await enqueuedJobs(runtime.queues, ReportWorker)).toEqual([expect.objectContaining({ args: { id: 7 } })])`
 */
export async function enqueuedJobs<A>(queues: QueueHandles, cls: WorkerClass<A>): Promise<PendingJob<A>[]> {
  const jobs = await queues.get(cls.queue).getJobs(['waiting', 'prioritized', 'delayed'], 0, -1, true);
  return jobs
    .filter((job) => job.name === cls.name)
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((job) => ({ id: job.id!, args: job.data as A, delayMs: job.opts.delay ?? 0 }));
}
