// Worker throughput and CPU per job on no-op jobs (bench/noop-workers.ts): Bullpen's WorkerPool
// with the service's defaults vs a naive raw BullMQ Worker, same Redis, same concurrency, and
// the same pool running the job with `isolation = 'process'` vs inline. Rounds rotate the order
// so every side sees the same machine noise; the median of each is reported.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { uniquePrefix } from '../test/support/redis';
import { noopRound, type NoopRound, type NoopSide } from './noop-workers';
import { median, record } from './results';

const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** `raw`, `bullpen`, `isolated` or a comma list of them runs only those sides; nothing is recorded then. */
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()) as NoopSide[] | undefined;
/** A V8 CPU profile of every measured round (its jobs only) goes here; nothing is recorded then. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR ? resolve(process.env.BENCH_CPU_PROF_DIR) : undefined;
const CONCURRENCY = 50;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SIDES: readonly NoopSide[] = ['raw', 'bullpen', 'isolated'];

async function round(side: NoopSide, label: string): Promise<NoopRound> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    const profileFile = PROFILE_DIR && label !== 'warm-up' ? join(PROFILE_DIR, `worker-throughput-${side}-${label}.cpuprofile`) : undefined;
    // One prefix length for every side: each key in each command carries it, and ioredis pays per byte.
    const r = await noopRound(connection, side, { concurrency: CONCURRENCY, count: JOBS, prefix: uniquePrefix('bench-noop'), profileFile });
    const children = side === 'isolated' ? `, job processes ${r.childCpuMicrosPerJob.toFixed(1)} µs` : '';
    console.error(`  ${label} ${side}: ${Math.round(r.jobsPerSecond)} jobs/s; CPU per job: this process ${r.cpuMicrosPerJob.toFixed(1)} µs${children}, Redis ${r.redisCpuMicrosPerJob.toFixed(1)} µs`);
    return r;
  } finally {
    await connection.quit();
  }
}

async function main(): Promise<void> {
  const unknown = ONLY?.filter((s) => !SIDES.includes(s));
  if (unknown?.length) throw new Error(`BENCH_ONLY takes ${SIDES.join(', ')} or a comma list of them, got "${unknown.join(',')}"`);
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const sides = ONLY ? SIDES.filter((s) => ONLY.includes(s)) : SIDES;
  // One unrecorded round of each first, so no side pays for JIT warm-up in the results.
  for (const side of sides) await round(side, 'warm-up');
  const results = new Map<NoopSide, NoopRound[]>(sides.map((s) => [s, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // The order reverses every round (ABC CBA ...), so no side always inherits another's garbage.
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) results.get(side)!.push(await round(side, `r${r + 1}`));
  }
  const med = (side: NoopSide, key: keyof NoopRound) => median(results.get(side)!.map((x) => x[key]));
  for (const side of sides) {
    console.error(`median ${side}: ${Math.round(med(side, 'jobsPerSecond'))} jobs/s, ${med(side, 'cpuMicrosPerJob').toFixed(1)} µs CPU per job in this process`);
  }
  if (ONLY || PROFILE_DIR) {
    console.error(PROFILE_DIR ? `profiles in ${PROFILE_DIR}; nothing recorded (the profiler costs CPU)` : `BENCH_ONLY=${sides.join(',')}; nothing recorded`);
    return;
  }
  const raw = { name: 'raw BullMQ Worker, defaults', value: 0 };
  const inline = { name: 'Bullpen, same job inline', value: 0 };
  record({
    [`worker throughput (no-op jobs, concurrency ${CONCURRENCY})`]: { value: med('bullpen', 'jobsPerSecond'), unit: 'jobs/s', baseline: { ...raw, value: med('raw', 'jobsPerSecond') } },
    [`worker CPU per job (no-op jobs, concurrency ${CONCURRENCY})`]: { value: med('bullpen', 'cpuMicrosPerJob'), unit: 'µs', baseline: { ...raw, value: med('raw', 'cpuMicrosPerJob') } },
    [`isolated worker throughput (no-op jobs, concurrency ${CONCURRENCY})`]: { value: med('isolated', 'jobsPerSecond'), unit: 'jobs/s', baseline: { ...inline, value: med('bullpen', 'jobsPerSecond') } },
    [`isolated worker CPU per job, pool process (no-op jobs, concurrency ${CONCURRENCY})`]: { value: med('isolated', 'cpuMicrosPerJob'), unit: 'µs', baseline: { ...inline, value: med('bullpen', 'cpuMicrosPerJob') } },
  });
  console.error(`isolated: the job processes used a further ${med('isolated', 'childCpuMicrosPerJob').toFixed(1)} µs CPU per job (median)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
