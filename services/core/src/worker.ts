import { CronExpressionParser } from 'cron-parser';
import type { Registry } from 'prom-client';
import type { z, ZodType } from 'zod';
import { retryDelayMs } from './backoff';
import { defaultProducer } from './default-producer';
import { ArgsValidationError } from './errors';
import type { Logger } from './logger';
import type { ChainStep, EnqueuedJob, EnqueueOptions } from './producer';
import { isQueueName, type QueueName } from './queues';

/**
 * Per-process dependencies handed to every job. The worker service adds its own fields by
 * declaration merging (`declare module '@bullpen/core' { interface JobServices { ... } }`).
 */
export interface JobServices {
  /** The process's metrics registry: a job defines its own metrics on it (`registeredMetric`). */
  register: Registry;
}

/** What `perform` gets besides its args. */
export interface JobContext {
  id: string;
  worker: string;
  queue: QueueName;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
  /** Child logger carrying `{queue, worker, jobId}`. */
  logger: Logger;
  /** Aborted when the worker must give the job up (shutdown deadline passed, or `timeoutSeconds`). */
  signal: AbortSignal;
  /** Report progress (0-100 or an object); visible in the API and the dashboard. */
  progress(value: number | object): Promise<void>;
  services: JobServices;
}

/** A concrete Worker subclass, as the registry, producer and runner see it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any class, whatever its args and result types
export type WorkerClass<TArgs = any, TResult = any> = (new () => Worker<TArgs, TResult>) & Omit<typeof Worker, 'prototype'>;

/**
 * What callers pass to `performAsync`: the schema's input type when the class has a schema
 * (so defaults may be left out), else the type `perform` takes.
 */
export type ArgsOf<W extends WorkerClass> = W extends { schema: infer S extends ZodType }
  ? z.input<S>
  : Parameters<InstanceType<W>['perform']>[0];

/** A worker class whose static settings are unusable; raised when the registry loads it. */
export class WorkerDefinitionError extends Error {
  override name = 'WorkerDefinitionError';
}

/**
 * Base class of every job. Subclass it in `services/jobs/src/workers/`, set the static
 * settings you need and implement `perform`; the class name is the job's name.
 */
export abstract class Worker<TArgs = unknown, TResult = unknown> {
  /** Queue the job goes to: 'critical' | 'default' | 'low'. Default 'default'. */
  static queue: QueueName = 'default';
  /** Attempts after the first run before the job is failed. Default 3. */
  static maxRetries = 3;
  /** `true`: exponential backoff from 1 s; a number: from that many seconds; `false`: retry at once. */
  static retryBackoff: boolean | number = true;
  /** Cap of the backoff delay, in seconds. Default 600. */
  static retryBackoffMax = 600;
  /** Randomise each retry delay between 0 and the computed backoff. Default true. */
  static retryJitter = true;
  /**
   * Fail an attempt that runs longer than this many seconds (it is retried like any failure).
   * Inline, `ctx.signal` aborts at that moment; work that ignores the signal keeps running in
   * the background, but its slot is freed. With `isolation = 'process'` the attempt's process is
   * killed instead. Default: no limit.
   */
  static timeoutSeconds?: number;
  /**
   * Where each attempt runs. Default: the pod's `WORKER_ISOLATION` (itself `inline` by default).
   *
   * - `'inline'`: in the worker pod's own process. The cheapest; right for ordinary async IO
   *   jobs (HTTP calls, queries) that await and return.
   * - `'process'`: in a child process the pod reuses between jobs (module state carries over
   *   from one job to the next, as inline). For untrusted, CPU-heavy or native code, or code
   *   that leaks, which could hang the event loop, call `process.exit` or exhaust memory: a busy
   *   loop past `timeoutSeconds` is killed, and an exit or an OOM (heap limit
   *   `WORKER_JOB_MEMORY_MB`) fails that attempt only. It costs a round trip to the child per
   *   attempt, args and results must be JSON-serialisable, and metrics the job sets on
   *   `ctx.services.register` stay in the child (the pod's `/metrics` does not show them).
   */
  static isolation?: 'inline' | 'process';
  /**
   * True for jobs only the platform starts (cron, code): the API refuses them to client tokens,
   * and GET /api/workers does not list them to clients. Admin tokens and the beat may enqueue them.
   */
  static internal = false;
  /** 5-field cron expression (UTC); the beat service schedules the job when set. */
  static cronSchedule?: string;
  /** Args for the runs that `cronSchedule` starts. */
  static cronArgs?: unknown;
  /** zod schema; args are validated with it before enqueue and again before `perform`, which gets the parsed value. */
  static schema?: ZodType;
  /**
   * Defines the metrics the job records on `register`. A worker pod calls it at start for every
   * job on its queues, so those series are exported (at 0) before the first run, not from it.
   */
  static registerMetrics(_register: Registry): void {}

