import request from 'supertest';
import { AS, startTestApi, type TestApi } from './support/api';

describe('job lookup never shows what is not a job', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
  });
  afterEach(() => t.close());

  it("answers BullMQ's own keys with the 404 of a missing job, even to admins and while the keys exist", async () => {
    const { body } = await request(t.url).post('/api/jobs').set(AS.client).send({ worker: 'DataProcessingWorker', args: { userId: 1 } }).expect(202);
    const missing = await request(t.url).get('/api/jobs/no-such-job').set(AS.admin).expect(404);
    // The enqueue made a stream, a list and the meta hash: reading them as jobs failed (WRONGTYPE) or showed a fake job.
    const queue = t.api.queues.get('default');
    for (const [id, type] of [['events', 'stream'], ['wait', 'list'], ['meta', 'hash']]) {
      expect(await t.api.redis.type(`${queue.keys[id]}`)).toBe(type);
      const res = await request(t.url).get(`/api/jobs/${id}`).set(AS.admin);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'job_not_found', message: missing.body.error.message.replace('no-such-job', id) } });
    }
    expect((await request(t.url).get(`/api/jobs/${body.id}`).set(AS.client)).status).toBe(200);
  });

  it('does not take a hash without a name and timestamp for a job', async () => {
    const queue = t.api.queues.get('low');
    await t.api.redis.hset(queue.toKey('not-a-job'), { colour: 'blue', progress: '7' });
    const res = await request(t.url).get('/api/jobs/not-a-job').set(AS.admin);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('job_not_found');
    // The same id as a real job in another queue is that job, not an ambiguous one.
    await t.api.queues.get('default').add('DataProcessingWorker', { userId: 1 }, { jobId: 'not-a-job' });
    expect((await request(t.url).get('/api/jobs/not-a-job').set(AS.admin)).body).toMatchObject({ id: 'not-a-job', queue: 'default' });
  });
});
