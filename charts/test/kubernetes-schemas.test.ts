import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { render, type K8sObject, type RenderOptions } from './helm';

/** The Kubernetes (and KEDA, prometheus-operator) schema for each kind the chart may render. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Pod': Pod,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** Renders covering every template and every branch of the values that changes an object's shape. */
const MATRIX: Array<[string, RenderOptions]> = [
  ['defaults', {}],
  ['preview', { profile: 'preview' }],
  ['production', { profile: 'production' }],
  ['production where prometheus-operator runs', { profile: 'production', apiVersions: ['monitoring.coreos.com/v1'] }],
  ['keda metrics-api', { values: { workers: { defaults: { keda: { enabled: true } } } } }],
  ['keda prometheus', { values: { workers: { defaults: { keda: { enabled: true, trigger: 'prometheus' } } } } }],
  [
    'weighted, reserved and isolated job slots',
    { values: { workers: { defaults: { reservedCritical: 2, queueWeights: { critical: 6, default: 3, low: 1 }, isolation: 'process', jobMemoryMB: 300 } } } },
  ],
  [
    'several groups, mixed autoscalers',
    {
      values: {
        workers: {
          groups: [
            { name: 'critical', queues: ['critical'], hpa: { enabled: true } },
            { name: 'bulk', queues: ['default', 'low'], keda: { enabled: true, minReplicaCount: 0 }, pdb: { enabled: false } },
          ],
        },
      },
    },
  ],
  [
    'monitoring on',
    {
      values: {
        monitoring: { serviceMonitor: { enabled: true }, podMonitor: { enabled: true }, prometheusRule: { enabled: true }, grafanaDashboard: { enabled: true } },
      },
    },
  ],
  ['CLI RBAC with pinning', { values: { cli: { rbac: { enabled: true, allowPin: true } } } }],
  [
    'Redis TLS, a tokens file, own network peers',
    {
      values: {
        redis: { tls: { enabled: true, existingSecret: 'redis-cert' } },
        api: { auth: { tokensFile: { existingSecret: 'shop-tokens' } }, idSecret: { existingSecret: 'shop-ids' } },
        networkPolicy: {
          api: { from: [{ namespaceSelector: { matchLabels: { team: 'shop' } }, podSelector: { matchLabels: { app: 'checkout' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] },
          monitoring: { from: [] },
        },
      },
    },
  ],
  ['external Redis', { values: { redis: { enabled: false }, externalRedis: { url: 'rediss://r.example.com:6380', existingSecret: 'r' } } }],
  [
    'scheduling and extras',
    {
      values: {
        image: { registry: 'ghcr.io/acme/', tag: '1.2.3', worker: { digest: `sha256:${'c'.repeat(64)}` } },
        imagePullSecrets: [{ name: 'regcred' }],
        api: {
          nodeSelector: { pool: 'web' },
          tolerations: [{ key: 'web', operator: 'Exists' }],
          extraEnv: { FOO: 'bar' },
          pdb: { enabled: true, maxUnavailable: '50%' },
          topologySpreadConstraints: [{ maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' }],
        },
        workers: { defaults: { affinity: { nodeAffinity: {} }, podAnnotations: { a: 'b' } } },
        redis: {
          port: 6380,
          image: { repository: 'mirror.example.com/redis', digest: `sha256:${'d'.repeat(64)}` },
          persistence: { enabled: false, storageClass: 'fast' },
        },
      },
    },
  ],
];

function validate(obj: K8sObject): string | undefined {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) return `${obj.apiVersion} ${obj.kind} has no schema here: add its model to MODELS`;
  try {
    new Model(obj).validate();
    return undefined;
  } catch (err) {
    return `${obj.kind}/${obj.metadata.name}: ${(err as Error).message}`;
  }
}

describe('rendered objects validate against the Kubernetes schemas', () => {
  it.each(MATRIX)('%s', (_name, options) => {
    const objects = render(options);
    expect(objects.map(validate).filter(Boolean)).toEqual([]);
  });

  it('the validator catches a malformed object', () => {
    const [deployment] = render().filter((o) => o.kind === 'Deployment');
    expect(validate({ ...deployment, spec: { ...deployment.spec, replicas: 'three' } })).toContain('replicas must be integer');
  });

  it('every kind the matrix renders is covered', () => {
    const kinds = new Set(MATRIX.flatMap(([, options]) => render(options)).map((o) => `${o.apiVersion}/${o.kind}`));
    expect([...kinds].sort()).toEqual(Object.keys(MODELS).sort());
  });
});
