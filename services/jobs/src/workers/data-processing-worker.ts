import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker, type JobContext } from '@bullpen/core';
import { z } from 'zod';

/**
 * The most records one job may process. Memory does not grow with it (rows are made a batch at a
 * time); it bounds how long one job holds a slot, so a bulk of such jobs cannot take a pod's pool for long.
 */
export const DATA_PROCESSING_MAX_RECORDS = 100_000;
/** Rows made and measured at once: a few hundred KB of heap, whatever `records` is. */
const BATCH_ROWS = 1_000;
const CSV_HEADER = 'id,userId,value';

const schema = z.object({
  userId: z.number().int().positive(),
  format: z.enum(['json', 'csv']).default('json'),
  /** How many records to process; the seeds' example works through a user's records in batches. */
  records: z.number().int().min(0).max(DATA_PROCESSING_MAX_RECORDS).default(100),
});

/** What callers pass (`format` and `records` may be left out). */
export type DataProcessingArgs = z.input<typeof schema>;

export interface DataProcessingResult {
  userId: number;
  format: 'json' | 'csv';
  recordsProcessed: number;
  /** The processed output's size in bytes, as it would be written. */
  outputBytes: number;
}

/** The seeds' example: process a user's data into JSON or CSV, reporting progress. */
export class DataProcessingWorker extends Worker<z.output<typeof schema>, DataProcessingResult> {
  static override queue = 'default' as const;
  static override maxRetries = 3;
  static override retryBackoff = true;
  static override retryBackoffMax = 600;
  static override schema = schema;

  async perform({ userId, format, records }: z.output<typeof schema>, ctx: JobContext): Promise<DataProcessingResult> {
    ctx.logger.info({ userId, format, records }, 'processing user data');
    // The output is measured as written a batch at a time: `[`, rows joined by `,`, `]` for JSON; a header and a line per row for CSV.
    let outputBytes = format === 'json' ? 2 + Math.max(0, records - 1) : CSV_HEADER.length;
    for (let start = 0; start < records; start += BATCH_ROWS) {
      const rows = Array.from({ length: Math.min(BATCH_ROWS, records - start) }, (_, k) => {
        const i = start + k;
        return { id: i + 1, userId, value: (i * 7919) % 1000 };
      });
      const text = format === 'json' ? rows.map((r) => JSON.stringify(r)).join('') : rows.map((r) => `\n${r.id},${r.userId},${r.value}`).join('');
      outputBytes += Buffer.byteLength(text);
      // Other jobs of the pod's slots run between batches.
      if (start + BATCH_ROWS < records) await yieldToEventLoop();
    }
    await ctx.progress(100);
    return { userId, format, recordsProcessed: records, outputBytes };
  }
}
