import { Worker, type JobContext } from '@bullpen/core';
import { harness, type Harness } from './harness';

/** Fails until its fourth attempt and records the backoff BullMQ stored before each retry. */
class FlakyWorker extends Worker<void, string> {
  static override maxRetries = 4;
  static override retryBackoff = 0.05; // 50 ms, 100 ms, 200 ms, then capped
  static override retryBackoffMax = 0.1;
  static override retryJitter = false;
  static chosenDelays: number[] = [];
  static startedAt: number[] = [];
  static failedAt: number[] = [];

  /** Records what the backoff strategy hands BullMQ. */
  static override retryDelayMs(retry: number): number {
    const ms = super.retryDelayMs(retry);
    FlakyWorker.chosenDelays.push(ms);
    return ms;
  }

  async perform(_args: void, ctx: JobContext) {
    FlakyWorker.startedAt.push(Date.now());
    if (ctx.attempt < 4) FlakyWorker.failedAt.push(Date.now());
    if (ctx.attempt < 4) throw new Error(`flaky attempt ${ctx.attempt}`);
    return 'finally';
  }
}

class DoomedWorker extends Worker<void> {
  static override maxRetries = 2;
  static override retryBackoff = false;
  perform(): never {
    throw new Error('the disk is on fire');
  }
}

/** Never finishes by itself; only its signal ends it. */
class HangingWorker extends Worker<void> {
  static override maxRetries = 1;
  static override retryBackoff = false;
  static override timeoutSeconds = 0.2;
  static aborted = 0;
  perform(_args: void, ctx: JobContext) {
    return new Promise<never>((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        HangingWorker.aborted++;
        reject(ctx.signal.reason);
      });
    });
  }
}

describe('retries', () => {
  let h: Harness;
  beforeEach(async () => {
    h = harness('retries');
    FlakyWorker.chosenDelays = [];
    FlakyWorker.startedAt = [];
    FlakyWorker.failedAt = [];
  });
  afterEach(() => h.close());

  it('retries with exponential backoff capped by retryBackoffMax, then completes', async () => {
    const service = await h.startWorker(h.registry(FlakyWorker));
    const { id } = await h.producer.enqueue(FlakyWorker, undefined);
    await expect(h.finished('default', id)).resolves.toBe('finally');
    const job = await h.job('default', id);
    expect(job.attemptsMade).toBe(4);
    // 50 ms, then 100 ms, then 200 ms capped to 100 ms; and BullMQ waited at least that long each time.
    expect(FlakyWorker.chosenDelays).toEqual([50, 100, 100]);
    FlakyWorker.chosenDelays.forEach((ms, i) => {
      expect(FlakyWorker.startedAt[i + 1] - FlakyWorker.failedAt[i]).toBeGreaterThanOrEqual(ms);
    });
    const text = await service.register.metrics();
    expect(text).toContain('bullpen_jobs_retried_total{queue="default",worker="FlakyWorker"} 3');
    expect(text).toContain('bullpen_jobs_completed_total{queue="default",worker="FlakyWorker"} 1');
  });

  it('fails the job for good after maxRetries, keeping the reason, and keeps serving other jobs', async () => {
    const service = await h.startWorker(h.registry(DoomedWorker, FlakyWorker));
    const { id } = await h.producer.enqueue(DoomedWorker, undefined);
    await expect(h.finished('default', id)).rejects.toThrow('the disk is on fire');
    const job = await h.job('default', id);
    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toBe('the disk is on fire');
    expect(job.attemptsMade).toBe(3);
    const text = await service.register.metrics();
    expect(text).toContain('bullpen_jobs_failed_total{queue="default",worker="DoomedWorker"} 1');
    expect(text).toContain('bullpen_jobs_retried_total{queue="default",worker="DoomedWorker"} 2');
    const next = await h.producer.enqueue(FlakyWorker, undefined);
    await expect(h.finished('default', next.id)).resolves.toBe('finally');
  });

  it('fails an attempt that outlives timeoutSeconds, aborting its signal, and retries it', async () => {
    await h.startWorker(h.registry(HangingWorker));
    HangingWorker.aborted = 0;
    const { id } = await h.producer.enqueue(HangingWorker, undefined);
    await expect(h.finished('default', id)).rejects.toThrow('timed out after 0.2 s');
    expect((await h.job('default', id)).attemptsMade).toBe(2);
    expect(HangingWorker.aborted).toBe(2);
  });

  it('fails a job whose worker class is unknown after its retries, with a reason naming it', async () => {
    await h.startWorker(h.registry());
    const id = (await h.queues.get('default').add('GhostWorker', {}, { attempts: 1 })).id!;
    await expect(h.finished('default', id)).rejects.toThrow('unknown worker "GhostWorker"');
  });
});
