import type * as k8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, DeploymentView, HpaView, ScaledObjectView } from './cluster';
import type { Env } from './config';
import { NoClusterError } from './errors';
import { isApiAnswer, kubeError, type KubeCall } from './kube-errors';
import { GROUP_LABEL, KEDA_PAUSED_ANNOTATION } from './worker-group';

export interface ConnectOptions {
  /** The process environment (KUBECONFIG, HOME), as the CLI was given it. */
  env: Env;
  /** `-n`; default: the kubeconfig context's namespace, else "default". */
  namespace?: string;
  /** Per request; past it the cluster counts as unreachable. */
  timeoutMs: number;
}

/** Shows up in the Deployment's managedFields as who set the replicas. */
const FIELD_MANAGER = 'bullpen';
const KEDA = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' } as const;

/**
 * Connects like kubectl: $KUBECONFIG, else ~/.kube/config, else the pod's service account.
 * Nothing is sent yet; the first call tells whether a cluster answers.
 */
export async function connectKube(options: ConnectOptions): Promise<Cluster> {
  if (!hasKubeconfig(options.env)) {
    // client-node would fall back to http://localhost:8080 and fail with a puzzling TLS message.
    throw new NoClusterError(null, 'no kubeconfig: set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account');
  }
  // client-node 1.x is an ES module; this package compiles to CommonJS, which may import() it.
  const client = await import('@kubernetes/client-node');
  const config = new client.KubeConfig();
  try {
    config.loadFromDefault();
  } catch (err) {
    throw new NoClusterError(null, `cannot read the kubeconfig: ${(err as Error).message}`);
  }
  const context = config.getContextObject(config.getCurrentContext());
  const server = config.getCurrentCluster()?.server;
  if (!server) {
    throw new NoClusterError(null, `the kubeconfig has no current context with a cluster (set KUBECONFIG, or run kubectl config use-context)`);
  }
  const namespace = options.namespace ?? (context?.namespace || 'default');
  return new KubeCluster(client, config, server, namespace, options.timeoutMs);
}

/** What loadFromDefault looks for, in its order: $KUBECONFIG, ~/.kube/config, the service account token. */
function hasKubeconfig(env: Env): boolean {
  if (env.KUBECONFIG) return true;
  const home = env.HOME || homedir();
  return existsSync(join(home, '.kube', 'config')) || existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
}

class KubeCluster implements Cluster {
  private readonly apps: k8s.AppsV1Api;
  private readonly autoscaling: k8s.AutoscalingV2Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly mergePatch: k8s.ConfigurationOptions;

  constructor(
    client: typeof k8s,
    config: k8s.KubeConfig,
    readonly server: string,
    readonly namespace: string,
    private readonly timeoutMs: number,
  ) {
    this.apps = config.makeApiClient(client.AppsV1Api);
    this.autoscaling = config.makeApiClient(client.AutoscalingV2Api);
    this.custom = config.makeApiClient(client.CustomObjectsApi);
    this.mergePatch = client.setHeaderOptions('Content-Type', client.PatchStrategy.MergePatch);
  }

  async listWorkerDeployments(): Promise<DeploymentView[]> {
    const list = await this.call({ verb: 'list', resource: 'deployments', apiGroup: 'apps' }, () =>
      this.apps.listNamespacedDeployment({ namespace: this.namespace, labelSelector: GROUP_LABEL }),
    );
    return list.items.map((d) => ({
      name: d.metadata?.name ?? '',
      labels: d.metadata?.labels ?? {},
      annotations: d.metadata?.annotations ?? {},
      replicas: d.spec?.replicas,
      readyReplicas: d.status?.readyReplicas,
    }));
  }

  async listHpas(): Promise<HpaView[]> {
    const list = await this.call({ verb: 'list', resource: 'horizontalpodautoscalers', apiGroup: 'autoscaling' }, () =>
      this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: this.namespace }),
    );
    return list.items.map((h) => ({
      name: h.metadata?.name ?? '',
      target: { kind: h.spec?.scaleTargetRef.kind ?? '', name: h.spec?.scaleTargetRef.name ?? '' },
      minReplicas: h.spec?.minReplicas,
      maxReplicas: h.spec?.maxReplicas ?? 0,
    }));
  }

  async listScaledObjects(): Promise<ScaledObjectView[]> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the client does not type KEDA's custom objects
    let list: { items?: Array<{ metadata?: { name?: string; annotations?: Record<string, string> }; spec?: any }> };
    try {
      list = await this.call({ verb: 'list', resource: 'scaledobjects', apiGroup: KEDA.group }, () =>
        this.custom.listNamespacedCustomObject({ ...KEDA, namespace: this.namespace }),
        { passThrough: (err) => isApiAnswer(err) && err.code === 404 },
      );
    } catch (err) {
      // 404 on the list itself: KEDA's CRD is not installed, so nothing is scaled by KEDA.
      if (isApiAnswer(err) && err.code === 404) return [];
      throw err;
    }
    return (list.items ?? []).map((s) => ({
      name: s.metadata?.name ?? '',
      target: { kind: s.spec?.scaleTargetRef?.kind, name: s.spec?.scaleTargetRef?.name ?? '' },
      minReplicaCount: s.spec?.minReplicaCount,
      maxReplicaCount: s.spec?.maxReplicaCount,
      annotations: s.metadata?.annotations ?? {},
    }));
  }

  async scaleDeployment(name: string, replicas: number): Promise<void> {
    await this.call({ verb: 'patch', resource: 'deployments/scale', apiGroup: 'apps' }, () =>
      this.apps.patchNamespacedDeploymentScale(
        { name, namespace: this.namespace, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
        this.mergePatch,
      ),
    );
  }

  async pinHpa(name: string, replicas: number): Promise<void> {
    await this.call({ verb: 'patch', resource: 'horizontalpodautoscalers', apiGroup: 'autoscaling' }, () =>
      this.autoscaling.patchNamespacedHorizontalPodAutoscaler(
        { name, namespace: this.namespace, body: { spec: { minReplicas: replicas, maxReplicas: replicas } }, fieldManager: FIELD_MANAGER },
        this.mergePatch,
      ),
    );
  }

  async pinScaledObject(name: string, replicas: number): Promise<void> {
    await this.call({ verb: 'patch', resource: 'scaledobjects', apiGroup: KEDA.group }, () =>
      this.custom.patchNamespacedCustomObject(
        { ...KEDA, namespace: this.namespace, name, body: { metadata: { annotations: { [KEDA_PAUSED_ANNOTATION]: String(replicas) } } }, fieldManager: FIELD_MANAGER },
        this.mergePatch,
      ),
    );
  }

  /** Runs one request with a deadline; failures become the CLI's errors naming verb and resource. */
  private async call<T>(what: Omit<KubeCall, 'namespace'>, request: () => Promise<T>, opts: { passThrough?: (err: unknown) => boolean } = {}): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`no answer within ${this.timeoutMs / 1000} s`);
        err.name = 'KubeTimeout';
        reject(err);
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([request(), deadline]);
    } catch (err) {
      if (opts.passThrough?.(err)) throw err;
      throw kubeError(err, { ...what, namespace: this.namespace }, this.server);
    } finally {
      clearTimeout(timer);
    }
  }
}
