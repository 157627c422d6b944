// Enqueue-to-start latency at a steady 200 jobs/s, and a critical job's start latency while a
// 10k-job low backlog keeps every low slot busy. Baselines, measured in the same run: a raw
// BullMQ Queue + Worker at the same rate, and the critical job with no low backlog.
import { Worker as BullWorker, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMetrics, Producer, Worker, WorkerRegistry, type JobContext, type QueueName, type WorkerClass } from '@bullpen/core';
import { WorkerPool } from '@bullpen/worker';
import { deletePrefix, uniquePrefix } from '../test/support/redis';
import { percentile, record } from './results';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RATE = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const latencies: number[] = [];

class PingWorker extends Worker<{ sentAt: number }> {
  static override maxRetries = 0;
  perform({ sentAt }: { sentAt: number }) {
    latencies.push(performance.timeOrigin + performance.now() - sentAt);
  }
}

class UrgentWorker extends Worker<{ sentAt: number }> {
  static override queue = 'critical' as const;
  static override maxRetries = 0;
  perform({ sentAt }: { sentAt: number }) {
    latencies.push(performance.timeOrigin + performance.now() - sentAt);
  }
}

class BusyLowWorker extends Worker<void> {
  static override queue = 'low' as const;
  static override maxRetries = 0;
  async perform(_args: void, ctx: JobContext) {
    await sleep(5, undefined, { signal: ctx.signal }).catch(() => {});
  }
}

const now = () => performance.timeOrigin + performance.now();

function pool(connection: Redis, prefix: string, queues: QueueName[]) {
  return new WorkerPool({
    registry: new WorkerRegistry([PingWorker, UrgentWorker, BusyLowWorker] as WorkerClass[]),
    connection,
    prefix,
    queues,
    concurrency: 8,
    lockSeconds: 30,
    stalledCheckSeconds: 30,
    retention: { completedSeconds: 3600, completedCount: 1000, failedSeconds: 3600, failedCount: 1000 },
    logger: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
    services: { metrics: createMetrics(), apiHealthUrl: 'http://127.0.0.1:8080/healthz' },
  });
}

/** Sends `count` jobs at `rate`/s through `send`, then waits until all have started. */
async function steady(count: number, rate: number, send: (sentAt: number) => Promise<unknown>): Promise<number[]> {
  latencies.length = 0;
  const start = now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
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

async function main(): Promise<void> {
  const count = RATE * SECONDS;
  const bullpen = await withPrefix('bench-latency', async (connection, prefix) => {
    const p = pool(connection, prefix, ['default']);
    await p.start();
    const producer = new Producer({ connection, prefix });
    const sorted = await steady(count, RATE, (sentAt) => producer.enqueue(PingWorker, { sentAt }));
    await p.close(5000);
    await producer.close();
    return sorted;
  });
  const raw = await withPrefix('bench-latency-raw', async (connection, prefix) => {
    const queue = new Queue('default', { connection, prefix });
    const worker = new BullWorker('default', async (job) => PingWorker.prototype.perform.call(null, job.data), { connection, prefix, concurrency: 8, removeOnComplete: { count: 1000 } });
    await worker.waitUntilReady();
    const sorted = await steady(count, RATE, (sentAt) => queue.add('PingWorker', { sentAt }));
    await worker.close();
    await queue.close();
    return sorted;
  });

  // Critical start latency: alone, then under a 10k low backlog that keeps all 8 low slots busy.
  const critical = (flood: boolean) =>
    withPrefix('bench-critical', async (connection, prefix) => {
      const producer = new Producer({ connection, prefix });
      if (flood) {
        for (let i = 0; i < 10_000; i += 1000) {
          await producer.enqueueBulk(Array.from({ length: 1000 }, () => ({ worker: BusyLowWorker as WorkerClass, args: undefined })));
        }
      }
      const p = pool(connection, prefix, ['critical', 'default', 'low']);
      await p.start();
      const sorted = await steady(200, 50, (sentAt) => producer.enqueue(UrgentWorker, { sentAt }));
      if (flood && (await producer.queue('low').getWaitingCount()) === 0) throw new Error('the low backlog drained before the critical jobs ran');
      await p.close(5000);
      await producer.close();
      return sorted;
    });
  const alone = await critical(false);
  const flooded = await critical(true);

  record({
    'enqueue-to-start p50 at 200 jobs/s': { value: percentile(bullpen, 50), unit: 'ms', baseline: { name: 'raw BullMQ', value: percentile(raw, 50) } },
    'enqueue-to-start p99 at 200 jobs/s': { value: percentile(bullpen, 99), unit: 'ms', baseline: { name: 'raw BullMQ', value: percentile(raw, 99) } },
    'critical start p99 under a 10k low backlog': { value: percentile(flooded, 99), unit: 'ms', baseline: { name: 'critical with no backlog', value: percentile(alone, 99) } },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
