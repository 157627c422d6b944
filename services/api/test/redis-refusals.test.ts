import request from 'supertest';
import { RedisServer } from '../../../test/support/redis-server';
import { startOutOfMemory, startReplica, withClient } from '../../core/test/support/redis-states';
import { ADMIN_TOKEN, AS, startTestApi, type TestApi } from './support/api';

const job = { worker: 'DataProcessingWorker', args: { userId: 3 } };
/** EchoWorker lives on `critical`, DataProcessingWorker on `default`: this bulk spans two queues. */
const bulk = { jobs: [{ worker: 'EchoWorker', args: { n: 1 } }, job] };

/** Jobs of every queue under `prefix` on `server` (BullMQ's job hashes: `<prefix>:<queue>:<id>`). */
async function jobKeys(server: RedisServer, prefix: string): Promise<string[]> {
  const keys = await withClient(server, (c) => c.keys(`${prefix}:*`));
  return keys.filter((k) => /^[^:]+:(critical|default|low):[0-9a-f]{16}-([0-9a-f-]{36}|idem-[0-9a-f]{40})$/.test(k));
}

describe('Redis refusals answer 503 redis_unavailable with Retry-After and the cause in words', () => {
  const servers: RedisServer[] = [];
  let t: TestApi | undefined;
  afterEach(async () => {
    await t?.api.close();
    t = undefined;
    await Promise.all(servers.splice(0).map((s) => s.destroy()));
  });
  const track = (s: RedisServer) => (servers.push(s), s);

  it('against a read-only replica: enqueue and bulk are refused, nothing is written, /readyz names the replica', async () => {
    const master = track(await RedisServer.start());
    const replica = track(await startReplica(master));
    t = await startTestApi({ env: { REDIS_URL: replica.url } });

    const single = await request(t.url).post('/api/jobs').set(AS.client).send(job);
    expect(single.status).toBe(503);
    expect(single.headers['retry-after']).toBe('5');
    expect(single.body.error).toEqual({
      code: 'redis_unavailable',
      message: 'Redis is read-only (it is a replica): check REDIS_URL points at the master, or use REDIS_SENTINELS',
      details: { cause: 'readonly' },
    });

    const many = await request(t.url).post('/api/jobs/bulk').set(AS.client).send(bulk);
    expect(many.status).toBe(503);
    expect(many.body.error.details).toEqual({ cause: 'readonly', enqueued: 'none' });
    const keyed = await request(t.url).post('/api/jobs').set(AS.client).set('Idempotency-Key', 'replica-1').send(job);
    expect(keyed.status).toBe(503);

    const ready = await request(t.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.message).toBe(
      `not ready: Redis is read-only (it is a replica of 127.0.0.1:${master.port}): check REDIS_URL points at the master, or use REDIS_SENTINELS`,
    );
    expect(await jobKeys(master, t.prefix)).toEqual([]);
    // Reads still work against a replica.
    expect((await request(t.url).get('/api/queues').set(AS.client)).status).toBe(200);
  });

  it('out of memory: enqueue is refused naming maxmemory, and /readyz says so', async () => {
    const server = track(await startOutOfMemory());
    t = await startTestApi({ env: { REDIS_URL: server.url } });
    const res = await request(t.url).post('/api/jobs').set(AS.client).send(job);
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body.error.code).toBe('redis_unavailable');
    expect(res.body.error.details).toEqual({ cause: 'oom' });
    expect(res.body.error.message).toBe('Redis is out of memory (maxmemory reached): raise maxmemory or lower job retention (JOB_RETENTION_*)');
    const ready = await request(t.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.message).toMatch(/^not ready: Redis is out of memory \(maxmemory reached: [\d.]+ MB used of 1\.0 MB, policy noeviction\)/);
  });

  it('a bulk refused on one queue after another took its jobs leaves nothing: the jobs that made it are removed', async () => {
    // An ACL user that may read every queue but write only the critical one (and the rate
    // limits): the critical pipeline succeeds, the default one is refused (NOPERM), deterministically.
    const server = track(await RedisServer.start(['--appendonly', 'no', '--save', '']));
    const prefix = 'refusals';
    await withClient(server, (c) => c.call('ACL', 'SETUSER', 'limited', 'on', '>limited-password', `%R~${prefix}:*`, `~${prefix}:critical:*`, `~${prefix}:ratelimit:*`, '+@all'));
    t = await startTestApi({ env: { REDIS_URL: `redis://limited:limited-password@127.0.0.1:${server.port}`, BULLPEN_PREFIX: prefix }, waitForRedis: false });
    await new Promise<void>((resolve) => (t!.api.redis.status === 'ready' ? resolve() : t!.api.redis.once('ready', () => resolve())));

    const ok = await request(t.url).post('/api/jobs/bulk').set(AS.client).send({ jobs: [{ worker: 'EchoWorker', args: { n: 0 } }] });
    expect(ok.status).toBe(202);
    const [kept] = ok.body.ids as string[];

    const res = await request(t.url).post('/api/jobs/bulk').set(AS.client).send({ jobs: [{ worker: 'EchoWorker', args: { n: 1 } }, { worker: 'EchoWorker', args: { n: 2 } }, job] });
    expect(res.status).toBe(503);
    expect(res.body.error.details).toEqual({ cause: 'noperm', enqueued: 'none' });
    expect(res.body.error.message).toMatch(/^the Redis user in REDIS_URL lacks a permission Bullpen needs/);
    // The two critical jobs of the refused request were added (the counter says so) and removed again.
    const metrics = await t.api.register.getSingleMetricAsString('bullpen_jobs_enqueued_total');
    expect(metrics).toMatch(/^bullpen_jobs_enqueued_total\{queue="critical",worker="EchoWorker"\} 3$/m);
    const critical = await withClient(server, (c) => c.keys(`${prefix}:critical:*-*`));
    expect(critical).toEqual([`${prefix}:critical:${kept}`]);
  });
});

