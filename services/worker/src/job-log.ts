import type { Job } from 'bullmq';
import { coerceError, type Logger } from '@bullpen/core';

/**
 * Bounds of a job's log in Redis (what the dashboard's Logs tab shows): the last 1000 lines are
 * kept, across its attempts (a job enqueued with BullMQ's `keepLogs` keeps that many instead),
 * and a line over 2048 bytes is cut, so a chatty job costs at most about 2 MB of Redis until it
 * is removed with the job.
 */
export const JOB_LOG_LIMITS = { lines: 1000, lineBytes: 2048 } as const;

/** `line` cut to `JOB_LOG_LIMITS.lineBytes` (UTF-8), saying how long it was. */
export function capLogLine(line: string): string {
  // At most 3 bytes per UTF-16 unit: most lines are cleared without encoding them.
  if (line.length * 3 <= JOB_LOG_LIMITS.lineBytes) return line;
  const bytes = Buffer.from(line);
  if (bytes.length <= JOB_LOG_LIMITS.lineBytes) return line;
  const note = ` [cut: ${bytes.length} bytes]`;
  // A multi-byte character cut in half decodes as U+FFFD: drop it.
  return bytes.subarray(0, JOB_LOG_LIMITS.lineBytes - note.length - 3).toString('utf8').replace(/\uFFFD$/, '') + '...' + note;
}

/**
 * The lines a job's `ctx.logger` writes, on their way to the job's log in Redis (`job.log`).
 * `add` never waits: one write is in flight at a time and lines written meanwhile go in the
 * next one, so a job that logs does not wait for Redis line by line. `flush` resolves once every
 * line added so far is written; the processor awaits it before it records the attempt's outcome.
 */
export class JobLog {
  private pending: string[] = [];
  private writing?: Promise<void>;
  private warned = false;

  constructor(
    private readonly job: Job,
    /** The pod's logger: lines that could not be written are reported here, once per job. */
    private readonly logger: Logger,
  ) {
    // job.log trims the list to opts.keepLogs in the same script.
    job.opts.keepLogs ??= JOB_LOG_LIMITS.lines;
  }

  add(line: string): void {
    this.pending.push(capLogLine(line));
    // Older lines would be trimmed by the write anyway: keep the buffer bounded too.
    if (this.pending.length > this.job.opts.keepLogs!) this.pending.shift();
    // Started after the current synchronous run of the job's code, so a burst of lines goes in one write.
    this.writing ??= Promise.resolve().then(() => this.drain());
  }

  /** Resolves when every line added so far is in Redis (or given up on). Never rejects. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      // Sent together on one connection, so Redis appends them in order.
      const written = await Promise.allSettled(batch.map((line) => this.job.log(line)));
      const failed = written.find((w) => w.status === 'rejected');
      if (failed && !this.warned) {
        this.warned = true;
        this.logger.warn({ jobId: this.job.id, err: coerceError((failed).reason).message }, 'job log lines not written to redis');
      }
    }
    this.writing = undefined;
  }
}
