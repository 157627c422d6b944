import { find, ofKind, render, renderError } from './helm';

const ON = { cli: { rbac: { enabled: true } } };

describe('CLI RBAC (cli.rbac)', () => {
  it.each(['defaults', 'preview', 'production'] as const)('%s: grants nothing unless enabled', (profile) => {
    const objects = render({ profile });
    expect(ofKind(objects, 'Role')).toEqual([]);
    expect(ofKind(objects, 'RoleBinding')).toEqual([]);
    expect(objects.filter((o) => o.metadata.name === 'bullpen-cli')).toEqual([]);
  });

  it('binds its own ServiceAccount to a Role for status, scale and drain: read, and patch deployments/scale only', () => {
    const objects = render({ values: ON, namespace: 'bullpen-production' });
    const sa = find(objects, 'ServiceAccount', 'bullpen-cli');
    expect(sa.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'cli' });
    // Unlike the workloads' account it is meant to call the API, so its token may be mounted.
    expect(sa).not.toHaveProperty('automountServiceAccountToken');
    expect(find(objects, 'Role', 'bullpen-cli').rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list'] },
      { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: ['get', 'list'] },
    ]);
    const binding = find(objects, 'RoleBinding', 'bullpen-cli');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'bullpen-cli' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'bullpen-cli', namespace: 'bullpen-production' }]);
    for (const obj of [sa, binding]) expect(obj.metadata.namespace).toBe('bullpen-production');
  });

  it('allowPin adds patch on HPAs and ScaledObjects, and nothing else', () => {
    const rules = find(render({ values: { cli: { rbac: { enabled: true, allowPin: true } } } }), 'Role', 'bullpen-cli').rules;
    expect(rules.filter((r: any) => r.verbs.includes('patch'))).toEqual([
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: ['get', 'list', 'patch'] },
    ]);
  });

  it('follows fullnameOverride, and the schema rejects unknown keys', () => {
    const objects = render({ values: { ...ON, fullnameOverride: 'jobs' } });
    expect(find(objects, 'RoleBinding', 'jobs-cli').subjects[0].name).toBe('jobs-cli');
    expect(renderError({ values: { cli: { rbac: { enabled: true, verbs: ['*'] } } } })).toContain("at '/cli/rbac': additional properties 'verbs' not allowed");
  });
});
