// Worker throughput: Bullpen's WorkerPool vs a raw BullMQ Worker on the same Redis, same
// concurrency, no-op jobs, Bullpen with its metrics and info logging on. Rounds alternate so
// both see the same machine noise; the median of each is reported.
import { Worker as BullWorker, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createMetrics, Worker, WorkerRegistry, type WorkerClass } from '@bullpen/core';
import { WorkerPool } from '@bullpen/worker';
import { deletePrefix, uniquePrefix } from '../test/support/redis';
import { median, record } from './results';

const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 50;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Both sides count the jobs their processor ran; the last one ends the round. */
let onJob = () => {};

class NoopWorker extends Worker<{ i: number }> {
  static override maxRetries = 0;
  perform() {
    onJob();
  }
}

async function fill(queue: Queue): Promise<void> {
  for (let i = 0; i < JOBS; i += 1000) {
    const n = Math.min(1000, JOBS - i);
    await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: 'NoopWorker', data: { i: i + k }, opts: { attempts: 1 } })));
  }
}

function startRaw(connection: Redis, prefix: string) {
  const worker = new BullWorker('default', async () => onJob(), { connection, prefix, concurrency: CONCURRENCY, removeOnComplete: { count: 1000 } });
  return () => worker.close();
}

async function startBullpen(connection: Redis, prefix: string) {
  const pool = new WorkerPool({
    registry: new WorkerRegistry([NoopWorker as WorkerClass]),
    connection,
    prefix,
    queues: ['default'],
    concurrency: CONCURRENCY,
    lockSeconds: 30,
    stalledCheckSeconds: 30,
    retention: { completedSeconds: 86_400, completedCount: 1000, failedSeconds: 86_400, failedCount: 1000 },
    // Info logging on, as in production, written where it costs what a pipe would.
    logger: pino({ level: 'info', base: { service: 'worker' } }, pino.destination({ dest: '/dev/null', sync: false })),
    services: { metrics: createMetrics(), apiHealthUrl: 'http://127.0.0.1:8080/healthz' },
  });
  await pool.start();
  return () => pool.close(5_000);
}

/** Jobs per second from when consumption starts until the last job has run. */
async function round(kind: 'raw' | 'bullpen'): Promise<number> {
  const prefix = uniquePrefix(`bench-${kind}`);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('default', { connection, prefix });
  await fill(queue);
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    onJob = () => {
      if (++done === JOBS) resolve();
    };
  });
  const started = performance.now();
  const stop = kind === 'raw' ? startRaw(connection, prefix) : await startBullpen(connection, prefix);
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await stop();
  await queue.close();
  await deletePrefix(connection, prefix);
  await connection.quit();
  return JOBS / seconds;
}

async function main(): Promise<void> {
  const raw: number[] = [];
  const bullpen: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    raw.push(await round('raw'));
    bullpen.push(await round('bullpen'));
    console.error(`round ${r + 1}: raw ${Math.round(raw[r])} jobs/s, bullpen ${Math.round(bullpen[r])} jobs/s`);
  }
  record({
    'worker throughput (no-op jobs, concurrency 50)': { value: median(bullpen), unit: 'jobs/s', baseline: { name: 'raw BullMQ Worker', value: median(raw) } },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
