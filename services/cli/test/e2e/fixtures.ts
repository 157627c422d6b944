/** What both e2e files set up on their control plane: KEDA's CRDs, the chart, its profiles. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlane } from './kube-apiserver';

export const ROOT = join(__dirname, '..', '..', '..', '..');
export const CHART = join(ROOT, 'charts', 'bullpen');

export const PROFILE_VALUES = {
  preview: [join(CHART, 'values-preview.yaml')],
  production: [join(CHART, 'values-production.yaml')],
} as const;

/** The production profile with KEDA (metrics-api trigger) in place of the HPA, whatever the cluster serves. */
export const KEDA_SETTINGS = ['--set', 'workers.defaults.hpa.enabled=false', '--set', 'workers.defaults.keda.enabled=true'];
/**
 * The production profile as a cluster without KEDA renders it (the CPU HPA): these API servers
 * serve keda.sh/v1alpha1 (installKedaCrds), where the profile's `keda.enabled: auto` picks KEDA.
 */
export const HPA_SETTINGS = ['--set', 'workers.defaults.keda.enabled=false'];

/** Fails the test with kubectl's or helm's own output. */
export async function ok(result: Promise<{ code: number | null; stdout: string; stderr: string }>): Promise<string> {
  const res = await result;
  if (res.code !== 0) throw new Error(`exited ${res.code}:\n${res.stderr}${res.stdout}`);
  return res.stdout;
}

/** KEDA's real CRDs (from its Go module), applied and Established, so ScaledObjects are validated by their schema. */
export async function installKedaCrds(cp: ControlPlane): Promise<void> {
  const files = readdirSync(cp.tools.kedaCrds).filter((f) => f.endsWith('.yaml'));
  await ok(cp.kubectl(['apply', '--server-side', ...files.flatMap((f) => ['-f', join(cp.tools.kedaCrds, f)])]));
  await ok(cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/scaledobjects.keda.sh', 'crd/triggerauthentications.keda.sh']));
}

/** `helm upgrade --install` of the chart with a profile's values and extra flags. */
export function helmInstall(cp: ControlPlane, namespace: string, profile: keyof typeof PROFILE_VALUES, extra: string[] = []) {
  return cp.helm([
    'upgrade', '--install', 'bullpen', CHART, '--namespace', namespace, '--create-namespace',
    ...PROFILE_VALUES[profile].flatMap((f) => ['--values', f]),
    ...extra,
  ]);
}

/** One object as JSON, from the API server. */
export async function getJson(cp: ControlPlane, namespace: string, resource: string): Promise<any> {
  return JSON.parse(await ok(cp.kubectl(['get', resource, '-n', namespace, '-o', 'json'])));
}

export async function replicasOf(cp: ControlPlane, namespace: string, deployment: string): Promise<number> {
  return (await getJson(cp, namespace, `deployment/${deployment}`)).spec.replicas;
}
