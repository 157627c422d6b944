import { WorkerRegistry, Worker } from '@bullpen/core';
import { until } from '../../../test/support/deferred';
import { join } from 'node:path';
import { startFixtureService, startService, type ServiceProcess } from '../../../test/support/service-process';

const SLEEP_WORKER = join(__dirname, 'fixtures', 'sleep-worker.ts');
import { harness, type Harness } from './harness';


/** The same job name as the fixture's SleepWorker, but quick: the worker that picks up what another left. */
class SleepWorker extends Worker<{ ms: number; tag?: string }, { slept: number; tag?: string }> {
  static override maxRetries = 0;
  static runs: string[] = [];
  perform({ tag }: { ms: number; tag?: string }) {
    SleepWorker.runs.push(tag ?? '');
    return { slept: 0, tag };
  }
}

describe('worker process lifecycle', () => {
  let h: Harness;
  let proc: ServiceProcess | undefined;
  beforeEach(() => {
    h = harness('lifecycle');
    SleepWorker.runs = [];
  });
  afterEach(async () => {
    await proc?.kill();
    proc = undefined;
    await h.close();
  });

  /** Starts the fixture worker process and waits until `n` jobs are active in it. */
  async function startWithActiveJobs(env: Record<string, string>, jobs: Array<{ ms: number; tag: string }>) {
    const qe = await h.queueEvents('default');
    let active = 0;
    const onActive = () => active++;
    qe.on('active', onActive);
    proc = startFixtureService('worker', SLEEP_WORKER, { ...h.env, LOG_LEVEL: 'info', ...env });
    await proc.waitForLog('worker started');
    const enqueued = [];
    for (const args of jobs) enqueued.push(await h.producer.enqueue(SleepWorker, args));
    await until((check) => {
      qe.on('active', check);
      return () => qe.off('active', check);
    }, () => active >= jobs.length);
    qe.off('active', onActive);
    return enqueued;
  }

  it('drains active jobs on SIGTERM and exits 0', async () => {
    const jobs = await startWithActiveJobs({ SHUTDOWN_TIMEOUT_SECONDS: '20' }, [1, 2, 3, 4].map((i) => ({ ms: 800, tag: `t${i}` })));
    proc!.child.kill('SIGTERM');
    expect(await proc!.exited).toEqual({ code: 0, signal: null });
    for (const job of jobs) expect(await (await h.job('default', job.id)).getState()).toBe('completed');
    expect(proc!.logs.find((l) => l.msg === 'worker stopped')).toMatchObject({ handedBack: 0 });
  });

  it('hands a job that outlives the shutdown budget back to wait, where another worker completes it', async () => {
    const [job] = await startWithActiveJobs({ SHUTDOWN_TIMEOUT_SECONDS: '1' }, [{ ms: 60_000, tag: 'long' }]);
    proc!.child.kill('SIGTERM');
    expect(await proc!.exited).toEqual({ code: 0, signal: null });
    expect(proc!.logs.find((l) => l.msg === 'worker stopped')).toMatchObject({ handedBack: 1 });
    const handedBack = await h.job('default', job.id);
    expect(await handedBack.getState()).toBe('waiting');
    expect(handedBack.failedReason).toBeUndefined();

    await h.startWorker(new WorkerRegistry([SleepWorker]));
    await expect(h.finished('default', job.id)).resolves.toEqual({ slept: 0, tag: 'long' });
  });

  it('recovers every job of a SIGKILLed worker: another worker completes them', async () => {
    const fast = { WORKER_LOCK_SECONDS: '2', WORKER_STALLED_CHECK_SECONDS: '1' };
    const tags = ['a', 'b', 'c', 'd', 'e', 'f'];
    const jobs = await startWithActiveJobs(fast, tags.map((tag) => ({ ms: 60_000, tag })));
    proc!.child.kill('SIGKILL');
    expect(await proc!.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const rescuer = await h.startWorker(new WorkerRegistry([SleepWorker]), fast);
    const results = await Promise.all(jobs.map((j) => h.finished('default', j.id)));
    expect(results.map((r) => (r as { tag: string }).tag).sort()).toEqual(tags);
    expect(SleepWorker.runs.sort()).toEqual(tags); // each ran once more, none twice here
    expect(await rescuer.register.getSingleMetricAsString('bullpen_jobs_stalled_total')).toContain('bullpen_jobs_stalled_total{queue="default"} 6');
  });

  it.each([
    [{ REDIS_URL: 'redis//nowhere' }, 'REDIS_URL: not a URL: "redis//nowhere"'],
    [{ WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY: must be between 1 and 1000, got 0'],
    [{ WORKER_QUEUES: 'critical,urgent' }, 'WORKER_QUEUES: unknown queue "urgent" (known: critical, default, low)'],
    [{ SHUTDOWN_TIMEOUT_SECONDS: 'soon' }, 'SHUTDOWN_TIMEOUT_SECONDS: expected an integer, got "soon"'],
  ])('refuses bad config %j at start with one line naming the variable', async (env, line) => {
    proc = startService('services/worker/src/main.ts', { ...h.env, ...env });
    expect((await proc.exited).code).toBe(2);
    expect(proc.text).toEqual([`bullpen: bad configuration: ${line}`]);
    expect(proc.logs).toEqual([]);
  });
});
