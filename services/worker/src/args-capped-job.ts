import { Job, type JobJson } from 'bullmq';

/** The stored size of the args of each job made without parsing them. */
const oversized = new WeakMap<Job, number>();

/**
 * BullMQ's Job as a consumer makes it from Redis, except that args (stored as JSON) larger
 * than `maxArgsBytes` are not parsed: the job gets `data` null and its stored size is kept for
 * `oversizedArgsBytes`, so a huge payload written past the producer never fills the heap.
 */
export function argsCappedJob(maxArgsBytes: number): typeof Job {
  class ArgsCappedJob extends Job {
    static override fromJSON<T, R, N extends string>(queue: Parameters<typeof Job.fromJSON>[0], json: JobJson, jobId?: string): Job<T, R, N> {
      const bytes = json.data === undefined ? 0 : Buffer.byteLength(json.data);
      if (bytes <= maxArgsBytes) return super.fromJSON<T, R, N>(queue, json, jobId);
      const job = super.fromJSON<T, R, N>(queue, { ...json, data: 'null' }, jobId);
      oversized.set(job, bytes);
      return job;
    }
  }
  // Job's static side is generic over its data and name types; a subclass's cannot say so.
  return ArgsCappedJob as typeof Job;
}

/** The stored size in bytes of a job's args that `argsCappedJob` left unparsed; undefined for the others. */
export function oversizedArgsBytes(job: Job): number | undefined {
  return oversized.get(job);
}
