/**
 * The production profile beside preview on the local cluster: its own namespace, pods, Redis and
 * jobs, with no traffic between the two. `make test-cluster`.
 *
 * The profile as shipped requests 2.3 CPUs (see the chart README's resource sums), more than this
 * one 2-core node holds beside preview: only the CPU requests are lowered here, with --set.
 * Replicas, limits, memory, probes and autoscaling stay as shipped.
 */
import { Api, helm, install, isReady, pods, ReleaseRedis, requireCluster, workersReady } from './cluster';

jest.setTimeout(300_000);

const SMALL_NODE = ['api.resources.requests.cpu=50m', 'workers.defaults.resources.requests.cpu=100m',
  'beat.resources.requests.cpu=20m', 'redis.resources.requests.cpu=50m'].flatMap((value) => ['--set', value]);

describe('production profile beside preview', () => {
  let production: Api;
  let preview: Api;
  let productionRedis: ReleaseRedis;
  let previewRedis: ReleaseRedis;

  beforeAll(async () => {
    await requireCluster();
    await install('bullpen-preview', 'preview');
    await install('bullpen-production', 'production', SMALL_NODE);
    [production, preview] = await Promise.all([Api.of('bullpen-production'), Api.of('bullpen-preview')]);
    [productionRedis, previewRedis] = await Promise.all([ReleaseRedis.of('bullpen-production'), ReleaseRedis.of('bullpen-preview')]);
  });
  afterAll(async () => {
    await productionRedis?.close();
    await previewRedis?.close();
  });

  test('every pod is Ready at the profile\'s counts, and helm test passes', async () => {
    // The chart leaves the workers' replicas to the HPA, which raises a new Deployment to its minimum.
    await workersReady('bullpen-production', 3);
    const counts: Record<string, number> = {};
    for (const component of ['api', 'worker', 'beat', 'redis']) {
      const list = await pods('bullpen-production', component);
      expect({ component, notReady: list.filter((pod) => !isReady(pod)).map((pod) => pod.metadata.name) }).toEqual({ component, notReady: [] });
      counts[component] = list.length;
    }
    expect(counts).toEqual({ api: 2, worker: 3, beat: 1, redis: 1 });
    expect(await helm('test', 'bullpen', '-n', 'bullpen-production')).toMatch(/Phase:\s+Succeeded/);
  });

  test('each namespace runs its own jobs on its own Redis', async () => {
    const inProduction = await production.enqueue('SleepWorker', { ms: 1 });
    const inPreview = await preview.enqueue('SleepWorker', { ms: 1 });
    expect(await productionRedis.settled('default', [inProduction], 60_000)).toEqual([]);
    expect(await previewRedis.settled('default', [inPreview], 60_000)).toEqual([]);

    const ranBy = async (api: Api, id: string) => (await api.job(id)).result.pod as string;
    const productionPods = (await pods('bullpen-production', 'worker')).map((pod) => pod.metadata.name);
    const previewPods = (await pods('bullpen-preview', 'worker')).map((pod) => pod.metadata.name);
    expect(productionPods).toContain(await ranBy(production, inProduction));
    expect(previewPods).toContain(await ranBy(preview, inPreview));

    // Neither API nor Redis knows the other environment's job.
    expect((await production.call('GET', `/api/jobs/${inPreview}`)).status).toBe(404);
    expect((await preview.call('GET', `/api/jobs/${inProduction}`)).status).toBe(404);
    expect(await productionRedis.job('default', inPreview)).toBeUndefined();
    expect(await previewRedis.job('default', inProduction)).toBeUndefined();
  });
});
