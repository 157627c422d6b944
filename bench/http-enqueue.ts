// Enqueue over HTTP. Single: Bullpen's `POST /api/jobs` (bearer auth, body limits, schema
// validation, request metrics, info logging) vs the smallest Express 5 handler calling
// `queue.add`, both in their own process on the same Redis, loaded by autocannon from this
// process with the same JSON body. Bulk: `POST /api/jobs/bulk` with 100 jobs per request vs
// `queue.addBulk` of the same 100 jobs in a loop, in jobs/s. Rounds alternate; medians recorded.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '../test/support/redis';
import { cpuMicros, spawnBench } from './bench-process';
import { median, percentile, record } from './results';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 32;
const BULK_SIZE = 100;
/** Requests in flight for bulk; the raw side runs as many addBulk loops. */
const BULK_CONNECTIONS = 4;
const TOKEN = randomBytes(24).toString('hex');
/** `single` or `bulk` runs only that part (with BENCH_CPU_PROF_DIR, to profile the servers); nothing is recorded then. */
const ONLY = process.env.BENCH_ONLY;

const JOB = { worker: 'DataProcessingWorker', args: { userId: 42 } };
const SINGLE_BODY = JSON.stringify(JOB);
const BULK_BODY = JSON.stringify({ jobs: Array.from({ length: BULK_SIZE }, () => JOB) });

interface Load {
  /** Requests answered, for profile-summary's --jobs / --vs-jobs. */
  requests: number;
  perSecond: number;
  p99Ms: number;
  /** The server's CPU time per request (diagnosis: steadier than throughput on a shared machine). */
  cpuMicrosPerRequest: number;
}

interface Server {
  port: number;
  pid: number;
}

