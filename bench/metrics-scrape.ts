/**
 * How long a /metrics scrape takes with 100k waiting jobs, against baselines measured in the
 * same run: the same scrape with empty queues, and one bare `queue.getJobCounts()` round trip.
 * The queue gauges are read from Redis at scrape time, so this is the cost a Prometheus scrape
 * puts on a process and on Redis.
 *
 *   node --conditions=development --import tsx bench/metrics-scrape.ts
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_JOBS (100000), BENCH_SCRAPES (50).
 * Everything lives under a unique key prefix, deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { createBeatService, loadBeatConfig } from '@bullpen/beat';
import { createLogger, createRedis } from '@bullpen/core';
import { discoverWorkers } from '@bullpen/jobs/discover';
import { Queue } from 'bullmq';
import { deletePrefix } from '../test/support/redis';
import { record } from './results';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 50);
const WARMUP = 20;
const CHUNK = 1_000;

interface Stats {
  p50: number;
  p99: number;
  mean: number;
}

function stats(samplesMs: number[]): Stats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

async function measure(fn: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return stats(samples);
}

async function main(): Promise<void> {
  const prefix = `bench-scrape-${randomBytes(4).toString('hex')}`;
  const redis = createRedis(REDIS_URL, 'consumer');
  const queue = new Queue('default', { connection: redis, prefix });
  queue.on('error', () => {});
  // The beat serves the same /metrics as a worker (queue gauges for all three queues) and takes no jobs.
  const config = loadBeatConfig({ REDIS_URL, BULLPEN_PREFIX: prefix, METRICS_PORT: '0', LOG_LEVEL: 'warn' });
  const beat = createBeatService({ config, registry: discoverWorkers(), logger: createLogger('beat', 'warn') });
  try {
    const { metricsPort } = await beat.start();
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    let lastBody = '';
    const scrape = async () => {
      const res = await fetch(url);
      lastBody = await res.text();
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    };

    const emptyScrape = await measure(scrape);
    const emptyCounts = await measure(() => queue.getJobCounts());

    const filling = performance.now();
    for (let done = 0; done < JOBS; done += CHUNK) {
      const n = Math.min(CHUNK, JOBS - done);
      await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'DataProcessingWorker', data: { userId: done + i + 1, format: 'json', records: 100 } })));
    }
    const fillSeconds = (performance.now() - filling) / 1000;

    const fullScrape = await measure(scrape);
    const fullCounts = await measure(() => queue.getJobCounts());
    const waiting = /^bullpen_queue_jobs\{queue="default",state="waiting"\} (\d+)/m.exec(lastBody)?.[1];
    if (Number(waiting) !== JOBS) throw new Error(`scrape shows ${waiting} waiting jobs, expected ${JOBS}`);

    const ms = (s: Stats) => `p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  mean ${s.mean.toFixed(2)} ms`;
    console.log(`metrics scrape benchmark: ${JOBS} waiting jobs (filled in ${fillSeconds.toFixed(1)} s), ${SCRAPES} scrapes each after ${WARMUP} warm-up`);
    console.log(`  /metrics, empty queues             ${ms(emptyScrape)}`);
    console.log(`  /metrics, ${JOBS} waiting         ${ms(fullScrape)}`);
    console.log(`  getJobCounts(), empty queue        ${ms(emptyCounts)}`);
    console.log(`  getJobCounts(), ${JOBS} waiting   ${ms(fullCounts)}`);
    console.log(`  ratio full/empty scrape            p50 ${(fullScrape.p50 / emptyScrape.p50).toFixed(2)}x  p99 ${(fullScrape.p99 / emptyScrape.p99).toFixed(2)}x`);
    console.log(`  ratio full scrape/getJobCounts     p50 ${(fullScrape.p50 / fullCounts.p50).toFixed(2)}x`);
    record({
      [`/metrics scrape p50 with ${JOBS} waiting jobs`]: { value: fullScrape.p50, unit: 'ms', baseline: { name: '/metrics with empty queues', value: emptyScrape.p50 } },
      [`/metrics scrape p99 with ${JOBS} waiting jobs`]: { value: fullScrape.p99, unit: 'ms', baseline: { name: '/metrics with empty queues', value: emptyScrape.p99 } },
    });
  } finally {
    await beat.close();
    await queue.close();
    const deleted = await deletePrefix(redis, prefix);
    console.log(`  deleted ${deleted} keys under ${prefix}`);
    await redis.quit();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
