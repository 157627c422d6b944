import type { Autoscaler, QueueStats, WorkerGroup } from '../src';

/** A worker group as the cluster would report it, for the pure-logic tests. */
export function group(name: string, over: Partial<WorkerGroup> = {}): WorkerGroup {
  return {
    name,
    namespace: 'bullpen-test',
    deployment: `bullpen-worker-${name}`,
    release: 'bullpen',
    queues: ['critical', 'default', 'low'],
    desiredReplicas: 2,
    readyReplicas: 2,
    autoscaler: null,
    ...over,
  };
}

export const HPA: Autoscaler = { kind: 'hpa', name: 'bullpen-worker-all', minReplicas: 3, maxReplicas: 12 };
export const KEDA: Autoscaler = { kind: 'keda', name: 'bullpen-worker-all', minReplicas: 1, maxReplicas: 10 };

/** A queue's numbers as the API would report them: empty unless `over` says otherwise. */
export function queueStats(name: string, over: Partial<QueueStats> = {}): QueueStats {
  return { name, ready: 0, oldestSeconds: 0, active: 0, delayed: 0, waitingChildren: 0, failed: 0, paused: false, jobSchedulers: 0, ...over };
}
