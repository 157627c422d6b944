import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART, find, ofKind, render } from './helm';

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

  it('loads the alert rules from files/prometheus-rules.yaml', () => {
    const rule = find(render({ values: ALL_ON }), 'PrometheusRule', 'bullpen');
    expect(rule.spec).toEqual(parse(readFileSync(join(CHART, 'files', 'prometheus-rules.yaml'), 'utf8')));
  });

  it('ships files/grafana-dashboard.json in a ConfigMap the Grafana sidecar picks up', () => {
    const dashboard = find(render({ values: ALL_ON }), 'ConfigMap', 'bullpen-grafana-dashboard');
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(dashboard.metadata.annotations).toEqual({ grafana_folder: 'Bullpen' });
    const file = JSON.parse(readFileSync(join(CHART, 'files', 'grafana-dashboard.json'), 'utf8'));
    expect(JSON.parse(dashboard.data['bullpen.json'])).toEqual(file);
  });
});
