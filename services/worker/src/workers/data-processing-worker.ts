import { Worker, type JobContext } from '@bullpen/core';
import { z } from 'zod';

const schema = z.object({
  userId: z.number().int().positive(),
  format: z.enum(['json', 'csv']).default('json'),
  /** How many records to process; the seeds' example works through a user's records in batches. */
  records: z.number().int().min(0).max(1_000_000).default(100),
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
    const rows = Array.from({ length: records }, (_, i) => ({ id: i + 1, userId, value: (i * 7919) % 1000 }));
    const output = format === 'json'
      ? JSON.stringify(rows)
      : ['id,userId,value', ...rows.map((r) => `${r.id},${r.userId},${r.value}`)].join('\n');
    await ctx.progress(100);
    return { userId, format, recordsProcessed: records, outputBytes: Buffer.byteLength(output) };
  }
}
