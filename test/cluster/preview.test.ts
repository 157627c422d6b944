/**
 * The preview profile on the local cluster's running pods: helm install, helm test, a job through
 * the API's Service, kubectl scale, the bullpen CLI live, and each worker pod's metrics.
 * `make test-cluster` (scripts/cluster-run puts the suite inside the cluster's network namespace).
 */
import { join } from 'node:path';
import { Api, helm, install, isReady, kubectl, pods, ReleaseRedis, installed, ROOT, scaleWorkers, scrape, workersReady } from './cluster';
import { run } from '../support/run';

jest.setTimeout(300_000);

const NS = 'bullpen-preview';
const WORKER = 'bullpen-worker-all';
const bullpen = (api: Api, ...args: string[]) =>
  run(process.execPath, [join(ROOT, 'services', 'cli', 'bin', 'bullpen.js'), ...args, '-n', NS], {
    env: { ...process.env, BULLPEN_API_URL: api.url, BULLPEN_API_TOKEN: api.clientToken },
  });

describe('preview profile on running pods', () => {
  let api: Api;
  let redis: ReleaseRedis;

  beforeAll(async () => ({ api, redis } = await installed(NS, 'preview')));
  afterAll(async () => redis?.close());

  test('helm install brings every pod Ready, and helm test passes', async () => {
    for (const component of ['api', 'worker', 'beat', 'redis']) {
      // Pods still draining from an earlier rollout are on their way out: the rest must all be Ready.
      const list = (await pods(NS, component)).filter((pod) => !pod.metadata.deletionTimestamp);
      expect({ component, ready: list.filter(isReady).length }).toEqual({ component, ready: list.length });
      expect(list.length).toBeGreaterThan(0);
    }
    const out = await helm('test', 'bullpen', '-n', NS);
    expect(out).toMatch(/Phase:\s+Succeeded/);
  });

  test('a job enqueued through the API Service is completed by a worker pod', async () => {
    const id = await api.enqueue('DataProcessingWorker', { userId: 7, records: 3 });
    expect(await redis.settled('default', [id], 60_000)).toEqual([]);
    const job = await api.job(id);
    expect(job).toMatchObject({ state: 'completed', result: { userId: 7, recordsProcessed: 3 } });
  });

  test('kubectl scale to 3: the new pods become Ready and share the jobs', async () => {
    await scaleWorkers(NS, WORKER, 3);
    const ids = await api.enqueueMany('SleepWorker', Array.from({ length: 48 }, () => ({ ms: 500 })));
    expect(await redis.settled('default', ids, 120_000)).toEqual([]);
    const ranOn = new Set((await Promise.all(ids.map((id) => api.job(id)))).map((job) => job.result.pod));
    const workerPods = (await pods(NS, 'worker')).map((pod) => pod.metadata.name);
    expect(ranOn.size).toBeGreaterThan(1);
    for (const pod of ranOn) expect(workerPods).toContain(pod);

    // The values still say 1 replica: an upgrade keeps the count a person chose.
    await install(NS, 'preview');
    expect(await kubectl('get', `deployment/${WORKER}`, '-n', NS, '-o', 'jsonpath={.spec.replicas}')).toBe('3');
  });

  test('each worker pod serves the per-pod series the dashboard uses on its metrics port', async () => {
    await scaleWorkers(NS, WORKER, 2);
    const ids = await api.enqueueMany('SleepWorker', Array.from({ length: 32 }, () => ({ ms: 200 })));
    expect(await redis.settled('default', ids, 120_000)).toEqual([]);
    const completedBy: Record<string, number> = {};
    for (const pod of await pods(NS, 'worker')) {
      const series = new Map(await scrape(`http://${pod.status.podIP}:9464/metrics`));
      expect(series.get('bullpen_worker_concurrency')).toBeGreaterThan(0);
      for (const queue of ['critical', 'default', 'low']) expect(series.has(`bullpen_worker_active_jobs{queue="${queue}"}`)).toBe(true);
      completedBy[pod.metadata.name] = series.get('bullpen_jobs_completed_total{queue="default",worker="SleepWorker"}') ?? 0;
    }
    // Both pods ran some of the jobs, and their counters add up to at least this test's jobs.
    expect(Object.values(completedBy).filter((n) => n > 0)).toHaveLength(2);
    expect(Object.values(completedBy).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(ids.length);
  });

  test('bullpen status shows the pods and the live backlog; scale and drain act on the live cluster', async () => {
    await scaleWorkers(NS, WORKER, 3);
    // A paused queue keeps its jobs waiting: a backlog that holds still while status reads it.
    expect((await api.call('POST', '/api/queues/default/pause', undefined, api.adminToken)).status).toBe(200);
    let held: string[];
    try {
      held = await api.enqueueMany('SleepWorker', Array.from({ length: 5 }, () => ({ ms: 10 })));
      const status = await bullpen(api, 'status', '--json');
      expect(status).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(status.stdout);
      expect(report.groups).toEqual([expect.objectContaining({ deployment: WORKER, desiredReplicas: 3, readyReplicas: 3, autoscaler: null })]);
      expect(report.queues).toContainEqual(expect.objectContaining({ name: 'default', ready: 5, active: 0, paused: true }));
      const table = await bullpen(api, 'status');
      expect(table.stdout).toMatch(/^all +3 +3 +none /m);
      expect(table.stdout).toMatch(/^default +5 /m);
    } finally {
      expect((await api.call('POST', '/api/queues/default/resume', undefined, api.adminToken)).status).toBe(200);
    }
    expect(await redis.settled('default', held, 60_000)).toEqual([]);

    const scaled = await bullpen(api, 'scale', 'all', '2');
    expect(scaled.code).toBe(0);
    await workersReady(NS, 2);

    const drained = await bullpen(api, 'drain', 'all');
    expect(drained).toMatchObject({ code: 0 });
    expect(drained.stdout).toContain(`scaled from 2 to 0 replicas`);
    await workersReady(NS, 0);
    await scaleWorkers(NS, WORKER, 1);
  });
});
