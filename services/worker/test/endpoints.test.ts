import { DataProcessingWorker } from '@bullpen/jobs';
import { until } from '../../../test/support/deferred';
import { harness, type Harness } from './harness';

describe('worker health and metrics port', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness('endpoints');
  });
  afterEach(() => h.close());

  it('serves /healthz, /readyz and /metrics with the pod\'s slots; /readyz fails once draining', async () => {
    const service = await h.startWorker(h.registry(), { WORKER_QUEUES: 'critical,low', WORKER_CONCURRENCY: '3' });
    const url = (path: string) => `http://127.0.0.1:${service.metricsPort}${path}`;
    expect((await fetch(url('/healthz'))).status).toBe(200);
    expect(await (await fetch(url('/readyz'))).json()).toEqual({ status: 'ready' });

    const metrics = await (await fetch(url('/metrics'))).text();
    // One pool of 3 slots for the pod, whatever queues it consumes; busy slots per queue.
    expect(metrics).toMatch(/^bullpen_worker_concurrency 3$/m);
    expect(metrics).toContain('bullpen_worker_active_jobs{queue="low"} 0');
    expect(metrics).not.toContain('bullpen_worker_active_jobs{queue="default"}');
    // Counters exist at 0 from the start, so the first failure shows as an increase.
    expect(metrics).toContain('bullpen_jobs_failed_total{queue="critical",worker="HealthCheckWorker"} 0');
    expect(metrics).toContain('bullpen_jobs_stalled_total{queue="low"} 0');
    expect(metrics).not.toContain('worker="DataProcessingWorker"'); // it runs on default, not consumed here
    expect(metrics).toContain('bullpen_queue_jobs{queue="critical",state="waiting"} 0');
    expect(metrics).toContain('process_resident_memory_bytes');
    expect((await fetch(url('/nope'))).status).toBe(404);

    const closing = service.pool.close(1000);
    const notReady = await fetch(url('/readyz'));
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', reason: 'workers not running' });
    await closing;
  });

  it('trims completed jobs to the configured count', async () => {
    await h.startWorker(h.registry(), { JOB_RETENTION_COMPLETED_COUNT: '2' });
    const qe = await h.queueEvents('default');
    let completed = 0;
    const allDone = until((check) => {
      const onCompleted = () => {
        completed++;
        check();
      };
      qe.on('completed', onCompleted);
      return () => qe.off('completed', onCompleted);
    }, () => completed === 5);
    await h.producer.enqueueBulk(Array.from({ length: 5 }, (_, i) => ({ worker: DataProcessingWorker, args: { userId: i + 1, records: 1 } })));
    await allDone;
    expect(await h.queues.get('default').getCompletedCount()).toBe(2);
  });
});
