import { once } from 'node:events';
import request from 'supertest';
import { AS, startTestApi, type TestApi } from './support/api';
import { RedisServer } from '../../../test/support/redis-server';

const job = { worker: 'DataProcessingWorker', args: { userId: 3 } };
/** The hung-Redis case's deadline: the answer can come no earlier, and must come. */
const TIMEOUT_MS = 2_000;
/**
 * The other cases' deadline, far above any scheduling noise: an answer well before it proves
 * the API refused at once because the connection is down, rather than waiting the deadline out.
 */
const LONG_TIMEOUT_MS = 20_000;

/** A request's status and how long the answer took. */
async function timed(send: () => request.Test): Promise<{ status: number; body: { error?: { code: string } }; ms: number }> {
  const started = Date.now();
  const res = await send();
  return { status: res.status, body: res.body, ms: Date.now() - started };
}

describe('while Redis is unreachable', () => {
  let redis: RedisServer;
  let t: TestApi | undefined;

  beforeEach(async () => {
    redis = await RedisServer.create();
  });
  afterEach(async () => {
    await redis.destroy();
    await t?.api.close();
    t = undefined;
  });

  const enqueue = () => timed(() => request(t!.url).post('/api/jobs').set(AS.client).send(job));
  const readyz = () => timed(() => request(t!.url).get('/readyz'));
  const notReady = () => (t!.api.redis.status === 'ready' ? once(t!.api.redis, 'close') : Promise.resolve());

  it('answers 503 fast when Redis is gone, and recovers by itself when it is back', async () => {
    await redis.start();
    t = await startTestApi({ env: { REDIS_URL: redis.url, API_REDIS_TIMEOUT_MS: String(LONG_TIMEOUT_MS) } });
    expect((await enqueue()).status).toBe(202);

    await redis.kill();
    await notReady();
    const down = await enqueue();
    expect(down.status).toBe(503);
    expect(down.body.error?.code).toBe('redis_unavailable');
    expect(down.ms).toBeLessThan(LONG_TIMEOUT_MS / 2);
    expect((await readyz()).status).toBe(503);
    expect((await request(t.url).get('/healthz')).status).toBe(200);
    expect((await request(t.url).get('/api/queues').set(AS.client)).status).toBe(503);
    const metrics = await request(t.url).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_request_duration_seconds');
    expect(metrics.text).not.toMatch(/^bullpen_queue_jobs\{/m);

    await redis.start();
    await once(t.api.redis, 'ready');
    expect((await readyz()).status).toBe(200);
    const back = await enqueue();
    expect(back.status).toBe(202);
    expect((await request(t.url).get(`/api/jobs/${(back.body as { id: string }).id}`).set(AS.client)).status).toBe(200);
  }, 30_000);

  it('answers 503 within the Redis timeout when Redis hangs, and recovers when it answers again', async () => {
    await redis.start();
    t = await startTestApi({ env: { REDIS_URL: redis.url, API_REDIS_TIMEOUT_MS: String(TIMEOUT_MS) } });
    redis.freeze();
    const hung = await enqueue();
    expect(hung.status).toBe(503);
    expect(hung.body.error?.code).toBe('redis_unavailable');
    expect(hung.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(hung.ms).toBeLessThan(LONG_TIMEOUT_MS);
    const notReadyAnswer = await readyz();
    expect(notReadyAnswer.status).toBe(503);
    expect(notReadyAnswer.ms).toBeLessThan(LONG_TIMEOUT_MS);

    redis.thaw();
    expect((await readyz()).status).toBe(200);
    expect((await enqueue()).status).toBe(202);
  }, 30_000);

  it('starts without Redis, answers 503 at once instead of hanging, and serves once Redis appears', async () => {
    t = await startTestApi({ env: { REDIS_URL: redis.url, API_REDIS_TIMEOUT_MS: String(LONG_TIMEOUT_MS) }, waitForRedis: false });
    expect((await request(t.url).get('/healthz')).status).toBe(200);
    expect((await readyz()).status).toBe(503);
    const early = await enqueue();
    expect(early.status).toBe(503);
    expect(early.ms).toBeLessThan(LONG_TIMEOUT_MS / 2);
    // Bad input is still refused as bad input, not as 503.
    expect((await timed(() => request(t!.url).post('/api/jobs').set(AS.client).send({ worker: 'Nope' }))).status).toBe(404);

    await redis.start();
    await once(t.api.redis, 'ready');
    expect((await readyz()).status).toBe(200);
    expect((await enqueue()).status).toBe(202);
    expect(await t.countJobs()).toBe(1);
  }, 30_000);
});
