import { RefusedError } from './errors';
import { pendingDelayed, pendingJobs, type QueueStats } from './queue-source';
import { KEDA_PAUSED_ANNOTATION, type WorkerGroup } from './worker-group';

/**
 * What `scale` and `drain` may do, decided from what the cluster and the queues say. Pure: no
 * calls, so the refusals are tested without a cluster. Every refusal says what to do instead.
 */

export type ScalePlan =
  /** Patch the Deployment's scale subresource, like `kubectl scale`. */
  | { kind: 'scale'; replicas: number }
  /** minReplicas = maxReplicas = replicas on the HPA, then scale the Deployment to match now. */
  | { kind: 'pin-hpa'; replicas: number; hpa: string }
  /** paused-replicas on the ScaledObject, then scale the Deployment to match now. */
  | { kind: 'pin-keda'; replicas: number; scaledObject: string };

export interface ScaleOptions {
  pin: boolean;
}

export function planScale(group: WorkerGroup, replicas: number, { pin }: ScaleOptions): ScalePlan {
  const a = group.autoscaler;
  if (!a) return { kind: 'scale', replicas };
  const ns = group.namespace;
  if (a.kind === 'hpa') {
    if (pin && replicas === 0) {
      throw new RefusedError(
        `cannot pin HorizontalPodAutoscaler ${a.name} at 0: an HPA keeps at least 1 replica. ` +
          `Turn it off for the group (hpa.enabled: false in the group's values) and helm upgrade, then run: bullpen drain ${group.name} -n ${ns}`,
      );
    }
    if (pin) return { kind: 'pin-hpa', replicas, hpa: a.name };
    throw new RefusedError(
      `worker group "${group.name}" is scaled by HorizontalPodAutoscaler ${a.name} (min ${a.minReplicas}, max ${a.maxReplicas}); ` +
        `it would undo a manual scale at its next sync, so nothing was changed. Instead, either:\n` +
        `  - change its range: set hpa.minReplicas / hpa.maxReplicas for the group in the chart values and helm upgrade, or\n` +
        `  - pin it: bullpen scale ${group.name} ${replicas} -n ${ns} --pin   (sets minReplicas = maxReplicas = ${replicas}; it holds until helm upgrade --force-conflicts puts the values' range back)`,
    );
  }
  if (pin) return { kind: 'pin-keda', replicas, scaledObject: a.name };
  const paused = a.pausedReplicas === undefined ? '' : `, paused at ${a.pausedReplicas}`;
  throw new RefusedError(
    `worker group "${group.name}" is scaled by KEDA ScaledObject ${a.name} (min ${a.minReplicas}, max ${a.maxReplicas}${paused}); ` +
      `KEDA would undo a manual scale, so nothing was changed. Instead, either:\n` +
      `  - change its range: set keda.minReplicaCount / keda.maxReplicaCount for the group in the chart values and helm upgrade, or\n` +
      `  - pin it: bullpen scale ${group.name} ${replicas} -n ${ns} --pin   (sets ${KEDA_PAUSED_ANNOTATION}=${replicas}; ` +
      `KEDA holds it until you run: kubectl annotate scaledobject ${a.name} -n ${ns} ${KEDA_PAUSED_ANNOTATION}-)`,
  );
}

/** What `drain` was told about the queues: their stats, or why they could not be read. */
export type QueueReading = { ok: true; source: string; queues: QueueStats[] } | { ok: false; error: string };

export interface DrainPlan {
  /** False when the group is already at zero. */
  scale: boolean;
  /** Said before scaling (e.g. what --force leaves behind). */
  warnings: string[];
}

/**
 * A group may go to zero once no job is left that only it would run: each of its queues is empty
 * (nothing ready, running, delayed or waiting for children), or another group that is running or
 * autoscaled consumes that queue too. A job scheduler's next run (one delayed job per scheduler) is
 * not left-over work; the plan warns that those schedules stop running instead. `force` skips the
 * queue check, never the autoscaler check: an autoscaler would scale the group straight back up.
 */
export function planDrain(group: WorkerGroup, all: readonly WorkerGroup[], reading: QueueReading, force: boolean): DrainPlan {
  const a = group.autoscaler;
  if (a) {
    const instead =
      a.kind === 'keda'
        ? `once its queues are empty, pin KEDA at zero: bullpen scale ${group.name} 0 -n ${group.namespace} --pin`
        : `turn the HPA off for the group (hpa.enabled: false in the group's values) and helm upgrade, then drain again`;
    const what = a.kind === 'keda' ? `KEDA ScaledObject ${a.name}` : `HorizontalPodAutoscaler ${a.name}`;
    throw new RefusedError(`worker group "${group.name}" is scaled by ${what}, which would scale it back up; nothing was changed. Instead, ${instead}`);
  }
  if (group.desiredReplicas === 0) return { scale: false, warnings: [] };

  if (!reading.ok) {
    if (force) return { scale: true, warnings: [`queues not checked (${reading.error}); scaling to zero anyway (--force)`] };
    throw new RefusedError(
      `cannot tell whether the queues of "${group.name}" (${group.queues.join(', ')}) are empty: ${reading.error}. ` +
        `Point --api-url / BULLPEN_API_URL at the Bullpen API, or pass --force to scale to zero anyway`,
    );
  }

  const unattended = queuesOnlyItRuns(group, all);
  const blocking = blockingQueues(unattended, reading.queues);
  const warnings = idleSchedules(unattended, reading.queues);
  if (blocking.length === 0) return { scale: true, warnings };
  if (force) {
    return {
      scale: true,
      warnings: [
        `scaling to zero with jobs left that no other group runs (--force): ${blocking.join('; ')}; they stay in Redis until a group consumes these queues again`,
        ...warnings,
      ],
    };
  }
  throw new RefusedError(
    `refusing to drain "${group.name}": jobs are left that no other running group would run: ${blocking.join('; ')}. ` +
      `Wait until they finish (run bullpen status to watch), or pass --force; nothing was changed`,
  );
}

/** The group's queues that no other running or autoscaled group consumes. */
function queuesOnlyItRuns(group: WorkerGroup, all: readonly WorkerGroup[]): string[] {
  const others = all.filter((g) => g.deployment !== group.deployment && (g.autoscaler !== null || g.desiredReplicas > 0));
  return group.queues.filter((queue) => !others.some((g) => g.queues.includes(queue)));
}

/**
 * "default: 12 ready, 3 active" for each of these queues that still holds work. The job
 * schedulers' next runs are not work left over: waiting for them would never end.
 */
function blockingQueues(queues: readonly string[], stats: readonly QueueStats[]): string[] {
  const blocking: string[] = [];
  for (const queue of queues) {
    const q = stats.find((s) => s.name === queue);
    if (!q) {
      blocking.push(`${queue}: not reported by the API`);
    } else if (pendingJobs(q) > 0) {
      const parts = [
        [q.ready, 'ready'],
        [q.active, 'active'],
        [pendingDelayed(q), 'delayed'],
        [q.waitingChildren, 'waiting for children'],
      ] as const;
      blocking.push(`${queue}: ${parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ')}`);
    }
  }
  return blocking;
}

/** "critical: 1 cron schedule will not run ..." for each of these queues with job schedulers. */
function idleSchedules(queues: readonly string[], stats: readonly QueueStats[]): string[] {
  return stats
    .filter((q) => queues.includes(q.name) && q.jobSchedulers > 0)
    .map((q) => `${q.name}: ${q.jobSchedulers} cron ${q.jobSchedulers === 1 ? 'schedule' : 'schedules'} will not run until a group consumes the queue again`);
}
