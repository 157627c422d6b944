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
    await h.producer.enqueueBulk(Array.from({ length: 200 }, () => ({ worker: SlowLowWorker as WorkerClass, args: undefined })));
    await until((check) => {
      SlowLowWorker.listeners.add(check);
      return () => SlowLowWorker.listeners.delete(check);
    }, () => SlowLowWorker.running === 2);
    expect(service.pool.activeCount('low')).toBe(2);

    const { id } = await h.producer.enqueue(UrgentWorker as WorkerClass, undefined);
    await expect(h.finished('critical', id)).resolves.toBe(1);

    // The flood is still there, untouched: the critical job did not wait for any of it.
    expect(SlowLowWorker.running).toBe(2);
    // Job ids repeat across queues (critical's first job is "1", like low's): both low jobs are still tracked.
    expect(id).toBe('1');
    expect(service.pool.activeCount()).toBe(2);
    expect(await h.producer.queue('low').getWaitingCount()).toBe(198);
  });
});