  abstract perform(args: TArgs, ctx: JobContext): Promise<TResult> | TResult;

  /** Validates args with the class's schema; returns the parsed value (defaults applied). */
  static parseArgs<A>(this: WorkerClass<A>, args: unknown): A {
    if (!this.schema) return args as A;
    const parsed = this.schema.safeParse(args);
    if (parsed.success) return parsed.data as A;
    throw new ArgsValidationError(
      this.name,
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }

  /** Enqueue to run as soon as a worker is free. */
  static performAsync<W extends WorkerClass>(this: W, args: ArgsOf<W>, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    return defaultProducer().enqueue(this, args, options);
  }

  /** Enqueue to run after `seconds`. */
  static performIn<W extends WorkerClass>(this: W, seconds: number, args: ArgsOf<W>, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    return defaultProducer().enqueue(this, args, { ...options, delaySeconds: seconds });
  }

  /** Enqueue to run at `date` (at once if it is in the past). */
  static performAt<W extends WorkerClass>(this: W, date: Date, args: ArgsOf<W>, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    return defaultProducer().enqueue(this, args, { ...options, runAt: date });
  }

  /**
   * One step of a chain (see `Producer.chain`). The first step takes args; every later step
   * is given no args and receives the previous step's result as its args.
   */
  static step<W extends WorkerClass>(this: W, args?: ArgsOf<W>): ChainStep {
    return { worker: this, args };
  }

  /** Delay before retry number `retry`, in milliseconds. */
  static retryDelayMs(this: WorkerClass, retry: number): number {
    return retryDelayMs(this, retry);
  }
}

/** Throws WorkerDefinitionError when a class's static settings cannot work. */
export function assertValidWorkerClass(cls: WorkerClass): void {
  const fail = (problem: string) => {
    throw new WorkerDefinitionError(`${cls.name}: ${problem}`);
  };
  if (!isQueueName(cls.queue)) fail(`static queue "${cls.queue}" is not one of critical, default, low`);
  if (!Number.isInteger(cls.maxRetries) || cls.maxRetries < 0) fail(`static maxRetries must be an integer >= 0`);
  if (typeof cls.retryBackoff === 'number' && !(cls.retryBackoff > 0)) fail(`static retryBackoff must be > 0 seconds`);
  if (!(cls.retryBackoffMax > 0)) fail(`static retryBackoffMax must be > 0 seconds`);
  if (cls.timeoutSeconds !== undefined && !(cls.timeoutSeconds > 0)) fail(`static timeoutSeconds must be > 0`);
  if (cls.isolation !== undefined && cls.isolation !== 'inline' && cls.isolation !== 'process') fail(`static isolation "${cls.isolation}" is not one of inline, process`);
  if (cls.cronSchedule !== undefined) {
    if (cls.cronSchedule.trim().split(/\s+/).length !== 5) fail(`cronSchedule "${cls.cronSchedule}" must have 5 fields`);
    try {
      CronExpressionParser.parse(cls.cronSchedule, { tz: 'UTC' });
    } catch (err) {
      fail(`cronSchedule "${cls.cronSchedule}": ${(err as Error).message}`);
    }
  }
}

export function isWorkerClass(value: unknown): value is WorkerClass {
  return typeof value === 'function' && value.prototype instanceof Worker;
}
