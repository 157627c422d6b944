import { findGroup, joinWorkerGroups, UnknownGroupError, UsageError } from '../src';

const deployment = (group: string, release = 'bullpen', over: object = {}) => ({
  name: `${release}-worker-${group}`,
  labels: { 'bullpen.dev/worker-group': group, 'app.kubernetes.io/instance': release },
  annotations: { 'bullpen.dev/queues': 'critical,default,low' },
  replicas: 3,
  readyReplicas: 1,
  ...over,
});

describe('worker groups from the cluster objects', () => {
  it('reads name, queues and replicas from the Deployment, and finds the HPA that targets it', () => {
    const [all] = joinWorkerGroups('ns', [deployment('all')], [
      { name: 'other', target: { kind: 'Deployment', name: 'something-else' }, maxReplicas: 5 },
      { name: 'by-hand', target: { kind: 'Deployment', name: 'bullpen-worker-all' }, maxReplicas: 8 },
    ], []);
    expect(all).toEqual({
      name: 'all',
      namespace: 'ns',
      deployment: 'bullpen-worker-all',
      release: 'bullpen',
      queues: ['critical', 'default', 'low'],
      desiredReplicas: 3,
      readyReplicas: 1,
      autoscaler: { kind: 'hpa', name: 'by-hand', minReplicas: 1, maxReplicas: 8 },
    });
  });

  it("attributes a group to KEDA, not to the HPA KEDA makes for it, and reads paused-replicas", () => {
    const [all] = joinWorkerGroups('ns', [deployment('all')], [
      { name: 'keda-hpa-bullpen-worker-all', target: { kind: 'Deployment', name: 'bullpen-worker-all' }, minReplicas: 1, maxReplicas: 10 },
    ], [
      { name: 'bullpen-worker-all', target: { name: 'bullpen-worker-all' }, minReplicaCount: 0, maxReplicaCount: 10, annotations: { 'autoscaling.keda.sh/paused-replicas': '4' } },
    ]);
    expect(all.autoscaler).toEqual({ kind: 'keda', name: 'bullpen-worker-all', minReplicas: 0, maxReplicas: 10, pausedReplicas: 4 });
  });

  it('ignores Deployments without the group label and sorts groups by name', () => {
    const groups = joinWorkerGroups('ns', [deployment('rest'), { ...deployment('x'), labels: {} }, deployment('critical')], [], []);
    expect(groups.map((g) => g.name)).toEqual(['critical', 'rest']);
  });

  it('finds a group, tells releases apart, and lists the known groups when the name is wrong', () => {
    const groups = joinWorkerGroups('ns', [deployment('all', 'blue'), deployment('all', 'green'), deployment('low', 'green')], [], []);
    expect(findGroup(groups, 'all', 'ns', 'green').deployment).toBe('green-worker-all');
    expect(() => findGroup(groups, 'all', 'ns')).toThrow(new UsageError('several releases in namespace ns have a worker group "all" (blue, green); pick one with --release'));
    expect(() => findGroup(groups, 'critical', 'ns')).toThrow(UnknownGroupError);
    expect(() => findGroup(groups, 'critical', 'ns')).toThrow('known groups: all, low');
    expect(() => findGroup([], 'all', 'empty')).toThrow('namespace empty has no Bullpen worker Deployments (is -n right?)');
  });
});
