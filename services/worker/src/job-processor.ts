import { UnrecoverableError, type Job } from 'bullmq';
import {
  ArgsTooLargeError, ArgsValidationError, isChainStep, teeLogger, WorkerDefinitionError, type JobContext, type JobServices, type Logger, type LogLineSink, type QueueName, type WorkerClass, type WorkerRegistry,
} from '@bullpen/core';
import { oversizedArgsBytes } from './args-capped-job';
import { JobTimeoutError, ResultTooLargeError } from './job-errors';
import { JobLog } from './job-log';
import type { JobMetrics } from './job-metrics';
import type { JobProcessPool } from './job-process-pool';
import type { Outcome } from './queue-consumer';

/**
 * A job this pod is running: what shutdown needs to hand it back (`job`, `token`) or to give it
 * up (`abort`). Its AbortSignal is made on first use: most jobs never look at `ctx.signal`,
 * and an AbortController per job is measurable.
 */
export class ActiveJob {
  private controller?: AbortController;
  private aborted?: { reason: unknown };
  /** Set when shutdown moved the job back to wait: its outcome must not be recorded. */
  handedBack = false;
  /** What `ctx.logger` wrote, on its way to the job's log; made by the first line. */
  log?: JobLog;

  constructor(
    readonly queue: QueueName,
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

export interface JobProcessorOptions {
  registry: WorkerRegistry;
  logger: Logger;
  services: JobServices;
  /** Where the attempts' wait and run times are recorded. */
  metrics: Pick<JobMetrics, 'duration' | 'wait'>;
  /** Where classes with `isolation: 'process'` (or all, under `WORKER_ISOLATION=process`) run. */
  isolated: JobProcessPool;
  /** `WORKER_ISOLATION`: how classes that do not say run. */
  defaultIsolation: 'inline' | 'process';
  /** `WORKER_MAX_RESULT_BYTES`: the largest result, as JSON, a job may store. */
  maxResultBytes: number;
  /** `WORKER_MAX_ARGS_BYTES`: the largest args, as JSON, a job may have; the consumer leaves larger ones unparsed. */
  maxArgsBytes: number;
}

/** The `worker` label of every job whose name no class of this pod has: one series, however many names come. */
export const UNKNOWN_WORKER_LABEL = 'unknown';

/** A chain step (`isChainStep`) takes its single child's (the previous step's) result. */
async function previousResult(job: Job): Promise<unknown> {
  const values = Object.values(await job.getChildrenValues());
  return values.length > 0 ? values[0] : job.data;
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
 * Checks that a result can be stored: JSON-serialisable (a circular or BigInt result fails
 * for good: running again cannot change it) and at most `maxBytes` as JSON.
 */
function checkResult(result: unknown, maxBytes: number): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (err) {
    throw new UnrecoverableError(`result is not JSON-serialisable: ${(err as Error).message}`);
  }
  // Bytes are at most 3 per UTF-16 unit, so most results are cleared without encoding them.
  if (json !== undefined && json.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(json);
    if (bytes > maxBytes) throw new ResultTooLargeError(`result is ${bytes} bytes as JSON, over WORKER_MAX_RESULT_BYTES (${maxBytes})`);
  }
}

/**
 * Runs one attempt of a job: finds its Worker class by name, validates the args, runs
 * `perform` inline or in a job process, and says how it ended. It never throws: the pool
 * records the outcome in Redis.
 */
export class JobProcessor {
  /** Metric labels per worker name, made once: prom-client keeps the object of a label set's first sample. */
  private readonly labelsByName = new Map<string, { queue: QueueName; worker: string }>();

  constructor(private readonly opts: JobProcessorOptions) {
    for (const cls of opts.registry.list()) {
      if (this.isolationOf(cls) === 'process' && opts.registry.modulePathOf(cls) === undefined) {
        throw new WorkerDefinitionError(`${cls.name}: isolation 'process' needs the class exported from a module the worker loads (services/jobs/src/workers/), so its job process can load it too`);
      }
    }
  }

  private isolationOf(cls: WorkerClass): 'inline' | 'process' {
    return cls.isolation ?? this.opts.defaultIsolation;
  }

  /** Labels of a job's metrics; names this pod does not know share one series, so they cannot grow without bound. */
  labels(queue: QueueName, name: string): { queue: QueueName; worker: string } {
    const worker = this.opts.registry.has(name) ? name : UNKNOWN_WORKER_LABEL;
    let labels = this.labelsByName.get(worker);
    // A job can sit on another queue than its class names (the class moved between deploys).
    if (labels?.queue !== queue) this.labelsByName.set(worker, (labels = { queue, worker }));
    return labels;
  }

  /** Runs the attempt; its outcome is returned once every line its logger wrote is in the job's log. */
  async run(running: ActiveJob): Promise<Outcome> {
    const outcome = await this.attempt(running);
    await running.log?.flush();
    return outcome;
  }

  /** Lines for the job's log in Redis (the dashboard's Logs tab). */
  private logSink(running: ActiveJob): LogLineSink {
    return (line) => (running.log ??= new JobLog(running.job, this.opts.logger)).add(line);
  }

  private async attempt(running: ActiveJob): Promise<Outcome> {
    const { opts } = this;
    const { job, queue } = running;
    const { metrics } = opts;
    let cls: WorkerClass;
    try {
      // Unknown names are retried like any failure: during a deploy the API may know a worker before this pod does.
      cls = opts.registry.get(job.name);
    } catch (err) {
      return { ok: false, error: err as Error };
    }
    const labels = this.labels(queue, cls.name);
    const attempt = job.attemptsMade + 1;
    if (attempt === 1 && job.processedOn) {
      const readyAt = job.timestamp + (job.opts.delay ?? 0);
      metrics.wait.observe(labels, Math.max(0, job.processedOn - readyAt) / 1000);
    }
    const startedAt = performance.now();
    const logger = opts.logger;
    if (logger.isLevelEnabled('debug')) logger.debug({ queue, worker: cls.name, jobId: job.id, attempt }, 'job started');
    try {
      const storedBytes = oversizedArgsBytes(job);
      // No retry can shrink them; they were never parsed, so they cannot fill the heap either.
      if (storedBytes !== undefined) throw new UnrecoverableError(new ArgsTooLargeError(cls.name, storedBytes, opts.maxArgsBytes).message);
      let args: unknown;
      try {
        args = cls.parseArgs(isChainStep(job) ? await previousResult(job) : job.data);
      } catch (err) {
        // Args that fail the schema will fail every retry too.
        if (err instanceof ArgsValidationError) throw new UnrecoverableError(err.message);
        throw err;
      }
      const result = this.isolationOf(cls) === 'process'
        ? await this.runIsolated(cls, args, running, attempt)
        : await this.runInline(cls, args, running, attempt);
      checkResult(result, opts.maxResultBytes);
      const seconds = (performance.now() - startedAt) / 1000;
      metrics.duration.observe(labels, seconds);
      if (logger.isLevelEnabled('debug')) logger.debug({ queue, worker: cls.name, jobId: job.id, attempt, durationMs: Math.round(seconds * 1000) }, 'job completed');
      return { ok: true, result };
    } catch (err) {
      const seconds = (performance.now() - startedAt) / 1000;
      metrics.duration.observe(labels, seconds);
      const error = err instanceof Error ? err : new Error(String(err));
      logger.warn({ queue, worker: cls.name, jobId: job.id, attempt, err: error, durationMs: Math.round(seconds * 1000) }, 'job attempt failed');
      return { ok: false, error };
    }
  }

  private runInline(cls: WorkerClass, args: unknown, running: ActiveJob, attempt: number): Promise<unknown> {
    const { job, queue } = running;
    const parent = this.opts.logger;
    const sink = this.logSink(running);
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
        return (childLogger ??= teeLogger(parent, { queue, worker: cls.name, jobId: job.id, attempt }, sink));
      },
      get signal() {
        return timeoutSignal ?? running.signal;
      },
      progress: (value) => job.updateProgress(value),
      services: this.opts.services,
    };
    if (cls.timeoutSeconds === undefined) return Promise.resolve(new cls().perform(args, context));
    return performWithin((signal) => {
      timeoutSignal = signal;
      return new cls().perform(args, context);
    }, running.signal, cls.timeoutSeconds);
  }

  private runIsolated(cls: WorkerClass, args: unknown, running: ActiveJob, attempt: number): Promise<unknown> {
    const { job, queue } = running;
    return this.opts.isolated.run({
      modulePath: this.opts.registry.modulePathOf(cls)!,
      workerName: cls.name,
      args,
      job: { id: job.id!, queue, attempt },
      timeoutSeconds: cls.timeoutSeconds,
      onProgress: (value) => job.updateProgress(value),
      onLog: this.logSink(running),
      signal: running.signal,
    });
  }
}
