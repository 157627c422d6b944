// The seeds' main alternative: the same no-op workload on Celery (Debian's python3-celery, run
// with Debian's /usr/bin/python3) on the same Redis, under its own key prefix, deleted after.
// Celery runs with its default pool on this machine (prefork, one process per core: 2) and with
// a threads pool of 50; the baseline is a raw BullMQ Worker at concurrency 50, measured in the
// same run, and Bullpen's WorkerPool at concurrency 50 is set against Celery's default. Celery
// and Bullpen both log at info (Celery's "Task ... succeeded" lines are what this counts).
// Without python3-celery the bench prints why and records nothing, without failing `make bench`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '../test/support/redis';
import { noopRound } from './noop-workers';
import { record } from './results';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const PYTHON = '/usr/bin/python3';
const APP_DIR = join(__dirname, 'celery');

interface CeleryEnv {
  [key: string]: string;
}

function celeryEnv(prefix: string, queue: string): CeleryEnv {
  const { PATH = '/usr/bin:/bin', HOME = '/tmp', LANG = 'C.UTF-8' } = process.env;
  // Only what Celery needs: nothing from a pyenv or a user site may shadow Debian's packages.
  return {
    PATH, HOME, LANG,
    PYTHONPATH: APP_DIR,
    PYTHONNOUSERSITE: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    BENCH_CELERY_BROKER: REDIS_URL,
    BENCH_CELERY_PREFIX: `${prefix}:`,
    BENCH_CELERY_QUEUE: queue,
  };
}

function celeryMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import celery, redis; print(celery.__version__)'], { encoding: 'utf8', env: celeryEnv('probe', 'probe') });
  if (probe.error) return `${PYTHON} not found (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} cannot import celery and redis: ${probe.stderr.trim().split('\n').pop()}`;
  console.error(`celery ${probe.stdout.trim()} with ${PYTHON}`);
  return undefined;
}

function run(args: string[], env: CeleryEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: APP_DIR, env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`python3 ${args.join(' ')} exited with ${code}`))));
  });
}

/** Fills the queue, starts a worker with `pool`, and times from "ready" to the JOBS-th success. */
async function celeryRound(redis: Redis, pool: 'prefork' | 'threads', concurrency: number): Promise<number> {
  const prefix = uniquePrefix('bench-celery');
  const queue = `noop-${randomBytes(3).toString('hex')}`;
  const env = celeryEnv(prefix, queue);
  try {
    await run(['bench_app.py', 'fill', String(JOBS)], env);
    const args = ['-m', 'celery', '-A', 'bench_app', 'worker', '-Q', queue, '-P', pool, '-c', String(concurrency), '-l', 'INFO', '--without-gossip', '--without-mingle', '--without-heartbeat'];
    // Its own process group, so its pool processes stop with it.
    const child = spawn(PYTHON, args, { cwd: APP_DIR, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      return await new Promise<number>((resolve, reject) => {
        let readyAt = 0;
        let done = 0;
        let tail = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          const lines = (tail + chunk).split('\n');
          tail = lines.pop()!;
          for (const line of lines) {
            if (!readyAt && line.includes(' ready.')) readyAt = performance.now();
            else if (line.includes(' succeeded in ') && ++done === JOBS) resolve(JOBS / ((performance.now() - readyAt) / 1000));
          }
        });
        void exited.then((code) => reject(new Error(`celery worker exited with ${code} after ${done} tasks`)));
        setTimeout(() => reject(new Error(`celery worker ran ${done} of ${JOBS} tasks in 120 s`)), 120_000).unref();
      });
    } finally {
      if (child.exitCode === null) {
        process.kill(-child.pid!, 'SIGTERM');
        const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    }
  } finally {
    await deletePrefix(redis, prefix);
  }
}

/** The baseline (raw BullMQ Worker) or Bullpen's WorkerPool, concurrency 50, on the same no-op jobs. */
async function nodeRound(redis: Redis, kind: 'raw' | 'bullpen'): Promise<number> {
  return (await noopRound(redis, kind, { concurrency: 50, count: JOBS, prefix: uniquePrefix('bench-celery-noop') })).jobsPerSecond;
}

async function main(): Promise<void> {
  const missing = celeryMissing();
  if (missing) {
    console.log(`SKIPPED bench/celery.ts: ${missing}. Install Debian's packages with: apt-get install -y python3-celery python3-redis`);
    return;
  }
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    await nodeRound(redis, 'raw'); // warm-up, unrecorded
    await nodeRound(redis, 'bullpen');
    const prefork = await celeryRound(redis, 'prefork', 2);
    const raw = await nodeRound(redis, 'raw');
    const bullpen = await nodeRound(redis, 'bullpen');
    const threads = await celeryRound(redis, 'threads', 50);
    console.error(`celery prefork x2 ${Math.round(prefork)} jobs/s, celery threads x50 ${Math.round(threads)} jobs/s, raw BullMQ x50 ${Math.round(raw)} jobs/s, Bullpen x50 ${Math.round(bullpen)} jobs/s`);
    const baseline = { name: 'raw BullMQ Worker, concurrency 50', value: raw };
    record({
      'Celery no-op throughput (prefork, 2 processes)': { value: prefork, unit: 'jobs/s', baseline },
      'Celery no-op throughput (threads pool, 50)': { value: threads, unit: 'jobs/s', baseline },
      'Bullpen no-op throughput vs Celery (prefork, 2 processes)': { value: bullpen, unit: 'jobs/s', baseline: { name: 'Celery, same run', value: prefork } },
    });
  } finally {
    await redis.quit();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
