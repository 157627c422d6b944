// The no-op workload shared by bench/worker-throughput.ts and bench/celery.ts: a queue filled
// with jobs, consumed by one of
//   raw       a naive raw BullMQ setup with its defaults: `new Worker('default', processor,
//             { connection, prefix, concurrency })`, nothing else (it keeps every completed job);
//   bullpen   Bullpen's WorkerPool with the worker service's defaults (bench/bullpen-pool.ts:
//             retention, metrics, info logging into /dev/null), jobs run inline;
//   isolated  the same pool, the job class with `static isolation = 'process'`: each attempt
//             runs in a JobProcessPool child process;
// all at the same concurrency, in this process.
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Worker as BullWorker, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRegistry } from '@bullpen/core';
import { deletePrefix } from '../test/support/redis';
import { createBenchPool } from './bullpen-pool';
import { childrenCpuMicros } from './bench-process';
import { onNoopJob } from './fixtures/noop-worker';

export type NoopSide = 'raw' | 'bullpen' | 'isolated';

const FIXTURE = join(__dirname, 'fixtures', 'noop-worker.ts');
/** Job name per side: the class the pool runs (raw BullMQ does not look at it). */
const JOB_NAME: Record<NoopSide, string> = { raw: 'NoopWorker', bullpen: 'NoopWorker', isolated: 'IsolatedNoopWorker' };

/** Adds `count` no-op jobs named `name` in batches of 1000 (one attempt each, as the classes say). */
export async function fillNoop(queue: Queue, count: number, name = 'NoopWorker'): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    const n = Math.min(1000, count - i);
    await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name, data: { i: i + k }, opts: { attempts: 1 } })));
  }
}

interface Started {
  stop(): Promise<unknown>;
  /** Whether the side is at full speed: for isolated, every job process has started and run a job. */
  warm(): boolean;
}

/**
 * Starts `side` on the queue; `ran` is called once per job: by the processor (raw), by
 * perform (bullpen), or, for isolated jobs whose perform runs in another process, from the
 * pool's own completed and failed counters, read every 2 ms.
 */
async function start(side: NoopSide, connection: Redis, prefix: string, concurrency: number, ran: () => void): Promise<Started> {
  if (side === 'raw') {
    const worker = new BullWorker('default', async () => ran(), { connection, prefix, concurrency });
    return { stop: () => worker.close(), warm: () => true };
  }
  onNoopJob(ran);
  const register = createRegistry();
  // Job processes inherit this process's env: each says in here when it has run its first job.
  const announced = side === 'isolated' ? mkdtempSync(join(tmpdir(), 'bench-job-processes-')) : undefined;
  if (announced) process.env.BENCH_JOB_PROCESS_DIR = announced;
  const pool = createBenchPool({ connection, prefix, modules: [FIXTURE], register, env: { WORKER_QUEUES: 'default', WORKER_CONCURRENCY: String(concurrency) } });
  await pool.start();
  if (!announced) return { stop: () => pool.close(5_000), warm: () => true };
  // A job that fails (a job process that cannot start, say) must not leave the round waiting.
  const count = async (name: string) => (await register.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);
  let seen = 0;
  let failed = 0;
  const poll = setInterval(() => {
    void Promise.all([count('bullpen_jobs_completed_total'), count('bullpen_jobs_failed_total')]).then(([completed, failedNow]) => {
      failed = failedNow;
      for (; seen < completed + failed; seen++) ran();
    });
  }, 2);
  let allStarted = false;
  return {
    warm: () => (allStarted ||= readdirSync(announced).length >= concurrency),
    async stop() {
      clearInterval(poll);
      await pool.close(5_000);
      delete process.env.BENCH_JOB_PROCESS_DIR;
      rmSync(announced, { recursive: true, force: true });
      if (failed > 0) throw new Error(`isolated: ${failed} jobs failed (see the job processes' stderr)`);
    },
  };
}

