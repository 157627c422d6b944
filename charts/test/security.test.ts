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

  it('creates no API token Secret when the user names their own', () => {
    const objects = render({ values: { api: { auth: { existingSecret: 'my-tokens' } } } });
    expect(ofKind(objects, 'Secret').map((s) => s.metadata.name).sort()).toEqual(['bullpen-api-id', 'bullpen-redis']);
    const api = find(objects, 'Deployment', 'bullpen-api').spec.template.spec.containers[0];
    expect(api.env).toContainEqual({ name: 'API_TOKENS', valueFrom: { secretKeyRef: { name: 'my-tokens', key: 'api-tokens' } } });
  });
});