describe('the dashboard while Redis is down or hung', () => {
  const TIMEOUT_MS = 500;
  /** Far above scheduling noise, far below BullMQ's own unbounded wait. */
  const MARGIN_MS = 5_000;
  let server: RedisServer;
  let t: TestApi | undefined;
  const basic = () => ({ Authorization: `Basic ${Buffer.from(`ops:${ADMIN_TOKEN}`).toString('base64')}` });
  const board = () => request(t!.url).get('/admin/queues/api/queues').set(basic());

  beforeEach(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    server.thaw();
    await t?.api.close();
    t = undefined;
    await server.destroy();
  });

  it('its data route answers 503 at once when Redis is stopped, and within API_REDIS_TIMEOUT_MS when it hangs', async () => {
    t = await startTestApi({ env: { REDIS_URL: server.url, API_REDIS_TIMEOUT_MS: String(TIMEOUT_MS) } });
    expect((await board()).status).toBe(200);

    server.freeze();
    let started = Date.now();
    const hung = await board();
    expect(hung.status).toBe(503);
    expect(hung.headers['retry-after']).toBe('5');
    expect(hung.body.error).toMatchObject({ code: 'redis_unavailable', details: { cause: 'timeout' }, key: 'Redis unavailable' });
    expect(hung.body.message).toBe(`Redis did not answer in time (no answer within ${TIMEOUT_MS} ms): it may be overloaded, hung or cut off by the network; check its latency and CPU`);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);

    server.thaw();
    await server.kill();
    await new Promise<void>((resolve) => (t!.api.redis.status === 'ready' ? t!.api.redis.once('close', () => resolve()) : resolve()));
    started = Date.now();
    const down = await board();
    expect(down.status).toBe(503);
    expect(down.body.error.details).toEqual({ cause: 'unreachable' });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    // The page itself needs no Redis.
    expect((await request(t.url).get('/admin/queues').set(basic())).status).toBe(200);
  });

  it('an open dashboard request does not hold the API shutdown past the drain budget', async () => {
    // The dashboard's own deadline far away, so only the shutdown can end the request.
    t = await startTestApi({ env: { REDIS_URL: server.url, API_REDIS_TIMEOUT_MS: '30000', SHUTDOWN_TIMEOUT_SECONDS: '1' } });
    server.freeze();
    const open = board().then((res) => res);
    const api = t.api;
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => api.openRequests() > 0 && (clearInterval(poll), resolve()), 10);
    });
    const started = Date.now();
    await api.close();
    const closedMs = Date.now() - started;
    t = undefined;
    const res = await open;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('shutting_down');
    // The drain budget (1 s), plus at most a second for the Redis steps, plus noise.
    expect(closedMs).toBeLessThan(1_000 + 1_000 + 2_000);
  });
});
