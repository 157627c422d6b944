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

  it("KEDA metrics-api: the ready jobs of the group's queues together against the group concurrency, and the oldest one's age", () => {
    const values = { workers: { defaults: { keda: { enabled: true }, concurrency: 5 }, groups: [{ name: 'all', queues: ['critical', 'low', 'default'] }] } };
    const objects = render({ values, namespace: 'bullpen-production' });
    const scaled = find(objects, 'ScaledObject', 'bullpen-worker-all');
    expect(scaled.spec.scaleTargetRef).toEqual({ name: 'bullpen-worker-all' });
    // A pod runs `concurrency` jobs at once from one pool shared by its queues: one replica per
    // `concurrency` ready jobs of all of them, not per queue (KEDA would take the largest of those).
    const url = 'http://bullpen-api.bullpen-production.svc:8080/api/queues/backlog?queues=critical,low,default';
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'metrics-api',
        name: 'backlog',
        metricType: 'AverageValue',
        metadata: { url, format: 'json', valueLocation: 'total.ready', targetValue: '5', authMode: 'bearer' },
        authenticationRef: { name: 'bullpen-api-token' },
      },
      // The oldest ready job's age: pods x age / oldestWaitSeconds once a job waits longer.
      {
        type: 'metrics-api',
        name: 'oldest-wait',
        metricType: 'Value',
        metadata: { url, format: 'json', valueLocation: 'total.oldestSeconds', targetValue: '30', authMode: 'bearer' },
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
      ['http://bullpen-api.bullpen-production.svc:8080/api/queues/backlog?queues=critical', 'total.oldestSeconds', '30'],
    ]);
    expect(trigger('bulk').map((t: any) => [t.metadata.url, t.metadata.valueLocation, t.metadata.targetValue])).toEqual([
      ['http://bullpen-api.bullpen-production.svc:8080/api/queues/backlog?queues=default,low', 'total.ready', '16'],
      ['http://bullpen-api.bullpen-production.svc:8080/api/queues/backlog?queues=default,low', 'total.oldestSeconds', '30'],
    ]);
    // One TriggerAuthentication serves every group.
    expect(ofKind(objects, 'TriggerAuthentication')).toHaveLength(1);
  });

  it("KEDA prometheus: the same two signals from bullpen_queue_jobs and bullpen_queue_oldest_waiting_seconds, de-duplicated across replicas", () => {
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
    expect(triggers).toEqual([
      {
        type: 'prometheus',
        name: 'backlog',
        metricType: 'AverageValue',
        metadata: {
          serverAddress: 'http://prom:9090',
          query: 'sum(max by (queue,state) (bullpen_queue_jobs{namespace="bullpen-preview",queue=~"critical|default|low",state=~"waiting|prioritized"}))',
          threshold: '8',
        },
      },
      {
        type: 'prometheus',
        name: 'oldest-wait',
        metricType: 'Value',
        metadata: {
          serverAddress: 'http://prom:9090',
          query: 'max(max by (queue) (bullpen_queue_oldest_waiting_seconds{namespace="bullpen-preview",queue=~"critical|default|low"}))',
          threshold: '30',
        },
      },
    ]);
    expect(find(objects, 'ScaledObject', 'bullpen-worker-low').spec.triggers.map((t: any) => t.metadata)).toEqual([
      {
        serverAddress: 'http://prom:9090',
        query: 'sum(max by (queue,state) (bullpen_queue_jobs{namespace="bullpen-preview",queue=~"low",state=~"waiting|prioritized"}))',
        threshold: '2',
      },
      {
        serverAddress: 'http://prom:9090',
        query: 'max(max by (queue) (bullpen_queue_oldest_waiting_seconds{namespace="bullpen-preview",queue=~"low"}))',
        threshold: '30',
      },
    ]);
    // No bearer token involved: no TriggerAuthentication.
    expect(ofKind(objects, 'TriggerAuthentication')).toHaveLength(0);
  });

  it('production: a ScaledObject where the cluster serves keda.sh/v1alpha1, else the CPU HPA, never both', () => {
    const withKeda = render({ profile: 'production', apiVersions: ['keda.sh/v1alpha1'] });
    expect(ofKind(withKeda, 'HorizontalPodAutoscaler')).toHaveLength(0);
    const scaled = find(withKeda, 'ScaledObject', 'bullpen-worker-all');
    expect([scaled.spec.minReplicaCount, scaled.spec.maxReplicaCount]).toEqual([3, 12]);
    expect(workerDeployment(withKeda, 'all').metadata.annotations).toMatchObject({ 'bullpen.dev/autoscaler': 'keda' });
    const without = render({ profile: 'production' });
    expect(ofKind(without, 'ScaledObject')).toHaveLength(0);
    expect(ofKind(without, 'HorizontalPodAutoscaler')).toHaveLength(1);
    expect(workerDeployment(without, 'all').metadata.annotations).toMatchObject({ 'bullpen.dev/autoscaler': 'hpa' });
    for (const objects of [withKeda, without]) expect(workerDeployment(objects, 'all').spec).not.toHaveProperty('replicas');
  });

  it('KEDA falls back to minReplicaCount (at least 1, never fewer than run) while the backlog cannot be read', () => {
    const fallback = (keda: object) => find(render({ values: { workers: { defaults: { keda: { enabled: true, ...keda } } } } }), 'ScaledObject', 'bullpen-worker-all').spec.fallback;
    expect(fallback({ minReplicaCount: 2 })).toEqual({ failureThreshold: 3, replicas: 2, behavior: 'currentReplicasIfHigher' });
    // A group that scales to zero still runs its queued jobs while the source is down.
    expect(fallback({ minReplicaCount: 0 })).toEqual({ failureThreshold: 3, replicas: 1, behavior: 'currentReplicasIfHigher' });
    expect(fallback({ fallback: { failureThreshold: 5, replicas: 4 } })).toEqual({ failureThreshold: 5, replicas: 4, behavior: 'currentReplicasIfHigher' });
  });

  it('KEDA reads the client token from the Secret the user names', () => {
    const values = { ...KEDA, api: { auth: { existingSecret: 'my-tokens', clientTokenKey: 'keda' } } };
    const auth = find(render({ values }), 'TriggerAuthentication', 'bullpen-api-token');
    expect(auth.spec.secretTargetRef).toEqual([{ parameter: 'token', name: 'my-tokens', key: 'keda' }]);
  });
});
