/**
 * Autoscaling on the live local cluster (`make test-cluster`), with KEDA and metrics-server running
 * as the cluster's own (scripts/cluster/autoscalers.sh): backlog scaling up to the maximum and back,
 * delayed jobs that scale nothing, a group woken from zero, CPU scaling, and the ownership rules
 * (`bullpen scale` refuses, `--pin` holds, `helm upgrade` neither undoes a pin nor fights KEDA).
 *
 * Short timings by --set, so the suite fits CI: KEDA polls every 5 s, scales 1 -> 0 after 15 s idle,
 * and takes one pod off per 10 s after 15 s of lower recommendations (shipped: 15 s, 300 s, 60 s,
 * 300 s). CPU requests are lowered for the 2-core node. The figures (scale-out, drain, scale-in,
 * enqueue-to-start after a cold wake-up) are printed as `autoscaling: ...` lines.
 */
import { join } from 'node:path';
import { Api, CHART, E2E_TAG, expectDrainedInGrace, installed, kubectl, kubectlJson, pods, ReleaseRedis, ROOT, watchWorkerPods } from './cluster';
import { waitFor } from '../support/deferred';
import { run } from '../support/run';

jest.setTimeout(600_000);

const NS = 'bullpen-autoscale';
const ALL = 'bullpen-worker-all';
const LOW = 'bullpen-worker-low';
const MAX = 4;
const FAST = [
  'api.resources.requests.cpu=50m', 'beat.resources.requests.cpu=20m', 'redis.resources.requests.cpu=50m',
  'workers.defaults.resources.requests.cpu=50m',
  'workers.defaults.keda.enabled=true', 'workers.defaults.keda.pollingInterval=5', 'workers.defaults.keda.cooldownPeriod=15',
  'workers.defaults.keda.scaleDownStabilizationSeconds=15', 'workers.defaults.keda.scaleDownPeriodSeconds=10',
  'workers.defaults.hpa.scaleDownStabilizationSeconds=15', 'workers.defaults.hpa.scaleDownPeriodSeconds=10',
  'workers.groups[0].name=all', 'workers.groups[0].queues={critical,default}',
  'workers.groups[0].keda.minReplicaCount=1', `workers.groups[0].keda.maxReplicaCount=${MAX}`,
  // Scale to zero: the low queue's group sleeps until a job comes.
  'workers.groups[1].name=low', 'workers.groups[1].queues={low}', 'workers.groups[1].keda.minReplicaCount=0',
  'workers.groups[1].keda.maxReplicaCount=1',
].flatMap((value) => ['--set', value]);

const bullpen = (api: Api, ...args: string[]) =>
  run(process.execPath, [join(ROOT, 'services', 'cli', 'bin', 'bullpen.js'), ...args, '-n', NS], {
    env: { ...process.env, BULLPEN_API_URL: api.url, BULLPEN_API_TOKEN: api.clientToken },
  });
/** helm upgrade of the test's release as a deploy runs it: same chart, same values, no --force-conflicts. */
const upgrade = (extra: string[] = []) =>
  run('helm', ['upgrade', 'bullpen', CHART, '-n', NS, '--values', join(CHART, 'values-preview.yaml'),
    '--set', `image.tag=${E2E_TAG}`, '--set', 'image.pullPolicy=Never', ...FAST, ...extra, '--wait', '--timeout', '5m']);
const replicas = async (deployment: string): Promise<{ spec: number; ready: number }> => {
  const d = await kubectlJson('get', 'deployment', deployment, '-n', NS);
  return { spec: d.spec.replicas ?? 0, ready: d.status.readyReplicas ?? 0 };
};
const seconds = (fromMs: number) => ((Date.now() - fromMs) / 1000).toFixed(1);
const figure = (text: string) => process.stdout.write(`autoscaling: ${text}\n`);
const sleepJobs = (count: number, extra: object = {}) => Array.from({ length: count }, () => ({ worker: 'SleepWorker', args: { ms: 2000 }, ...extra }));

