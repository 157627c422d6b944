/**
 * The NetworkPolicies, checked selector by selector: a local cluster's bridge CNI does not enforce
 * them, so what they admit is proven here, from the render, against the labels the pods carry.
 */
import { find, ofKind, podSpecs, render, type K8sObject, type RenderOptions } from './helm';

const RELEASE = { 'app.kubernetes.io/name': 'bullpen', 'app.kubernetes.io/instance': 'bullpen' };
const INGRESS_NGINX = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } };
const KEDA = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } } };
const MONITORING = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
const HTTP = [{ port: 'http', protocol: 'TCP' }];

const policies = (options: RenderOptions = {}) => ofKind(render(options), 'NetworkPolicy');
const policy = (name: string, options: RenderOptions = {}) => find(render(options), 'NetworkPolicy', name).spec;

/** Whether a matchLabels/matchExpressions selector selects a pod with these labels. */
function selects(selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values: string[] }> }, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    if (e.operator !== 'In') throw new Error(`operator ${e.operator} not handled here`);
    return e.values.includes(labels[e.key]);
  });
  return byLabels && byExpressions;
}

/** Names of the rendered pods (Deployments, StatefulSet, test Pod) a policy's podSelector selects. */
function selectedPods(objects: K8sObject[], spec: K8sObject['spec']): string[] {
  return podSpecs(objects)
    .filter(({ obj }) => selects(spec.podSelector, obj.kind === 'Pod' ? obj.metadata.labels! : obj.spec.template.metadata.labels))
    .map(({ obj }) => obj.metadata.name)
    .sort();
}

describe('NetworkPolicies', () => {
  it('deny ingress to every pod of the release, and leave egress open', () => {
    const objects = render();
    const deny = find(objects, 'NetworkPolicy', 'bullpen-default-deny').spec;
    expect(deny).toEqual({ podSelector: { matchLabels: RELEASE }, policyTypes: ['Ingress'] });
    expect(selectedPods(objects, deny)).toEqual(['bullpen-api', 'bullpen-beat', 'bullpen-redis', 'bullpen-smoke-test', 'bullpen-worker-all']);
    for (const p of ofKind(objects, 'NetworkPolicy')) expect({ name: p.metadata.name, types: p.spec.policyTypes }).toEqual({ name: p.metadata.name, types: ['Ingress'] });
  });

  it('open the API port to the release\'s own pods and the ingress controller, and to monitoring', () => {
    const objects = render();
    const api = find(objects, 'NetworkPolicy', 'bullpen-api').spec;
    expect(selectedPods(objects, api)).toEqual(['bullpen-api']);
    expect(api.ingress).toEqual([
      // The workers' HealthCheckWorker and `helm test` call the API: both are release pods.
      { from: [{ podSelector: { matchLabels: RELEASE } }, INGRESS_NGINX], ports: HTTP },
      // The API's /metrics is on its one port.
      { from: [MONITORING], ports: HTTP },
    ]);
    // The port is named, so it follows api.port.
    expect(find(objects, 'Deployment', 'bullpen-api').spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 8080 }]);
  });

  it('admit the KEDA operator to the API only when a group scales on the API\'s backlog', () => {
    const clients = (values: object) => policy('bullpen-api', { values }).ingress[0].from;
    expect(clients({ workers: { defaults: { keda: { enabled: true } } } })).toEqual([{ podSelector: { matchLabels: RELEASE } }, INGRESS_NGINX, KEDA]);
    expect(clients({ workers: { defaults: { keda: { enabled: true, trigger: 'prometheus' } } } })).not.toContainEqual(KEDA);
    const oneGroup = { workers: { groups: [{ name: 'a', queues: ['critical'] }, { name: 'b', queues: ['default', 'low'], keda: { enabled: true } }] } };
    expect(clients(oneGroup)).toContainEqual(KEDA);
  });

  it('take the API\'s peers from the values, always keeping the release\'s own pods', () => {
    const mine = [{ namespaceSelector: { matchLabels: { team: 'shop' } }, podSelector: { matchLabels: { app: 'checkout' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }];
    expect(policy('bullpen-api', { values: { networkPolicy: { api: { from: mine } } } }).ingress[0].from).toEqual([{ podSelector: { matchLabels: RELEASE } }, ...mine]);
    expect(policy('bullpen-api', { values: { networkPolicy: { api: { from: [] } } } }).ingress[0].from).toEqual([{ podSelector: { matchLabels: RELEASE } }]);
  });

  it('open the workers\' and beat\'s metrics port to monitoring only', () => {
    const objects = render();
    const metrics = find(objects, 'NetworkPolicy', 'bullpen-metrics').spec;
    expect(selectedPods(objects, metrics)).toEqual(['bullpen-beat', 'bullpen-worker-all']);
    expect(metrics.ingress).toEqual([{ from: [MONITORING], ports: [{ port: 'metrics', protocol: 'TCP' }] }]);
    const custom = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }];
    expect(policy('bullpen-metrics', { values: { networkPolicy: { monitoring: { from: custom } } } }).ingress[0].from).toEqual(custom);
  });

  it('an empty peer list drops its rule instead of rendering `from: []`, which would admit everyone', () => {
    const objects = render({ values: { networkPolicy: { monitoring: { from: [] } } } });
    expect(ofKind(objects, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('bullpen-metrics');
    expect(find(objects, 'NetworkPolicy', 'bullpen-api').spec.ingress).toHaveLength(1);
    for (const p of ofKind(objects, 'NetworkPolicy')) {
      for (const rule of p.spec.ingress ?? []) expect(rule.from.length).toBeGreaterThan(0);
    }
  });

  it('let only the api, worker and beat pods reach Redis (not the test pod)', () => {
    const objects = render();
    const redis = find(objects, 'NetworkPolicy', 'bullpen-redis').spec;
    expect(selectedPods(objects, redis)).toEqual(['bullpen-redis']);
    expect(redis.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: RELEASE, matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'worker', 'beat'] }] } }],
        ports: [{ port: 'redis', protocol: 'TCP' }],
      },
    ]);
    expect(selectedPods(objects, { podSelector: redis.ingress[0].from[0].podSelector })).toEqual(['bullpen-api', 'bullpen-beat', 'bullpen-worker-all']);
  });

  it('one switch turns them all off; with an external Redis there is no Redis policy', () => {
    expect(policies({ values: { networkPolicy: { enabled: false } } })).toHaveLength(0);
    const external = { redis: { enabled: false }, externalRedis: { url: 'rediss://redis.example.com:6380' } };
    expect(policies({ values: external }).map((p) => p.metadata.name).sort()).toEqual(['bullpen-api', 'bullpen-default-deny', 'bullpen-metrics']);
  });

  it('the schema refuses a peer that is not a NetworkPolicy peer', () => {
    expect(() => render({ values: { networkPolicy: { api: { from: [{ namespace: 'shop' }] } } } })).toThrow(/additional properties|namespace/i);
    expect(() => render({ values: { networkPolicy: { api: { from: [{}] } } } })).toThrow(/minProperties|minimum/i);
  });
});