export interface NoopRound {
  jobsPerSecond: number;
  /** CPU time (user + system, every thread) of this process per job, in µs: steadier than throughput on a shared machine. */
  cpuMicrosPerJob: number;
  /** CPU of this process's child processes per job, in µs (isolated only: the job processes). */
  childCpuMicrosPerJob: number;
  /** CPU of the Redis server per job, in µs (INFO cpu; includes whatever else uses that Redis meanwhile). */
  redisCpuMicrosPerJob: number;
}

export interface NoopRoundOptions {
  concurrency: number;
  /** Jobs measured; `warmup` more run first, unmeasured. */
  count: number;
  prefix: string;
  /** Jobs run before measuring starts (after the hold jobs, for isolated), so every slot is busy. Default 4 × concurrency. */
  warmup?: number;
  /** Writes a V8 CPU profile of this process over the measured jobs to this file. */
  profileFile?: string;
}

async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)![1]);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

/**
 * Fills a fresh prefix with no-op jobs, runs them on `side`, and measures `count` of them:
 * from the first job after `warmup` jobs and, for isolated, after every job process has run
 * one, until `count` more have run. Cleans up after.
 */
export async function noopRound(connection: Redis, side: NoopSide, opts: NoopRoundOptions): Promise<NoopRound> {
  const { concurrency, count, prefix, profileFile } = opts;
  const warmup = opts.warmup ?? 4 * concurrency;
  const queue = new Queue('default', { connection, prefix });
  const session = profileFile ? new Session() : undefined;
  try {
    // Isolated: one hold job per slot goes first, so every slot's job process starts before the others run.
    const held = side === 'isolated' ? concurrency : 0;
    if (held > 0) await queue.addBulk(Array.from({ length: held }, () => ({ name: 'IsolatedHoldWorker', data: { processes: held }, opts: { attempts: 1 } })));
    const total = held + warmup + count;
    await fillNoop(queue, warmup + count, JOB_NAME[side]);
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 250 });
    }
    // Snapshots are taken synchronously in the callback of the job that opens or closes the
    // window, so the window holds exactly `count` jobs; Redis and the profiler follow at once.
    const snapshot = () => ({
      at: performance.now(),
      cpu: process.cpuUsage(),
      children: side === 'isolated' ? childrenCpuMicros(process.pid) : 0,
      redis: redisCpuMicros(connection).catch(() => NaN),
    });
    let first: ReturnType<typeof snapshot> | undefined;
    let last: ReturnType<typeof snapshot> | undefined;
    let profiling: Promise<unknown> | undefined;
    let finish = () => {};
    let fail = (_err: Error) => {};
    const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
    let done = 0;
    let opened = 0;
    let started: Started | undefined;
    // The window opens at the first job after the warm-up ones once the side is at full speed.
    const ran = () => {
      if (!first && done >= held + warmup && started?.warm()) {
        first = snapshot();
        opened = done;
        profiling = session?.post('Profiler.start');
      }
      done++;
      if (first && !last && done - opened === count) {
        last = snapshot();
        finish();
      } else if (!last && done === total) {
        fail(new Error(`${side}: only ${done - opened} of ${total} jobs ran after the warm-up (job processes slow to start?)`));
      }
    };
    started = await start(side, connection, prefix, concurrency, ran);
    await finished.catch(async (err) => {
      await started.stop();
      throw err;
    });
    await profiling;
    const profile = await session?.post('Profiler.stop');
    await started.stop();
    if (profile && profileFile) await writeFile(profileFile, JSON.stringify(profile.profile));
    const seconds = (last!.at - first!.at) / 1000;
    const parentMicros = last!.cpu.user + last!.cpu.system - (first!.cpu.user + first!.cpu.system);
    return {
      jobsPerSecond: count / seconds,
      cpuMicrosPerJob: parentMicros / count,
      childCpuMicrosPerJob: (last!.children - first!.children) / count,
      redisCpuMicrosPerJob: ((await last!.redis) - (await first!.redis)) / count,
    };
  } finally {
    session?.disconnect();
    await queue.close();
    await deletePrefix(connection, prefix);
  }
}
