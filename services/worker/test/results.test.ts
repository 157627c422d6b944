import { Worker } from '@bullpen/core';
import { harness, type Harness } from './harness';

/** Returns a string of the size it is asked for: too large for the test's 4 KiB limit. */
class HugeResultWorker extends Worker<{ bytes: number }, string> {
  static override maxRetries = 1;
  static override retryBackoff = false;
  perform({ bytes }: { bytes: number }) {
    return 'x'.repeat(bytes);
  }
}

/** A result JSON cannot hold: running it again cannot help. */
class CircularResultWorker extends Worker<void, object> {
  static override maxRetries = 3;
  static runs = 0;
  perform() {
    CircularResultWorker.runs++;
    const result: Record<string, unknown> = {};
    result.self = result;
    return result;
  }
}

describe('job results', () => {
  let h: Harness;
  beforeEach(async () => {
    h = harness('results');
    CircularResultWorker.runs = 0;
    await h.startWorker(h.registry(HugeResultWorker, CircularResultWorker), { WORKER_MAX_RESULT_BYTES: '4096' });
  });
  afterEach(() => h.close());

  it('fails an attempt whose result is over WORKER_MAX_RESULT_BYTES, saying how large it was, and keeps it out of Redis', async () => {
    const { id } = await HugeResultWorker.performAsync({ bytes: 50_000 });
    await expect(h.finished('default', id)).rejects.toThrow('result is 50002 bytes as JSON, over WORKER_MAX_RESULT_BYTES (4096)');
    const job = await h.job('default', id);
    expect(job.attemptsMade).toBe(2);
    expect(job.returnvalue ?? null).toBeNull();
    // A result under the limit is stored as usual.
    const small = await HugeResultWorker.performAsync({ bytes: 100 });
    await expect(h.finished('default', small.id)).resolves.toHaveLength(100);
  });

  it('fails a result that is not JSON at once, without retrying it', async () => {
    const { id } = await CircularResultWorker.performAsync(undefined);
    await expect(h.finished('default', id)).rejects.toThrow(/result is not JSON-serialisable: .*circular/i);
    expect((await h.job('default', id)).attemptsMade).toBe(1);
    expect(CircularResultWorker.runs).toBe(1);
  });
});
