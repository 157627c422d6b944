import { UnrecoverableError, type Job } from 'bullmq';
import { ArgsValidationError, type JobContext, type JobServices, type Logger, type QueueName, type WorkerRegistry } from '@bullpen/core';

export interface ActiveJob {
  job: Job;
  token: string;
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
async function argsOf(job: Job): Promise<unknown> {
  if (job.data !== null) return job.data;
  const values = Object.values(await job.getChildrenValues());
  return values.length > 0 ? values[0] : job.data;
}

/** The attempt's error when a job runs past its class's `timeoutSeconds`. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/** Runs `perform`, failing it after `timeoutSeconds` and aborting the signal it sees. */
async function performWithin(run: (signal: AbortSignal) => Promise<unknown>, outer: AbortSignal, timeoutSeconds: number | undefined): Promise<unknown> {
  if (timeoutSeconds === undefined) return run(outer);
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

/** The BullMQ processor: finds the job's Worker class by name and runs `perform`. */
export function createProcessor(queue: QueueName, deps: ProcessorDeps) {
  const { registry } = deps;
  const { metrics } = deps.services;
  return async (job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> => {
    // Unknown names are retried like any failure: during a deploy the API may know a worker before this pod does.
    const cls = registry.get(job.name);
    const labels = { queue, worker: cls.name };
    const attempt = job.attemptsMade + 1;
    if (attempt === 1 && job.processedOn) {
      const readyAt = job.timestamp + (job.opts.delay ?? 0);
      metrics.jobWait.observe(labels, Math.max(0, job.processedOn - readyAt) / 1000);
    }
    const bindings = { queue, worker: cls.name, jobId: job.id, attempt };
    let childLogger: Logger | undefined;
    const context = (ctxSignal: AbortSignal): JobContext => ({
      id: job.id!,
      worker: cls.name,
      queue,
      attempt,
      // Made on first use: most jobs never log, and a child logger per job is measurable.
      get logger() {
        return (childLogger ??= deps.logger.child(bindings));
      },
      signal: ctxSignal,
      progress: (value) => job.updateProgress(value),
      services: deps.services,
    });
    const key = `${queue}/${job.id}`;
    deps.active.set(key, { job, token: token! });
    deps.onActiveChange(queue, 1);
    const stopTimer = metrics.jobDuration.startTimer(labels);
    deps.logger.debug(bindings, 'job started');
    try {
      let args: unknown;
      try {
        args = cls.parseArgs(await argsOf(job));
      } catch (err) {
        // Args that fail the schema will fail every retry too.
        if (err instanceof ArgsValidationError) throw new UnrecoverableError(err.message);
        throw err;
      }
      const result = await performWithin(
        (ctxSignal) => Promise.resolve(new cls().perform(args, context(ctxSignal))),
        signal ?? new AbortController().signal,
        cls.timeoutSeconds,
      );
      deps.logger.info({ ...bindings, durationMs: Math.round(stopTimer() * 1000) }, 'job completed');
      return result;
    } catch (err) {
      deps.logger.warn({ ...bindings, err, durationMs: Math.round(stopTimer() * 1000) }, 'job attempt failed');
      throw err;
    } finally {
      deps.active.delete(key);
      deps.onActiveChange(queue, -1);
    }
  };
}
