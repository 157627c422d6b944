import { Worker, WorkerRegistry, type JobContext } from '@bullpen/core';
import request from 'supertest';
import { ADMIN_TOKEN, AS, testRegistry, type TestApi } from './support/api';
import type { JobEvents } from './support/events';
import { startTestStack, type TestStack } from './support/stack';

/** Logs what a report job does, as users' jobs do. */
class ReportWorker extends Worker<{ rows: number }, { rows: number }> {
  static override maxRetries = 0;
  perform({ rows }: { rows: number }, ctx: JobContext) {
    ctx.logger.info({ rows }, 'report built');
    ctx.logger.child({ step: 'upload' }).warn('upload retried once');
    return { rows };
  }
}

describe("the dashboard's Logs tab", () => {
  const registry = new WorkerRegistry([...testRegistry().list(), ReportWorker]);
  let t: TestApi;
  let stack: TestStack;
  let events: JobEvents;

  beforeAll(async () => {
    // LOG_LEVEL info, as deployed: the job's log gets the lines at LOG_LEVEL and above.
    stack = await startTestStack(registry, 'default', { LOG_LEVEL: 'info' });
    ({ api: t, events } = stack);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("shows what the job's ctx.logger wrote, through the dashboard's own API, to an admin only", async () => {
    const { body: job } = await request(t.url).post('/api/jobs').set(AS.client).send({ worker: 'ReportWorker', args: { rows: 42 } }).expect(202);
    await events.waitFor('completed', job.id);
    const route = `/admin/queues/api/queues/default/${encodeURIComponent(job.id)}/logs`;

    const res = await request(t.url).get(route).auth('ops', ADMIN_TOKEN).expect(200);
    expect(res.body).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO report built \{"rows":42\}$/),
      expect.stringMatching(/Z WARN upload retried once$/),
    ]);
    await request(t.url).get(route).expect(401);
    await request(t.url).get(route).set(AS.client).expect(401);
  });
});
