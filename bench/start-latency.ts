// Start latency, enqueue (just before the call) to the start of perform:
// - at a steady 200 jobs/s, Bullpen (Producer + WorkerPool, concurrency 8) vs a naive raw
//   BullMQ Queue + Worker at the same rate and concurrency;
// - critical start under a low flood: a pool of 8 with the service's default of 1 reserved
//   critical slot, a 10k-job low backlog of 100 ms jobs keeping the 7 other slots busy, and 200
//   critical jobs sent at 50/s; the baseline is the same critical jobs with no backlog.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker as BullWorker, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Producer, QueueHandles } from '@bullpen/core';
import { deletePrefix, uniquePrefix } from '../test/support/redis';
import { createBenchPool } from './bullpen-pool';
import { BusyLowWorker, latencies, PingWorker, UrgentWorker } from './fixtures/latency-workers';
import { percentile, record } from './results';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RATE = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 8;
const LOW_BACKLOG = 10_000;
const CRITICAL_JOBS = 200;
const CRITICAL_RATE = 50;
const FIXTURE = join(__dirname, 'fixtures', 'latency-workers.ts');

const now = () => performance.timeOrigin + performance.now();

/** Sends `count` jobs at `rate`/s through `send`, then waits until all have started. */
async function steady(count: number, rate: number, send: (sentAt: number) => Promise<unknown>): Promise<number[]> {
  latencies.length = 0;
  const start = now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 0) await sleep(wait);
    await send(now());
  }
  while (latencies.length < count) await sleep(10);
  return [...latencies].sort((a, b) => a - b);
}

async function withPrefix<T>(name: string, fn: (connection: Redis, prefix: string) => Promise<T>): Promise<T> {
  const prefix = uniquePrefix(name);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    return await fn(connection, prefix);
  } finally {
    await deletePrefix(connection, prefix);
    await connection.quit();
  }
}

/** 200 critical jobs at 50/s into a pool of 8 on all three queues, after `backlog` low jobs. */
function critical(backlog: number) {
  return withPrefix('bench-critical', async (connection, prefix) => {
    const queues = new QueueHandles({ connection, prefix });
    const producer = new Producer({ queues });
    for (let i = 0; i < backlog; i += 1000) {
      await producer.enqueueBulk(Array.from({ length: Math.min(1000, backlog - i) }, () => ({ worker: BusyLowWorker, args: undefined })));
    }
    const pool = createBenchPool({ connection, prefix, modules: [FIXTURE], env: { WORKER_CONCURRENCY: String(CONCURRENCY) } });
    await pool.start();
    // The flood holds every slot but the reserved one before the first critical job is sent.
    while (backlog > 0 && pool.activeCount('low') < CONCURRENCY - 1) await sleep(1);
    // Busy low slots seen at each send (a slot that frees up takes critical first, then low again).
    const lowBusy: number[] = [];
    const sorted = await steady(CRITICAL_JOBS, CRITICAL_RATE, (sentAt) => {
      lowBusy.push(pool.activeCount('low'));
      return producer.enqueue(UrgentWorker, { sentAt });
    });
    const lowLeft = await queues.get('low').getWaitingCount();
    await pool.close(5_000);
    await queues.close();
    if (backlog > 0) {
      const mean = lowBusy.reduce((a, b) => a + b, 0) / lowBusy.length;
      console.error(`  low flood: ${Math.min(...lowBusy)}-${Math.max(...lowBusy)} (mean ${mean.toFixed(2)}) of ${CONCURRENCY} slots ran low jobs at the critical sends; ${lowLeft} low jobs still waiting at the end`);
      if (lowLeft === 0) throw new Error('the low backlog drained before the critical jobs were done');
      if (mean < CONCURRENCY - 1.5) throw new Error(`on average only ${mean.toFixed(2)} slots ran low jobs; the flood did not keep the pool busy`);
    }
    return sorted;
  });
}

async function main(): Promise<void> {
  const count = RATE * SECONDS;
  const bullpen = await withPrefix('bench-latency', async (connection, prefix) => {
    const pool = createBenchPool({ connection, prefix, modules: [FIXTURE], env: { WORKER_QUEUES: 'default', WORKER_CONCURRENCY: String(CONCURRENCY) } });
    await pool.start();
    const queues = new QueueHandles({ connection, prefix });
    const producer = new Producer({ queues });
    const sorted = await steady(count, RATE, (sentAt) => producer.enqueue(PingWorker, { sentAt }));
    await pool.close(5_000);
    await queues.close();
    return sorted;
  });
  const raw = await withPrefix('bench-latency', async (connection, prefix) => {
    const queue = new Queue('default', { connection, prefix });
    const worker = new BullWorker('default', async (job) => PingWorker.prototype.perform.call(null, job.data), { connection, prefix, concurrency: CONCURRENCY });
    await worker.waitUntilReady();
    const sorted = await steady(count, RATE, (sentAt) => queue.add('PingWorker', { sentAt }));
    await worker.close();
    await queue.close();
    return sorted;
  });
  const alone = await critical(0);
  const flooded = await critical(LOW_BACKLOG);

  const ms = (s: number[]) => `p50 ${percentile(s, 50).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms`;
  console.error(`steady ${RATE}/s: bullpen ${ms(bullpen)}; raw ${ms(raw)}`);
  console.error(`critical: alone ${ms(alone)}; under the low flood ${ms(flooded)}`);
  const noBacklog = (sorted: number[], p: number) => ({ name: 'critical with no backlog', value: percentile(sorted, p) });
  record({
    [`enqueue-to-start p50 at ${RATE} jobs/s`]: { value: percentile(bullpen, 50), unit: 'ms', baseline: { name: 'raw BullMQ', value: percentile(raw, 50) } },
    [`enqueue-to-start p99 at ${RATE} jobs/s`]: { value: percentile(bullpen, 99), unit: 'ms', baseline: { name: 'raw BullMQ', value: percentile(raw, 99) } },
    'critical start p50 under a 10k low flood': { value: percentile(flooded, 50), unit: 'ms', baseline: noBacklog(alone, 50) },
    'critical start p99 under a 10k low flood': { value: percentile(flooded, 99), unit: 'ms', baseline: noBacklog(alone, 99) },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
