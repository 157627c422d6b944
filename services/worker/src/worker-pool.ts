import { Worker as BullWorker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { retryDelayMs, type JobServices, type Logger, type QueueName, type Retention, type WorkerRegistry } from '@bullpen/core';
import { createProcessor, type ActiveJob } from './job-processor';

export interface WorkerPoolOptions {
  registry: WorkerRegistry;
  /** A consumer connection (`maxRetriesPerRequest: null`); the caller creates and closes it. */
  connection: Redis;
  prefix: string;
  queues: readonly QueueName[];
  /** Job slots per queue. */
  concurrency: number;
  lockSeconds: number;
  stalledCheckSeconds: number;
  retention: Retention;
  logger: Logger;
  services: JobServices;
}

export interface DrainResult {
  /** Jobs still running at the deadline, moved back to wait for another worker. */
  handedBack: number;
}

/**
 * One BullMQ Worker per queue, each with its own `concurrency` slots: a flood on `low` can
 * fill only `low`'s slots, so a `critical` job never waits behind it in the same pod.
 */
export class WorkerPool {
  private readonly workers: BullWorker[] = [];
  private readonly active = new Map<string, ActiveJob>();
  private readonly activeByQueue = new Map<QueueName, number>();
  private idle?: () => void;
  private closing?: Promise<DrainResult>;

  constructor(private readonly opts: WorkerPoolOptions) {}

  async start(): Promise<void> {
    const { opts } = this;
    const metrics = opts.services.metrics;
    for (const queue of opts.queues) {
      const worker = new BullWorker(queue, createProcessor(queue, {
        registry: opts.registry,
        logger: opts.logger,
        services: opts.services,
        active: this.active,
        onActiveChange: (q, delta) => this.onActiveChange(q, delta),
      }), {
        connection: opts.connection,
        prefix: opts.prefix,
        concurrency: opts.concurrency,
        lockDuration: opts.lockSeconds * 1000,
        stalledInterval: opts.stalledCheckSeconds * 1000,
        removeOnComplete: { age: opts.retention.completedSeconds, count: opts.retention.completedCount },
        removeOnFail: { age: opts.retention.failedSeconds, count: opts.retention.failedCount },
        settings: {
          backoffStrategy: (retry, _type, _err, job) =>
            opts.registry.has(job!.name) ? opts.registry.get(job!.name).retryDelayMs(retry) : retryDelayMs(UNKNOWN_WORKER_POLICY, retry),
        },
        autorun: false,
      });
      worker.on('error', (err) => opts.logger.error({ err, queue }, 'worker error'));
      worker.on('completed', (job: Job) => metrics.jobsCompleted.inc({ queue, worker: job.name }));
      worker.on('failed', (job: Job | undefined, err: Error) => {
        if (!job) return;
        // BullMQ sets finishedOn only when the job is failed for good; otherwise it will be retried.
        const final = job.finishedOn !== undefined;
        (final ? metrics.jobsFailed : metrics.jobsRetried).inc({ queue, worker: job.name });
        if (final) opts.logger.error({ queue, worker: job.name, jobId: job.id, attempts: job.attemptsMade, reason: err.message }, 'job failed');
      });
      worker.on('stalled', (jobId: string) => {
        metrics.jobsStalled.inc({ queue });
        opts.logger.warn({ queue, jobId }, 'job stalled, moved back to wait');
      });
      // Counters start at 0 for every job this queue can run, so a pod's first failure or stall
      // is a visible increase() rather than a new series.
      for (const cls of opts.registry.list().filter((c) => c.queue === queue)) {
        for (const counter of [metrics.jobsCompleted, metrics.jobsFailed, metrics.jobsRetried]) counter.inc({ queue, worker: cls.name }, 0);
      }
      metrics.jobsStalled.inc({ queue }, 0);
      metrics.workerConcurrency.set({ queue }, opts.concurrency);
      metrics.workerActiveJobs.set({ queue }, 0);
      this.workers.push(worker);
    }
    for (const worker of this.workers) {
      worker.run().catch((err: unknown) => opts.logger.error({ err, queue: worker.name }, 'worker loop stopped'));
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** True once started and until closing begins, while every queue's worker runs. */
  isRunning(): boolean {
    return this.workers.length > 0 && !this.closing && this.workers.every((w) => w.isRunning());
  }

  activeCount(queue?: QueueName): number {
    return queue ? (this.activeByQueue.get(queue) ?? 0) : this.active.size;
  }

  /**
   * Two-phase stop: stop fetching, wait for active jobs up to `deadlineMs`, then move jobs
   * still running back to wait (another worker takes them; they are neither lost nor failed),
   * abort their signals and close. Idempotent; safe before `start()`.
   */
  close(deadlineMs = 0): Promise<DrainResult> {
    this.closing ??= this.drain(deadlineMs);
    return this.closing;
  }

  private async drain(deadlineMs: number): Promise<DrainResult> {
    const { logger } = this.opts;
    await Promise.all(this.workers.map((w) => w.pause(true)));
    logger.info({ active: this.active.size, deadlineMs }, 'stopped fetching, draining active jobs');
    const drained = this.active.size === 0 || (await this.waitForIdle(deadlineMs));
    if (drained) {
      await Promise.allSettled(this.workers.map((w) => w.close()));
      return { handedBack: 0 };
    }
    // Close before handing back: a fetch already blocked on Redis would wake up for the marker
    // moveToWait adds and take the job again into this dying process.
    await Promise.allSettled(this.workers.map((w) => w.close(true)));
    let handedBack = 0;
    for (const { job, token } of [...this.active.values()]) {
      try {
        await job.moveToWait(token);
        handedBack++;
        logger.warn({ queue: job.queueName, worker: job.name, jobId: job.id }, 'job outlived the shutdown deadline, handed back');
      } catch (err) {
        // The lock is gone already: the stalled check hands it back instead.
        logger.warn({ err, jobId: job.id }, 'could not hand back job; stalled recovery will');
      }
    }
    // The processor takes no BullMQ signal (see createProcessor): each job's own signal is aborted here.
    for (const running of this.active.values()) running.abort('worker shutting down');
    return { handedBack };
  }

  private waitForIdle(deadlineMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idle = undefined;
        resolve(false);
      }, deadlineMs);
      this.idle = () => {
        clearTimeout(timer);
        this.idle = undefined;
        resolve(true);
      };
    });
  }

  private onActiveChange(queue: QueueName, delta: 1 | -1): void {
    const count = this.activeCount(queue) + delta;
    this.activeByQueue.set(queue, count);
    this.opts.services.metrics.workerActiveJobs.set({ queue }, count);
    if (this.active.size === 0) this.idle?.();
  }
}

/** Used for jobs whose worker class this pod does not know: short retries, capped at 10 min. */
const UNKNOWN_WORKER_POLICY = { retryBackoff: true, retryBackoffMax: 600, retryJitter: true } as const;
