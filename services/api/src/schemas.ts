import { isQueueName, JOB_STATES, MAX_DELAY_SECONDS, QUEUE_NAMES, type QueueName } from '@bullpen/core';
import { z } from 'zod';
import { HttpError } from './http-error';

/**
 * The request and response bodies of the HTTP API. Requests are validated with these schemas,
 * handlers are typed with them, and `/openapi.json` is generated from them: one copy.
 */

const workerName = z.string().min(1).max(200).describe('Worker class name, as listed by GET /api/workers');
const args = z.unknown().describe("The job's args, validated with the worker's schema (422 when they fail it); {} when omitted");
const delaySeconds = z.number().min(0).max(MAX_DELAY_SECONDS).describe('Run no earlier than this many seconds from now (at most 10 years)');
const runAt = z.iso.datetime({ offset: true }).describe('Run no earlier than this instant (ISO 8601; a past instant means now)');
export const idempotencyKey = z.string().min(1).max(255)
  .describe('Same key again within the retention (per token name) returns the first job instead of a new one; also accepted as the Idempotency-Key header');

export const EnqueueRequest = z.strictObject({
  worker: workerName,
  args: args.optional(),
  delaySeconds: delaySeconds.optional(),
  runAt: runAt.optional(),
  idempotencyKey: idempotencyKey.optional(),
}).describe('One job to enqueue; give delaySeconds or runAt, not both');

export const BulkJob = z.strictObject({
  worker: workerName,
  args: args.optional(),
  delaySeconds: delaySeconds.optional(),
  runAt: runAt.optional(),
});

export const MAX_BULK_JOBS = 1000;

export const BulkEnqueueRequest = z.strictObject({
  jobs: z.array(BulkJob).min(1).max(MAX_BULK_JOBS),
  idempotencyKey: idempotencyKey.optional(),
}).describe('Jobs validated together: if one is invalid, none is enqueued');

const queueName = z.enum(QUEUE_NAMES);

/**
 * An object with one named key per entry of `keys`, rather than a free-form map: the document lists the keys,
 * so client generators type `queues.critical` instead of an index signature.
 */
function keyed<K extends string, S extends z.ZodType>(keys: readonly K[], value: S) {
  return z.object(Object.fromEntries(keys.map((k) => [k, value])) as Record<K, S>);
}

export const JobParams = z.object({ id: z.string().min(1).max(512).describe('Job id as returned by POST /api/jobs') });
export const JobQuery = z.object({
  queue: queueName.optional().describe('Only needed for ids that exist in several queues (409 ambiguous_job_id)'),
});
export const QueueParams = z.object({ name: queueName });
const jobState = z.enum([...JOB_STATES, 'unknown']).describe("BullMQ's job state; unknown once the job is no longer stored");
const isoTime = z.iso.datetime().nullable();

export const EnqueueResponse = z.object({
  id: z.string(),
  worker: z.string(),
  queue: queueName,
  state: jobState,
  statusUrl: z.string().describe('Where to poll the job (GET)'),
});

export const BulkEnqueueResponse = z.object({ ids: z.array(z.string()).describe('Job ids, in request order') });

export const JobStatus = z.object({
  id: z.string(),
  worker: z.string(),
  queue: queueName,
  state: jobState,
  progress: z.union([z.number(), z.record(z.string(), z.unknown())]).describe('What the job reported with ctx.progress(); 0 until then'),
  result: z.unknown().describe("perform()'s return value once completed, else null"),
  error: z.string().nullable().describe('The last failure message, else null'),
  attemptsMade: z.number().int(),
  createdAt: isoTime,
  startedAt: isoTime.describe('When the latest attempt started'),
  finishedAt: isoTime,
});

export const JobActionResponse = z.object({
  id: z.string(),
  worker: z.string(),
  queue: queueName,
  state: z.enum(['waiting', 'cancelled']).describe('waiting after a retry, cancelled after a cancel'),
});

