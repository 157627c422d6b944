// The no-op workload shared by bench/worker-throughput.ts and bench/celery.ts: a queue filled
// with N jobs, consumed either by a raw BullMQ Worker or by Bullpen's WorkerPool (metrics on,
// info logging on), both at the same concurrency. Each calls `onJob` from its processor.
import { Worker as BullWorker, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createMetrics, Worker, WorkerRegistry, type WorkerClass } from '@bullpen/core';
import { WorkerPool } from '@bullpen/worker';
import { deletePrefix } from '../test/support/redis';

/** Called by whichever side runs a job; set by the round that is running. */
let onJob = () => {};

export class NoopWorker extends Worker<{ i: number }> {
  static override maxRetries = 0;
  perform() {
    onJob();
  }
}

/** Adds `count` no-op jobs in batches of 1000 (one attempt each, as the pool's class says). */
export async function fillNoop(queue: Queue, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    const n = Math.min(1000, count - i);
    await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: 'NoopWorker', data: { i: i + k }, opts: { attempts: 1 } })));
  }
}

export type Stop = () => Promise<unknown>;

export function startRawWorker(connection: Redis, prefix: string, concurrency: number, job: () => void): Stop {
  onJob = job;
  const worker = new BullWorker('default', async () => onJob(), { connection, prefix, concurrency, removeOnComplete: { count: 1000 } });
  return () => worker.close();
}

export async function startBullpenPool(connection: Redis, prefix: string, concurrency: number, job: () => void): Promise<Stop> {
  onJob = job;
  const pool = new WorkerPool({
    registry: new WorkerRegistry([NoopWorker as WorkerClass]),
    connection,
    prefix,
    queues: ['default'],
    concurrency,
    lockSeconds: 30,
    stalledCheckSeconds: 30,
    retention: { completedSeconds: 86_400, completedCount: 1000, failedSeconds: 86_400, failedCount: 1000 },
    // Info logging on, one line per job, through the same asynchronous sonic-boom stream that
    // createLogger's default destination (stdout) uses in production, here into /dev/null.
    logger: pino({ level: 'info', base: { service: 'worker' } }, pino.destination({ dest: '/dev/null', sync: false })),
    services: { metrics: createMetrics(), apiHealthUrl: 'http://127.0.0.1:8080/healthz' },
  });
  await pool.start();
  return () => pool.close(5_000);
}

export interface NoopRound {
  jobsPerSecond: number;
  /** CPU time of this process per job, in microseconds: steadier than throughput on a shared machine. */
  cpuMicrosPerJob: number;
}

/**
 * Fills a fresh prefix with `count` no-op jobs, runs them on `kind` at `concurrency`, and
 * measures from the moment consumption starts until the last job has run. Cleans up after.
 */
export async function noopRound(connection: Redis, kind: 'raw' | 'bullpen', concurrency: number, count: number, prefix: string): Promise<NoopRound> {
  const queue = new Queue('default', { connection, prefix });
  try {
    await fillNoop(queue, count);
    let done = 0;
    let finish = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const onJob = () => {
      if (++done === count) finish();
    };
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const stop = kind === 'raw' ? startRawWorker(connection, prefix, concurrency, onJob) : await startBullpenPool(connection, prefix, concurrency, onJob);
    await finished;
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await stop();
    return { jobsPerSecond: count / seconds, cpuMicrosPerJob: (cpu.user + cpu.system) / count };
  } finally {
    await queue.close();
    await deletePrefix(connection, prefix);
  }
}
