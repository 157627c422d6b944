import { Worker, type QueueName, type WorkerClass } from '@bullpen/core';
import { deferred, until, type Deferred } from '../../../test/support/deferred';
import { harness, type Harness } from './harness';

/**
 * What the pod ran, in start order, shared by the classes below: each records its queue when
 * it starts and, when its queue has a hold, keeps its slot until the test resolves it.
 */
const log = {
  started: [] as QueueName[],
  running: 0,
  mostRunning: 0,
  holds: {} as Partial<Record<QueueName, Deferred<void>>>,
  listeners: new Set<() => void>(),
};

function onChange(check: () => void): () => void {
  log.listeners.add(check);
  return () => log.listeners.delete(check);
}

async function record(queue: QueueName): Promise<void> {
  log.started.push(queue);
  log.running++;
  log.mostRunning = Math.max(log.mostRunning, log.running);
  log.listeners.forEach((l) => l());
  await log.holds[queue]?.promise;
  log.running--;
  log.listeners.forEach((l) => l());
}

class CriticalJob extends Worker<void> {
  static override queue = 'critical' as const;
  static override maxRetries = 0;
  perform() {
    return record('critical');
  }
}
class DefaultJob extends Worker<void> {
  static override maxRetries = 0;
  perform() {
    return record('default');
  }
}
class LowJob extends Worker<void> {
  static override queue = 'low' as const;
  static override maxRetries = 0;
  perform() {
    return record('low');
  }
}
const CLASSES = { critical: CriticalJob, default: DefaultJob, low: LowJob } as Record<QueueName, WorkerClass>;

describe('one slot pool per pod, highest queue first', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness('priority');
    Object.assign(log, { started: [], running: 0, mostRunning: 0, holds: {} });
  });
  afterEach(async () => {
    Object.values(log.holds).forEach((hold) => hold.resolve());
    await h.close();
  });

  const registry = () => h.registry(CriticalJob, DefaultJob, LowJob);
  const fill = (counts: Partial<Record<QueueName, number>>) =>
    h.producer.enqueueBulk(Object.entries(counts).flatMap(([queue, n]) => Array.from({ length: n }, () => ({ worker: CLASSES[queue as QueueName], args: undefined }))));
  const startedCount = (n: number) => until(onChange, () => log.started.length >= n);

  it('with one slot and all three queues full, runs every critical job, then default, then low', async () => {
    // Low first, so the queues' own order cannot come from the order of enqueueing.
    await fill({ low: 15 });
    await fill({ default: 15 });
    await fill({ critical: 15 });
    await h.startWorker(registry(), { WORKER_CONCURRENCY: '1' });
    await startedCount(45);
    expect(log.started).toEqual([...Array(15).fill('critical'), ...Array(15).fill('default'), ...Array(15).fill('low')]);
    expect(log.mostRunning).toBe(1);
  });

  it('runs exactly WORKER_CONCURRENCY jobs at once across the queues, and holds no job it has no slot for', async () => {
    const hold = deferred();
    log.holds = { critical: hold, default: hold, low: hold };
    await fill({ critical: 6, default: 6, low: 6 });
    const service = await h.startWorker(registry(), { WORKER_CONCURRENCY: '3' });
    await until(onChange, () => log.running === 3);
    expect(service.pool.activeCount()).toBe(3);
    // Active in Redis is what the pod runs: nothing fetched waits for a slot under its lock.
    const active = await Promise.all((['critical', 'default', 'low'] as const).map((q) => h.queues.get(q).getActiveCount()));
    expect(active.reduce((a, b) => a + b)).toBe(3);
    hold.resolve();
    await startedCount(18);
    expect(log.mostRunning).toBe(3);
    // Strict order holds with several slots too: no low job started before the last critical one.
    expect(log.started.lastIndexOf('critical')).toBeLessThan(log.started.indexOf('low'));
  });

  it('keeps the reserved slot for critical: a pod full of long low jobs starts critical jobs at once, and default waits', async () => {
    log.holds = { low: deferred() };
    await fill({ low: 50 });
    const service = await h.startWorker(registry(), { WORKER_CONCURRENCY: '3' });
    // The reserved slot stays free: low takes the other two only.
    await until(onChange, () => log.running === 2);
    const waitingDefault = await DefaultJob.performAsync(undefined);
    const urgent = await Promise.all(Array.from({ length: 20 }, () => CriticalJob.performAsync(undefined)));
    // Every critical job completes through the reserved slot while both low jobs hold theirs.
    for (const { id } of urgent) await h.finished('critical', id);
    expect(service.pool.activeCount('low')).toBe(2);
    expect(log.started.filter((q) => q === 'low')).toHaveLength(2);
    expect(await (await h.job('default', waitingDefault.id)).getState()).toBe('waiting');
  });

  it('shares the slots by WORKER_QUEUE_WEIGHTS while every queue has jobs', async () => {
    await fill({ critical: 2000, default: 1000, low: 400 });
    await h.startWorker(registry(), { WORKER_CONCURRENCY: '2', WORKER_RESERVED_CRITICAL: '0', WORKER_QUEUE_WEIGHTS: 'critical:6,default:3,low:1' });
    await startedCount(3000);
    const share = (q: QueueName) => log.started.slice(0, 3000).filter((s) => s === q).length / 3000;
    for (const [q, w] of [['critical', 0.6], ['default', 0.3], ['low', 0.1]] as const) {
      expect(Math.abs(share(q) - w) / w).toBeLessThan(0.05);
    }
  }, 60_000);
});
