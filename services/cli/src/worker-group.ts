import type { Cluster, DeploymentView, HpaView, ScaledObjectView } from './cluster';
import { UnknownGroupError, UsageError } from './errors';

/** Who sets a group's replica count instead of a person. */
export interface Autoscaler {
  kind: 'hpa' | 'keda';
  /** The HorizontalPodAutoscaler's or the ScaledObject's name. */
  name: string;
  minReplicas: number;
  maxReplicas: number;
  /** KEDA only: `autoscaling.keda.sh/paused-replicas`, when set; KEDA then holds exactly this many. */
  pausedReplicas?: number;
}

/** One worker Deployment of the chart (label `bullpen.dev/worker-group`), with what scales it. */
export interface WorkerGroup {
  /** The group's name, from `workers.groups[].name`. */
  name: string;
  namespace: string;
  deployment: string;
  /** The Helm release (`app.kubernetes.io/instance`), when labelled. */
  release?: string;
  /** The queues its pods consume (annotation `bullpen.dev/queues`). */
  queues: string[];
  /** `spec.replicas`: what the Deployment asks for. */
  desiredReplicas: number;
  /** `status.readyReplicas`: pods passing their readiness probe. */
  readyReplicas: number;
  autoscaler: Autoscaler | null;
}

export const GROUP_LABEL = 'bullpen.dev/worker-group';
export const QUEUES_ANNOTATION = 'bullpen.dev/queues';
export const RELEASE_LABEL = 'app.kubernetes.io/instance';
export const KEDA_PAUSED_ANNOTATION = 'autoscaling.keda.sh/paused-replicas';

/**
 * Joins worker Deployments with the HPAs and ScaledObjects that target them. The objects in the
 * cluster decide, not the chart's `bullpen.dev/autoscaler` annotation, so an autoscaler made by
 * hand counts too. A ScaledObject wins over an HPA: KEDA drives the Deployment through an HPA of
 * its own (`keda-hpa-<name>`), which must not be mistaken for a second autoscaler.
 */
export function joinWorkerGroups(
  namespace: string,
  deployments: readonly DeploymentView[],
  hpas: readonly HpaView[],
  scaledObjects: readonly ScaledObjectView[],
): WorkerGroup[] {
  const groups = deployments
    .filter((d) => d.labels[GROUP_LABEL])
    .map((d): WorkerGroup => ({
      name: d.labels[GROUP_LABEL],
      namespace,
      deployment: d.name,
      release: d.labels[RELEASE_LABEL],
      queues: (d.annotations[QUEUES_ANNOTATION] ?? '').split(',').map((q) => q.trim()).filter(Boolean),
      // An unset spec.replicas means 1 once the API server applies defaults; list results are defaulted.
      desiredReplicas: d.replicas ?? 1,
      readyReplicas: d.readyReplicas ?? 0,
      autoscaler: autoscalerOf(d.name, hpas, scaledObjects),
    }));
  return groups.sort((a, b) => a.name.localeCompare(b.name) || a.deployment.localeCompare(b.deployment));
}

function autoscalerOf(deployment: string, hpas: readonly HpaView[], scaledObjects: readonly ScaledObjectView[]): Autoscaler | null {
  const so = scaledObjects.find((s) => s.target.name === deployment && (s.target.kind ?? 'Deployment') === 'Deployment');
  if (so) {
    const paused = so.annotations[KEDA_PAUSED_ANNOTATION];
    return {
      kind: 'keda',
      name: so.name,
      // KEDA's own defaults when the fields are left out.
      minReplicas: so.minReplicaCount ?? 0,
      maxReplicas: so.maxReplicaCount ?? 100,
      ...(paused !== undefined && /^\d+$/.test(paused) ? { pausedReplicas: Number(paused) } : {}),
    };
  }
  const hpa = hpas.find((h) => h.target.kind === 'Deployment' && h.target.name === deployment);
  if (hpa) return { kind: 'hpa', name: hpa.name, minReplicas: hpa.minReplicas ?? 1, maxReplicas: hpa.maxReplicas };
  return null;
}

/** The group named `name` (in `release`, when given); throws naming the groups that exist. */
export function findGroup(groups: readonly WorkerGroup[], name: string, namespace: string, release?: string): WorkerGroup {
  const inRelease = release === undefined ? groups : groups.filter((g) => g.release === release);
  const matches = inRelease.filter((g) => g.name === name);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new UnknownGroupError(name, namespace, [...new Set(inRelease.map((g) => g.name))]);
  }
  const releases = matches.map((g) => g.release ?? `(unlabelled ${g.deployment})`).join(', ');
  throw new UsageError(`several releases in namespace ${namespace} have a worker group "${name}" (${releases}); pick one with --release`);
}

/** Reads the namespace's worker Deployments, HPAs and ScaledObjects together and joins them. */
export async function loadWorkerGroups(cluster: Cluster): Promise<WorkerGroup[]> {
  const [deployments, hpas, scaledObjects] = await Promise.all([cluster.listWorkerDeployments(), cluster.listHpas(), cluster.listScaledObjects()]);
  return joinWorkerGroups(cluster.namespace, deployments, hpas, scaledObjects);
}
