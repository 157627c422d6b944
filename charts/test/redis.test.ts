import { envOf, find, ofKind, podSpecs, render, renderText } from './helm';

const appContainers = (objects: ReturnType<typeof render>) =>
  podSpecs(objects)
    .filter(({ obj }) => ['api', 'worker', 'beat'].includes(obj.metadata.labels?.['app.kubernetes.io/component'] ?? ''))
    .map(({ obj, pod }) => ({ name: obj.metadata.name, env: envOf(pod.containers[0]) }));

describe('Redis', () => {
  it('runs the bundled Redis with AOF and noeviction', () => {
    const conf: string = find(render(), 'ConfigMap', 'bullpen-redis').data['redis.conf'];
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory 200mb$/m);
  });

  it('gives the ACL users their password from the generated Secret and keeps data on a PVC', () => {
    const objects = render();
    const redis = find(objects, 'StatefulSet', 'bullpen-redis');
    const container = redis.spec.template.spec.containers[0];
    // The config file, then the users; test/redis-acl.test.ts runs Redis with exactly these.
    expect(container.args[0]).toBe('/etc/redis/redis.conf');
    expect(container.args.join(' ')).toContain('--user bullpen on >$(REDIS_PASSWORD) ');
    expect(container.args).not.toContain('--requirepass');
    expect(envOf(container).REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'bullpen-redis', key: 'redis-password' } });
    expect(container.readinessProbe.exec.command.join(' ')).toContain('redis-cli -p 6379 --user probe ping');
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'redis' });
    expect(redis.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('8Gi');
    const password = Buffer.from(find(objects, 'Secret', 'bullpen-redis').data['redis-password'], 'base64').toString();
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/); // URL-safe: it goes into REDIS_URL as is
  });

  it('serves, probes and connects on redis.port, with 6379 nowhere else in the render', () => {
    const values = { redis: { port: 6380 } };
    expect(renderText({ values })).not.toContain('6379');
    const objects = render({ values });
    expect(find(objects, 'ConfigMap', 'bullpen-redis').data['redis.conf']).toMatch(/^port 6380$/m);
    for (const name of ['bullpen-redis', 'bullpen-redis-headless']) {
      expect(find(objects, 'Service', name).spec.ports).toEqual([{ name: 'redis', port: 6380, targetPort: 'redis' }]);
    }
    const container = find(objects, 'StatefulSet', 'bullpen-redis').spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ name: 'redis', containerPort: 6380 }]);
    // Without -p, redis-cli pings 6379 and the pod never becomes Ready.
    expect(container.readinessProbe.exec.command).toEqual(['sh', '-c', 'test "$(redis-cli -p 6380 --user probe ping)" = PONG']);
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'redis' });
    // The NetworkPolicy names the port, so it follows the container's.
    expect(find(objects, 'NetworkPolicy', 'bullpen-redis').spec.ingress[0].ports).toEqual([{ port: 'redis', protocol: 'TCP' }]);
    const containers = appContainers(objects);
    expect(containers).toHaveLength(3);
    for (const { env } of containers) expect(env.REDIS_URL).toBe('redis://bullpen:$(REDIS_PASSWORD)@bullpen-redis:6380');
  });

  it('defaults to port 6379 everywhere', () => {
    const objects = render();
    expect(find(objects, 'ConfigMap', 'bullpen-redis').data['redis.conf']).toMatch(/^port 6379$/m);
    expect(find(objects, 'StatefulSet', 'bullpen-redis').spec.template.spec.containers[0].ports).toEqual([{ name: 'redis', containerPort: 6379 }]);
    expect(find(objects, 'Service', 'bullpen-redis').spec.ports[0].port).toBe(6379);
  });

  it('runs redis-server from the image with the mounted config, as uid 999, writing only to volumes', () => {
    const pod = find(render(), 'StatefulSet', 'bullpen-redis').spec.template.spec;
    const container = pod.containers[0];
    expect(container.command).toEqual(['redis-server']);
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.volumeMounts).toEqual([
      { name: 'data', mountPath: '/data' },
      { name: 'config', mountPath: '/etc/redis', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(find(render(), 'ConfigMap', 'bullpen-redis').data['redis.conf']).toMatch(/^dir \/data$/m);
  });

  it('uses an emptyDir instead of a PVC when persistence is off', () => {
    const redis = find(render({ values: { redis: { persistence: { enabled: false } } } }), 'StatefulSet', 'bullpen-redis');
    expect(redis.spec).not.toHaveProperty('volumeClaimTemplates');
    expect(redis.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: {} });
  });

  it('builds REDIS_URL with the ACL user and the password from the Secret in every app container', () => {
    const containers = appContainers(render({ values: { redis: { auth: { existingSecret: 'my-redis', existingSecretPasswordKey: 'pw' } } } }));
    expect(containers).toHaveLength(3);
    for (const { env } of containers) {
      expect(env.REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'my-redis', key: 'pw' } });
      expect(env.REDIS_URL).toBe('redis://bullpen:$(REDIS_PASSWORD)@bullpen-redis:6379');
    }
  });

  it('REDIS_PASSWORD comes before REDIS_URL, as Kubernetes needs for $(VAR) expansion', () => {
    for (const { pod } of podSpecs(render())) {
      const names: string[] = (pod.containers[0].env ?? []).map((e: { name: string }) => e.name);
      if (names.includes('REDIS_URL')) expect(names.indexOf('REDIS_PASSWORD')).toBeLessThan(names.indexOf('REDIS_URL'));
    }
  });

  it('external Redis with a Secret: no StatefulSet, password spliced into the given URL', () => {
    const values = { redis: { enabled: false }, externalRedis: { url: 'rediss://redis.example.com:6380/2', existingSecret: 'managed-redis' } };
    const objects = render({ values });
    expect(ofKind(objects, 'StatefulSet')).toHaveLength(0);
    expect(ofKind(objects, 'Secret').map((s) => s.metadata.name).sort()).toEqual(['bullpen-api', 'bullpen-api-id']);
    for (const { env } of appContainers(objects)) {
      expect(env.REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'managed-redis', key: 'redis-password' } });
      expect(env.REDIS_URL).toBe('rediss://:$(REDIS_PASSWORD)@redis.example.com:6380/2');
    }
  });

  it('external Redis without a password: the URL as given', () => {
    const values = { redis: { enabled: false }, externalRedis: { url: 'redis://redis.internal:6379' } };
    for (const { env } of appContainers(render({ values }))) {
      expect(env).not.toHaveProperty('REDIS_PASSWORD');
      expect(env.REDIS_URL).toBe('redis://redis.internal:6379');
    }
  });

  it('external Sentinels: every process gets the Sentinel set and master name, REDIS_URL only the password', () => {
    const values = { redis: { enabled: false }, externalRedis: { sentinels: ['redis-node-0.redis-headless:26379', 'redis-node-1.redis-headless:26379'], sentinelMaster: 'jobs', existingSecret: 'redis' } };
    for (const { env } of appContainers(render({ values }))) {
      expect(env.REDIS_SENTINELS).toBe('redis-node-0.redis-headless:26379,redis-node-1.redis-headless:26379');
      expect(env.REDIS_SENTINEL_MASTER).toBe('jobs');
      expect(env.REDIS_URL).toBe('redis://:$(REDIS_PASSWORD)@redis');
      expect(env).not.toHaveProperty('REDIS_CLUSTER_NODES');
    }
  });

  it('external Redis Cluster: every process gets the seed nodes', () => {
    const values = { redis: { enabled: false }, externalRedis: { url: 'rediss://cluster', clusterNodes: ['node-0:6379', 'node-1:6379'] } };
    for (const { env } of appContainers(render({ values }))) {
      expect(env.REDIS_CLUSTER_NODES).toBe('node-0:6379,node-1:6379');
      expect(env.REDIS_URL).toBe('rediss://cluster');
    }
  });

  it('refuses Sentinels and a Cluster together', () => {
    const values = { redis: { enabled: false }, externalRedis: { sentinels: ['s:26379'], clusterNodes: ['n:6379'] } };
    expect(() => render({ values })).toThrow('externalRedis: set sentinels or clusterNodes, not both');
  });
});
