import { ArgsValidationError, enqueuedJobs, EnqueueOptionsError, Worker } from '@bullpen/core';
import { DataProcessingWorker } from '@bullpen/jobs';
import { countKeys } from '../../../test/support/redis';
import { harness, type Harness } from './harness';

class EchoWorker extends Worker<{ word: string }, string> {
  static override queue = 'low' as const;
  perform({ word }: { word: string }) {
    return word.toUpperCase();
  }
}

describe('enqueueing and running jobs', () => {
  let h: Harness;
  beforeEach(async () => {
    h = harness('perform');
    await h.startWorker(h.registry(EchoWorker));
  });
  afterEach(() => h.close());

  it('performAsync runs the job on its queue and keeps its result and progress', async () => {
    const { id, queue, worker } = await DataProcessingWorker.performAsync({ userId: 7, format: 'csv', records: 3 });
    expect({ queue, worker }).toEqual({ queue: 'default', worker: 'DataProcessingWorker' });
    await expect(h.finished('default', id)).resolves.toEqual({ userId: 7, format: 'csv', recordsProcessed: 3, outputBytes: 37 });
    const job = await h.job('default', id);
    expect(job.progress).toBe(100);
    expect(job.attemptsMade).toBe(1);
  });

  it('performIn holds the job back for the given seconds', async () => {
    const { id } = await EchoWorker.performIn(0.4, { word: 'later' });
    expect(await (await h.job('low', id)).getState()).toBe('delayed');
    await expect(h.finished('low', id)).resolves.toBe('LATER');
    const job = await h.job('low', id);
    expect(job.processedOn! - job.timestamp).toBeGreaterThanOrEqual(400);
  });

  it('performAt holds the job back until the given instant, and runs a past instant at once', async () => {
    const runAt = new Date(Date.now() + 400);
    const { id } = await EchoWorker.performAt(runAt, { word: 'at' });
    const past = await EchoWorker.performAt(new Date(Date.now() - 60_000), { word: 'past' });
    await expect(h.finished('low', id)).resolves.toBe('AT');
    await expect(h.finished('low', past.id)).resolves.toBe('PAST');
    expect((await h.job('low', id)).processedOn!).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it('refuses args that fail the schema before anything reaches Redis', async () => {
    const before = await countKeys(h.redis, h.prefix);
    await expect(DataProcessingWorker.performAsync({ userId: -1, format: 'xml' } as never)).rejects.toThrow(ArgsValidationError);
    await expect(DataProcessingWorker.performAsync({ userId: -1 })).rejects.toThrow(/userId/);
    expect(await countKeys(h.redis, h.prefix)).toBe(before);
  });

  it.each([
    ['a negative delay', { delaySeconds: -1 }],
    ['a non-finite delay', { delaySeconds: Number.NaN }],
    ['a delay beyond 10 years', { delaySeconds: 1e12 }],
    ['a runAt beyond 10 years', { runAt: new Date('2100-01-01T00:00:00Z') }],
    ['an invalid date', { runAt: new Date('nope') }],
    ['both delay and runAt', { delaySeconds: 1, runAt: new Date() }],
    ['a job id with a colon', { jobId: 'a:b' }],
  ])('refuses %s', async (_case, options) => {
    await expect(h.producer.enqueue(EchoWorker, { word: 'x' }, options)).rejects.toThrow(EnqueueOptionsError);
    expect(await h.counts()).toMatchObject({ waiting: 0, delayed: 0 });
  });

  it('returns the existing job for a repeated job id instead of adding a second', async () => {
    const first = await h.producer.enqueue(EchoWorker, { word: 'once' }, { jobId: 'order-42' });
    const again = await h.producer.enqueue(EchoWorker, { word: 'twice' }, { jobId: 'order-42' });
    expect(again.id).toBe(first.id);
    await expect(h.finished('low', first.id)).resolves.toBe('ONCE');
    expect((await h.counts()).completed).toBe(1);
  });

  it('enqueues in bulk across queues, or nothing when one item is invalid', async () => {
    await expect(
      h.producer.enqueueBulk([
        { worker: EchoWorker, args: { word: 'a' } },
        { worker: DataProcessingWorker, args: { userId: 0 } },
      ]),
    ).rejects.toThrow(ArgsValidationError);
    expect(await h.counts()).toMatchObject({ waiting: 0, completed: 0 });
    const jobs = await h.producer.enqueueBulk([
      { worker: EchoWorker, args: { word: 'a' } },
      { worker: DataProcessingWorker, args: { userId: 1, records: 1 } },
      { worker: EchoWorker, args: { word: 'b' } },
    ]);
    expect(jobs.map((j) => j.queue)).toEqual(['low', 'default', 'low']);
    await Promise.all(jobs.map((j) => h.finished(j.queue, j.id)));
    expect((await h.counts()).completed).toBe(3);
  });
});

describe('enqueuedJobs, the helper for users\' tests', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness('enqueued');
  });
  afterEach(() => h.close());

  it('lists the pending jobs of one worker class with their args and delay, oldest first', async () => {
    const first = await h.producer.enqueue(EchoWorker, { word: 'one' });
    await h.producer.enqueue(DataProcessingWorker, { userId: 1 });
    const second = await h.producer.enqueue(EchoWorker, { word: 'two' }, { delaySeconds: 60 });
    expect(await enqueuedJobs(h.queues, EchoWorker)).toEqual([
      { id: first.id, args: { word: 'one' }, delayMs: 0 },
      { id: second.id, args: { word: 'two' }, delayMs: 60_000 },
    ]);
  });
});
