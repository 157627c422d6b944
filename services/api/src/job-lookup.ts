import type { Job, Queue } from 'bullmq';
import { HttpError } from './http-error';

/**
 * Finds a job by id. BullMQ ids are unique per queue only; the API gives every job it
 * enqueues a globally unique id (a UUID, or `idem-<sha256>` for idempotent requests), so a
 * lookup asks all three queues at once (one round trip) and finds at most one. Ids made
 * elsewhere (BullMQ's per-queue counters) can exist in several queues: that answers 409
 * `ambiguous_job_id`, and `?queue=` picks one.
 */
export async function findJob(queues: readonly Queue[], id: string): Promise<Job> {
  const found = (await Promise.all(queues.map((q) => q.getJob(id)))).filter((job): job is Job => job !== undefined);
  if (found.length === 0) throw new HttpError(404, 'job_not_found', `no job with id "${id}"`);
  if (found.length > 1) {
    const names = found.map((job) => job.queueName);
    throw new HttpError(409, 'ambiguous_job_id', `job id "${id}" exists in queues ${names.join(', ')}; add ?queue=<name>`, { queues: names });
  }
  return found[0];
}
