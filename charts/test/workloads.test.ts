import { find, ofKind, podSpecs, render, renderError, workerDeployment, envOf, PROFILES, type Profile } from './helm';

const ALL_QUEUES = ['critical', 'default', 'low'];

describe('workloads', () => {
  it.each(Object.keys(PROFILES) as Profile[])('the %s profile renders api, beat, one worker group and Redis', (profile) => {
    const objects = render({ profile });
    const deployments = ofKind(objects, 'Deployment').map((d) => d.metadata.name).sort();
    expect(deployments).toEqual(['bullpen-api', 'bullpen-beat', 'bullpen-worker-all']);
    expect(find(objects, 'StatefulSet', 'bullpen-redis')).toBeDefined();
    expect(find(objects, 'Service', 'bullpen-api').spec.ports[0].port).toBe(8080);
  });

  it('labels every workload with its component', () => {
    const objects = render();
    const components = Object.fromEntries(
      podSpecs(objects).map(({ obj }) => [obj.metadata.name, obj.metadata.labels?.['app.kubernetes.io/component']]),
    );
    expect(components).toEqual({
      'bullpen-api': 'api',
      'bullpen-beat': 'beat',
      'bullpen-worker-all': 'worker',
      'bullpen-redis': 'redis',
      'bullpen-smoke-test': 'test',
    });
    for (const { obj } of podSpecs(objects).filter(({ obj }) => obj.kind !== 'Pod')) {
      // Pods carry the same labels as their owner, and the selector matches them.
      expect(obj.spec.template.metadata.labels).toMatchObject(obj.spec.selector.matchLabels);
      expect(obj.spec.template.metadata.labels['app.kubernetes.io/component']).toBe(obj.metadata.labels?.['app.kubernetes.io/component']);
      expect(obj.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'bullpen', 'app.kubernetes.io/instance': 'bullpen' });
    }
  });

  it('puts every object in the release namespace', () => {
    for (const obj of render({ namespace: 'bullpen-preview' })) expect(obj.metadata.namespace).toBe('bullpen-preview');
  });

  it('runs one worker Deployment per group, each consuming its own queues', () => {
    const objects = render({
      values: {
        workers: {
          groups: [
            { name: 'critical', queues: ['critical'], concurrency: 4 },
            { name: 'bulk', queues: ['default', 'low'], replicas: 2 },
          ],
        },
      },
    });
    const workers = ofKind(objects, 'Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'worker');
    expect(workers.map((d) => d.metadata.name).sort()).toEqual(['bullpen-worker-bulk', 'bullpen-worker-critical']);
    const critical = envOf(workerDeployment(objects, 'critical').spec.template.spec.containers[0]);
    const bulk = envOf(workerDeployment(objects, 'bulk').spec.template.spec.containers[0]);
    expect([critical.WORKER_QUEUES, critical.WORKER_CONCURRENCY]).toEqual(['critical', '4']);
    expect([bulk.WORKER_QUEUES, bulk.WORKER_CONCURRENCY]).toEqual(['default,low', '8']);
    expect(workerDeployment(objects, 'bulk').spec.replicas).toBe(2);
    // Groups select only their own pods, so two groups never fight over a ReplicaSet.
    expect(workerDeployment(objects, 'bulk').spec.selector.matchLabels['bullpen.dev/worker-group']).toBe('bulk');
    expect(ofKind(objects, 'PodDisruptionBudget').map((p) => [p.metadata.name, p.spec.maxUnavailable])).toEqual([
      ['bullpen-worker-critical', 1],
      ['bullpen-worker-bulk', 1],
    ]);
  });

  it('passes the drain budget and worker settings to the worker as env', () => {
    const worker = workerDeployment(render(), 'all');
    const env = envOf(worker.spec.template.spec.containers[0]);
    expect(env).toMatchObject({
      WORKER_QUEUES: ALL_QUEUES.join(','),
      WORKER_CONCURRENCY: '8',
      SHUTDOWN_TIMEOUT_SECONDS: '25',
      WORKER_LOCK_SECONDS: '30',
      WORKER_STALLED_CHECK_SECONDS: '30',
      METRICS_PORT: '9464',
    });
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBe(40);
  });

  it('probes workers and beat on the metrics port and the api on its http port', () => {
    const objects = render();
    for (const name of ['bullpen-worker-all', 'bullpen-beat', 'bullpen-api']) {
      const container = find(objects, 'Deployment', name).spec.template.spec.containers[0];
      const port = name === 'bullpen-api' ? 'http' : 'metrics';
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port });
    }
    expect(find(objects, 'Deployment', 'bullpen-worker-all').spec.template.spec.containers[0].ports).toEqual([
      { name: 'metrics', containerPort: 9464 },
    ]);
  });

  it('starts each process with node directly, never through npm', () => {
    const commands = Object.fromEntries(
      podSpecs(render()).map(({ obj, pod }) => [obj.metadata.name, pod.containers[0].command]),
    );
    expect(commands['bullpen-api']).toEqual(['node', 'services/api/dist/main.js']);
    expect(commands['bullpen-worker-all']).toEqual(['node', 'services/worker/dist/main.js']);
    expect(commands['bullpen-beat']).toEqual(['node', 'services/beat/dist/main.js']);
  });

  it('runs exactly one beat that is stopped before its replacement starts', () => {
    const beat = find(render({ profile: 'production' }), 'Deployment', 'bullpen-beat');
    expect(beat.spec.replicas).toBe(1);
    expect(beat.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('points the health check at the api Service', () => {
    const config = find(render(), 'ConfigMap', 'bullpen-env');
    expect(config.data.API_HEALTH_URL).toBe('http://bullpen-api:8080/healthz');
  });
});

describe('environment profiles', () => {
  const workerOf = (profile: Profile) => workerDeployment(render({ profile }), 'all');

  it('preview: 1 worker replica x concurrency 8 with 200m CPU and 512Mi', () => {
    const worker = workerOf('preview');
    const container = worker.spec.template.spec.containers[0];
    expect(worker.spec.replicas).toBe(1);
    expect(envOf(container).WORKER_CONCURRENCY).toBe('8');
    expect(container.resources.requests).toEqual({ cpu: '200m', memory: '512Mi' });
    expect(container.resources.limits).toEqual({ cpu: '200m', memory: '512Mi' });
    expect(ofKind(render({ profile: 'preview' }), 'HorizontalPodAutoscaler')).toHaveLength(0);
  });

  it('production: 3 worker replicas x concurrency 8 with 500m CPU and 1Gi, autoscaled', () => {
    const objects = render({ profile: 'production' });
    const container = workerDeployment(objects, 'all').spec.template.spec.containers[0];
    expect(envOf(container).WORKER_CONCURRENCY).toBe('8');
    expect(container.resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(container.resources.limits).toEqual({ cpu: '500m', memory: '1Gi' });
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'bullpen-worker-all');
    expect(hpa.spec.minReplicas).toBe(3);
  });
});

describe('render-time checks', () => {
  it('fails when the grace period does not exceed the drain budget', () => {
    const error = renderError({ values: { workers: { defaults: { shutdownTimeoutSeconds: 40, terminationGracePeriodSeconds: 40 } } } });
    expect(error).toContain('workers group "all": terminationGracePeriodSeconds (40) must be greater than shutdownTimeoutSeconds (40)');
  });

  it('fails when one group overrides its grace period below the drain budget', () => {
    const values = { workers: { groups: [{ name: 'all', queues: ALL_QUEUES, terminationGracePeriodSeconds: 20 }] } };
    expect(renderError({ values })).toContain('terminationGracePeriodSeconds (20) must be greater than shutdownTimeoutSeconds (25)');
  });

  it('fails when hpa and keda are both on', () => {
    const error = renderError({ values: { workers: { defaults: { hpa: { enabled: true }, keda: { enabled: true } } } } });
    expect(error).toContain('hpa and keda are both enabled');
  });

  it('fails when a queue has no group consuming it', () => {
    const error = renderError({ values: { workers: { groups: [{ name: 'fast', queues: ['critical', 'default'] }] } } });
    expect(error).toContain('no group consumes the "low" queue');
  });

  it('fails when two groups share a name', () => {
    const groups = [{ name: 'a', queues: ['critical'] }, { name: 'a', queues: ['default', 'low'] }];
    expect(renderError({ values: { workers: { groups } } })).toContain('the name "a" is used twice');
  });
});
