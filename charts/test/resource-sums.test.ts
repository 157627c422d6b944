/**
 * The chart README's table of what each profile asks of a cluster, recomputed from a render, so the
 * numbers cannot drift from the values. On a mismatch, the expected block is in the diff: paste it
 * between the markers in charts/bullpen/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART, ofKind, podSpecs, render, type K8sObject, type Profile } from './helm';

const START = '<!-- resource-sums: generated from the rendered chart; charts/test/resource-sums.test.ts checks it -->';
const END = '<!-- /resource-sums -->';

/** CPU in millicores: "250m", "0.5", 2. */
function millicores(q: string | number): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Math.round(Number(s) * 1000);
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Memory in bytes: "512Mi", "1Gi", "1G", 1048576. */
function bytes(q: string | number): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q));
  if (!m) throw new Error(`not a quantity: ${q}`);
  const unit = m[2];
  const factor = unit === '' ? 1 : BINARY[unit] ?? DECIMAL[unit];
  if (factor === undefined) throw new Error(`unknown unit in ${q}`);
  return Number(m[1]) * factor;
}

interface Sums {
  pods: number;
  cpuRequests: number;
  memoryRequests: number;
  cpuLimits: number;
  memoryLimits: number;
  /** Components whose containers have no CPU limit (left out of cpuLimits). */
  noCpuLimit: Set<string>;
}

/** Pods of a workload: spec.replicas, else its autoscaler's minimum or maximum. */
function replicas(objects: K8sObject[], workload: K8sObject, at: 'min' | 'max'): number {
  if (workload.spec.replicas !== undefined) return workload.spec.replicas;
  const owns = (o: K8sObject) => o.spec.scaleTargetRef.name === workload.metadata.name;
  const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find(owns);
  if (hpa) return at === 'min' ? hpa.spec.minReplicas : hpa.spec.maxReplicas;
  const keda = ofKind(objects, 'ScaledObject').find(owns);
  if (keda) return at === 'min' ? keda.spec.minReplicaCount : keda.spec.maxReplicaCount;
  return 1;
}

function sums(objects: K8sObject[], at: 'min' | 'max'): Sums {
  const out: Sums = { pods: 0, cpuRequests: 0, memoryRequests: 0, cpuLimits: 0, memoryLimits: 0, noCpuLimit: new Set() };
  for (const { obj, pod } of podSpecs(objects)) {
    if (obj.kind === 'Pod') continue; // the `helm test` hook, shown apart
    const n = replicas(objects, obj, at);
    out.pods += n;
    for (const c of pod.containers) {
      const { requests = {}, limits = {} } = c.resources ?? {};
      out.cpuRequests += n * millicores(requests.cpu ?? 0);
      out.memoryRequests += n * bytes(requests.memory ?? 0);
      out.memoryLimits += n * bytes(limits.memory ?? 0);
      if (limits.cpu === undefined) out.noCpuLimit.add(obj.metadata.labels?.['app.kubernetes.io/component'] ?? obj.metadata.name);
      else out.cpuLimits += n * millicores(limits.cpu);
    }
  }
  return out;
}

const cpu = (m: number) => (m >= 1000 ? `${m}m (${+(m / 1000).toFixed(2)} CPU)` : `${m}m`);
const mem = (b: number) => {
  const mi = b / 2 ** 20;
  return mi >= 1024 ? `${mi}Mi (${+(mi / 1024).toFixed(1)}Gi)` : `${mi}Mi`;
};

function row(label: string, s: Sums, volume: string): string {
  return `| ${label} | ${s.pods} | ${cpu(s.cpuRequests)} | ${mem(s.memoryRequests)} | ${cpu(s.cpuLimits)} | ${mem(s.memoryLimits)} | ${volume} |`;
}

function workerPods(objects: K8sObject[], at: 'min' | 'max'): number {
  return ofKind(objects, 'Deployment')
    .filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'worker')
    .reduce((n, d) => n + replicas(objects, d, at), 0);
}

/** The README block for the preview and production profiles, as the chart renders them now. */
function expectedBlock(): string {
  const lines = [
    START,
    '| profile | pods | CPU requests | memory requests | CPU limits | memory limits | Redis volume |',
    '|---|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  for (const profile of ['preview', 'production'] as Profile[]) {
    const objects = render({ profile });
    const volume = ofKind(objects, 'StatefulSet')[0]?.spec.volumeClaimTemplates?.[0]?.spec.resources.requests.storage ?? 'none';
    const min = sums(objects, 'min');
    const max = sums(objects, 'max');
    const file = `\`values-${profile}.yaml\``;
    if (min.pods === max.pods) {
      lines.push(row(file, min, volume));
    } else {
      lines.push(row(`${file}, autoscaler at its minimum (${workerPods(objects, 'min')} worker pods)`, min, volume));
      lines.push(row(`${file}, autoscaler at its maximum (${workerPods(objects, 'max')} worker pods)`, max, volume));
    }
    notes.push(`${profile}: ${[...min.noCpuLimit].join(', ') || 'none'}`);
  }
  const test = podSpecs(render()).find(({ obj }) => obj.kind === 'Pod')!.pod.containers[0].resources;
  lines.push(
    '',
    `No CPU limit, so not in the CPU-limit sums (they may use a node's idle CPU): ${notes.join('; ')}.`,
    `\`helm test\` adds one pod while it runs: ${cpu(millicores(test.requests.cpu))} CPU and ${mem(bytes(test.requests.memory))} requested, ${mem(bytes(test.limits.memory))} memory limit.`,
    END,
  );
  return lines.join('\n');
}

describe('chart README resource sums', () => {
  it('parses Kubernetes quantities', () => {
    expect([millicores('250m'), millicores('0.5'), millicores(2), millicores('1')]).toEqual([250, 500, 2000, 1000]);
    expect([bytes('512Mi'), bytes('1Gi'), bytes('1G'), bytes(1024), bytes('1.5Gi')]).toEqual([2 ** 29, 2 ** 30, 1e9, 1024, 1.5 * 2 ** 30]);
  });

  it('counts replicas, autoscaler bounds and every container', () => {
    const preview = sums(render({ profile: 'preview' }), 'min');
    // api 100m + beat 50m + worker 200m + redis 100m, one pod each.
    expect([preview.pods, preview.cpuRequests]).toEqual([4, 450]);
    const production = render({ profile: 'production' });
    expect([workerPods(production, 'min'), workerPods(production, 'max')]).toEqual([3, 12]);
  });

  it('match a render of each profile', () => {
    const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    expect(readme.slice(start, end + END.length)).toEqual(expectedBlock());
  });
});