export const QueueSummary = z.object({
  paused: z.boolean(),
  counts: keyed(JOB_STATES, z.number().int()).describe('Jobs per BullMQ state'),
  oldestWaitingSeconds: z.number().describe('Age of the job that has been ready to run the longest; 0 when none waits'),
  jobSchedulers: z.number().int().describe(
    "BullMQ job schedulers on the queue (the beat's cron schedules, and any made by hand). Each keeps its next run as one delayed job, counted in counts.delayed",
  ),
});

export const QueueList = z.object({ queues: keyed(QUEUE_NAMES, QueueSummary) });

/** `?queues=critical,default`: the listed queues in their priority order, each once; unknown names fail. */
const queueList = z.string().transform((text, ctx): QueueName[] => {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.find((n) => !isQueueName(n));
  if (names.length === 0 || unknown !== undefined) {
    const what = unknown === undefined ? 'names no queue' : `unknown queue "${unknown}"`;
    ctx.addIssue({ code: 'custom', message: `${what} (queues: ${QUEUE_NAMES.join(', ')})` });
    return z.NEVER;
  }
  return QUEUE_NAMES.filter((q) => names.includes(q));
});

export const BacklogQuery = z.object({
  queues: queueList.optional().describe(
    'Comma-separated queues to report and to sum into total, e.g. critical,default (a worker group\'s WORKER_QUEUES); default: all',
  ),
});

const Backlog = z.object({
  ready: z.number().int().describe('Jobs ready to run: waiting + prioritized'),
  oldestSeconds: z.number().describe('Age of the oldest ready job in seconds'),
  paused: z.boolean(),
});

export const QueueBacklog = z.object({
  queues: keyed(QUEUE_NAMES, Backlog).partial().describe('The listed queues (default: all), by name'),
  total: Backlog.extend({
    ready: Backlog.shape.ready.describe('Ready jobs summed over the listed queues'),
    oldestSeconds: Backlog.shape.oldestSeconds.describe('The largest oldestSeconds of the listed queues'),
    paused: Backlog.shape.paused.describe('true when every listed queue is paused'),
  }).describe('The listed queues together: what one autoscaler trigger per worker group reads'),
}).describe(
  "Backlog for autoscalers (KEDA metrics-api trigger): per queue, e.g. valueLocation 'queues.default.ready', or a worker group's queues together, e.g. ?queues=default,low and valueLocation 'total.ready'",
);

export const QueuePauseResponse = z.object({ queue: queueName, paused: z.boolean() });

export const WorkerInfo = z.object({
  name: z.string(),
  queue: queueName,
  maxRetries: z.number().int(),
  retryBackoff: z.union([z.boolean(), z.number()]),
  retryBackoffMax: z.number().describe('Seconds'),
  cronSchedule: z.string().nullable(),
  argsSchema: z.record(z.string(), z.unknown()).nullable().describe("JSON Schema of the worker's args; null when it has no schema"),
});

export const WorkerList = z.object({ workers: z.array(WorkerInfo) });

export const HealthResponse = z.object({ status: z.string() });

export const ErrorResponse = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. invalid_args'),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export type EnqueueRequest = z.infer<typeof EnqueueRequest>;
export type BulkJob = z.infer<typeof BulkJob>;
export type EnqueueResponse = z.infer<typeof EnqueueResponse>;
export type JobStatus = z.infer<typeof JobStatus>;
export type JobActionResponse = z.infer<typeof JobActionResponse>;
export type QueueSummary = z.infer<typeof QueueSummary>;
export type QueueBacklog = z.infer<typeof QueueBacklog>;
export type Backlog = z.infer<typeof Backlog>;
export type WorkerInfo = z.infer<typeof WorkerInfo>;

/** Issues as `{path, message}`, the shape ArgsValidationError uses too. */
export function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Parses a request part or throws 400 `invalid_request` listing every issue. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  const first = issues[0];
  throw new HttpError(400, 'invalid_request', `invalid ${what}: ${first.path ? `${first.path}: ` : ''}${first.message}`, { issues });
}
