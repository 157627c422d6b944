/**
 * The chart's Redis ACL, for real: a redis-server on loopback started with exactly what
 * `helm template` renders (its redis.conf and the StatefulSet's --user arguments). Bullpen and
 * BullMQ do everything they do as the `bullpen` user; what they never need answers NOPERM.
 * When something Bullpen runs is refused here, the ACL in the chart is what to fix.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Job, QueueEvents, Worker as BullWorker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import {
  createRedis, Producer, QueueHandles, readQueueDepth, redisWriteCheck, redisWriteProblem, waitForRedis, waitForReplicas, warnOnUnsafeRedis, Worker,
  type RedisConnection,
} from '@bullpen/core';
import pino from 'pino';
import { chartRedis, type ChartRedis } from './support/chart-redis';
import { waitFor } from './support/deferred';
import { RedisServer } from './support/redis-server';
import { startFixtureService, type ServiceProcess } from './support/service-process';

const PASSWORD = randomBytes(16).toString('hex');
const PREFIX = 'bull'; // the chart's default config.prefix: the ACL's key pattern follows it

class Ok extends Worker<{ n: number }, number> {
  perform({ n }: { n: number }) {
    return n;
  }
}
class Flaky extends Worker<{ n: number }, string> {
  static override maxRetries = 1;
  perform() {
    return 'not run: the test processor stands in';
  }
}

/** What the test's BullMQ Worker does per job name: Flaky fails its first attempt; chain steps add one to the previous result. */
async function processJob(job: BullJob): Promise<unknown> {
  if (job.name === 'Flaky' && job.attemptsMade === 0) throw new Error('first attempt fails');
  if (job.name === 'Flaky') return 'second attempt';
  const previous = Object.values(await job.getChildrenValues())[0] as number | undefined;
  return previous === undefined ? job.data.n : previous + 1;
}

