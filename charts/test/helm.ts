/**
 * Runs the real helm binary against charts/bullpen and parses what it renders. Every chart test
 * goes through here, so they all test the chart exactly as `helm install` would see it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const ROOT = join(__dirname, '..', '..');
export const CHART = join(ROOT, 'charts', 'bullpen');

/** The profiles users install: chart defaults, and each environment's values file on top. */
export const PROFILES = {
  defaults: [] as string[],
  preview: [join(CHART, 'values-preview.yaml')],
  production: [join(CHART, 'values-production.yaml')],
} as const;
export type Profile = keyof typeof PROFILES;

/** HELM if set, else where scripts/install-helm.sh puts it. */
export function helmPath(): string {
  const helm = process.env.HELM || join(process.env.BULLPEN_CACHE || join(homedir(), '.cache', 'bullpen'), 'bin', 'helm');
  if (!existsSync(helm)) {
    throw new Error(`helm not found at ${helm}: run scripts/install-helm.sh (or set HELM=/path/to/helm)`);
  }
  return helm;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Rendered objects are checked field by field; their shape varies by kind.
  spec?: any;
  [field: string]: any;
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `values` (any object) passed as one more values file on stdin. */
export function helm(args: string[], values?: object): HelmResult {
  const input = values === undefined ? undefined : JSON.stringify(values);
  const res = spawnSync(helmPath(), input === undefined ? args : [...args, '--values', '-'], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (res.error) throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

export interface RenderOptions {
  profile?: Profile;
  values?: object;
  namespace?: string;
  /** API versions the pretend cluster serves beyond the built-in ones (`--api-versions`), e.g. monitoring.coreos.com/v1. */
  apiVersions?: string[];
}

function templateArgs({ profile = 'defaults', namespace = 'bullpen-test', apiVersions = [] }: RenderOptions): string[] {
  return [
    'template', 'bullpen', CHART, '--namespace', namespace,
    ...PROFILES[profile].flatMap((f) => ['--values', f]),
    ...apiVersions.flatMap((v) => ['--api-versions', v]),
  ];
}

/** The rendered text itself, for checks across every object (e.g. that a number appears nowhere). */
export function renderText(options: RenderOptions = {}): string {
  const res = helm(templateArgs(options), options.values);
  if (res.status !== 0) throw new Error(`helm template failed: ${res.stderr.trim()}`);
  return res.stdout;
}

/** Renders the chart (test hooks included) and returns every object; throws with helm's error. */
export function render(options: RenderOptions = {}): K8sObject[] {
  return parseAllDocuments(renderText(options))
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}

/** Renders expecting failure; returns helm's error output. */
export function renderError(options: RenderOptions = {}): string {
  const res = helm(templateArgs(options), options.values);
  if (res.status === 0) throw new Error('helm template succeeded but was expected to fail');
  return res.stderr;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!obj) throw new Error(`no ${kind} ${name} among: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return obj;
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** Objects that run pods, with their pod spec (Deployments, the StatefulSet, the test Pod). */
export function podSpecs(objects: K8sObject[]): Array<{ obj: K8sObject; pod: K8sObject['spec'] }> {
  return objects.flatMap((obj) => {
    if (obj.kind === 'Pod') return [{ obj, pod: obj.spec }];
    if (obj.kind === 'Deployment' || obj.kind === 'StatefulSet') return [{ obj, pod: obj.spec.template.spec }];
    return [];
  });
}

export function envOf(container: any): Record<string, any> {
  return Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

/** One worker group's Deployment. */
export function workerDeployment(objects: K8sObject[], group: string): K8sObject {
  return find(objects, 'Deployment', `bullpen-worker-${group}`);
}
