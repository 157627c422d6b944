/**
 * What a running preview release survives on the local cluster: a rolling helm upgrade under load,
 * a worker pod force-deleted mid-job, the Redis pod deleted. `make test-cluster`.
 */
import { Api, expectDrainedInGrace, install, kubectl, pods, ReleaseRedis, installed, rollout, scaleWorkers, scrape, watchWorkerPods } from './cluster';
import { waitFor } from '../support/deferred';

jest.setTimeout(420_000);

const NS = 'bullpen-preview';
const WORKER = 'bullpen-worker-all';

describe('a preview release under disruption', () => {
  let api: Api;
  let redis: ReleaseRedis;

  beforeAll(async () => ({ api, redis } = await installed(NS, 'preview')));
  afterAll(async () => redis?.close());

  test('a rolling helm upgrade with 200 two-second jobs in flight loses and fails none', async () => {
    await scaleWorkers(NS, WORKER, 2);
    const before = (await pods(NS, 'worker')).map((pod) => pod.metadata.name);
    const watch = watchWorkerPods(NS);
    try {
      const ids = await api.enqueueMany('SleepWorker', Array.from({ length: 200 }, () => ({ ms: 2000 })));
      await waitFor('jobs running on the old pods', async () => (await redis.queue('default').getActiveCount()) > 0, 30_000, { intervalMs: 100 });
      // A config change: every worker pod rolls (the ConfigMap's checksum is in the pod template).
      const level = (await kubectl('get', 'configmap', 'bullpen-env', '-n', NS, '-o', 'jsonpath={.data.LOG_LEVEL}')) === 'debug' ? 'info' : 'debug';
      await install(NS, 'preview', ['--set', `config.logLevel=${level}`, '--set', 'workers.defaults.replicas=2']);
      await rollout(NS, WORKER);

      expect(await redis.settled('default', ids, 300_000)).toEqual([]);
      for (const id of ids) {
        const job = (await redis.job('default', id))!;
        expect({ id, state: await job.getState() }).toEqual({ id, state: 'completed' });
        // Run once, or again only because stalled recovery took it from a pod that went away.
        expect({ id, once: job.attemptsStarted === 1, stalled: job.stalledCounter > 0 }).not.toEqual({ id, once: false, stalled: false });
      }
      await waitFor('every old worker pod gone', async () => {
        const now = (await pods(NS, 'worker')).map((pod) => pod.metadata.name);
        return before.every((name) => !now.includes(name));
      }, 120_000, { intervalMs: 500 });
      await expectDrainedInGrace(watch.ends, before);
    } finally {
      watch.stop();
    }
  });

  test('a worker pod force-deleted mid-job: its jobs complete on another pod', async () => {
    await scaleWorkers(NS, WORKER, 2);
    const ids = await api.enqueueMany('SleepWorker', Array.from({ length: 6 }, () => ({ ms: 8000 })));
    // The victim: a pod that has jobs running right now, by its own metrics.
    let victim = '';
    await waitFor('a worker pod with jobs running', async () => {
      for (const pod of await pods(NS, 'worker')) {
        const series = new Map(await scrape(`http://${pod.status.podIP}:9464/metrics`));
        if ((series.get('bullpen_worker_active_jobs{queue="default"}') ?? 0) > 0) victim = pod.metadata.name;
      }
      return victim !== '';
    }, 30_000, { intervalMs: 200 });
    await kubectl('delete', 'pod', victim, '-n', NS, '--grace-period=0', '--force');

    // Stalled recovery hands the victim's jobs on once their locks lapse (lockSeconds).
    expect(await redis.settled('default', ids, 180_000)).toEqual([]);
    const jobs = await Promise.all(ids.map((id) => api.job(id)));
    for (const job of jobs) {
      expect(job.state).toBe('completed');
      expect(job.result.pod).not.toBe(victim);
    }
    const recovered = await Promise.all(ids.map(async (id) => (await redis.job('default', id))!.stalledCounter));
    expect(recovered.some((n) => n > 0)).toBe(true);
    await scaleWorkers(NS, WORKER, 1);
  });

  test('the Redis pod deleted comes back on its volume with every acknowledged job', async () => {
    const claimBefore = await kubectl('get', 'pvc', 'data-bullpen-redis-0', '-n', NS, '-o', 'jsonpath={.metadata.uid}');
    // Jobs acknowledged with 202 and still waiting (delayed an hour) when Redis goes away.
    const res = await api.call('POST', '/api/jobs/bulk', { jobs: Array.from({ length: 25 }, (_, i) => ({ worker: 'SleepWorker', args: { ms: i }, delaySeconds: 3600 })) });
    expect(res.status).toBe(202);
    const ids: string[] = res.body.ids;

    await kubectl('delete', 'pod', 'bullpen-redis-0', '-n', NS, '--wait=true');
    await kubectl('rollout', 'status', 'statefulset/bullpen-redis', '-n', NS, '--timeout=180s');
    await kubectl('wait', '--for=condition=Ready', 'pod/bullpen-redis-0', '-n', NS, '--timeout=180s');
    expect(await kubectl('get', 'pvc', 'data-bullpen-redis-0', '-n', NS, '-o', 'jsonpath={.metadata.uid}')).toBe(claimBefore);

    // The API reconnects by itself; every job is there, still delayed.
    await waitFor('the API to reach Redis again', async () => (await api.call('GET', '/api/queues')).status === 200, 60_000, { intervalMs: 250 });
    const states = await Promise.all(ids.map(async (id) => (await api.job(id)).state));
    expect(states).toEqual(ids.map(() => 'delayed'));
    for (const id of ids) expect((await api.call('DELETE', `/api/jobs/${id}`, undefined, api.adminToken)).status).toBe(200);
  });
});
