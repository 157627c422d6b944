import { createLogger, QueueHandles, Worker, WorkerRegistry } from '@bullpen/core';
import { discoverWorkers } from '@bullpen/jobs/discover';
import { createBeatService, loadBeatConfig, schedulerId, syncSchedules } from '@bullpen/beat';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../../../test/support/redis';

class NightlyWorker extends Worker<void> {
  static override queue = 'low' as const;
  static override cronSchedule = '0 2 * * *';
  static override cronArgs = { full: true };
  perform() {}
}

describe('beat', () => {
  const redis = testRedis();
  let prefix: string;
  let opened: QueueHandles[];
  /** One beat's Queue handles. */
  const handles = () => {
    const q = new QueueHandles({ connection: redis, prefix });
    opened.push(q);
    return q;
  };
  beforeEach(() => {
    prefix = uniquePrefix('beat');
    opened = [];
  });
  afterEach(async () => {
    await Promise.all(opened.map((q) => q.close()));
    await deletePrefix(redis, prefix);
  });
  afterAll(() => redis.quit());

  it('registers each cron schedule once, with a stable id, even when two beats sync at once', async () => {
    const registry = new WorkerRegistry([...discoverWorkers().list(), NightlyWorker]);
    const [a, b] = [handles(), handles()];
    await Promise.all([syncSchedules(a, registry), syncSchedules(b, registry), syncSchedules(a, registry)]);

    const critical = await a.get('critical').getJobSchedulers(0, -1);
    expect(critical.map((s) => [s.key, s.pattern, s.tz])).toEqual([[schedulerId('HealthCheckWorker'), '*/10 * * * *', 'UTC']]);
    const low = await a.get('low').getJobSchedulers(0, -1);
    expect(low.map((s) => [s.key, s.pattern])).toEqual([[schedulerId('NightlyWorker'), '0 2 * * *']]);
    // One upcoming run per schedule, carrying the worker's retry settings and cron args.
    const delayed = await a.get('low').getDelayed();
    expect(delayed).toHaveLength(1);
    expect(delayed[0]).toMatchObject({ name: 'NightlyWorker', data: { full: true } });
    expect(delayed[0].opts.attempts).toBe(4);
    expect(await a.get('critical').getDelayedCount()).toBe(1);
  });

  it('removes the schedule of a worker that is gone, and leaves schedulers it does not own alone', async () => {
    const p = handles();
    await syncSchedules(p, new WorkerRegistry([NightlyWorker]));
    await p.get('low').upsertJobScheduler('made-by-hand', { every: 60_000 }, { name: 'Other' });
    const result = await syncSchedules(p, new WorkerRegistry([]));
    expect(result.removed).toEqual([schedulerId('NightlyWorker')]);
    expect((await p.get('low').getJobSchedulers(0, -1)).map((s) => s.key)).toEqual(['made-by-hand']);
  });

  it('serves /readyz once synced and /metrics with queue depth, and stops cleanly', async () => {
    const config = loadBeatConfig({ REDIS_URL: TEST_REDIS_URL, BULLPEN_PREFIX: prefix, METRICS_PORT: '0' });
    const service = createBeatService({ config, registry: discoverWorkers(), logger: createLogger('beat', 'silent') });
    const { metricsPort } = await service.start();
    try {
      const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
      expect(ready.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toContain('bullpen_queue_jobs{queue="critical",state="delayed"} 1');
      expect(metrics).toContain('bullpen_queue_paused{queue="low"} 0');
    } finally {
      await service.close();
    }
    await service.close(); // idempotent
  });

  it('refuses a bad BEAT_SYNC_INTERVAL_SECONDS with one line naming it', () => {
    expect(() => loadBeatConfig({ BEAT_SYNC_INTERVAL_SECONDS: '0' })).toThrow('BEAT_SYNC_INTERVAL_SECONDS: must be between 1 and 86400, got 0');
  });
});
