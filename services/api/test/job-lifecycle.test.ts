import type { WorkerService } from '@bullpen/worker';
import request from 'supertest';
import { AS, startTestApi, testRegistry, type TestApi } from './support/api';
import { JobEvents } from './support/events';
import { startTestWorker } from './support/worker';
import { GateWorker } from './support/workers';

describe('jobs run by a real worker', () => {
  let t: TestApi;
  let worker: WorkerService | undefined;
  const events: JobEvents[] = [];
  const registry = testRegistry();

  beforeEach(async () => {
    t = await startTestApi({ registry });
    GateWorker.close();
  });
  afterEach(async () => {
    GateWorker.open();
    await worker?.close();
    worker = undefined;
    await Promise.all(events.splice(0).map((e) => e.close()));
    await t.close();
  });

  const watch = async (queue: 'critical' | 'default' | 'low') => {
    const e = await JobEvents.open(t.prefix, queue);
    events.push(e);
    return e;
  };
  const enqueue = (body: object) => request(t.url).post('/api/jobs').set(AS.client).send(body).expect(202);
  const status = (id: string) => request(t.url).get(`/api/jobs/${id}`).set(AS.client).expect(200);

  it('moves a job from waiting to completed with its result and progress', async () => {
    const queue = await watch('default');
    const { body } = await enqueue({ worker: 'DataProcessingWorker', args: { userId: 9, format: 'json', records: 3 } });
    worker = await startTestWorker(t.prefix, registry);
    await queue.waitFor('completed', body.id);
    const res = await status(body.id);
    expect(res.body).toMatchObject({
      id: body.id,
      state: 'completed',
      progress: 100,
      result: { userId: 9, format: 'json', recordsProcessed: 3, outputBytes: expect.any(Number) },
      error: null,
      attemptsMade: 1,
    });
    expect(Date.parse(res.body.startedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.createdAt));
    expect(Date.parse(res.body.finishedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.startedAt));
  });

  it('retries a failed job on an admin request, and it runs again', async () => {
    const low = await watch('low');
    worker = await startTestWorker(t.prefix, registry);
    const { body } = await enqueue({ worker: 'FlakyWorker', args: {} });
    await low.waitFor('failed', body.id);
    const failed = await status(body.id);
    expect(failed.body).toMatchObject({ state: 'failed', error: 'flaky: first attempt fails', attemptsMade: 1, result: null });
    expect(failed.body.finishedAt).not.toBeNull();

    await request(t.url).post(`/api/jobs/${body.id}/retry`).set(AS.client).expect(403);
    const retried = await request(t.url).post(`/api/jobs/${body.id}/retry`).set(AS.admin).expect(202);
    expect(retried.body).toEqual({ id: body.id, worker: 'FlakyWorker', queue: 'low', state: 'waiting' });
    await low.waitFor('completed', body.id);
    expect((await status(body.id)).body).toMatchObject({ state: 'completed', result: { attempt: 2 }, error: null, attemptsMade: 2 });

    const again = await request(t.url).post(`/api/jobs/${body.id}/retry`).set(AS.admin).expect(409);
    expect(again.body.error).toMatchObject({ code: 'job_not_failed', details: { state: 'completed' } });
  });

  it('refuses to retry a job that has not failed', async () => {
    const { body } = await enqueue({ worker: 'EchoWorker', args: { n: 1 } });
    const res = await request(t.url).post(`/api/jobs/${body.id}/retry`).set(AS.admin).expect(409);
    expect(res.body.error).toMatchObject({ code: 'job_not_failed', details: { state: 'waiting' } });
  });

  it('cancels waiting and delayed jobs', async () => {
    const waiting = await enqueue({ worker: 'EchoWorker', args: { n: 1 } });
    const delayed = await enqueue({ worker: 'EchoWorker', args: { n: 2 }, delaySeconds: 600 });
    for (const { body } of [waiting, delayed]) {
      await request(t.url).delete(`/api/jobs/${body.id}`).set(AS.client).expect(403);
      const res = await request(t.url).delete(`/api/jobs/${body.id}`).set(AS.admin).expect(200);
      expect(res.body).toEqual({ id: body.id, worker: 'EchoWorker', queue: 'critical', state: 'cancelled' });
      await request(t.url).get(`/api/jobs/${body.id}`).set(AS.client).expect(404);
    }
    expect(await t.countJobs()).toBe(0);
  });

  it('refuses to cancel a running job with 409, and the job still completes', async () => {
    const critical = await watch('critical');
    worker = await startTestWorker(t.prefix, registry);
    const { body } = await enqueue({ worker: 'GateWorker', args: {} });
    await critical.waitFor('active', body.id);
    const res = await request(t.url).delete(`/api/jobs/${body.id}`).set(AS.admin).expect(409);
    expect(res.body.error).toMatchObject({ code: 'job_not_cancellable', details: { state: 'active' } });
    GateWorker.open();
    await critical.waitFor('completed', body.id);
    expect((await status(body.id)).body).toMatchObject({ state: 'completed', result: 'passed' });
    await request(t.url).delete(`/api/jobs/${body.id}`).set(AS.admin).expect(409);
  });
});