describe('the chart\'s Redis ACL user (real redis-server, rules rendered by helm)', () => {
  let rendered: ChartRedis;
  let server: RedisServer;
  const url = () => `redis://bullpen:${PASSWORD}@127.0.0.1:${server.port}`;
  const connections: RedisConnection[] = [];
  const connect = async (role: 'producer' | 'consumer', target = url()) => {
    const c = createRedis(target, role);
    c.on('error', () => {});
    connections.push(c);
    await waitForRedis(c, 5_000);
    return c;
  };

  beforeAll(async () => {
    rendered = chartRedis({}, PASSWORD);
    server = await RedisServer.start((port) => rendered.args(port));
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('runs BullMQ and Bullpen\'s core as `bullpen`: enqueue, bulk, chain, schedule, process, fail and retry, events, counts, readiness, WAIT', async () => {
    const producerConnection = await connect('producer');
    const queues = new QueueHandles({ connection: producerConnection, prefix: PREFIX });
    const producer = new Producer({ queues });
    const errors: Error[] = [];
    const queue = queues.get('default');
    queue.on('error', (err) => errors.push(err));
    const events = new QueueEvents('default', { connection: await connect('consumer'), prefix: PREFIX });
    events.on('error', (err) => errors.push(err));
    await events.waitUntilReady();
    const worker = new BullWorker('default', processJob, {
      connection: await connect('consumer'),
      prefix: PREFIX,
      name: 'acl-test-worker',
      settings: { backoffStrategy: () => 0 },
    });
    worker.on('error', (err) => errors.push(err));
    try {
      await worker.waitUntilReady();
      const one = await producer.enqueue(Ok, { n: 1 });
      const bulk = await producer.enqueueBulk([{ worker: Ok, args: { n: 2 } }, { worker: Ok, args: { n: 3 } }]);
      const flaky = await producer.enqueue(Flaky, { n: 0 });
      const chain = await producer.chain([Ok.step({ n: 10 }), Ok.step(), Ok.step()]);
      const finished = async (id: string) => (await Job.fromId(queue, id))!.waitUntilFinished(events, 15_000);
      expect(await Promise.all([one, ...bulk].map((j) => finished(j.id)))).toEqual([1, 2, 3]);
      expect(await finished(flaky.id)).toBe('second attempt');
      expect((await Job.fromId(queue, flaky.id))!.attemptsMade).toBe(2);
      expect(await finished(chain[2].id)).toBe(12);

      // The beat's schedules.
      await queue.upsertJobScheduler('acl-cron', { pattern: '*/10 * * * *' }, { name: 'Ok', data: { n: 5 } });
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(['acl-cron']);
      await queue.removeJobScheduler('acl-cron');

      // What /metrics, /readyz, the dashboard and the admin routes read and change.
      const depth = await readQueueDepth(queue, producerConnection);
      expect(depth.counts.completed).toBe(7);
      expect(await queue.getJobCounts('waiting', 'active', 'failed')).toEqual({ waiting: 0, active: 0, failed: 0 });
      expect(await redisWriteProblem(producerConnection)).toBeUndefined();
      expect(await redisWriteCheck(producerConnection, { cacheMs: 0 })()).toBeUndefined();
      expect(await waitForReplicas(producerConnection, 0, 0)).toBe(0);
      // CLIENT LIST: the dashboard's list of workers.
      expect(await queue.getWorkersCount()).toBe(1);
      await queue.pause();
      expect(await queue.isPaused()).toBe(true);
      await queue.resume();
      const cancelled = await producer.enqueue(Ok, { n: 9 }, { delaySeconds: 3600 });
      await (await Job.fromId(queue, cancelled.id))!.remove();
      expect(await queue.clean(0, 100, 'completed')).toHaveLength(7);

      // BullMQ's own INFO reads (its version and eviction checks) and Bullpen's, with nothing to warn about.
      const lines: string[] = [];
      await warnOnUnsafeRedis(producerConnection, pino({ level: 'debug' }, { write: (line: string) => lines.push(line) }));
      expect(lines).toEqual([]);
      expect(await producerConnection.info('server')).toMatch(/^redis_version:\d+\./m);
      expect(errors).toEqual([]);
    } finally {
      await worker.close();
      await events.close();
      await queues.close();
    }
  });

  it.each([
    'FLUSHALL', 'FLUSHDB', 'CONFIG GET maxmemory-policy', 'CONFIG SET appendonly no', 'KEYS *', 'SHUTDOWN NOSAVE', 'MONITOR',
    'ACL WHOAMI', 'ACL SETUSER bullpen +@all', 'MODULE LIST', 'REPLICAOF 127.0.0.1 1', 'SLAVEOF 127.0.0.1 1',
    'MIGRATE 127.0.0.1 1 bull:x 0 1', 'SWAPDB 0 1', 'CLIENT KILL TYPE normal', 'SCRIPT FLUSH', 'FUNCTION FLUSH', 'BGSAVE',
    'SORT bull:x', 'SET not-bullpen:key 1', 'PUBLISH channel message',
  ])('refuses %s with NOPERM', async (command) => {
    const redis = await connect('producer');
    const [name, ...args] = command.split(' ');
    await expect(redis.call(name, ...args)).rejects.toThrow(/^NOPERM/);
  });

  it('refuses DEBUG twice: Redis\'s own enable-debug-command no, and NOPERM where that is turned on', async () => {
    const redis = await connect('producer');
    await expect(redis.call('DEBUG', 'SLEEP', '0')).rejects.toThrow(/^ERR DEBUG command not allowed/);
    const debuggable = await RedisServer.start((port) => [...rendered.args(port), '--enable-debug-command', 'yes']);
    try {
      const other = await connect('producer', `redis://bullpen:${PASSWORD}@127.0.0.1:${debuggable.port}`);
      await expect(other.call('DEBUG', 'SLEEP', '0')).rejects.toThrow(/^NOPERM/);
    } finally {
      await debuggable.destroy();
    }
  });

  it('keeps the default user off, and the probe user to PING; the rendered readiness probe passes', async () => {
    const bare = new Redis({ host: '127.0.0.1', port: server.port, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    bare.on('error', () => {});
    connections.push(bare);
    await expect(bare.ping()).rejects.toThrow(/^NOAUTH/);
    await expect(bare.call('AUTH', PASSWORD)).rejects.toThrow(/^WRONGPASS/);
    // No ready check: it would run INFO, which the probe user may not.
    const raw = new Redis(`redis://probe:${PASSWORD}@127.0.0.1:${server.port}`, { enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    raw.on('error', () => {});
    connections.push(raw);
    expect(await raw.ping()).toBe('PONG');
    await expect(raw.get('bull:x')).rejects.toThrow(/^NOPERM/);
    await expect(raw.info()).rejects.toThrow(/^NOPERM/);
    expect(rendered.probe(server.port)).toBe(true);
  });

  it('keeps every job across a restart: the AOF replays its transactions under these users', async () => {
    const queues = new QueueHandles({ connection: await connect('producer'), prefix: PREFIX });
    const producer = new Producer({ queues });
    // addBulk is one MULTI/EXEC: the AOF replays it as the default user, which must be allowed to.
    await producer.enqueueBulk(Array.from({ length: 10 }, (_, n) => ({ worker: Ok, args: { n }, options: { delaySeconds: 3600 } })));
    await queues.close();
    const keys = await (connections.at(-1) as Redis).dbsize();
    const delayed = await (connections.at(-1) as Redis).zcard(`${PREFIX}:default:delayed`);
    expect(delayed).toBeGreaterThanOrEqual(10);
    await Promise.all(connections.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
    await server.terminate();
    await server.start();
    expect(server.output).not.toMatch(/CRITICAL|NOPERM/);
    const check = (await connect('producer')) as Redis;
    expect(await check.zcard(`${PREFIX}:default:delayed`)).toBe(delayed);
    expect(await check.dbsize()).toBe(keys);
  });

  describe('the real API and worker processes as `bullpen`', () => {
    const CLIENT = randomBytes(24).toString('hex');
    const ADMIN = randomBytes(24).toString('hex');
    const procs: ServiceProcess[] = [];
    afterAll(async () => {
      for (const proc of procs) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    });

    it('enqueue with an idempotency key, run, read back, pause, dashboard, metrics and readiness: no NOPERM anywhere', async () => {
      const env = {
        REDIS_URL: url(), BULLPEN_PREFIX: PREFIX, API_TOKENS: `app:${CLIENT}:client,ops:${ADMIN}:admin`, API_ID_SECRET: randomBytes(32).toString('hex'),
        PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info',
      };
      const workers = join(__dirname, 'chaos', 'fixtures', 'queue-workers.ts');
      const api = startFixtureService('api', workers, env);
      const worker = startFixtureService('worker', workers, env);
      procs.push(api, worker);
      const apiUrl = `http://127.0.0.1:${(await api.waitForLog('api started')).port}`;
      const metricsUrl = `http://127.0.0.1:${(await worker.waitForLog('worker started')).metricsPort}`;
      const call = (path: string, token: string, body?: unknown) =>
        fetch(`${apiUrl}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      await waitFor('the API ready', async () => (await fetch(`${apiUrl}/readyz`)).ok);
      await waitFor('the worker ready', async () => (await fetch(`${metricsUrl}/readyz`)).ok);

      const first = await call('/api/jobs', CLIENT, { worker: 'DefaultJob', args: { i: 7 }, idempotencyKey: 'acl-1' });
      expect(first.status).toBe(202);
      const { id } = (await first.json()) as { id: string };
      const again = await call('/api/jobs', CLIENT, { worker: 'DefaultJob', args: { i: 7 }, idempotencyKey: 'acl-1' });
      expect({ status: again.status, id: ((await again.json()) as { id: string }).id }).toEqual({ status: 200, id });
      await waitFor('the job completed', async () => ((await (await call(`/api/jobs/${id}`, CLIENT)).json()) as { state: string }).state === 'completed');
      expect(((await (await call(`/api/jobs/${id}`, CLIENT)).json()) as { result: unknown }).result).toBe(7);
      expect((await call('/api/jobs/bulk', CLIENT, { jobs: [{ worker: 'DefaultJob', args: { i: 1 } }, { worker: 'LowJob', args: { i: 2 } }] })).status).toBe(202);
      expect((await call('/api/queues', CLIENT)).status).toBe(200);
      expect((await call('/api/queues/low/pause', ADMIN, {})).status).toBe(200);
      expect((await call('/api/queues/low/resume', ADMIN, {})).status).toBe(200);
      const board = await fetch(`${apiUrl}/admin/queues/api/queues`, { headers: { Authorization: `Basic ${Buffer.from(`ops:${ADMIN}`).toString('base64')}` } });
      expect(board.status).toBe(200);
      expect(await (await fetch(`${metricsUrl}/metrics`)).text()).toMatch(/^bullpen_queue_jobs\{queue="default",state="completed"\} [1-9]/m);
      expect(await (await fetch(`${apiUrl}/metrics`)).text()).toMatch(/^bullpen_redis_up 1$/m);

      const logs = JSON.stringify([...api.logs, ...api.text, ...worker.logs, ...worker.text]);
      expect(logs).not.toMatch(/NOPERM|NOAUTH|WRONGPASS/);
      expect([...api.logs, ...worker.logs].filter((l) => l.level === 40 || l.level === 50).map((l) => l.msg)).toEqual([]);
    }, 60_000);
  });
});
