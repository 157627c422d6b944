import { find, ofKind, podSpecs, render, type Profile } from './helm';

describe('security defaults', () => {
  it.each(['defaults', 'preview', 'production'] as Profile[])('every pod meets Pod Security "restricted" (%s)', (profile) => {
    const pods = podSpecs(render({ profile }));
    expect(pods.length).toBe(5);
    for (const { obj, pod } of pods) {
      const where = `${obj.kind}/${obj.metadata.name}`;
      expect({ where, ...pod.securityContext }).toMatchObject({ where, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect({ where, automount: pod.automountServiceAccountToken }).toEqual({ where, automount: false });
      for (const container of pod.containers) {
        expect({ where, ...container.securityContext }).toEqual({
          where,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
  });

  it('mounts no service-account token', () => {
    const objects = render();
    expect(find(objects, 'ServiceAccount', 'bullpen').automountServiceAccountToken).toBe(false);
    for (const { pod } of podSpecs(objects)) expect(pod.serviceAccountName).toBe('bullpen');
  });

  it('lets only Bullpen api, worker and beat pods reach Redis', () => {
    const policy = find(render(), 'NetworkPolicy', 'bullpen-redis');
    expect(policy.spec.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/component': 'redis', 'app.kubernetes.io/instance': 'bullpen' });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/name': 'bullpen', 'app.kubernetes.io/instance': 'bullpen' },
              matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'worker', 'beat'] }],
            },
          },
        ],
        ports: [{ port: 'redis', protocol: 'TCP' }],
      },
    ]);
    // The labels it admits are the ones the app pods carry; the test pod is not among them.
    const admitted = podSpecs(render())
      .filter(({ obj }) => ['api', 'worker', 'beat'].includes(obj.metadata.labels?.['app.kubernetes.io/component'] ?? ''))
      .map(({ obj }) => obj.metadata.name);
    expect(admitted.sort()).toEqual(['bullpen-api', 'bullpen-beat', 'bullpen-worker-all']);
  });

  it('renders no NetworkPolicy when turned off or when Redis is external', () => {
    expect(ofKind(render({ values: { networkPolicy: { enabled: false } } }), 'NetworkPolicy')).toHaveLength(0);
    const external = { redis: { enabled: false }, externalRedis: { url: 'rediss://redis.example.com:6380' } };
    expect(ofKind(render({ values: external }), 'NetworkPolicy')).toHaveLength(0);
  });

  it('takes API tokens from a Secret, never from the ConfigMap', () => {
    const objects = render();
    const api = find(objects, 'Deployment', 'bullpen-api').spec.template.spec.containers[0];
    expect(api.env).toContainEqual({ name: 'API_TOKENS', valueFrom: { secretKeyRef: { name: 'bullpen-api', key: 'api-tokens' } } });
    const config = find(objects, 'ConfigMap', 'bullpen-env');
    expect(Object.keys(config.data)).not.toEqual(expect.arrayContaining(['API_TOKENS']));
    expect(JSON.stringify(config.data)).not.toMatch(/PASSWORD|TOKEN/);
  });

  it('generates API tokens in API_TOKENS format: an admin and a client token', () => {
    const secret = find(render(), 'Secret', 'bullpen-api');
    const decode = (key: string) => Buffer.from(secret.data[key], 'base64').toString();
    const [admin, client] = decode('api-tokens').split(',').map((entry) => entry.split(':'));
    expect(admin).toEqual(['admin', decode('admin-token'), 'admin']);
    expect(client).toEqual(['internal', decode('client-token'), 'client']);
    expect(decode('client-token')).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('creates no API Secret when the user names their own', () => {
    const objects = render({ values: { api: { auth: { existingSecret: 'my-tokens' } } } });
    expect(ofKind(objects, 'Secret').map((s) => s.metadata.name)).toEqual(['bullpen-redis']);
    const api = find(objects, 'Deployment', 'bullpen-api').spec.template.spec.containers[0];
    expect(api.env).toContainEqual({ name: 'API_TOKENS', valueFrom: { secretKeyRef: { name: 'my-tokens', key: 'api-tokens' } } });
  });
});
