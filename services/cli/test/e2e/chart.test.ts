/**
 * The chart installed by helm into a real kube-apiserver (etcd behind it, nothing else): the API
 * server validates every object server-side, defaults them, and applies the scale subresource and
 * helm's server-side apply exactly as a cluster would. No pod runs. Run with `make test-k8s`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { getJson, helmInstall, HPA_SETTINGS, installKedaCrds, ok, replicasOf, ROOT } from './fixtures';
import { startControlPlane, type ControlPlane } from './kube-apiserver';

jest.setTimeout(120_000);

interface Rendered {
  kind: string;
  metadata: { name: string };
  spec?: any;
}

function parse(manifest: string): Rendered[] {
  return parseAllDocuments(manifest)
    .map((d) => d.toJS() as Rendered | null)
    .filter((o): o is Rendered => o !== null);
}

describe('chart on a real kube-apiserver (no kubelet, no controller-manager: objects only, no pod runs)', () => {
  let cp: ControlPlane;

  beforeAll(async () => {
    cp = await startControlPlane();
    await installKedaCrds(cp);
    // The repo's own namespaces: Pod Security "restricted" enforced, and warned about on workloads.
    await ok(cp.kubectl(['apply', '-f', join(ROOT, 'k8s', 'namespaces.yaml')]));
  });

  afterAll(async () => {
    await cp?.stop();
  });

  it('the plain manifests in k8s/ pass server-side validation with no warning (dry run into the empty namespaces)', async () => {
    for (const env of ['preview', 'production']) {
      const file = join(ROOT, 'k8s', env, 'bullpen.yaml');
      const res = await cp.kubectl(['apply', '--dry-run=server', '-f', '-'], readFileSync(file, 'utf8'));
      expect({ env, code: res.code, stderr: res.stderr }).toEqual({ env, code: 0, stderr: '' });
    }
  });

  it.each(['preview', 'production'] as const)(
    'helm install of the %s profile is accepted by the API server, with no Pod Security warning',
    async (profile) => {
      const res = await helmInstall(cp, `bullpen-${profile}`, profile, profile === 'production' ? HPA_SETTINGS : []);
      expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('PodSecurity') });
      expect(res.stderr).not.toMatch(/warning/i);
    },
  );

  it.each(['preview', 'production'] as const)('%s: every rendered object exists; Deployments, StatefulSet and HPA as rendered', async (profile) => {
    const ns = `bullpen-${profile}`;
    const manifest = parse(await ok(cp.helm(['get', 'manifest', 'bullpen', '-n', ns])));
    const names = manifest.map((o) => `${o.kind}/${o.metadata.name}`);
    // Every object of the release, fetched back by kind and name.
    for (const obj of manifest) await getJson(cp, ns, `${obj.kind}/${obj.metadata.name}`);

    expect(names.filter((n) => /^(Deployment|StatefulSet|HorizontalPodAutoscaler)\//.test(n)).sort()).toEqual(
      [
        'Deployment/bullpen-api',
        'Deployment/bullpen-beat',
        'Deployment/bullpen-worker-all',
        'StatefulSet/bullpen-redis',
        ...(profile === 'production' ? ['HorizontalPodAutoscaler/bullpen-worker-all'] : []),
      ].sort(),
    );
    for (const rendered of manifest.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      const live = await getJson(cp, ns, `${rendered.kind}/${rendered.metadata.name}`);
      // Left out only where an autoscaler owns it; the API server then defaults it to 1.
      expect({ name: rendered.metadata.name, replicas: live.spec.replicas }).toEqual({ name: rendered.metadata.name, replicas: rendered.spec.replicas ?? 1 });
      expect(live.spec.template.spec.containers.map((c: any) => [c.name, c.image])).toEqual(
        rendered.spec.template.spec.containers.map((c: any) => [c.name, c.image]),
      );
      expect(live.spec.template.spec.securityContext).toMatchObject(rendered.spec.template.spec.securityContext);
    }
    const worker = await getJson(cp, ns, 'deployment/bullpen-worker-all');
    const redis = await getJson(cp, ns, 'statefulset/bullpen-redis');
    expect(redis.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(profile === 'production' ? '20Gi' : '2Gi');
    if (profile === 'production') {
      expect(worker.metadata.annotations['bullpen.dev/autoscaler']).toBe('hpa');
      const hpa = await getJson(cp, ns, 'hpa/bullpen-worker-all');
      expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 12, scaleTargetRef: { kind: 'Deployment', name: 'bullpen-worker-all' } });
    } else {
      expect(worker.metadata.annotations['bullpen.dev/autoscaler']).toBe('none');
      expect(worker.spec.replicas).toBe(1);
    }
  });

  it('production on a cluster with KEDA: a ScaledObject and TriggerAuthentication that pass KEDA\'s own CRD schema, and no HPA', async () => {
    // As shipped: `keda.enabled: auto` sees keda.sh/v1alpha1 served and takes KEDA instead of the HPA.
    await ok(helmInstall(cp, 'bullpen-keda', 'production'));
    const scaled = await getJson(cp, 'bullpen-keda', 'scaledobject/bullpen-worker-all');
    expect(scaled.spec).toMatchObject({ minReplicaCount: 3, maxReplicaCount: 12, scaleTargetRef: { name: 'bullpen-worker-all' } });
    expect(scaled.spec.fallback).toEqual({ failureThreshold: 3, replicas: 3, behavior: 'currentReplicasIfHigher' });
    // The group's whole backlog (the pod's one pool of slots serves all its queues) and its oldest job's age.
    expect(scaled.spec.triggers.map((t: any) => [t.name, t.metadata.valueLocation])).toEqual([['backlog', 'total.ready'], ['oldest-wait', 'total.oldestSeconds']]);
    expect((await getJson(cp, 'bullpen-keda', 'hpa')).items).toEqual([]);
    expect(scaled.spec.triggers[0].metadata.url).toMatch(/\/api\/queues\/backlog\?queues=critical,default,low$/);
    await getJson(cp, 'bullpen-keda', 'triggerauthentication/bullpen-api-token');
    const worker = await getJson(cp, 'bullpen-keda', 'deployment/bullpen-worker-all');
    expect(worker.metadata.annotations['bullpen.dev/autoscaler']).toBe('keda');
  });

  it('a ScaledObject that breaks KEDA\'s schema is refused by the API server (the CRD validates for real)', async () => {
    const bad = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'bad', namespace: 'bullpen-keda' }, spec: { triggers: [] } };
    const res = await cp.kubectl(['apply', '-f', '-'], JSON.stringify(bad));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('spec.scaleTargetRef: Required value');
  });

  it('preview: kubectl scale sets .spec.replicas, and helm upgrade with unchanged values keeps it', async () => {
    await ok(cp.kubectl(['scale', 'deployment/bullpen-worker-all', '--replicas=4', '-n', 'bullpen-preview']));
    expect(await replicasOf(cp, 'bullpen-preview', 'bullpen-worker-all')).toBe(4);
    await ok(helmInstall(cp, 'bullpen-preview', 'preview'));
    expect(await replicasOf(cp, 'bullpen-preview', 'bullpen-worker-all')).toBe(4);
    // And again: the second upgrade starts from a release that already carries the live count.
    await ok(helmInstall(cp, 'bullpen-preview', 'preview', ['--set', 'api.replicas=1']));
    expect(await replicasOf(cp, 'bullpen-preview', 'bullpen-worker-all')).toBe(4);
  });

  it('preview: changing replicas in the values after a manual scale stops at a conflict; --force-conflicts applies the values', async () => {
    const res = await helmInstall(cp, 'bullpen-preview', 'preview', ['--set', 'workers.defaults.replicas=2']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('conflict with "kubectl" with subresource "scale"');
    expect(res.stderr).toContain('.spec.replicas');
    expect(await replicasOf(cp, 'bullpen-preview', 'bullpen-worker-all')).toBe(4);

    await ok(helmInstall(cp, 'bullpen-preview', 'preview', ['--set', 'workers.defaults.replicas=2', '--force-conflicts']));
    expect(await replicasOf(cp, 'bullpen-preview', 'bullpen-worker-all')).toBe(2);
    // From then on the values' 2 is the recorded count, and upgrades leave the Deployment alone.
    await ok(helmInstall(cp, 'bullpen-preview', 'preview', ['--set', 'workers.defaults.replicas=2']));
    expect(await replicasOf(cp, 'bullpen-preview', 'bullpen-worker-all')).toBe(2);
  });

  it('production: helm upgrade never resets the count an autoscaler set (spec.replicas is left out)', async () => {
    // What the HPA controller would do: write the scale subresource.
    await ok(cp.kubectl(['scale', 'deployment/bullpen-worker-all', '--replicas=7', '-n', 'bullpen-production']));
    await ok(helmInstall(cp, 'bullpen-production', 'production', HPA_SETTINGS));
    expect(await replicasOf(cp, 'bullpen-production', 'bullpen-worker-all')).toBe(7);
  });
});
