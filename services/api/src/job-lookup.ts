import { isReservedJobId } from '@bullpen/core';
import type { Job, Queue } from 'bullmq';
import { HttpError } from './http-error';

/** The one answer for a job that does not exist or that the caller may not read: no oracle either way. */
export const jobNotFound = (id: string): HttpError => new HttpError(404, 'job_not_found', `no job with id "${id}"`);

/**
 * Finds a job by id. BullMQ ids are unique per queue only; the API gives every job it
 * enqueues a globally unique id (an owner tag and a UUID, or an owner tag and `idem-<hmac>`
 * for idempotent requests), so a lookup asks all three queues at once (one round trip) and
 * finds at most one. Ids made elsewhere (BullMQ's per-queue counters) can exist in several
 * queues: that answers 409
 * `ambiguous_job_id`, and `?queue=` picks one. An id naming one of BullMQ's own keys (`events`,
 * `meta`, anything with `:`) is not asked for at all, and a hash that is not a job is not one.
 */
export async function findJob(queues: readonly Queue[], id: string): Promise<Job> {
  if (isReservedJobId(id)) throw jobNotFound(id);
  const found = (await Promise.all(queues.map((q) => q.getJob(id)))).filter(isJob);
  if (found.length === 0) throw jobNotFound(id);
  if (found.length > 1) {
    const names = found.map((job) => job.queueName);
    throw new HttpError(409, 'ambiguous_job_id', `job id "${id}" exists in queues ${names.join(', ')}; add ?queue=<name>`, { queues: names });
  }
  return found[0];
}

/** BullMQ reads any hash as a job (a missing timestamp as NaN); one it wrote has a name and a creation time. */
function isJob(job: Job | undefined): job is Job {
  return job !== undefined && typeof job.name === 'string' && Number.isFinite(job.timestamp);
}
