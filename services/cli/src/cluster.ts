/**
 * The Kubernetes calls the commands make, in one namespace. `KubeCluster` implements it on
 * @kubernetes/client-node; the commands and their tests only see this.
 */
export interface Cluster {
  /** Where every call acts: `-n`, else the kubeconfig context's namespace, else "default". */
  readonly namespace: string;
  /** The API server's URL, for messages. */
  readonly server: string;
  /** Deployments labelled `bullpen.dev/worker-group` (list deployments). */
  listWorkerDeployments(): Promise<DeploymentView[]>;
  /** list horizontalpodautoscalers. */
  listHpas(): Promise<HpaView[]>;
  /** list scaledobjects.keda.sh; [] when KEDA's CRD is not installed. */
  listScaledObjects(): Promise<ScaledObjectView[]>;
  /** patch deployments/scale: sets `spec.replicas`, as `kubectl scale` does. */
  scaleDeployment(name: string, replicas: number): Promise<void>;
  /** patch horizontalpodautoscalers: minReplicas = maxReplicas = replicas. */
  pinHpa(name: string, replicas: number): Promise<void>;
  /** patch scaledobjects.keda.sh: annotation `autoscaling.keda.sh/paused-replicas`. */
  pinScaledObject(name: string, replicas: number): Promise<void>;
}

/** The fields of a Deployment the CLI reads, whatever client fetched it. */
export interface DeploymentView {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  replicas?: number;
  readyReplicas?: number;
}

export interface HpaView {
  name: string;
  target: { kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
}

export interface ScaledObjectView {
  name: string;
  target: { kind?: string; name: string };
  minReplicaCount?: number;
  maxReplicaCount?: number;
  annotations: Record<string, string>;
}
