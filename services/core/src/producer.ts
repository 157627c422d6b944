import { randomUUID } from 'node:crypto';
import type { FlowJob, JobsOptions } from 'bullmq';
import type { Counter, Registry } from 'prom-client';
import { chainStepOptions } from './chain-step';
import { CORE_DEFAULTS } from './config';
import { ArgsTooLargeError, EnqueueOptionsError } from './errors';
import type { JobClass } from './job-class';
import type { QueueHandles } from './queue-handles';
import { QUEUE_NAMES, type QueueName } from './queues';
import { counterOn } from './registered-metric';
import { isReservedJobId } from './reserved-job-ids';

/** When and how to enqueue. `delaySeconds` and `runAt` exclude each other. */
export interface EnqueueOptions {
  /** Run no earlier than this many seconds from now. */
  delaySeconds?: number;
  /** Run no earlier than this instant; a past instant means now. */
  runAt?: Date;
  /**
   * Job id, default a random UUID, so ids are unique across queues. Adding a job whose id
   * exists returns the existing job instead of a second one.
   */
  jobId?: string;
}

export interface EnqueuedJob {
  id: string;
  worker: string;
  queue: QueueName;
}

export interface ChainStep {
  worker: JobClass;
  /** The first step's args; later steps take the previous step's result instead. */
  args?: unknown;
}

export interface BulkItem {
  worker: JobClass;
  args: unknown;
  options?: EnqueueOptions;
}

/**
 * A job validated and converted once (`Producer.prepare`): its args as the worker's schema
 * parsed them and within the size cap, its BullMQ options checked. Adding it checks nothing again.
 */
export interface PreparedJob {
  worker: JobClass;
  data: unknown;
  opts: JobsOptions & { jobId: string };
}

export interface ProducerDeps {
  /** The Queue handles it adds jobs through (their owner closes them). */
  queues: QueueHandles;
  /** Where `bullpen_jobs_enqueued_total` is exported; none: not counted. */
  register?: Registry;
  /** `WORKER_MAX_ARGS_BYTES`, default 262144 (256 KiB): larger args, as JSON, are refused with ArgsTooLargeError. */
  maxArgsBytes?: number;
}

/** The furthest ahead a job can be scheduled: 10 years, in seconds. Beyond it is a mistake, not a plan. */
export const MAX_DELAY_SECONDS = 10 * 365 * 24 * 3600;

/** BullMQ reserves ':' in ids and treats integer-looking ids as its own counter values. */
const JOB_ID = /^(?!\d+$)[\w.-]{1,200}$/;

