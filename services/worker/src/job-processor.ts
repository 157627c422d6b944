import { UnrecoverableError, type Job } from 'bullmq';
import { ArgsValidationError, type JobContext, type JobServices, type Logger, type QueueName, type WorkerClass, type WorkerRegistry } from '@bullpen/core';

/**
 * A job this pod is running: what shutdown needs to hand it back (`job`, `token`) or to give it
 * up (`abort`). Its AbortSignal is made on first use: most jobs never look at `ctx.signal`,
 * and an AbortController per job is measurable.
 */
export class ActiveJob {
  private controller?: AbortController;
  private aborted?: { reason: unknown };

  constructor(
    readonly job: Job,
    readonly token: string,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.aborted.reason);
    }
    return this.controller.signal;
  }

  /** Aborts the signal with `reason`, now or as soon as it is made. Idempotent. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = { reason };
    this.controller?.abort(reason);
  }
}

export interface ProcessorDeps {
  registry: WorkerRegistry;
  logger: Logger;
  services: JobServices;
  /** Jobs running now, keyed by `queue/id` (ids are unique per queue only); drained or handed back on shutdown. */
  active: Map<string, ActiveJob>;
  /** Called with +1 when a job starts and -1 when it ends, so the pool can count busy slots. */
  onActiveChange: (queue: QueueName, delta: 1 | -1) => void;
}

/** A chain step enqueued without args takes its single child's (the previous step's) result. */
async function previousResult(job: Job): Promise<unknown> {
  const values = Object.values(await job.getChildrenValues());
  return values.length > 0 ? values[0] : job.data;
}

/** The attempt's error when a job runs past its class's `timeoutSeconds`. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/** Runs `perform`, failing it after `timeoutSeconds` and aborting the signal it sees. */
async function performWithin(run: (signal: AbortSignal) => unknown, outer: AbortSignal, timeoutSeconds: number): Promise<unknown> {
  const timeout = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new JobTimeoutError(`timed out after ${timeoutSeconds} s`);
      timeout.abort(err);
      reject(err);
    }, timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([run(AbortSignal.any([outer, timeout.signal])), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The BullMQ processor: finds the job's Worker class by name and runs `perform`.
 *
 * It takes two parameters on purpose: BullMQ makes an AbortController for every job when the
 * processor takes a third (its signal). ActiveJob makes one only for jobs that use it, and the
 * pool aborts it on shutdown.
 */
export function createProcessor(queue: QueueName, deps: ProcessorDeps) {
  const { registry, services } = deps;
  const { metrics } = services;
  // Metric labels per class, made once: prom-client keeps the object of a label set's first sample.
  const labelsByClass = new Map<WorkerClass, { queue: QueueName; worker: string }>();
  return async (job: Job, token?: string): Promise<unknown> => {
    // Unknown names are retried like any failure: during a deploy the API may know a worker before this pod does.
    const cls = registry.get(job.name);
    let labels = labelsByClass.get(cls);
    if (!labels) labelsByClass.set(cls, (labels = { queue, worker: cls.name }));
    const attempt = job.attemptsMade + 1;
    if (attempt === 1 && job.processedOn) {
      const readyAt = job.timestamp + (job.opts.delay ?? 0);
      metrics.jobWait.observe(labels, Math.max(0, job.processedOn - readyAt) / 1000);
    }
    const running = new ActiveJob(job, token!);
    let childLogger: Logger | undefined;
    /** Set when `timeoutSeconds` applies: the signal that aborts at the deadline or on shutdown. */
    let timeoutSignal: AbortSignal | undefined;
    const context: JobContext = {
      id: job.id!,
      worker: cls.name,
      queue,
      attempt,
      // Made on first use: most jobs never log, and a child logger per job is measurable.
      get logger() {
        return (childLogger ??= deps.logger.child({ queue, worker: cls.name, jobId: job.id, attempt }));
      },
      get signal() {
        return timeoutSignal ?? running.signal;
      },
      progress: (value) => job.updateProgress(value),
      services,
    };
    const key = `${queue}/${job.id}`;
    deps.active.set(key, running);
    deps.onActiveChange(queue, 1);
    const startedAt = performance.now();
    if (deps.logger.isLevelEnabled('debug')) deps.logger.debug({ queue, worker: cls.name, jobId: job.id, attempt }, 'job started');
    try {
      let args: unknown;
      try {
        args = cls.parseArgs(job.data !== null ? job.data : await previousResult(job));
      } catch (err) {
        // Args that fail the schema will fail every retry too.
        if (err instanceof ArgsValidationError) throw new UnrecoverableError(err.message);
        throw err;
      }
      const result = cls.timeoutSeconds === undefined
        ? await new cls().perform(args, context)
        : await performWithin((signal) => {
          timeoutSignal = signal;
          return new cls().perform(args, context);
        }, running.signal, cls.timeoutSeconds);
      const seconds = (performance.now() - startedAt) / 1000;
      metrics.jobDuration.observe(labels, seconds);
      deps.logger.info({ queue, worker: cls.name, jobId: job.id, attempt, durationMs: Math.round(seconds * 1000) }, 'job completed');
      return result;
    } catch (err) {
      const seconds = (performance.now() - startedAt) / 1000;
      metrics.jobDuration.observe(labels, seconds);
      deps.logger.warn({ queue, worker: cls.name, jobId: job.id, attempt, err, durationMs: Math.round(seconds * 1000) }, 'job attempt failed');
      throw err;
    } finally {
      deps.active.delete(key);
      deps.onActiveChange(queue, -1);
    }
  };
}
