import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from '../support/deferred';
import { RedisServer } from '../support/redis-server';
import { startFixtureService, type ServiceProcess } from '../support/service-process';

const JOBS = Number(process.env.SOAK_JOBS ?? 200_000);
const PER_REQUEST = 500;
const FAIL_EVERY = 20; // 5 %
const RETAINED = 1000; // completed and failed jobs kept per queue
const TOKEN = 'soak-client-token-0123456789';

/** The value of an unlabelled metric, or the sum of a labelled one, from a /metrics page. */
function metric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

describe(`bounded soak: ${JOBS} jobs through the API and a worker, ${100 / FAIL_EVERY} % failing`, () => {
  let redis: RedisServer;
  let client: Redis;
  const procs: ServiceProcess[] = [];
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    client?.disconnect();
    await redis?.destroy();
  });

  it('keeps api and worker RSS flat after warm-up and Redis memory back at its baseline once trimmed', async () => {
    redis = await RedisServer.start();
    client = new Redis(redis.url);
    const workers = join(__dirname, 'soak-workers.ts');
    const env = {
      REDIS_URL: redis.url,
      BULLPEN_PREFIX: 'soak',
      LOG_LEVEL: 'warn',
      JOB_RETENTION_COMPLETED_COUNT: String(RETAINED),
      JOB_RETENTION_FAILED_COUNT: String(RETAINED),
    };
    // The soak measures the platform flat out; a token's enqueue rate limit is tested on its own.
    const unlimited = { API_RATE_REQUESTS_PER_SECOND: '0', API_RATE_JOBS_PER_SECOND: '0' };
    const api = startFixtureService('api', workers, { ...env, ...unlimited, LOG_LEVEL: 'info', PORT: '0', API_TOKENS: `soak:${TOKEN}:client` });
    const worker = startFixtureService('worker', workers, { ...env, LOG_LEVEL: 'info', METRICS_PORT: '0', WORKER_CONCURRENCY: '50', WORKER_QUEUES: 'default' });
    procs.push(api, worker);
    const apiUrl = `http://127.0.0.1:${(await api.waitForLog('api started')).port}`;
    // The API listens before its Redis connection is up and answers 503 until then, as /readyz says.
    await api.waitForLog('redis ready');
    const workerUrl = `http://127.0.0.1:${(await worker.waitForLog('worker started')).metricsPort}`;
    const baselineRedis = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);

    const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();
    const finished = async () => {
      const text = await scrape(workerUrl);
      return metric(text, 'bullpen_jobs_completed_total') + metric(text, 'bullpen_jobs_failed_total');
    };
    const rss = async () => ({ api: metric(await scrape(apiUrl), 'process_resident_memory_bytes'), worker: metric(await scrape(workerUrl), 'process_resident_memory_bytes') });

    const samples: Array<{ at: number; api: number; worker: number }> = [];
    let sent = 0;
    const sendBatch = async () => {
      const jobs = Array.from({ length: PER_REQUEST }, () => {
        const i = sent++;
        return { worker: 'SoakWorker', args: { i, fail: i % FAIL_EVERY === 0 } };
      });
      const res = await fetch(`${apiUrl}/api/jobs/bulk`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ jobs }) });
      expect(res.status).toBe(202);
    };
    while (sent < JOBS) {
      // Four requests in flight, like a few busy producers.
      await Promise.all(Array.from({ length: Math.min(4, (JOBS - sent) / PER_REQUEST) }, sendBatch));
      if (sent % (JOBS / 10) === 0) samples.push({ at: sent, ...(await rss()) });
    }
    await waitFor(`all ${JOBS} jobs finished`, async () => (await finished()) === JOBS, 240_000, { intervalMs: 250 });
    samples.push({ at: JOBS, ...(await rss()) });

    const text = await scrape(workerUrl);
    expect(metric(text, 'bullpen_jobs_failed_total')).toBe(JOBS / FAIL_EVERY);
    expect(metric(text, 'bullpen_jobs_completed_total')).toBe(JOBS - JOBS / FAIL_EVERY);

    // Retention trims to RETAINED completed + RETAINED failed jobs; the rest of Redis returns to its baseline.
    const finalRedis = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
    console.log(
      `soak ${JOBS} jobs: RSS api ${samples.map((x) => mib(x.api)).join(' -> ')} MiB, worker ${samples.map((x) => mib(x.worker)).join(' -> ')} MiB; ` +
        `redis used_memory ${mib(baselineRedis)} MiB before, ${mib(finalRedis)} MiB after (${RETAINED * 2} jobs retained)`,
    );
    // Flat after warm-up: the peak while the second half of the jobs went through stays within GC
    // noise of the peak during the first half (the first 10 % being warm-up); a per-job leak would not.
    const underLoad = samples.slice(0, -1);
    const peak = (part: typeof samples, key: 'api' | 'worker') => Math.max(...part.map((x) => x[key]));
    const firstHalf = underLoad.filter((x) => x.at > JOBS / 10 && x.at <= JOBS / 2);
    const secondHalf = underLoad.filter((x) => x.at > JOBS / 2);
    for (const key of ['api', 'worker'] as const) {
      expect(peak(secondHalf, key) - peak(firstHalf, key)).toBeLessThan(64 * 2 ** 20);
    }
    expect(finalRedis - baselineRedis).toBeLessThan(32 * 2 ** 20);
  }, 300_000);
});
