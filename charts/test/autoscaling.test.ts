import { find, ofKind, render, workerDeployment } from './helm';

const KEDA = { workers: { defaults: { keda: { enabled: true } } } };

describe('autoscaling', () => {
  it('keeps spec.replicas when no autoscaler owns the group, so kubectl scale works', () => {
    const objects = render({ values: { workers: { defaults: { replicas: 2 } } } });
    expect(workerDeployment(objects, 'all').spec.replicas).toBe(2);
    // Recorded so an upgrade can tell "values unchanged" (keep a manual scale) from "values changed".
    expect(workerDeployment(objects, 'all').metadata.annotations).toMatchObject({ 'bullpen.dev/replicas-in-values': '2' });
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(ofKind(objects, 'ScaledObject')).toHaveLength(0);
  });

  it.each([
    ['hpa', { workers: { defaults: { hpa: { enabled: true } } } }],
    ['keda', KEDA],
  ])('omits spec.replicas when %s owns the group, so upgrades never reset its count', (_name, values) => {
    const worker = workerDeployment(render({ values }), 'all');
    expect(worker.spec).not.toHaveProperty('replicas');
    expect(worker.metadata.annotations).not.toHaveProperty(['bullpen.dev/replicas-in-values']);
  });

  it('decides per group: a group may turn off the autoscaler its defaults turn on', () => {
    const values = {
      workers: {
        defaults: { hpa: { enabled: true } },
        groups: [
          { name: 'critical', queues: ['critical'], hpa: { enabled: false }, replicas: 2 },
          { name: 'rest', queues: ['default', 'low'] },
        ],
      },
    };
    const objects = render({ values });
    expect(workerDeployment(objects, 'critical').spec.replicas).toBe(2);
    expect(workerDeployment(objects, 'rest').spec).not.toHaveProperty('replicas');
    expect(ofKind(objects, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).toEqual(['bullpen-worker-rest']);
  });

  it('scales on CPU with autoscaling/v2 and a scale-down stabilisation window', () => {
    const hpa = find(render({ profile: 'production' }), 'HorizontalPodAutoscaler', 'bullpen-worker-all');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'bullpen-worker-all' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 12]);
    expect(hpa.spec.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  });

  it("KEDA metrics-api: one trigger on the group's queues together, targeting the group concurrency", () => {
    const values = { workers: { defaults: { keda: { enabled: true }, concurrency: 5 }, groups: [{ name: 'all', queues: ['critical', 'low', 'default'] }] } };
    const objects = render({ values, namespace: 'bullpen-production' });
    const scaled = find(objects, 'ScaledObject', 'bullpen-worker-all');
    expect(scaled.spec.scaleTargetRef).toEqual({ name: 'bullpen-worker-all' });
    // A pod runs `concurrency` jobs at once from one pool shared by its queues: one replica per
    // `concurrency` ready jobs of all of them, not per queue (KEDA would take the largest of those).
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'metrics-api',
        name: 'backlog',
        metricType: 'AverageValue',
        metadata: {
          url: 'http://bullpen-api.bullpen-production.svc:8080/api/queues/backlog?queues=critical,low,default',
          format: 'json',
          valueLocation: 'total.ready',
          targetValue: '5',
          authMode: 'bearer',
        },
        authenticationRef: { name: 'bullpen-api-token' },
      },
    ]);
    // The same number feeds the worker's job slots.
    expect(workerDeployment(objects, 'all').spec.template.spec.containers[0].env).toContainEqual({ name: 'WORKER_CONCURRENCY', value: '5' });
    const auth = find(objects, 'TriggerAuthentication', 'bullpen-api-token');
    expect(auth.spec.secretTargetRef).toEqual([{ parameter: 'token', name: 'bullpen-api', key: 'client-token' }]);
  });

  it('KEDA: each group follows only its own queues, against its own concurrency', () => {
    const values = {
      workers: {
        defaults: { keda: { enabled: true } },
        groups: [
          { name: 'critical', queues: ['critical'], concurrency: 4 },
          { name: 'bulk', queues: ['default', 'low'], concurrency: 16 },
        ],
      },
    };
    const objects = render({ values, namespace: 'bullpen-production' });
    const trigger = (group: string) => find(objects, 'ScaledObject', `bullpen-worker-${group}`).spec.triggers;
    expect(trigger('critical').map((t: any) => [t.metadata.url, t.metadata.valueLocation, t.metadata.targetValue])).toEqual([
      ['http://bullpen-api.bullpen-production.svc:8080/api/queues/backlog?queues=critical', 'total.ready', '4'],
    ]);
    expect(trigger('bulk').map((t: any) => [t.metadata.url, t.metadata.valueLocation, t.metadata.targetValue])).toEqual([
      ['http://bullpen-api.bullpen-production.svc:8080/api/queues/backlog?queues=default,low', 'total.ready', '16'],
    ]);
    // One TriggerAuthentication serves every group.
    expect(ofKind(objects, 'TriggerAuthentication')).toHaveLength(1);
  });

  it("KEDA prometheus: one query summing the group's queues over bullpen_queue_jobs, de-duplicated across replicas", () => {
    const values = {
      workers: {
        defaults: { keda: { enabled: true, trigger: 'prometheus', prometheusServerAddress: 'http://prom:9090' } },
        groups: [
          { name: 'all', queues: ['critical', 'default', 'low'] },
          { name: 'low', queues: ['low'], concurrency: 2 },
        ],
      },
    };
    const objects = render({ values, namespace: 'bullpen-preview' });
    const triggers = find(objects, 'ScaledObject', 'bullpen-worker-all').spec.triggers;
    expect(triggers).toEqual([{
      type: 'prometheus',
      name: 'backlog',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: 'http://prom:9090',
        query: 'sum(max by (queue,state) (bullpen_queue_jobs{namespace="bullpen-preview",queue=~"critical|default|low",state=~"waiting|prioritized"}))',
        threshold: '8',
      },
    }]);
    expect(find(objects, 'ScaledObject', 'bullpen-worker-low').spec.triggers.map((t: any) => t.metadata)).toEqual([{
      serverAddress: 'http://prom:9090',
      query: 'sum(max by (queue,state) (bullpen_queue_jobs{namespace="bullpen-preview",queue=~"low",state=~"waiting|prioritized"}))',
      threshold: '2',
    }]);
    // No bearer token involved: no TriggerAuthentication.
    expect(ofKind(objects, 'TriggerAuthentication')).toHaveLength(0);
  });

  it('KEDA reads the client token from the Secret the user names', () => {
    const values = { ...KEDA, api: { auth: { existingSecret: 'my-tokens', clientTokenKey: 'keda' } } };
    const auth = find(render({ values }), 'TriggerAuthentication', 'bullpen-api-token');
    expect(auth.spec.secretTargetRef).toEqual([{ parameter: 'token', name: 'my-tokens', key: 'keda' }]);
  });
});
