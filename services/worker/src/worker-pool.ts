import type { Job } from 'bullmq';
import { gaugeOn, isConnectionError, queuePrefix, retryDelayMs, type JobServices, type Logger, type QueueName, type RedisConnection, type WorkerRegistry } from '@bullpen/core';
import type { WorkerConfig } from './config';
import { jobMetrics, type JobMetrics } from './job-metrics';
import { ActiveJob, JobProcessor } from './job-processor';
import { JobProcessPool } from './job-process-pool';
import { QueueConsumer, type Outcome } from './queue-consumer';
import { SlotPolicy } from './slot-policy';

/** What the pool needs of the worker's config, and the parts the service owns. */
export type WorkerPoolOptions = Pick<
  WorkerConfig,
  'redis' | 'prefix' | 'queues' | 'concurrency' | 'reservedCritical' | 'queueWeights' | 'isolation' | 'jobMemoryMb' | 'maxResultBytes' | 'maxArgsBytes' | 'logLevel' | 'lockSeconds' | 'stalledCheckSeconds' | 'retention'
> & {
  registry: WorkerRegistry;
  /** A consumer connection (`maxRetriesPerRequest: null`); the caller creates and closes it. */
  connection: RedisConnection;
  logger: Logger;
  services: JobServices;
};

export interface DrainResult {
  /** Jobs still running at the deadline, moved back to wait for another worker. */
  handedBack: number;
}

/** How long an idle queue's watcher blocks before looking again (BullMQ's drainDelay). */
const IDLE_POLL_SECONDS = 5;
/** Cap of the pause between attempts while Redis refuses to hand out jobs. */
const MAX_FETCH_BACKOFF_MS = 30_000;

/**
 * One pool of `concurrency` slots per pod, across all the queues it consumes. A free slot
 * takes the next job from the queue the SlotPolicy picks (strict priority by default); a
 * slot that finishes a job asks for its next one in the same Redis round trip when the
 * policy picks the same queue again. Queues without jobs are watched on their BullMQ
 * marker, so a critical job added to an idle pod starts at once. A job is fetched only
 * into a free slot: none waits in the pod holding its lock.
 */
