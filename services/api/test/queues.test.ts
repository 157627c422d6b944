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
    const critical = t.api.queues.get('critical');
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
    expect(await t.api.queues.get('low').isPaused()).toBe(true);
    const list = await request(t.url).get('/api/queues').set(AS.client).expect(200);
    expect([list.body.queues.critical.paused, list.body.queues.default.paused, list.body.queues.low.paused]).toEqual([false, false, true]);

    const resumed = await request(t.url).post('/api/queues/low/resume').set(AS.admin).expect(200);
    expect(resumed.body).toEqual({ queue: 'low', paused: false });
    expect(await t.api.queues.get('low').isPaused()).toBe(false);
  });

  it('reports the backlog KEDA reads: ready = waiting + prioritized, and the oldest age', async () => {
    const empty = await request(t.url).get('/api/queues/backlog').set(AS.client).expect(200);
    expect(empty.body).toEqual({
      queues: {
        critical: { ready: 0, oldestSeconds: 0, paused: false },
        default: { ready: 0, oldestSeconds: 0, paused: false },
        low: { ready: 0, oldestSeconds: 0, paused: false },
      },
      total: { ready: 0, oldestSeconds: 0, paused: false },
    });
    await enqueue({ worker: 'FlakyWorker', args: {} });
    await enqueue({ worker: 'FlakyWorker', args: {}, delaySeconds: 60 });
    await t.api.queues.get('low').add('FlakyWorker', {}, { priority: 5, timestamp: Date.now() - 30_000 });
    await t.api.queues.get('critical').add('EchoWorker', { n: 1 }, { timestamp: Date.now() - 90_000 });
    const res = await request(t.url).get('/api/queues/backlog').set(AS.client).expect(200);
    expect(res.body.queues.low).toEqual({ ready: 2, oldestSeconds: expect.any(Number), paused: false });
    expect(res.body.queues.critical.ready).toBe(1);
    expect(res.body.queues.critical.oldestSeconds).toBeGreaterThanOrEqual(90);
    expect(res.body.queues.critical.oldestSeconds).toBeLessThan(120);
    expect(res.body.queues.default.ready).toBe(0);
    // Without ?queues=, total covers all three.
    expect(res.body.total).toEqual({ ready: 3, oldestSeconds: res.body.queues.critical.oldestSeconds, paused: false });
  });

  it("sums a worker group's queues into total, so one autoscaler trigger follows the group's backlog", async () => {
    await enqueue({ worker: 'DataProcessingWorker', args: { userId: 1 } });
    await enqueue({ worker: 'DataProcessingWorker', args: { userId: 2 } });
    await t.api.queues.get('low').add('FlakyWorker', {}, { timestamp: Date.now() - 30_000 });
    await t.api.queues.get('critical').add('EchoWorker', { n: 1 }, { timestamp: Date.now() - 90_000 });

    const res = await request(t.url).get('/api/queues/backlog?queues=low,default').set(AS.client).expect(200);
    // Only the listed queues, each as without the filter.
    expect(Object.keys(res.body.queues).sort()).toEqual(['default', 'low']);
    expect(res.body.queues.default).toEqual({ ready: 2, oldestSeconds: expect.any(Number), paused: false });
    expect(res.body.queues.low).toEqual({ ready: 1, oldestSeconds: expect.any(Number), paused: false });
    // The oldest ready job of the group is the 30 s old low one; critical's older job is not counted.
    expect(res.body.total).toEqual({ ready: 3, oldestSeconds: res.body.queues.low.oldestSeconds, paused: false });
    expect(res.body.total.oldestSeconds).toBeGreaterThanOrEqual(30);
    expect(res.body.total.oldestSeconds).toBeLessThan(90);

    const one = await request(t.url).get('/api/queues/backlog?queues=critical').set(AS.client).expect(200);
    expect(Object.keys(one.body.queues)).toEqual(['critical']);
    expect(one.body.total).toEqual(one.body.queues.critical);
    expect(one.body.total.ready).toBe(1);

    // Spaces and repeats are forgiven; a queue counts once.
    const loose = await request(t.url).get('/api/queues/backlog').query({ queues: ' default , low,default' }).set(AS.client).expect(200);
    expect(loose.body.total.ready).toBe(3);
  });

  it('reports total.paused only when every listed queue is paused: none of that backlog can start', async () => {
    await request(t.url).post('/api/queues/low/pause').set(AS.admin).expect(200);
    await enqueue({ worker: 'FlakyWorker', args: {} }); // low: a paused queue's jobs stay waiting, still counted
    const low = await request(t.url).get('/api/queues/backlog?queues=low').set(AS.client).expect(200);
    expect(low.body.total).toMatchObject({ ready: 1, paused: true });
    const group = await request(t.url).get('/api/queues/backlog?queues=default,low').set(AS.client).expect(200);
    expect(group.body.total).toMatchObject({ ready: 1, paused: false });
    expect(group.body.queues.low.paused).toBe(true);
  });

  it.each([
    ['an unknown queue', 'critical,urgent', 'unknown queue "urgent" (queues: critical, default, low)'],
    ['an empty list', '', 'names no queue (queues: critical, default, low)'],
    ['only commas', ',,', 'names no queue (queues: critical, default, low)'],
  ])('refuses %s in ?queues= with 400, naming the bad value and the valid ones', async (_what, queues, message) => {
    const res = await request(t.url).get('/api/queues/backlog').query({ queues }).set(AS.client).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', message: `invalid query: queues: ${message}` });
  });

  it('documents ?queues= and total in the OpenAPI document', async () => {
    const doc = (await request(t.url).get('/openapi.json').expect(200)).body;
    const op = doc.paths['/api/queues/backlog'].get;
    expect(op.parameters).toEqual([expect.objectContaining({ name: 'queues', in: 'query', required: false, schema: expect.objectContaining({ type: 'string' }) })]);
    expect(Object.keys(op.responses)).toContain('400');
    expect(doc.components.schemas.QueueBacklog.required).toEqual(['queues', 'total']);
    expect(doc.components.schemas.QueueBacklog.properties.total.required).toEqual(['ready', 'oldestSeconds', 'paused']);
  });
});
