import request from 'supertest';
import { scanKeys } from '../../../test/support/redis';
import { AS, startTestApi, type TestApi } from './support/api';

const job = { worker: 'DataProcessingWorker', args: { userId: 42, format: 'csv' } };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('enqueue and status', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi({ env: { API_IDEMPOTENCY_RETENTION_SECONDS: '120' } });
  });
  afterEach(async () => {
    await t.close();
  });

  const enqueue = (body: object, headers: Record<string, string> = AS.client) => request(t.url).post('/api/jobs').set(headers).send(body);
  const status = (id: string) => request(t.url).get(`/api/jobs/${id}`).set(AS.client);

  it('answers 202 with the job and where to poll it', async () => {
    const res = await enqueue(job).expect(202);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}-[0-9a-f-]{36}$/),
      worker: 'DataProcessingWorker',
      queue: 'default',
      state: 'waiting',
      statusUrl: `/api/jobs/${res.body.id}`,
    });
    expect(res.headers.location).toBe(res.body.statusUrl);
    const stored = await t.api.queues.get('default').getJob(res.body.id);
    expect(stored?.data).toEqual({ userId: 42, format: 'csv', records: 100 });
    expect(stored?.opts.attempts).toBe(4);
  });

  it('reports a waiting job with every status field', async () => {
    const { body } = await enqueue(job).expect(202);
    const res = await status(body.id).expect(200);
    expect(res.body).toEqual({
      id: body.id,
      worker: 'DataProcessingWorker',
      queue: 'default',
      state: 'waiting',
      progress: 0,
      result: null,
      error: null,
      attemptsMade: 0,
      createdAt: expect.stringMatching(ISO),
      startedAt: null,
      finishedAt: null,
    });
  });

  it('delays a job by delaySeconds or until runAt', async () => {
    const inAMinute = await enqueue({ ...job, delaySeconds: 60 }).expect(202);
    expect(inAMinute.body.state).toBe('delayed');
    expect((await status(inAMinute.body.id)).body.state).toBe('delayed');
    const later = await enqueue({ ...job, runAt: new Date(Date.now() + 3_600_000).toISOString() }).expect(202);
    expect((await status(later.body.id)).body.state).toBe('delayed');
    const delay = (await t.api.queues.get('default').getJob(later.body.id))!.opts.delay!;
    expect(delay).toBeGreaterThan(3_500_000);
    const past = await enqueue({ ...job, runAt: '2001-01-01T00:00:00+02:00' }).expect(202);
    expect(past.body.state).toBe('waiting');
    expect((await status(past.body.id)).body.state).toBe('waiting');
  });

  it('treats omitted args as {} so the schema names the missing fields', async () => {
    const res = await enqueue({ worker: 'FlakyWorker' }).expect(202);
    expect((await t.api.queues.get('low').getJob(res.body.id))?.data).toEqual({});
  });

  describe('idempotency', () => {
    it('returns the first job with 200 for the same key in the body, never a second job', async () => {
      const first = await enqueue({ ...job, idempotencyKey: 'order-1' }).expect(202);
      const again = await enqueue({ ...job, idempotencyKey: 'order-1' }).expect(200);
      expect(again.body).toEqual({ ...first.body, state: 'waiting' });
      expect(first.body.id).toMatch(/^[0-9a-f]{16}-idem-[0-9a-f]{40}$/);
      expect(await t.countJobs()).toBe(1);
      expect((await status(first.body.id)).body.id).toBe(first.body.id);
    });

    it('accepts the key as the Idempotency-Key header, the same key as the field', async () => {
      const first = await enqueue(job, { ...AS.client, 'Idempotency-Key': 'order-2' }).expect(202);
      const again = await enqueue({ ...job, idempotencyKey: 'order-2' }).expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect(await t.countJobs()).toBe(1);
    });

    it('makes exactly one job and one 202 out of concurrent requests with one key', async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, () => enqueue({ ...job, idempotencyKey: 'burst' })));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
      expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
      expect(await t.countJobs()).toBe(1);
    });

    it('scopes keys per token name', async () => {
      const mine = await enqueue({ ...job, idempotencyKey: 'shared' }).expect(202);
      const theirs = await enqueue({ ...job, idempotencyKey: 'shared' }, AS.otherClient).expect(202);
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(await t.countJobs()).toBe(2);
    });

    it('refuses a key reused for another worker with 409', async () => {
      await enqueue({ ...job, idempotencyKey: 'k' }).expect(202);
      const res = await enqueue({ worker: 'EchoWorker', args: { n: 1 }, idempotencyKey: 'k' }).expect(409);
      expect(res.body.error).toEqual({
        code: 'idempotency_key_reused',
        message: expect.any(String),
        details: { firstRequest: { kind: 'single', workers: ['DataProcessingWorker'] } },
      });
      expect(await t.countJobs()).toBe(1);
    });

    it('keeps the key for the configured retention', async () => {
      await enqueue({ ...job, idempotencyKey: 'ttl' }).expect(202);
      const [key] = await scanKeys(t.api.redis, `${t.prefix}:idempotency:*`);
      const ttl = await t.api.redis.ttl(key);
      expect(ttl).toBeGreaterThan(110);
      expect(ttl).toBeLessThanOrEqual(120);
    });

    it('does not run a job again once it finished and was trimmed, within the retention', async () => {
      const first = await enqueue({ ...job, idempotencyKey: 'done' }).expect(202);
      await t.api.queues.get('default').remove(first.body.id); // what removeOnComplete does later
      const again = await enqueue({ ...job, idempotencyKey: 'done' }).expect(200);
      expect(again.body).toMatchObject({ id: first.body.id, state: 'unknown' });
      expect(await t.countJobs()).toBe(0);
    });

    it('makes a new job after the retention', async () => {
      const first = await enqueue({ ...job, idempotencyKey: 'expired' }).expect(202);
      await t.api.queues.get('default').remove(first.body.id);
      const keys = await scanKeys(t.api.redis, `${t.prefix}:idempotency:*`);
      await t.api.redis.unlink(...keys); // what the TTL does after the retention
      await enqueue({ ...job, idempotencyKey: 'expired' }).expect(202);
      expect(await t.countJobs()).toBe(1);
    });
  });

  describe('bulk', () => {
    const bulk = (body: object, headers: Record<string, string> = AS.client) => request(t.url).post('/api/jobs/bulk').set(headers).send(body);
    const jobs = [
      { worker: 'EchoWorker', args: { n: 1 } },
      { worker: 'DataProcessingWorker', args: { userId: 1 } },
      { worker: 'EchoWorker', args: { n: 2 }, delaySeconds: 30 },
      { worker: 'FlakyWorker', args: {} },
    ];

    it('answers 202 with the ids in request order, each job in its worker queue', async () => {
      const res = await bulk({ jobs }).expect(202);
      expect(res.body).toEqual({ ids: [expect.any(String), expect.any(String), expect.any(String), expect.any(String)] });
      const views = await Promise.all(res.body.ids.map((id: string) => status(id).expect(200)));
      expect(views.map((v) => [v.body.worker, v.body.queue, v.body.state])).toEqual([
        ['EchoWorker', 'critical', 'waiting'],
        ['DataProcessingWorker', 'default', 'waiting'],
        ['EchoWorker', 'critical', 'delayed'],
        ['FlakyWorker', 'low', 'waiting'],
      ]);
      expect(await t.countJobs()).toBe(4);
    });

    it('is idempotent as a whole', async () => {
      const first = await bulk({ jobs }, { ...AS.client, 'Idempotency-Key': 'batch-1' }).expect(202);
      const again = await bulk({ jobs, idempotencyKey: 'batch-1' }).expect(200);
      expect(again.body.ids).toEqual(first.body.ids);
      expect(await t.countJobs()).toBe(4);
      await bulk({ jobs: jobs.slice(1) }, { ...AS.client, 'Idempotency-Key': 'batch-1' }).expect(409);
      await enqueue({ ...job, idempotencyKey: 'batch-1' }).expect(409);
    });
  });

  it('finds jobs whose id exists in several queues only with ?queue= (jobs made in code: admin only)', async () => {
    await t.api.queues.get('default').add('EchoWorker', { n: 1 }, { jobId: 'dup-1' });
    await t.api.queues.get('low').add('FlakyWorker', {}, { jobId: 'dup-1' });
    await status('dup-1').expect(404);
    const ambiguous = await request(t.url).get('/api/jobs/dup-1').set(AS.admin).expect(409);
    expect(ambiguous.body.error).toMatchObject({ code: 'ambiguous_job_id', details: { queues: ['default', 'low'] } });
    const low = await request(t.url).get('/api/jobs/dup-1?queue=low').set(AS.admin).expect(200);
    expect(low.body).toMatchObject({ id: 'dup-1', queue: 'low', worker: 'FlakyWorker' });
  });
});