/** The value KEDA serves the HPA for a ScaledObject's trigger `index`, as the HPA reads it. */
async function externalMetric(scaledObject: string, index: number): Promise<number> {
  const hpa = await kubectlJson('get', 'hpa', `keda-hpa-${scaledObject}`, '-n', NS);
  const { name, selector } = hpa.spec.metrics[index].external.metric;
  const labels = Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
  const raw = await kubectl('get', '--raw', `/apis/external.metrics.k8s.io/v1beta1/namespaces/${NS}/${name}?labelSelector=${encodeURIComponent(labels)}`);
  const quantity: string = JSON.parse(raw).items[0].value;
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

async function enqueueAll(api: Api, jobs: object[]): Promise<string[]> {
  const ids: string[] = [];
  // 500 per request: the client token's burst allows 2,000 jobs at once.
  for (let i = 0; i < jobs.length; i += 500) {
    const res = await api.call('POST', '/api/jobs/bulk', { jobs: jobs.slice(i, i + 500) });
    if (res.status !== 202) throw new Error(`POST /api/jobs/bulk: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...res.body.ids);
  }
  return ids;
}

describe('autoscaling on the live cluster', () => {
  let api: Api;
  let redis: ReleaseRedis;

  beforeAll(async () => ({ api, redis } = await installed(NS, 'preview', FAST)));
  afterAll(async () => {
    await redis?.close();
    await run('helm', ['uninstall', 'bullpen', '-n', NS, '--wait']);
    await run('kubectl', ['delete', 'namespace', NS, '--wait=true']);
  });

  test('the chart chose KEDA (the cluster serves keda.sh/v1alpha1): ScaledObjects, no HPA of its own, no spec.replicas', async () => {
    const annotations = (await kubectlJson('get', 'deployment', ALL, '-n', NS)).metadata.annotations;
    expect(annotations['bullpen.dev/autoscaler']).toBe('keda');
    const scaled = await kubectlJson('get', 'scaledobject', '-n', NS);
    expect(scaled.items.map((s: any) => s.metadata.name).sort()).toEqual([ALL, LOW]);
    const hpas = await kubectlJson('get', 'hpa', '-n', NS);
    expect(hpas.items.map((h: any) => h.metadata.name).sort()).toEqual([`keda-hpa-${ALL}`, `keda-hpa-${LOW}`]);
    // KEDA's ScaledObject is Ready: it reads the backlog through the API with the client token.
    await waitFor('both ScaledObjects Ready', async () => {
      const list = await kubectlJson('get', 'scaledobject', '-n', NS);
      return list.items.every((s: any) => (s.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
    }, 120_000, { intervalMs: 1000 });
  });

  test('1,000 jobs delayed by an hour scale nothing: the backlog KEDA reads stays 0', async () => {
    await waitFor(`${LOW} scaled to zero`, async () => (await replicas(LOW)).spec === 0 && (await pods(NS, 'worker')).length === 1, 120_000, { intervalMs: 1000 });
    const ids = await enqueueAll(api, sleepJobs(1000, { delaySeconds: 3600 }));
    expect(ids).toHaveLength(1000);
    // What the HPA would act on, asked of KEDA now (it reads the API afresh): nothing ready, nothing waiting.
    expect(await externalMetric(ALL, 0)).toBe(0);
    expect(await externalMetric(ALL, 1)).toBe(0);
    // KEDA's own HPA has read the metric since it exists and holds the minimum.
    await waitFor('the HPA to report its metrics', async () => ((await kubectlJson('get', 'hpa', `keda-hpa-${ALL}`, '-n', NS)).status.currentMetrics ?? []).length === 2, 60_000, { intervalMs: 1000 });
    const hpa = await kubectlJson('get', 'hpa', `keda-hpa-${ALL}`, '-n', NS);
    expect(hpa.status.currentMetrics.map((m: any) => Number(m.external.current.averageValue ?? m.external.current.value))).toEqual([0, 0]);
    expect(hpa.status.desiredReplicas).toBe(1);
    expect(await replicas(ALL)).toEqual({ spec: 1, ready: 1 });
    expect(await redis.queue('default').getDelayedCount()).toBe(1000);
  });

  test('scale to zero and back: one job wakes the sleeping group, which runs it', async () => {
    expect((await replicas(LOW)).spec).toBe(0);
    const id = await api.enqueue('SpinWorker', { ms: 1 });
    expect(await redis.settled('low', [id], 180_000)).toEqual([]);
    const job = (await redis.job('low', id))!;
    expect((await api.job(id)).result.pod).toMatch(/^bullpen-worker-low-/);
    figure(`enqueue-to-start after a cold wake-up from 0 pods: ${((job.processedOn! - job.timestamp) / 1000).toFixed(1)} s`);
    // And back to sleep after cooldownPeriod.
    await waitFor(`${LOW} back at zero`, async () => (await replicas(LOW)).spec === 0, 120_000, { intervalMs: 1000 });
  });

  test(`KEDA: 2,000 two-second jobs grow the group to ${MAX} within 90 s, drain, and it shrinks back; none lost, failed or cut off`, async () => {
    const watch = watchWorkerPods(NS);
    try {
      const started = Date.now();
      const ids = await enqueueAll(api, sleepJobs(2000));
      // A deploy during the scale-out: the chart has no spec.replicas, so helm leaves KEDA's count alone.
      await waitFor(`${ALL} scaling out`, async () => (await replicas(ALL)).spec > 1, 90_000, { intervalMs: 250 });
      const before = (await replicas(ALL)).spec;
      const upgraded = await upgrade();
      expect(upgraded.code).toBe(0);
      expect((await replicas(ALL)).spec).toBeGreaterThanOrEqual(before);
      await waitFor(`${ALL} at ${MAX} Ready pods`, async () => (await replicas(ALL)).ready === MAX, 90_000, { intervalMs: 250 });
      const scaleOut = seconds(started);
      expect(Date.now() - started).toBeLessThanOrEqual(90_000);
      const groupPods = (await pods(NS, 'worker')).filter((pod) => pod.metadata.labels['bullpen.dev/worker-group'] === 'all').map((pod) => pod.metadata.name);

      expect(await redis.settled('default', ids, 480_000)).toEqual([]);
      const drain = seconds(started);
      const drainedAt = Date.now();
      await waitFor(`${ALL} back at 1 pod`, async () => (await replicas(ALL)).spec === 1 &&
        (await pods(NS, 'worker')).filter((pod) => pod.metadata.labels['bullpen.dev/worker-group'] === 'all').length === 1, 300_000, { intervalMs: 1000 });
      figure(`scale-out 1 -> ${MAX} Ready pods ${scaleOut} s after the enqueue; backlog drained at ${drain} s; scale-in ${MAX} -> 1 pod ${seconds(drainedAt)} s after the drain`);

      let reruns = 0;
      for (const id of ids) {
        const job = (await redis.job('default', id))!;
        expect({ id, state: await job.getState() }).toEqual({ id, state: 'completed' });
        if (job.attemptsStarted !== 1) reruns += 1;
      }
      figure(`2,000 jobs: 0 failed, 0 lost, ${reruns} run again by stalled recovery`);
      // Every pod the autoscaler removed drained and exited 0 before its grace period ended.
      const removed = groupPods.filter((name) => watch.ends.get(name)?.deletionTimestamp);
      expect(removed).toHaveLength(MAX - 1);
      await expectDrainedInGrace(watch.ends, removed);
    } finally {
      watch.stop();
    }
  });

  test('bullpen scale refuses for a KEDA group; --pin holds through a backlog and a helm upgrade', async () => {
    const refused = await bullpen(api, 'scale', 'all', '3');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/ScaledObject bullpen-worker-all/);
    expect(refused.stderr).toMatch(/--pin/);
    expect((await replicas(ALL)).spec).toBe(1);

    const pinned = await bullpen(api, 'scale', 'all', '2', '--pin');
    expect(pinned.code).toBe(0);
    await waitFor(`${ALL} at 2 Ready pods`, async () => (await replicas(ALL)).ready === 2, 120_000, { intervalMs: 500 });
    const seen = new Set<number>();
    const ids = await enqueueAll(api, sleepJobs(300));
    const upgraded = await upgrade();
    expect(upgraded.code).toBe(0);
    expect((await kubectlJson('get', 'scaledobject', ALL, '-n', NS)).metadata.annotations['autoscaling.keda.sh/paused-replicas']).toBe('2');
    // Throughout a backlog KEDA alone would meet with MAX pods, the group stays at the pin.
    const failed = redis.settled('default', ids, 300_000);
    const sample = setInterval(() => void replicas(ALL).then((r) => seen.add(r.spec), () => {}), 1000);
    try {
      expect(await failed).toEqual([]);
    } finally {
      clearInterval(sample);
    }
    seen.add((await replicas(ALL)).spec);
    expect([...seen]).toEqual([2]);
    await kubectl('annotate', 'scaledobject', ALL, '-n', NS, 'autoscaling.keda.sh/paused-replicas-');
  });

  test('CPU HPA (metrics-server): a CPU-bound load scales a group beyond its minimum; --pin holds against a helm upgrade', async () => {
    // One helm upgrade moves the low group from KEDA to a CPU HPA.
    const cpu = ['workers.groups[1].keda.enabled=false', 'workers.groups[1].hpa.enabled=true', 'workers.groups[1].hpa.minReplicas=1',
      'workers.groups[1].hpa.maxReplicas=3', 'workers.groups[1].hpa.targetCPUUtilizationPercentage=50'].flatMap((v) => ['--set', v]);
    expect((await upgrade(cpu)).code).toBe(0);
    // KEDA left the group asleep at 0, and an HPA never scales a Deployment up from 0: one
    // `kubectl scale` hands it to the HPA (docs/autoscaling.md).
    await kubectl('scale', `deployment/${LOW}`, '-n', NS, '--replicas=1');
    await waitFor(`${LOW} at 1 Ready pod`, async () => (await replicas(LOW)).ready === 1, 120_000, { intervalMs: 500 });
    expect((await kubectlJson('get', 'deployment', LOW, '-n', NS)).metadata.annotations['bullpen.dev/autoscaler']).toBe('hpa');
    const started = Date.now();
    await enqueueAll(api, Array.from({ length: 2000 }, () => ({ worker: 'SpinWorker', args: { ms: 200 } })));
    await waitFor(`the HPA to scale ${LOW} beyond 1`, async () => (await replicas(LOW)).spec > 1, 300_000, { intervalMs: 1000 });
    const hpa = await kubectlJson('get', 'hpa', LOW, '-n', NS);
    figure(`CPU HPA: ${LOW} 1 -> ${hpa.status.desiredReplicas} pods ${seconds(started)} s after a CPU-bound load began (CPU ${hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization}% of requests)`);

    const refused = await bullpen(api, 'scale', 'low', '1');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/HorizontalPodAutoscaler bullpen-worker-low/);
    expect((await bullpen(api, 'scale', 'low', '2', '--pin')).code).toBe(0);
    // A deploy without --force-conflicts stops at the pin instead of quietly undoing it.
    const upgraded = await upgrade(cpu);
    expect(upgraded.code).not.toBe(0);
    expect(upgraded.stderr).toMatch(/conflict/i);
    const pinned = await kubectlJson('get', 'hpa', LOW, '-n', NS);
    expect([pinned.spec.minReplicas, pinned.spec.maxReplicas]).toEqual([2, 2]);
    await waitFor(`${LOW} held at 2`, async () => (await replicas(LOW)).spec === 2, 120_000, { intervalMs: 1000 });
  });
});
