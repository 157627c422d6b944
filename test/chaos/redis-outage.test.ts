import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { Producer, QueueHandles } from '@bullpen/core';
import { Redis } from 'ioredis';
import { SleepWorker } from '../../services/worker/test/fixtures/sleep-worker';
import { waitFor } from '../support/deferred';
import { uniquePrefix } from '../support/redis';
import { RedisServer } from '../support/redis-server';
import { startFixtureService, type ServiceProcess } from '../support/service-process';

const SLEEP_WORKER = join(__dirname, '..', '..', 'services', 'worker', 'test', 'fixtures', 'sleep-worker.ts');

const FAST_RECOVERY = { WORKER_LOCK_SECONDS: '2', WORKER_STALLED_CHECK_SECONDS: '1', LOG_LEVEL: 'info' };

describe('Redis outages (real redis-server, real worker process)', () => {
  let redis: RedisServer;
  let client: Redis;
  let queues: QueueHandles;
  let producer: Producer;
  let worker: ServiceProcess;
  const prefix = uniquePrefix('outage');

  async function setUp(redisArgs: string[], workerEnv: Record<string, string>) {
    redis = await RedisServer.start(redisArgs);
    client = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
    queues = new QueueHandles({ connection: client, prefix });
    producer = new Producer({ queues });
    worker = startFixtureService('worker', SLEEP_WORKER, { REDIS_URL: redis.url, BULLPEN_PREFIX: prefix, METRICS_PORT: '0', ...FAST_RECOVERY, ...workerEnv });
    await worker.waitForLog('worker started');
  }

  afterEach(async () => {
    redis.thaw();
    worker.child.kill('SIGKILL');
    await worker.exited;
    await queues.close();
    client.disconnect();
    await redis.destroy();
  });

  const completed = () => queues.get('default').getCompletedCount();

  async function enqueue(n: number, ms: number) {
    const jobs = await producer.enqueueBulk(Array.from({ length: n }, (_, i) => ({ worker: SleepWorker, args: { ms, tag: `j${i}` } })));
    return jobs.length;
  }

  it.each([
    ['appendfsync everysec, clean restart', ['--appendonly', 'yes', '--appendfsync', 'everysec'], 'shutdown'],
    ['appendfsync always, SIGKILL', ['--appendonly', 'yes', '--appendfsync', 'always'], 'kill'],
  ] as const)('processes every acknowledged job after a Redis restart (%s), without restarting the worker', async (_case, args, how) => {
    await setUp([...args], { WORKER_CONCURRENCY: '4' });
    const total = await enqueue(200, 25);
    await waitFor('some jobs done before the restart', async () => (await completed()) >= 20);
    await (how === 'shutdown' ? redis.shutdown() : redis.kill()); // resolves once redis-server has exited
    await redis.start();
    await waitFor('every job completed after the restart', async () => (await completed()) === total, 60_000);
    expect(await queues.get('default').getFailedCount()).toBe(0);
    expect(worker.child.exitCode).toBeNull();
    // The worker still takes new work after reconnecting.
    await enqueue(5, 0);
    await waitFor('new jobs completed', async () => (await completed()) === total + 5);
  }, 90_000);

  it('loses no job and wedges no worker when Redis freezes for longer than the lock', async () => {
    // One queue, so all three slots take default jobs (with critical consumed, one would be kept for it).
    await setUp(['--appendonly', 'no', '--save', ''], { WORKER_QUEUES: 'default', WORKER_CONCURRENCY: '3' });
    const total = await enqueue(6, 1500);
    await waitFor('jobs running', async () => (await queues.get('default').getActiveCount()) === 3);
    redis.freeze();
    // The stimulus itself, not a wait for a result: Redis stays frozen well past the 2 s lock.
    await setTimeout(5_000);
    redis.thaw();
    await waitFor('every job completed after the freeze', async () => (await completed()) === total, 60_000);
    expect(await queues.get('default').getFailedCount()).toBe(0);
    await enqueue(3, 0);
    await waitFor('jobs enqueued after the freeze completed', async () => (await completed()) === total + 3, 30_000);
  }, 90_000);
});
