import type { Job } from 'bullmq';
import type { QueueName } from '@bullpen/core';
import type { JobStatus } from './schemas';

const iso = (ms: number | undefined | null): string | null => (ms ? new Date(ms).toISOString() : null);

export function statusUrl(id: string): string {
  return `/api/jobs/${encodeURIComponent(id)}`;
}

/** The public view of a job (GET /api/jobs/:id). */
export function jobStatus(job: Job, state: JobStatus['state']): JobStatus {
  return {
    id: job.id!,
    worker: job.name,
    queue: job.queueName as QueueName,
    state,
    progress: (job.progress as JobStatus['progress']) ?? 0,
    result: job.returnvalue ?? null,
    error: job.failedReason || null,
    attemptsMade: job.attemptsMade,
    createdAt: iso(job.timestamp),
    startedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
  };
}
