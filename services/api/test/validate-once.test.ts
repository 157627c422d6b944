import { Worker, WorkerRegistry } from '@bullpen/core';
import request from 'supertest';
import { z } from 'zod';
import { AS, startTestApi, type TestApi } from './support/api';

/** Counts how often its schema runs: once per job on the way in is the API's contract. */
let parses = 0;
const CountedArgs = z.object({ n: z.number() }).transform((args) => {
  parses++;
  return args;
});

class CountedWorker extends Worker<{ n: number }> {
  static override queue = 'low' as const;
  static override schema = CountedArgs;
  perform(): void {}
}

describe('args are validated once on the way from HTTP to Redis', () => {
  let t: TestApi;
  beforeEach(async () => {
    parses = 0;
    t = await startTestApi({ registry: new WorkerRegistry([CountedWorker]) });
  });
  afterEach(() => t.close());

  it('parses a single job\'s args once, and stores what the schema returned', async () => {
    const res = await request(t.url).post('/api/jobs').set(AS.client).send({ worker: 'CountedWorker', args: { n: 1 } }).expect(202);
    expect(parses).toBe(1);
    expect((await t.api.queues.get('low').getJob(res.body.id))?.data).toEqual({ n: 1 });
  });

  it('parses each job of a bulk once', async () => {
    const jobs = Array.from({ length: 5 }, (_, n) => ({ worker: 'CountedWorker', args: { n } }));
    await request(t.url).post('/api/jobs/bulk').set(AS.client).send({ jobs }).expect(202);
    expect(parses).toBe(5);
  });
});
