import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART, find, ofKind, render, renderError } from './helm';

const MONITORING_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];
const ALL_ON = {
  monitoring: {
    labels: { release: 'kube-prometheus-stack' },
    serviceMonitor: { enabled: true },
    podMonitor: { enabled: true },
    prometheusRule: { enabled: true },
    grafanaDashboard: { enabled: true, folder: 'Bullpen' },
  },
};

describe('monitoring objects', () => {
  it('renders none of them by default', () => {
    const objects = render();
    for (const kind of MONITORING_KINDS) expect(ofKind(objects, kind)).toHaveLength(0);
    expect(objects.filter((o) => o.metadata.labels?.grafana_dashboard)).toHaveLength(0);
  });

  it.each([
    ['serviceMonitor', 'ServiceMonitor'],
    ['podMonitor', 'PodMonitor'],
    ['prometheusRule', 'PrometheusRule'],
  ])('renders only the %s its flag turns on', (flag, kind) => {
    const objects = render({ values: { monitoring: { [flag]: { enabled: true } } } });
    expect(MONITORING_KINDS.filter((k) => ofKind(objects, k).length > 0)).toEqual([kind]);
  });

  describe('production: "auto", on exactly where prometheus-operator serves its API', () => {
    const OPERATOR = ['monitoring.coreos.com/v1'];
    const rendered = (options: Parameters<typeof render>[0]) => MONITORING_KINDS.filter((k) => ofKind(render(options), k).length > 0);

    it('renders ServiceMonitor, PodMonitor and PrometheusRule when the cluster serves monitoring.coreos.com/v1', () => {
      expect(rendered({ profile: 'production', apiVersions: OPERATOR })).toEqual(MONITORING_KINDS);
    });

    it('renders none of them where it does not', () => {
      expect(rendered({ profile: 'production' })).toEqual([]);
    });

    it('an explicit false wins over a cluster that serves it', () => {
      const values = { monitoring: { podMonitor: { enabled: false } } };
      expect(rendered({ profile: 'production', apiVersions: OPERATOR, values })).toEqual(['ServiceMonitor', 'PrometheusRule']);
    });

    it('an explicit true wins over a cluster that does not', () => {
      const values = { monitoring: { prometheusRule: { enabled: true } } };
      expect(rendered({ profile: 'production', values })).toEqual(['PrometheusRule']);
    });

    it('the chart defaults and preview stay off even where the operator runs', () => {
      expect(rendered({ apiVersions: OPERATOR })).toEqual([]);
      expect(rendered({ profile: 'preview', apiVersions: OPERATOR })).toEqual([]);
    });

    it('"auto" is the only string the schema takes', () => {
      expect(renderError({ values: { monitoring: { serviceMonitor: { enabled: 'yes' } } } })).toContain(
        "values don't meet the specifications of the schema",
      );
      expect(rendered({ values: { monitoring: { serviceMonitor: { enabled: 'auto' } } }, apiVersions: OPERATOR })).toEqual(['ServiceMonitor']);
    });
  });

  it('scrapes the api through its Service and workers and beat through their pods', () => {
    const objects = render({ values: ALL_ON });
    const serviceMonitor = find(objects, 'ServiceMonitor', 'bullpen-api');
    expect(serviceMonitor.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(serviceMonitor.spec.selector.matchLabels).toEqual(find(objects, 'Service', 'bullpen-api').spec.selector);
    expect(serviceMonitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    const podMonitor = find(objects, 'PodMonitor', 'bullpen-workers');
    expect(podMonitor.spec.selector.matchExpressions).toEqual([{ key: 'app.kubernetes.io/component', operator: 'In', values: ['worker', 'beat'] }]);
    expect(podMonitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  it('loads the alert rules from files/prometheus-rules.yaml, with the release namespace in the alerts on missing data', () => {
    const rule = find(render({ values: ALL_ON }), 'PrometheusRule', 'bullpen');
    // The group bullpen-namespace names namespace "bullpen"; the chart puts in the release's
    // (bullpen-test here; the release is called bullpen, so the pod names stay bullpen-...).
    const file = parse(readFileSync(join(CHART, 'files', 'prometheus-rules.yaml'), 'utf8'));
    for (const group of file.groups.filter((g: { name: string }) => g.name === 'bullpen-namespace')) {
      for (const r of group.rules) r.expr = r.expr.replaceAll('namespace="bullpen"', 'namespace="bullpen-test"');
    }
    expect(rule.spec).toEqual(file);
  });

  it('ships files/grafana-dashboard.json in a ConfigMap the Grafana sidecar picks up', () => {
    const dashboard = find(render({ values: ALL_ON }), 'ConfigMap', 'bullpen-grafana-dashboard');
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(dashboard.metadata.annotations).toEqual({ grafana_folder: 'Bullpen' });
    const file = JSON.parse(readFileSync(join(CHART, 'files', 'grafana-dashboard.json'), 'utf8'));
    expect(JSON.parse(dashboard.data['bullpen.json'])).toEqual(file);
  });
});
