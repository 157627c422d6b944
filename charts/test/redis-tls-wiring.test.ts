/** The bundled Redis's TLS wiring as rendered; test/redis-tls.test.ts proves a Bullpen process connects that way. */
import { envOf, find, podSpecs, render, renderError } from './helm';

const TLS = { redis: { tls: { enabled: true, existingSecret: 'redis-cert' } } };
const APPS = ['bullpen-api', 'bullpen-beat', 'bullpen-worker-all'];

describe('bundled Redis over TLS', () => {
  it('listens on redis.port with TLS only, presenting the Secret\'s certificate, without asking clients for one', () => {
    const conf: string = find(render({ values: TLS }), 'ConfigMap', 'bullpen-redis').data['redis.conf'];
    expect(conf).toMatch(/^port 0$/m);
    expect(conf).toMatch(/^tls-port 6379$/m);
    expect(conf).toMatch(/^tls-cert-file \/etc\/redis-tls\/tls\.crt$/m);
    expect(conf).toMatch(/^tls-key-file \/etc\/redis-tls\/tls\.key$/m);
    expect(conf).toMatch(/^tls-ca-cert-file \/etc\/redis-tls\/ca\.crt$/m);
    expect(conf).toMatch(/^tls-auth-clients no$/m);
    expect(conf).not.toMatch(/^port 6379$/m);
  });

  it('mounts the whole Secret into Redis, group-readable only, and probes with redis-cli --tls', () => {
    const pod = find(render({ values: TLS }), 'StatefulSet', 'bullpen-redis').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'redis-cert', defaultMode: 0o440 } });
    const container = pod.containers[0];
    expect(container.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/redis-tls', readOnly: true });
    expect(container.readinessProbe.exec.command).toEqual(['sh', '-c', 'test "$(redis-cli --tls --cacert /etc/redis-tls/ca.crt -p 6379 --user probe ping)" = PONG']);
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'redis' });
  });

  it('gives every app rediss:// and trusts only the CA, mounted alone, through NODE_EXTRA_CA_CERTS', () => {
    const objects = render({ values: TLS });
    for (const name of APPS) {
      const pod = find(objects, 'Deployment', name).spec.template.spec;
      const env = envOf(pod.containers[0]);
      expect({ name, url: env.REDIS_URL }).toEqual({ name, url: 'rediss://bullpen:$(REDIS_PASSWORD)@bullpen-redis:6379' });
      expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/bullpen/redis-tls/ca.crt');
      expect(pod.volumes).toContainEqual({ name: 'redis-tls', secret: { secretName: 'redis-cert', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'redis-tls', mountPath: '/etc/bullpen/redis-tls', readOnly: true });
    }
  });

  it('is off by default: redis://, no CA, no certificate volume anywhere', () => {
    for (const { obj, pod } of podSpecs(render())) {
      const name = obj.metadata.name;
      const volumes = (pod.volumes ?? []).map((v: { name: string }) => v.name);
      const env = envOf(pod.containers[0]);
      expect({ name, tlsVolume: volumes.includes('tls') || volumes.includes('redis-tls'), ca: env.NODE_EXTRA_CA_CERTS }).toEqual({ name, tlsVolume: false, ca: undefined });
      if (env.REDIS_URL) expect(env.REDIS_URL).toMatch(/^redis:\/\//);
    }
  });

  it('follows redis.port', () => {
    const objects = render({ values: { redis: { ...TLS.redis, port: 6380 } } });
    expect(find(objects, 'ConfigMap', 'bullpen-redis').data['redis.conf']).toMatch(/^tls-port 6380$/m);
    expect(envOf(find(objects, 'Deployment', 'bullpen-api').spec.template.spec.containers[0]).REDIS_URL).toBe('rediss://bullpen:$(REDIS_PASSWORD)@bullpen-redis:6380');
  });

  it('fails the render when TLS is on without a certificate Secret', () => {
    expect(renderError({ values: { redis: { tls: { enabled: true } } } })).toContain('redis.tls.enabled: set redis.tls.existingSecret');
  });
});