/** Drives `path` for `seconds` and returns completed requests per second; any non-2xx fails the bench. */
async function load(server: Server, path: string, body: string, connections: number, seconds: number): Promise<Load> {
  const { port, pid } = server;
  const cpuBefore = cpuMicros(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body,
    connections,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${path} on port ${port}: ${result.non2xx} non-2xx answers and ${result.errors} errors out of ${result.requests.total}`);
  }
  const cpu = cpuMicros(pid) - cpuBefore;
  return { requests: result.requests.total, perSecond: result.requests.total / result.duration, p99Ms: result.latency.p99, cpuMicrosPerRequest: cpu / result.requests.total };
}

/** `loops` concurrent loops of `queue.addBulk` with the same 100 jobs, for `seconds`; jobs/s. */
async function rawAddBulk(queue: Queue, loops: number, seconds: number): Promise<number> {
  const jobs = Array.from({ length: BULK_SIZE }, () => ({ name: JOB.worker, data: JOB.args }));
  let added = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < end) {
        await queue.addBulk(jobs);
        added += BULK_SIZE;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  console.error(`  raw addBulk: client CPU ${((cpu.user + cpu.system) / added).toFixed(1)} µs/job`);
  return added / ((performance.now() - started) / 1000);
}

const describe = (l: Load) => `${Math.round(l.perSecond)} req/s, p99 ${l.p99Ms} ms, server CPU ${Math.round(l.cpuMicrosPerRequest)} µs/request`;

/** Unrecorded warm-up of each side (JIT, connection pools), then alternating rounds. */
async function singleRounds(minimal: Server, bullpen: Server) {
  const warm = [await load(minimal, '/api/jobs', SINGLE_BODY, CONNECTIONS, 2), await load(bullpen, '/api/jobs', SINGLE_BODY, CONNECTIONS, 2)];
  const single = { minimal: [] as Load[], bullpen: [] as Load[] };
  for (let r = 0; r < ROUNDS; r++) {
    // ABBA: which side goes first alternates, so a drift in machine load hits both alike.
    if (r % 2 === 0) {
      single.minimal.push(await load(minimal, '/api/jobs', SINGLE_BODY, CONNECTIONS, SECONDS));
      single.bullpen.push(await load(bullpen, '/api/jobs', SINGLE_BODY, CONNECTIONS, SECONDS));
    } else {
      single.bullpen.push(await load(bullpen, '/api/jobs', SINGLE_BODY, CONNECTIONS, SECONDS));
      single.minimal.push(await load(minimal, '/api/jobs', SINGLE_BODY, CONNECTIONS, SECONDS));
    }
    console.error(`single round ${r + 1}: minimal ${describe(single.minimal[r])}; bullpen ${describe(single.bullpen[r])}`);
  }
  const served = (loads: Load[]) => loads.reduce((n, l) => n + l.requests, 0);
  console.error(`single requests served (warm-up included): bullpen ${served([warm[1], ...single.bullpen])}, minimal ${served([warm[0], ...single.minimal])}`);
  return single;
}

/**
 * Bullpen's bulk route vs raw addBulk (the recorded baseline) and vs the minimal Express bulk
 * handler (recorded too: it separates what HTTP itself costs from what Bullpen adds).
 */
async function bulkRounds(rawQueue: Queue, minimal: Server, bullpen: Server) {
  await rawAddBulk(rawQueue, BULK_CONNECTIONS, 1);
  await load(minimal, '/api/jobs/bulk', BULK_BODY, BULK_CONNECTIONS, 1);
  await load(bullpen, '/api/jobs/bulk', BULK_BODY, BULK_CONNECTIONS, 1);
  const bulk = { raw: [] as number[], minimal: [] as number[], bullpen: [] as number[] };
  const perJob = (l: Load) => `${Math.round(l.perSecond * BULK_SIZE)} jobs/s, server CPU ${(l.cpuMicrosPerRequest / BULK_SIZE).toFixed(1)} µs/job`;
  for (let r = 0; r < ROUNDS; r++) {
    const viaBullpenFirst = r % 2 === 1 ? await load(bullpen, '/api/jobs/bulk', BULK_BODY, BULK_CONNECTIONS, SECONDS) : undefined;
    bulk.raw.push(await rawAddBulk(rawQueue, BULK_CONNECTIONS, SECONDS));
    const viaMinimal = await load(minimal, '/api/jobs/bulk', BULK_BODY, BULK_CONNECTIONS, SECONDS);
    const viaBullpen = viaBullpenFirst ?? (await load(bullpen, '/api/jobs/bulk', BULK_BODY, BULK_CONNECTIONS, SECONDS));
    bulk.minimal.push(viaMinimal.perSecond * BULK_SIZE);
    bulk.bullpen.push(viaBullpen.perSecond * BULK_SIZE);
    console.error(`bulk round ${r + 1}: raw addBulk ${Math.round(bulk.raw[r])} jobs/s; minimal ${perJob(viaMinimal)}; bullpen ${perJob(viaBullpen)}`);
  }
  return bulk;
}

async function main(): Promise<void> {
  const bullpenPrefix = uniquePrefix('bench-http-bullpen');
  const minimalPrefix = uniquePrefix('bench-http-minimal');
  const rawPrefix = uniquePrefix('bench-http-raw');
  const bullpen = spawnBench<Server>('bench/servers/bullpen-api.ts', {
    // Production's checks all on: a rate limit (high enough never to refuse, so every request pays its Redis call) and an id secret.
    env: {
      REDIS_URL, BULLPEN_PREFIX: bullpenPrefix, PORT: '0', API_TOKENS: `bench:${TOKEN}:client`, LOG_LEVEL: 'info', NODE_ENV: 'production',
      API_ID_SECRET: randomBytes(32).toString('hex'), API_RATE_REQUESTS_PER_SECOND: '1000000', API_RATE_JOBS_PER_SECOND: '10000000',
    },
  });
  const minimal = spawnBench<Server>('bench/servers/minimal-express.ts', { env: { REDIS_URL, BULLPEN_PREFIX: minimalPrefix } });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const rawQueue = new Queue('default', { connection: redis, prefix: rawPrefix });
  try {
    const [bullpenServer, minimalServer] = await Promise.all([bullpen.ready, minimal.ready]);
    const single = ONLY === 'bulk' ? undefined : await singleRounds(minimalServer, bullpenServer);
    const bulk = ONLY === 'single' ? undefined : await bulkRounds(rawQueue, minimalServer, bullpenServer);
    if (!single || !bulk) return;

    const p99 = (loads: Load[]) => percentile(loads.map((l) => l.p99Ms).sort((a, b) => a - b), 50);
    console.error(`single enqueue p99 latency (median of rounds): bullpen ${p99(single.bullpen)} ms, minimal ${p99(single.minimal)} ms`);
    record({
      [`single enqueue over HTTP (${CONNECTIONS} connections)`]: {
        value: median(single.bullpen.map((l) => l.perSecond)),
        unit: 'req/s',
        baseline: { name: 'minimal Express 5 + queue.add', value: median(single.minimal.map((l) => l.perSecond)) },
      },
      [`bulk enqueue over HTTP (${BULK_SIZE} jobs/request, ${BULK_CONNECTIONS} in flight)`]: {
        value: median(bulk.bullpen),
        unit: 'jobs/s',
        baseline: { name: `raw queue.addBulk, ${BULK_CONNECTIONS} loops`, value: median(bulk.raw) },
      },
      [`bulk enqueue over HTTP vs the same over minimal Express`]: {
        value: median(bulk.bullpen),
        unit: 'jobs/s',
        baseline: { name: 'minimal Express 5 + queue.addBulk', value: median(bulk.minimal) },
      },
    });
  } finally {
    await Promise.all([bullpen.stop(), minimal.stop()]);
    await rawQueue.close();
    for (const prefix of [bullpenPrefix, minimalPrefix, rawPrefix]) await deletePrefix(redis, prefix);
    await redis.quit();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