/** Validates and converts EnqueueOptions into BullMQ job options for `cls`. */
export function jobOptions(cls: JobClass, options: EnqueueOptions, now = Date.now()): PreparedJob['opts'] {
  const { delaySeconds, runAt, jobId } = options;
  if (delaySeconds !== undefined && runAt !== undefined) throw new EnqueueOptionsError('give delaySeconds or runAt, not both');
  let delay = 0;
  if (delaySeconds !== undefined) {
    if (typeof delaySeconds !== 'number' || !Number.isFinite(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
      throw new EnqueueOptionsError(`delaySeconds must be a number from 0 to ${MAX_DELAY_SECONDS} (10 years), got ${String(delaySeconds)}`);
    }
    delay = Math.round(delaySeconds * 1000);
  }
  if (runAt !== undefined) {
    if (!(runAt instanceof Date) || Number.isNaN(runAt.getTime())) throw new EnqueueOptionsError('runAt is not a valid date');
    delay = Math.max(0, runAt.getTime() - now);
    if (delay > MAX_DELAY_SECONDS * 1000) throw new EnqueueOptionsError('runAt is more than 10 years ahead');
  }
  if (jobId !== undefined && !JOB_ID.test(jobId)) {
    throw new EnqueueOptionsError('jobId must be 1-200 letters, digits, _ . - and not only digits');
  }
  if (jobId !== undefined && isReservedJobId(jobId)) throw new EnqueueOptionsError(`jobId "${jobId}" is the name of one of BullMQ's own keys`);
  return {
    attempts: cls.maxRetries + 1,
    backoff: { type: 'bullpen' },
    ...(delay > 0 ? { delay } : {}),
    jobId: jobId ?? randomUUID(),
  };
}

/**
 * Throws ArgsTooLargeError when `data` (a job's parsed args) is over `maxBytes` as JSON in
 * UTF-8, the form BullMQ stores it in.
 */
export function checkArgsSize(worker: string, data: unknown, maxBytes: number): void {
  const json = JSON.stringify(data) ?? '';
  // A UTF-16 unit is at most 3 UTF-8 bytes, so most args are cleared without encoding them.
  if (json.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new ArgsTooLargeError(worker, bytes, maxBytes);
}

/** `bullpen_jobs_enqueued_total{queue,worker}` on `register`: jobs this process enqueued. */
function enqueuedCounter(register: Registry): Counter<'queue' | 'worker'> {
  return counterOn(register, { name: 'bullpen_jobs_enqueued_total', help: 'Jobs enqueued by this process', labelNames: ['queue', 'worker'] as const });
}

/**
 * Enqueues jobs through the process's Queue handles (a FlowProducer for chains). Args are
 * validated with the worker's schema, and their size checked, before Redis is touched.
 */
export class Producer {
  private readonly enqueued?: Counter<'queue' | 'worker'>;

  constructor(private readonly deps: ProducerDeps) {
    if (deps.register) this.enqueued = enqueuedCounter(deps.register);
  }

  /** The worker's schema's output for `args`, refused when it is larger than `maxArgsBytes`. */
  private argsOf(cls: JobClass, args: unknown): unknown {
    const data = cls.parseArgs(args);
    checkArgsSize(cls.name, data, this.deps.maxArgsBytes ?? CORE_DEFAULTS.maxArgsBytes);
    return data;
  }

  /** Validates one job without touching Redis (schema, size, options): the one check on its way in. */
  prepare(cls: JobClass, args: unknown, options: EnqueueOptions = {}, now = Date.now()): PreparedJob {
    return { worker: cls, data: this.argsOf(cls, args), opts: jobOptions(cls, options, now) };
  }

  async enqueue(cls: JobClass, args: unknown, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    return this.add(this.prepare(cls, args, options));
  }

  /** Validates every item first; enqueues nothing if one is invalid. One MULTI per queue. */
  async enqueueBulk(items: readonly BulkItem[]): Promise<EnqueuedJob[]> {
    const now = Date.now();
    return this.addBulk(items.map(({ worker, args, options }) => this.prepare(worker, args, options, now)));
  }

  async add(job: PreparedJob): Promise<EnqueuedJob> {
    const { worker } = job;
    const added = await this.deps.queues.get(worker.queue).add(worker.name, job.data, job.opts);
    this.enqueued?.inc({ queue: worker.queue, worker: worker.name });
    return { id: added.id!, worker: worker.name, queue: worker.queue };
  }

  /** Adds prepared jobs in one MULTI per queue; the answer is in the order given. */
  async addBulk(jobs: readonly PreparedJob[]): Promise<EnqueuedJob[]> {
    // One pass: each job's index in request order, grouped by queue.
    const indexesByQueue = new Map<QueueName, number[]>();
    jobs.forEach((p, i) => {
      const indexes = indexesByQueue.get(p.worker.queue);
      if (indexes) indexes.push(i);
      else indexesByQueue.set(p.worker.queue, [i]);
    });
    const results: EnqueuedJob[] = new Array(jobs.length);
    await Promise.all(
      QUEUE_NAMES.filter((q) => indexesByQueue.has(q)).map(async (queueName) => {
        const indexes = indexesByQueue.get(queueName)!;
        const added = await this.deps.queues.get(queueName).addBulk(indexes.map((i) => ({ name: jobs[i].worker.name, data: jobs[i].data, opts: jobs[i].opts })));
        // The enqueued counter goes up once per worker by its count, not once per job.
        const enqueuedByWorker = new Map<string, number>();
        added.forEach((job, k) => {
          const name = jobs[indexes[k]].worker.name;
          results[indexes[k]] = { id: job.id!, worker: name, queue: queueName };
          enqueuedByWorker.set(name, (enqueuedByWorker.get(name) ?? 0) + 1);
        });
        for (const [worker, count] of enqueuedByWorker) this.enqueued?.inc({ queue: queueName, worker }, count);
      }),
    );
    return results;
  }

  /**
   * Runs the steps one after another, each on its own worker's queue, each receiving the
   * previous result. A step that finally fails fails the rest of the chain. Returns every
   * step's job, first step first; the last one's result is the chain's result.
   */
  async chain(steps: readonly ChainStep[]): Promise<EnqueuedJob[]> {
    if (steps.length === 0) throw new EnqueueOptionsError('a chain needs at least one step');
    if (steps.slice(1).some((s) => s.args !== undefined)) {
      throw new EnqueueOptionsError('only the first step of a chain takes args; later steps receive the previous result');
    }
    const queues = [...new Set(steps.map((s) => s.worker.queue))];
    if (this.deps.queues.cluster && queues.length > 1) {
      // A flow's jobs must share one hash slot, and on a Cluster each queue has its own.
      throw new EnqueueOptionsError(`on Redis Cluster the steps of a chain must share one queue; these run on ${queues.join(', ')}`);
    }
    // A BullMQ flow runs children before their parent, so the last step is the root.
    let node: FlowJob | undefined;
    for (const step of steps) {
      const data = step.args === undefined ? null : this.argsOf(step.worker, step.args);
      const opts = { ...jobOptions(step.worker, {}), failParentOnFailure: true };
      node = {
        name: step.worker.name,
        queueName: step.worker.queue,
        data,
        prefix: this.deps.queues.prefixOf(step.worker.queue),
        // Every step but the first runs on its child's result.
        opts: node ? chainStepOptions(opts) : opts,
        ...(node ? { children: [node] } : {}),
      };
    }
    const tree = await this.deps.queues.flowProducer(queues[0]).add(node!);
    const enqueued: EnqueuedJob[] = [];
    for (let n: typeof tree | undefined = tree; n; n = n.children?.[0]) {
      enqueued.unshift({ id: n.job.id!, worker: n.job.name, queue: n.job.queueName as QueueName });
    }
    for (const step of steps) this.enqueued?.inc({ queue: step.worker.queue, worker: step.worker.name });
    return enqueued;
  }
}
