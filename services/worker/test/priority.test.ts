import { Worker, type JobContext, type WorkerClass } from '@bullpen/core';
import { deferred, until } from '../../../test/support/deferred';
import { harness, type Harness } from './harness';

/** Holds its slot until the test releases every blocked job. */
class SlowLowWorker extends Worker<void> {
  static override queue = 'low' as const;
  static override maxRetries = 0;
  static release = deferred();
  static running = 0;
  static listeners = new Set<() => void>();

  async perform() {
    SlowLowWorker.running++;
    SlowLowWorker.listeners.forEach((l) => l());
    await SlowLowWorker.release.promise;
    SlowLowWorker.running--;
  }
}

class UrgentWorker extends Worker<void, number> {
  static override queue = 'critical' as const;
  perform(_args: void, ctx: JobContext) {
    return ctx.attempt;
  }
}

describe('queue isolation in one pod', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness('priority');
    SlowLowWorker.release = deferred();
    SlowLowWorker.running = 0;
  });
  afterEach(async () => {
    SlowLowWorker.release.resolve();
    await h.close();
  });

  it('runs a critical job while a low-queue flood holds every low slot', async () => {
    const service = await h.startWorker(h.registry(SlowLowWorker as WorkerClass, UrgentWorker as WorkerClass), { WORKER_CONCURRENCY: '2' });
    // The first low job shares its id with the critical job below: ids are unique per queue only.
    await h.producer.enqueueBulk(Array.from({ length: 200 }, (_, i) => ({ worker: SlowLowWorker as WorkerClass, args: undefined, options: i === 0 ? { jobId: 'shared-id' } : {} })));
    await until((check) => {
      SlowLowWorker.listeners.add(check);
      return () => SlowLowWorker.listeners.delete(check);
    }, () => SlowLowWorker.running === 2);
    expect(service.pool.activeCount('low')).toBe(2);

    const { id } = await h.producer.enqueue(UrgentWorker as WorkerClass, undefined, { jobId: 'shared-id' });
    await expect(h.finished('critical', id)).resolves.toBe(1);

    // The flood is still there, untouched: the critical job did not wait for any of it.
    expect(SlowLowWorker.running).toBe(2);
    // Both running low jobs are still tracked, though one has the critical job's id.
    expect(service.pool.activeCount()).toBe(2);
    expect(await h.producer.queue('low').getWaitingCount()).toBe(198);
  });
});
