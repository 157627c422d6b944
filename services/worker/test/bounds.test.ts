import { Worker, type JobContext } from '@bullpen/core';
import { DataProcessingWorker, type DataProcessingArgs } from '@bullpen/jobs';
import { waitFor } from '../../../test/support/deferred';
import { harness, type Harness } from './harness';

/** Counts its runs: a job refused before `perform` leaves it at 0. */
class CountingWorker extends Worker<{ text: string }, number> {
  static override queue = 'low' as const;
  static override maxRetries = 3;
  static override retryBackoff = false;
  static runs = 0;
  perform({ text }: { text: string }): number {
    CountingWorker.runs++;
    return text.length;
  }
}

/** Every sample line of `name` in a Prometheus exposition, e.g. `bullpen_jobs_failed_total{queue="low",worker="x"} 3`. */
const samples = (text: string, name: string): string[] => text.split('\n').filter((line) => line.startsWith(`${name}{`));
const value = (line: string | undefined): number => Number(line?.slice(line.lastIndexOf(' ') + 1) ?? NaN);

describe('worker bounds', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness('worker-bounds');
    CountingWorker.runs = 0;
  });
  afterEach(() => h.close());

  it('fails a job whose stored args exceed WORKER_MAX_ARGS_BYTES for good, without parsing or running it', async () => {
    await h.startWorker(h.registry(CountingWorker), { WORKER_MAX_ARGS_BYTES: '2048', WORKER_QUEUES: 'low' });
    // Written past the producer (another client, or before the limit was lowered), with retries
    // left, and not even JSON: parsing it would throw rather than fail the job with its reason.
    const queue = h.queues.get('low');
    const big = await queue.add('CountingWorker', { text: 'x' }, { attempts: 4, delay: 60_000 });
    await h.redis.hset(queue.toKey(big.id!), 'data', `{"text":"${'x'.repeat(5000)}`);
    const qe = await h.queueEvents('low');
    const failed = new Promise<string>((resolve) => {
      qe.on('failed', ({ jobId, failedReason }) => jobId === big.id && resolve(failedReason));
    });
    await big.promote();
    expect(await failed).toBe('CountingWorker: args are 5009 bytes as JSON, over WORKER_MAX_ARGS_BYTES (2048)');
    // Read raw: BullMQ's Job cannot be made from data that is not JSON.
    expect(await h.redis.hmget(queue.toKey(big.id!), 'atm', 'finishedOn')).toEqual(['1', expect.any(String)]);
    expect(CountingWorker.runs).toBe(0);
    // Args at the limit run as usual.
    const fits = await queue.add('CountingWorker', { text: 'x'.repeat(2048 - '{"text":""}'.length) }, { attempts: 4 });
    await expect(h.finished('low', fits.id!)).resolves.toBe(2037);
  });

  it('labels the metrics of jobs with 50 unknown names as one worker="unknown" series', async () => {
    const service = await h.startWorker(h.registry(), { WORKER_QUEUES: 'low' });
    const names = Array.from({ length: 50 }, (_, i) => `Ghost${i}Worker`);
    // Half fail for good at once, half are retried once (then fail for good).
    await h.queues.get('low').addBulk(names.map((name, i) => ({ name, data: {}, opts: { attempts: i % 2 === 0 ? 1 : 2 } })));
    const scrape = async () => (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text();
    const unknown = (text: string, metric: string) => samples(text, metric).filter((line) => line.includes('worker="unknown"'));
    await waitFor('50 failed and 25 retried unknown jobs', async () => {
      const text = await scrape();
      return value(unknown(text, 'bullpen_jobs_failed_total')[0]) === 50 && value(unknown(text, 'bullpen_jobs_retried_total')[0]) === 25;
    });
    const text = await scrape();
    for (const metric of ['bullpen_jobs_failed_total', 'bullpen_jobs_retried_total']) {
      expect(unknown(text, metric)).toEqual([expect.stringMatching(/^[a-z_]+\{queue="low",worker="unknown"\} \d+$/)]);
    }
    // They never ran, so no duration or completion; none of the 50 names is a label anywhere.
    for (const metric of ['bullpen_jobs_completed_total', 'bullpen_job_duration_seconds_count', 'bullpen_job_wait_seconds_count']) {
      expect(unknown(text, metric)).toEqual([]);
    }
    expect(names.filter((name) => text.includes(name))).toEqual([]);
  });

  it('keeps DataProcessingWorker\'s output size as if it had built every row at once', async () => {
    const whole = ({ userId, format = 'json', records = 100 }: DataProcessingArgs): number => {
      const rows = Array.from({ length: records }, (_, i) => ({ id: i + 1, userId, value: (i * 7919) % 1000 }));
      const output = format === 'json' ? JSON.stringify(rows) : ['id,userId,value', ...rows.map((r) => `${r.id},${r.userId},${r.value}`)].join('\n');
      return Buffer.byteLength(output);
    };
    const ctx = { logger: { info: () => {} }, progress: async () => {} } as unknown as JobContext;
    for (const format of ['json', 'csv'] as const) {
      for (const records of [0, 1, 999, 1000, 2501]) {
        const result = await new DataProcessingWorker().perform({ userId: 42, format, records }, ctx);
        expect(result).toEqual({ userId: 42, format, recordsProcessed: records, outputBytes: whole({ userId: 42, format, records }) });
      }
    }
  });
});
