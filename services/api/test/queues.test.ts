import request from 'supertest';
import { AS, startTestApi, type TestApi } from './support/api';

const ZERO = { waiting: 0, prioritized: 0, active: 0, delayed: 0, failed: 0, completed: 0, 'waiting-children': 0 };

describe('queues', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
  });
  afterEach(async () => {
    await t.close();
  });

  const enqueue = (body: object) => request(t.url).post('/api/jobs').set(AS.client).send(body).expect(202);

  it('lists the three queues with counts per state and the paused flag', async () => {
    await enqueue({ worker: 'DataProcessingWorker', args: { userId: 1 } });
    await enqueue({ worker: 'DataProcessingWorker', args: { userId: 2 } });
    await enqueue({ worker: 'EchoWorker', args: { n: 1 }, delaySeconds: 60 });
    const res = await request(t.url).get('/api/queues').set(AS.client).expect(200);
    expect(Object.keys(res.body.queues)).toEqual(['critical', 'default', 'low']);
    expect(res.body.queues.critical).toEqual({ paused: false, counts: { ...ZERO, delayed: 1 }, oldestWaitingSeconds: 0, jobSchedulers: 0 });
    expect(res.body.queues.default).toEqual({ paused: false, counts: { ...ZERO, waiting: 2 }, oldestWaitingSeconds: expect.any(Number), jobSchedulers: 0 });
    expect(res.body.queues.low).toEqual({ paused: false, counts: ZERO, oldestWaitingSeconds: 0, jobSchedulers: 0 });
  });

  it("counts each queue's job schedulers, whose next run is one of its delayed jobs", async () => {
    const critical = t.api.producer.queue('critical');
    await critical.upsertJobScheduler('health-check', { pattern: '*/10 * * * *' }, { name: 'HealthCheckWorker', data: {} });
    await critical.upsertJobScheduler('hourly', { pattern: '0 * * * *' }, { name: 'EchoWorker', data: { n: 1 } });
    await enqueue({ worker: 'EchoWorker', args: { n: 2 }, delaySeconds: 60 });
    const res = await request(t.url).get('/api/queues').set(AS.client).expect(200);
    expect(res.body.queues.critical).toEqual({ paused: false, counts: { ...ZERO, delayed: 3 }, oldestWaitingSeconds: 0, jobSchedulers: 2 });
    expect(res.body.queues.default.jobSchedulers).toBe(0);

    await critical.removeJobScheduler('hourly');
    const after = await request(t.url).get('/api/queues').set(AS.client).expect(200);
    expect(after.body.queues.critical).toMatchObject({ counts: { ...ZERO, delayed: 2 }, jobSchedulers: 1 });
  });

  it('pauses and resumes a queue for admins', async () => {
    await request(t.url).post('/api/queues/low/pause').set(AS.client).expect(403);
    const paused = await request(t.url).post('/api/queues/low/pause').set(AS.admin).expect(200);
    expect(paused.body).toEqual({ queue: 'low', paused: true });
    expect(await t.api.producer.queue('low').isPaused()).toBe(true);
    const list = await request(t.url).get('/api/queues').set(AS.client).expect(200);
    expect([list.body.queues.critical.paused, list.body.queues.default.paused, list.body.queues.low.paused]).toEqual([false, false, true]);

    const resumed = await request(t.url).post('/api/queues/low/resume').set(AS.admin).expect(200);
    expect(resumed.body).toEqual({ queue: 'low', paused: false });
    expect(await t.api.producer.queue('low').isPaused()).toBe(false);
  });

  it('reports the backlog KEDA reads: ready = waiting + prioritized, and the oldest age', async () => {
    const empty = await request(t.url).get('/api/queues/backlog').set(AS.client).expect(200);
    expect(empty.body).toEqual({
      queues: {
        critical: { ready: 0, oldestSeconds: 0, paused: false },
        default: { ready: 0, oldestSeconds: 0, paused: false },
        low: { ready: 0, oldestSeconds: 0, paused: false },
      },
    });
    await enqueue({ worker: 'FlakyWorker', args: {} });
    await enqueue({ worker: 'FlakyWorker', args: {}, delaySeconds: 60 });
    await t.api.producer.queue('low').add('FlakyWorker', {}, { priority: 5, timestamp: Date.now() - 30_000 });
    await t.api.producer.queue('critical').add('EchoWorker', { n: 1 }, { timestamp: Date.now() - 90_000 });
    const res = await request(t.url).get('/api/queues/backlog').set(AS.client).expect(200);
    expect(res.body.queues.low).toEqual({ ready: 2, oldestSeconds: expect.any(Number), paused: false });
    expect(res.body.queues.critical.ready).toBe(1);
    expect(res.body.queues.critical.oldestSeconds).toBeGreaterThanOrEqual(90);
    expect(res.body.queues.critical.oldestSeconds).toBeLessThan(120);
    expect(res.body.queues.default.ready).toBe(0);
  });
});
