import { find, ofKind, render, renderError, workerDeployment } from './helm';

const HOSTNAME_SPREAD = { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' };
const selector = (component: string, extra: Record<string, string> = {}) => ({
  matchLabels: { 'app.kubernetes.io/name': 'bullpen', 'app.kubernetes.io/instance': 'bullpen', 'app.kubernetes.io/component': component, ...extra },
});

describe('production spreads and disruption budgets', () => {
  const objects = render({ profile: 'production' });

  it('gives the API a PodDisruptionBudget that selects exactly its pods', () => {
    const pdb = find(objects, 'PodDisruptionBudget', 'bullpen-api');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: selector('api') });
    expect(find(objects, 'Deployment', 'bullpen-api').spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
  });

  it('spreads the API pods over nodes, scheduling anyway on a single node', () => {
    const pod = find(objects, 'Deployment', 'bullpen-api').spec.template.spec;
    expect(pod.topologySpreadConstraints).toEqual([{ ...HOSTNAME_SPREAD, labelSelector: selector('api') }]);
  });

  it("spreads each worker group's pods over nodes, counting only that group", () => {
    const pod = workerDeployment(objects, 'all').spec.template.spec;
    expect(pod.topologySpreadConstraints).toEqual([{ ...HOSTNAME_SPREAD, labelSelector: selector('worker', { 'bullpen.dev/worker-group': 'all' }) }]);
    expect(workerDeployment(objects, 'all').spec.template.metadata.labels).toMatchObject(pod.topologySpreadConstraints[0].labelSelector.matchLabels);
  });

  it('never blocks scheduling: every spread is ScheduleAnyway', () => {
    const constraints = ofKind(objects, 'Deployment').flatMap((d) => d.spec.template.spec.topologySpreadConstraints ?? []);
    expect(constraints.length).toBe(2);
    for (const c of constraints) expect(c.whenUnsatisfiable).toBe('ScheduleAnyway');
  });
});

describe('preview and the chart defaults', () => {
  it.each(['defaults', 'preview'] as const)('%s: no API budget and no spread constraints', (profile) => {
    const objects = render({ profile });
    expect(ofKind(objects, 'PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['bullpen-worker-all']);
    for (const d of ofKind(objects, 'Deployment')) expect(d.spec.template.spec).not.toHaveProperty('topologySpreadConstraints');
  });
});

describe('topologySpreadConstraints values', () => {
  it('keeps a labelSelector the values give, and lets a group override the defaults', () => {
    const own = { ...HOSTNAME_SPREAD, topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { tier: 'jobs' } } };
    const objects = render({
      values: {
        api: { topologySpreadConstraints: [own] },
        workers: {
          defaults: { topologySpreadConstraints: [HOSTNAME_SPREAD] },
          groups: [
            { name: 'critical', queues: ['critical'], topologySpreadConstraints: [] },
            { name: 'bulk', queues: ['default', 'low'] },
          ],
        },
      },
    });
    expect(find(objects, 'Deployment', 'bullpen-api').spec.template.spec.topologySpreadConstraints).toEqual([own]);
    expect(workerDeployment(objects, 'critical').spec.template.spec).not.toHaveProperty('topologySpreadConstraints');
    expect(workerDeployment(objects, 'bulk').spec.template.spec.topologySpreadConstraints).toEqual([
      { ...HOSTNAME_SPREAD, labelSelector: selector('worker', { 'bullpen.dev/worker-group': 'bulk' }) },
    ]);
  });

  it('api.pdb takes its own maxUnavailable', () => {
    const pdb = find(render({ values: { api: { pdb: { enabled: true, maxUnavailable: '50%' } } } }), 'PodDisruptionBudget', 'bullpen-api');
    expect(pdb.spec.maxUnavailable).toBe('50%');
  });

  it('the schema refuses a constraint without whenUnsatisfiable', () => {
    const values = { api: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname' }] } };
    expect(renderError({ values })).toContain("values don't meet the specifications of the schema");
  });
});
