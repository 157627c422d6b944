import { Worker as BullWorker, type Job, type JobJson, type WorkerOptions } from 'bullmq';
import { argsCappedJob } from './args-capped-job';

/** How an attempt ended, as the consumer records it in Redis. */
export type Outcome = { ok: true; result: unknown } | { ok: false; error: Error };

/**
 * One queue's BullMQ Worker, driven by hand instead of by its own fetch loop: the pod's
 * WorkerPool decides when and from which queue a free slot takes a job. BullMQ still does
 * the atomic parts (moving a job to active under a lock, retries with backoff, finishing
 * and fetching the next job in one round trip, stalled recovery, lock renewal).
 */
export class QueueConsumer extends BullWorker {
  private readonly jobClass: typeof Job;

  /** `maxArgsBytes`: `WORKER_MAX_ARGS_BYTES`; jobs with larger args are fetched without parsing them (see argsCappedJob). */
  constructor(queue: string, { maxArgsBytes, ...opts }: Omit<WorkerOptions, 'autorun'> & { maxArgsBytes: number }) {
    super(queue, undefined, { ...opts, autorun: false });
    this.jobClass = argsCappedJob(maxArgsBytes);
  }

  /** The class BullMQ makes fetched jobs with. */
  protected override get Job(): typeof Job {
    return this.jobClass;
  }

  /** Starts stalled recovery and lock renewal; the caller fetches. */
  async open(): Promise<void> {
    await this.waitUntilReady();
    await this.startStalledCheckTimer();
    this.lockManager.start();
  }

  /** Takes the next ready job (waiting or prioritized, promoting due delayed jobs), or none. */
  async fetch(token: string): Promise<Job | undefined> {
    const job = await this.moveToActive(token);
    if (job) this.lockManager.trackJob(job.id!, token, job.processedOn!);
    return job;
  }

  /**
   * Blocks until this queue's marker says a job was added (or a delayed one is due) or
   * `timeoutSeconds` pass. Returns when to look again: 0 for now, else a timestamp in ms.
   */
  async waitForWork(timeoutSeconds: number): Promise<number> {
    const marker = await this.backend.waitForJob(timeoutSeconds);
    return marker ? marker.score : 0;
  }

  /**
   * Records the attempt's outcome (completed, retried with backoff, or failed) and, when
   * `fetchNext`, takes the queue's next job in the same round trip.
   */
  async finish(job: Job, token: string, outcome: Outcome, fetchNext: boolean): Promise<Job | undefined> {
    this.lockManager.untrackJob(job.id!);
    const next = outcome.ok
      ? await job.moveToCompleted(outcome.result, token, fetchNext)
      : await job.moveToFailed(outcome.error, token, fetchNext);
    if (!Array.isArray(next)) return undefined;
    const [data, id] = next as [JobJson | undefined, string | undefined];
    const nextJob = await this.nextJobFromJobData(data, id, token);
    if (nextJob) this.lockManager.trackJob(nextJob.id!, token, nextJob.processedOn!);
    return nextJob;
  }
}
