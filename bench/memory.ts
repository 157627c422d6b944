// Memory. Worker RSS under load: the real worker process (services/worker/src/main.ts, info
// logging, metrics, health port) vs a raw BullMQ Worker process doing the same work
// (bench/servers/raw-worker.ts), each fed the same steady stream of DataProcessingWorker jobs
// with the same concurrency, RSS sampled from /proc. Redis bytes per retained completed job:
// INFO used_memory after the stream (every job completed and kept by retention) minus before,
// divided by the jobs, with the same payload and removeOnComplete settings on both sides;
// `MEMORY USAGE` summed over the run's keys is printed as a cross-check.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer, QueueHandles } from '@bullpen/core';
import { DataProcessingWorker } from '@bullpen/jobs';
import { deletePrefix, uniquePrefix } from '../test/support/redis';
import { rssBytes, spawnBench, type BenchProcess } from './bench-process';
import { record } from './results';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** As many as the default retention keeps (JOB_RETENTION_COMPLETED_COUNT 10000), so all stay. */
const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const RATE = 1000;
const CONCURRENCY = 8;
const MiB = 2 ** 20;

interface Side {
  name: 'bullpen' | 'raw';
  start(prefix: string): BenchProcess<unknown>;
  /** Enqueues `count` jobs of the same payload. */
  enqueue(redis: Redis, prefix: string, count: number): Promise<void>;
}

const env = (prefix: string) => ({
  REDIS_URL,
  BULLPEN_PREFIX: prefix,
  WORKER_QUEUES: 'default',
  WORKER_CONCURRENCY: String(CONCURRENCY),
  METRICS_PORT: '0',
  LOG_LEVEL: 'info',
});

const bullpen: Side = {
  name: 'bullpen',
  start(prefix) {
    // The real worker logs JSON to stdout; 'worker started' means it consumes.
    let started: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    let seen = '';
    const proc = spawnBench('services/worker/src/main.ts', {
      env: env(prefix),
      stdout: 'pipe',
      onStdout: (chunk) => {
        if (seen === 'done') return;
        seen = (seen + chunk).slice(-4096);
        if (seen.includes('"msg":"worker started"')) {
          seen = 'done';
          started();
        }
      },
    });
    return { ...proc, ready: Promise.race([ready, proc.exited.then((code) => Promise.reject(new Error(`worker exited with ${code}`)))]) };
  },
  async enqueue(redis, prefix, count) {
    const queues = new QueueHandles({ connection: redis, prefix });
    const producer = new Producer({ queues });
    await producer.enqueueBulk(Array.from({ length: count }, () => ({ worker: DataProcessingWorker, args: { userId: 42 } })));
    await queues.close();
  },
};

const raw: Side = {
  name: 'raw',
  start: (prefix) => spawnBench('bench/servers/raw-worker.ts', { env: env(prefix) }),
  async enqueue(redis, prefix, count) {
    const queue = new Queue('default', { connection: redis, prefix });
    await queue.addBulk(Array.from({ length: count }, () => ({ name: 'DataProcessingWorker', data: { userId: 42 } })));
    await queue.close();
  },
};

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

async function keyBytes(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let bytes = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    for (const [, n] of (await pipeline.exec()) ?? []) bytes += Number(n ?? 0);
    cursor = next;
  } while (cursor !== '0');
  return bytes;
}

async function run(side: Side): Promise<{ peakRss: number; bytesPerJob: number; keyBytesPerJob: number; seconds: number }> {
  const prefix = uniquePrefix(`bench-memory-${side.name}`);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const proc = side.start(prefix);
  try {
    await proc.ready;
    const pid = proc.child.pid!;
    const queue = new Queue('default', { connection: redis, prefix });
    const before = await usedMemory(redis);
    let peakRss = rssBytes(pid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(pid))), 100);
    const started = performance.now();
    // A steady stream: RATE jobs/s in batches every 50 ms.
    const batch = RATE / 20;
    for (let sent = 0; sent < JOBS; sent += batch) {
      const wait = started + (sent / RATE) * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      await side.enqueue(redis, prefix, Math.min(batch, JOBS - sent));
    }
    while ((await queue.getCompletedCount()) < JOBS) await sleep(100);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const after = await usedMemory(redis);
    const keys = await keyBytes(redis, prefix);
    await queue.close();
    return { peakRss, bytesPerJob: (after - before) / JOBS, keyBytesPerJob: keys / JOBS, seconds };
  } finally {
    await proc.stop();
    await deletePrefix(redis, prefix);
    await redis.quit();
  }
}

/** RSS of an idle node + tsx process: the floor under both workers' figures. */
async function idleRss(): Promise<number> {
  const idle = spawnBench<{ pid: number }>('bench/servers/idle.ts');
  try {
    return rssBytes((await idle.ready).pid);
  } finally {
    await idle.stop();
  }
}

async function main(): Promise<void> {
  const floor = await idleRss();
  const b = await run(bullpen);
  const r = await run(raw);
  console.error(`an idle node + tsx process: RSS ${(floor / MiB).toFixed(1)} MiB (both workers run the same way)`);
  for (const [name, m] of [['bullpen', b], ['raw', r]] as const) {
    console.error(`${name}: peak RSS ${(m.peakRss / MiB).toFixed(1)} MiB; ${JOBS} jobs in ${m.seconds.toFixed(1)} s; redis ${Math.round(m.bytesPerJob)} B/job by used_memory, ${Math.round(m.keyBytesPerJob)} B/job by MEMORY USAGE of the keys`);
  }
  record({
    [`worker RSS under load (${RATE} jobs/s, concurrency ${CONCURRENCY}), peak`]: {
      value: b.peakRss / MiB,
      unit: 'MiB',
      baseline: { name: 'raw BullMQ worker process', value: r.peakRss / MiB },
    },
    [`redis bytes per retained completed job (${JOBS} kept)`]: {
      value: b.bytesPerJob,
      unit: 'bytes',
      baseline: { name: 'raw BullMQ, same payload and retention', value: r.bytesPerJob },
    },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