export class WorkerPool {
  private readonly consumers = new Map<QueueName, QueueConsumer>();
  private readonly policy: SlotPolicy;
  private readonly processor: JobProcessor;
  private readonly isolated: JobProcessPool;
  private readonly metrics: JobMetrics;
  private readonly active = new Map<string, ActiveJob>();
  /** Queues that may have jobs ready; the others are watched on their marker. */
  private readonly ready = new Set<QueueName>();
  private readonly watching = new Set<QueueName>();
  private readonly dueTimers = new Map<QueueName, NodeJS.Timeout>();
  private wakeLoop?: () => void;
  private loop?: Promise<void>;
  private stopping = false;
  private fetchFailures = 0;
  /** Slots fetching, running or recording a job in Redis: shutdown waits for them. */
  private slotsRunning = 0;
  /** Jobs a fetch took just as shutdown began, given straight back. */
  private handedBackOnFetch = 0;
  private idle?: () => void;
  private closing?: Promise<DrainResult>;
  private tokens = 0;
  private readonly tokenPrefix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.metrics = jobMetrics(opts.services.register);
    this.policy = new SlotPolicy({ queues: opts.queues, concurrency: opts.concurrency, reservedCritical: opts.reservedCritical, weights: opts.queueWeights });
    this.isolated = new JobProcessPool({
      size: opts.concurrency,
      memoryMb: opts.jobMemoryMb,
      logLevel: opts.logLevel,
      apiHealthUrl: opts.services.apiHealthUrl,
      logger: opts.logger,
    });
    this.processor = new JobProcessor({
      registry: opts.registry,
      logger: opts.logger,
      services: opts.services,
      metrics: this.metrics,
      isolated: this.isolated,
      defaultIsolation: opts.isolation,
      maxResultBytes: opts.maxResultBytes,
      maxArgsBytes: opts.maxArgsBytes,
    });
  }

  async start(): Promise<void> {
    const { opts, metrics } = this;
    for (const queue of opts.queues) {
      const consumer = new QueueConsumer(queue, {
        connection: opts.connection,
        prefix: queuePrefix(opts.prefix, Boolean(opts.redis.clusterNodes), queue),
        lockDuration: opts.lockSeconds * 1000,
        stalledInterval: opts.stalledCheckSeconds * 1000,
        maxArgsBytes: opts.maxArgsBytes,
        removeOnComplete: opts.retention.completedSeconds > 0 ? { age: opts.retention.completedSeconds, count: opts.retention.completedCount } : { count: opts.retention.completedCount },
        removeOnFail: { age: opts.retention.failedSeconds, count: opts.retention.failedCount },
        settings: {
          backoffStrategy: (retry, _type, _err, job) =>
            opts.registry.has(job!.name) ? opts.registry.get(job!.name).retryDelayMs(retry) : retryDelayMs(UNKNOWN_WORKER_POLICY, retry),
        },
      });
      // A lost connection is reported once per retry by the service's connection (logRedisReconnects), not here per BullMQ connection.
      consumer.on('error', (err) => (isConnectionError(err) ? opts.logger.debug({ err, queue }, 'worker connection error') : opts.logger.error({ err, queue }, 'worker error')));
      consumer.on('stalled', (jobId: string) => {
        metrics.stalled.inc({ queue });
        opts.logger.warn({ queue, jobId }, 'job stalled, moved back to wait');
      });
      // Counters start at 0 for every job this queue can run, so a pod's first failure or stall
      // is a visible increase() rather than a new series.
      for (const cls of opts.registry.list().filter((c) => c.queue === queue)) {
        for (const counter of [metrics.completed, metrics.failed, metrics.retried]) counter.inc({ queue, worker: cls.name }, 0);
      }
      metrics.stalled.inc({ queue }, 0);
      this.consumers.set(queue, consumer);
      this.ready.add(queue);
    }
    const { register } = opts.services;
    gaugeOn(register, { name: 'bullpen_worker_concurrency', help: 'Job slots of this pod, shared by the queues it consumes' }).set(opts.concurrency);
    const { policy } = this;
    gaugeOn(register, {
      name: 'bullpen_worker_active_jobs',
      help: 'Job slots of this pod busy with each queue',
      labelNames: ['queue'] as const,
      // Busy slots per queue are read when /metrics is scraped, not written twice per job.
      collect() {
        for (const queue of opts.queues) this.set({ queue }, policy.inUse(queue));
      },
    });
    await Promise.all([...this.consumers.values()].map((c) => c.open()));
    this.loop = this.fill();
  }

  /** True once started and until closing begins. */
  isRunning(): boolean {
    return this.loop !== undefined && !this.stopping && [...this.consumers.values()].every((c) => !c.closing);
  }

  activeCount(queue?: QueueName): number {
    return this.policy.inUse(queue);
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

  /** Fills free slots: the one place jobs are fetched besides a finishing slot's fetch-next. */
  private async fill(): Promise<void> {
    while (!this.stopping) {
      const queue = this.policy.pick((q) => this.ready.has(q));
      if (queue === undefined) {
        for (const q of this.opts.queues) if (!this.ready.has(q)) this.watch(q);
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        continue;
      }
      this.policy.take(queue);
      // The fetch holds its slot: a drain that begins meanwhile waits for the job it brings.
      this.slotsRunning++;
      const job = await this.fetch(queue);
      if (job && !this.stopping) {
        this.slotsRunning--; // runSlot counts it again, in the same tick
        void this.runSlot(queue, job);
        continue;
      }
      this.policy.release(queue);
      // Fetched while shutdown began: give it straight back rather than start it now.
      if (job && (await job.moveToWait(job.token).then(() => true, () => false))) this.handedBackOnFetch++;
      this.slotFreed();
      if (!job && this.fetchFailures > 0) await this.pauseAfterFailure();
    }
  }

  /** Runs jobs in one taken slot until the policy has nothing more for it, then frees it. */
  private async runSlot(queue: QueueName, first: Job): Promise<void> {
    this.slotsRunning++;
    let current: { queue: QueueName; job: Job } | undefined = { queue, job: first };
    while (current) {
      const running = new ActiveJob(current.queue, current.job, current.job.token!);
      const key = `${current.queue}/${current.job.id}`;
      this.active.set(key, running);
      const outcome = await this.processor.run(running);
      this.active.delete(key);
      this.policy.release(current.queue);
      if (running.handedBack) break;
      const next = this.stopping ? undefined : this.policy.pick((q) => this.ready.has(q));
      if (next) this.policy.take(next);
      let nextJob = await this.finish(running, outcome, next === current.queue);
      if (next && next !== current.queue && !this.stopping) nextJob = await this.fetch(next);
      if (next && !nextJob) this.policy.release(next);
      current = next && nextJob ? { queue: next, job: nextJob } : undefined;
    }
    this.slotFreed();
  }

  private slotFreed(): void {
    this.slotsRunning--;
    this.wake();
    if (this.slotsRunning === 0) this.idle?.();
  }

  /** Takes a job from `queue`, or marks the queue as empty (and watched) when it has none. */
  private async fetch(queue: QueueName): Promise<Job | undefined> {
    try {
      const job = await this.consumers.get(queue)!.fetch(this.nextToken());
      this.fetchFailures = 0;
      if (!job) this.ready.delete(queue);
      return job;
    } catch (err) {
      if (this.stopping) return undefined;
      this.fetchFailures++;
      this.opts.logger.warn({ queue, err: (err as Error).message, retryInMs: this.fetchBackoffMs() }, 'cannot take jobs from Redis (check REDIS_URL, the server\'s maxmemory and whether it is a replica); retrying');
      return undefined;
    }
  }

  /**
   * Records the attempt in Redis, retrying while Redis is unreachable and the job's lock may
   * still hold; after that another worker's stalled check runs the job again (at least once).
   */
  private async finish(running: ActiveJob, outcome: Outcome, fetchNext: boolean): Promise<Job | undefined> {
    const { job, queue, token } = running;
    const { metrics } = this;
    const consumer = this.consumers.get(queue)!;
    const giveUpAt = Date.now() + this.opts.lockSeconds * 1000;
    for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5_000)) {
      try {
        const next = await consumer.finish(job, token, outcome, fetchNext && !this.stopping);
        const labels = this.processor.labels(queue, job.name);
        if (outcome.ok) {
          metrics.completed.inc(labels);
        } else {
          // BullMQ sets finishedOn only when the job is failed for good; otherwise it will be retried.
          const final = job.finishedOn !== undefined;
          (final ? metrics.failed : metrics.retried).inc(labels);
          if (final) this.opts.logger.error({ queue, worker: job.name, jobId: job.id, attempts: job.attemptsMade, reason: outcome.error.message }, 'job failed');
        }
        if (fetchNext && !next) this.ready.delete(queue);
        return next;
      } catch (err) {
        const message = (err as Error).message;
        if (/Missing lock|Lock mismatch|Missing key/.test(message) || Date.now() + delayMs > giveUpAt || this.stopping) {
          this.opts.logger.warn({ queue, worker: job.name, jobId: job.id, err: message }, 'could not record the job\'s outcome; stalled recovery will run it again');
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Blocks on `queue`'s marker until it has a job ready (or a delayed one falls due). */
  private watch(queue: QueueName): void {
    if (this.watching.has(queue) || this.stopping) return;
    this.watching.add(queue);
    const consumer = this.consumers.get(queue)!;
    void (async () => {
      try {
        while (!this.ready.has(queue) && !this.stopping) {
          let at: number;
          try {
            at = await consumer.waitForWork(IDLE_POLL_SECONDS);
          } catch {
            // The blocking connection dropped; fall back to a fetch, which reports Redis errors.
            at = 0;
          }
          if (at <= Date.now()) this.markReady(queue);
          else this.markReadyAt(queue, at);
        }
      } finally {
        this.watching.delete(queue);
      }
    })();
  }

  private markReady(queue: QueueName): void {
    this.ready.add(queue);
    this.wake();
  }

  /** A delayed job falls due at `at`: look again then, unless the queue gets a job before. */
  private markReadyAt(queue: QueueName, at: number): void {
    clearTimeout(this.dueTimers.get(queue));
    const timer = setTimeout(() => {
      this.dueTimers.delete(queue);
      this.markReady(queue);
    }, at - Date.now());
    this.dueTimers.set(queue, timer);
  }

  private wake(): void {
    const wake = this.wakeLoop;
    this.wakeLoop = undefined;
    wake?.();
  }

  private fetchBackoffMs(): number {
    return Math.min(MAX_FETCH_BACKOFF_MS, 500 * 2 ** Math.min(this.fetchFailures - 1, 10));
  }

  /** Waits out a failed fetch (capped exponential backoff) so a lasting Redis error cannot spin. */
  private pauseAfterFailure(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.fetchBackoffMs());
      this.wakeLoop = () => {
        if (!this.stopping) return;
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private nextToken(): string {
    return `${this.tokenPrefix}:${this.tokens++}`;
  }

  private async drain(deadlineMs: number): Promise<DrainResult> {
    const { logger } = this.opts;
    this.stopping = true;
    this.wake();
    for (const timer of this.dueTimers.values()) clearTimeout(timer);
    logger.info({ active: this.active.size, deadlineMs }, 'stopped fetching, draining active jobs');
    const drained = this.slotsRunning === 0 || (await this.waitForIdle(deadlineMs));
    if (drained) {
      await this.closeAll();
      return { handedBack: this.handedBackOnFetch };
    }
    let handedBack = this.handedBackOnFetch;
    for (const running of [...this.active.values()]) {
      const { job, token } = running;
      running.handedBack = true;
      try {
        await job.moveToWait(token);
        handedBack++;
        logger.warn({ queue: job.queueName, worker: job.name, jobId: job.id }, 'job outlived the shutdown deadline, handed back');
      } catch (err) {
        // The lock is gone already: the stalled check hands it back instead.
        logger.warn({ err, jobId: job.id }, 'could not hand back job; stalled recovery will');
      }
      running.abort('worker shutting down');
    }
    await this.closeAll();
    return { handedBack };
  }

  private async closeAll(): Promise<void> {
    await Promise.allSettled([...this.consumers.values()].map((c) => c.close(true)));
    await this.isolated.close();
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
}

/** Used for jobs whose worker class this pod does not know: short retries, capped at 10 min. */
const UNKNOWN_WORKER_POLICY = { retryBackoff: true, retryBackoffMax: 600, retryJitter: true } as const;
