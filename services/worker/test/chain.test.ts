import { Job } from 'bullmq';
import { chain, EnqueueOptionsError, Worker, type WorkerClass } from '@bullpen/core';
import { z } from 'zod';
import { harness, type Harness } from './harness';

class FetchWorker extends Worker<{ n: number }, { n: number }> {
  static override queue = 'critical' as const;
  static override schema = z.object({ n: z.number() });
  perform({ n }: { n: number }) {
    return { n: n + 1 };
  }
}

class DoubleWorker extends Worker<{ n: number }, { n: number }> {
  static override schema = z.object({ n: z.number() });
  perform({ n }: { n: number }) {
    return { n: n * 2 };
  }
}

class FormatWorker extends Worker<{ n: number }, string> {
  static override queue = 'low' as const;
  perform({ n }: { n: number }) {
    return `result=${n}`;
  }
}

class PingWorker extends Worker<void, string> {
  perform() {
    return 'pong';
  }
}

class BrokenWorker extends Worker<{ n: number }> {
  static override maxRetries = 0;
  perform(): never {
    throw new Error('step two broke');
  }
}

const workers = [FetchWorker, DoubleWorker, FormatWorker, PingWorker, BrokenWorker] as WorkerClass[];

describe('chains', () => {
  let h: Harness;
  beforeEach(async () => {
    h = harness('chain');
    await h.startWorker(h.registry(...workers));
  });
  afterEach(() => h.close());

  it('runs A, then B with A\'s result, then C with B\'s result, across queues', async () => {
    const steps = await chain([FetchWorker.step({ n: 4 }), DoubleWorker.step(), FormatWorker.step()]);
    expect(steps.map((s) => [s.worker, s.queue])).toEqual([
      ['FetchWorker', 'critical'],
      ['DoubleWorker', 'default'],
      ['FormatWorker', 'low'],
    ]);
    const last = steps[2];
    await expect(h.finished(last.queue, last.id)).resolves.toBe('result=10');
    expect((await h.job('critical', steps[0].id)).returnvalue).toEqual({ n: 5 });
  });

  it('asks Redis for a previous result only for a chain step, not for a job without args (a cron run)', async () => {
    const childValues = jest.spyOn(Job.prototype, 'getChildrenValues');
    try {
      // The beat's job schedulers add each run with null data.
      const run = await h.queues.get('default').add('PingWorker', null);
      await expect(h.finished('default', run.id!)).resolves.toBe('pong');
      expect(childValues).not.toHaveBeenCalled();
      const steps = await h.producer.chain([FetchWorker.step({ n: 1 }), DoubleWorker.step()]);
      await expect(h.finished('default', steps[1].id)).resolves.toEqual({ n: 4 });
      expect(childValues).toHaveBeenCalledTimes(1);
    } finally {
      childValues.mockRestore();
    }
  });

  it('runs a step that a producer from before the chain-step mark enqueued (null data, unmarked) on the previous result', async () => {
    // Chains in flight during a rolling upgrade: later steps had null data and failParentOnFailure, and no mark.
    const opts = { attempts: 1, failParentOnFailure: true };
    const tree = await h.queues.flowProducer('default').add({
      name: 'DoubleWorker', queueName: 'default', data: null, prefix: h.queues.prefixOf('default'), opts,
      children: [{ name: 'FetchWorker', queueName: 'critical', data: { n: 1 }, prefix: h.queues.prefixOf('critical'), opts }],
    });
    await expect(h.finished('default', tree.job.id!)).resolves.toEqual({ n: 4 });
  });

  it('fails the rest of the chain when a step fails for good', async () => {
    const steps = await h.producer.chain([FetchWorker.step({ n: 1 }), BrokenWorker.step(), FormatWorker.step()]);
    await expect(h.finished('default', steps[1].id)).rejects.toThrow('step two broke');
    await expect(h.finished('low', steps[2].id)).rejects.toThrow();
    expect(await (await h.job('low', steps[2].id)).getState()).toBe('failed');
  });

  it('refuses invalid first-step args and args on later steps before enqueueing anything', async () => {
    await expect(h.producer.chain([FetchWorker.step({ n: 'x' } as never), DoubleWorker.step()])).rejects.toThrow(/FetchWorker: invalid args/);
    await expect(h.producer.chain([FetchWorker.step({ n: 1 }), DoubleWorker.step({ n: 2 })])).rejects.toThrow(EnqueueOptionsError);
    expect(await h.counts()).toMatchObject({ waiting: 0, 'waiting-children': 0 });
  });
});
