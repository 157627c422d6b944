import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helmPath, ROOT, type K8sObject } from './helm';

const ENVIRONMENTS = ['preview', 'production'] as const;

function parseFile(path: string): K8sObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

describe('k8s/ plain manifests', () => {
  it('match a fresh render of the chart (run `make manifests` after changing the chart)', () => {
    const out = mkdtempSync(join(tmpdir(), 'bullpen-manifests-'));
    try {
      execFileSync('bash', [join(ROOT, 'scripts', 'render-manifests.sh'), out], {
        env: { ...process.env, HELM: helmPath() },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      for (const env of ENVIRONMENTS) {
        const committed = readFileSync(join(ROOT, 'k8s', env, 'bullpen.yaml'), 'utf8');
        const fresh = readFileSync(join(out, env, 'bullpen.yaml'), 'utf8');
        expect({ env, text: committed }).toEqual({ env, text: fresh });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it.each(ENVIRONMENTS)('%s: targets bullpen-%s, holds no secrets and no test hook', (env) => {
    const objects = parseFile(join(ROOT, 'k8s', env, 'bullpen.yaml'));
    for (const obj of objects) expect(obj.metadata.namespace).toBe(`bullpen-${env}`);
    expect(objects.filter((o) => o.kind === 'Secret' || o.kind === 'Pod')).toEqual([]);
    // They read the Secrets k8s/README.md tells users to create.
    const text = readFileSync(join(ROOT, 'k8s', env, 'bullpen.yaml'), 'utf8');
    expect(text).toContain('name: bullpen-api-tokens');
    expect(text).toContain('name: bullpen-redis-password');
  });

  it('namespaces enforce Pod Security "restricted" and name their environment', () => {
    const namespaces = parseFile(join(ROOT, 'k8s', 'namespaces.yaml'));
    expect(namespaces.map((n) => n.metadata.name)).toEqual(['bullpen-preview', 'bullpen-production']);
    for (const ns of namespaces) {
      expect(ns.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'bullpen.dev/environment': ns.metadata.name.replace('bullpen-', ''),
      });
    }
  });
});
