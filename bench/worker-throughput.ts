// Worker throughput: Bullpen's WorkerPool vs a raw BullMQ Worker on the same Redis, same
// concurrency, no-op jobs, Bullpen with its metrics and info logging on. Rounds alternate so
// both see the same machine noise; the median of each is reported.
import { Redis } from 'ioredis';
import { uniquePrefix } from '../test/support/redis';
import { noopRound } from './noop-workers';
import { median, record } from './results';

const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** `raw` or `bullpen` runs only that side (for `node --cpu-prof`); nothing is recorded then. */
const ONLY = process.env.BENCH_ONLY;
const CONCURRENCY = 50;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Jobs per second from when consumption starts until the last job has run. */
async function round(kind: 'raw' | 'bullpen'): Promise<number> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    const { jobsPerSecond, cpuMicrosPerJob } = await noopRound(connection, kind, CONCURRENCY, JOBS, uniquePrefix(`bench-${kind}`));
    // CPU per job is the steadier figure on a shared machine; printed for diagnosis, not recorded.
    console.error(`  ${kind}: ${Math.round(jobsPerSecond)} jobs/s, ${cpuMicrosPerJob.toFixed(1)} µs CPU per job`);
    return jobsPerSecond;
  } finally {
    await connection.quit();
  }
}

async function main(): Promise<void> {
  if (ONLY === 'raw' || ONLY === 'bullpen') {
    for (let r = 0; r < ROUNDS; r++) console.error(`${ONLY} ${Math.round(await round(ONLY))} jobs/s`);
    return;
  }
  // One unrecorded round of each first, so neither side pays for JIT warm-up in the results.
  await round('raw');
  await round('bullpen');
  const raw: number[] = [];
  const bullpen: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Which side goes first alternates too (ABBA), so neither always inherits the other's garbage.
    if (r % 2 === 0) {
      raw.push(await round('raw'));
      bullpen.push(await round('bullpen'));
    } else {
      bullpen.push(await round('bullpen'));
      raw.push(await round('raw'));
    }
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
