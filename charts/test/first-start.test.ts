/**
 * What makes pods crash-loop on their first real start though the chart renders: a probe on a port
 * the process does not listen on, a URL naming a Service that does not exist, a liveness probe that
 * kills a busy pod.
 */
import { envOf, find, ofKind, podSpecs, render, type K8sObject } from './helm';

const PORTS = { api: { port: 9000, service: { port: 80 } }, workers: { metricsPort: 9100 }, redis: { port: 6380 } };

/** host:port of every Service the render holds, as pods in the namespace reach them. */
function serviceAddresses(objects: K8sObject[]): string[] {
  return ofKind(objects, 'Service').flatMap((s) => s.spec.ports.map((p: { port: number }) => `${s.metadata.name}:${p.port}`));
}

describe('first start', () => {
  it.each([
    ['default ports', {}],
    ['moved ports', PORTS],
  ])('each process listens where its probes and Service look (%s)', (_what, values) => {
    const objects = render({ values });
    for (const [name, portEnv] of [['bullpen-api', 'PORT'], ['bullpen-beat', 'METRICS_PORT'], ['bullpen-worker-all', 'METRICS_PORT']]) {
      const container = find(objects, 'Deployment', name).spec.template.spec.containers[0];
      const [port] = container.ports;
      expect({ name, listens: Number(envOf(container)[portEnv]) }).toEqual({ name, listens: port.containerPort });
      expect(container.readinessProbe.httpGet.port).toBe(port.name);
      expect(container.livenessProbe.httpGet.port).toBe(port.name);
    }
    const api = find(objects, 'Deployment', 'bullpen-api').spec.template.spec.containers[0];
    expect(find(objects, 'Service', 'bullpen-api').spec.ports[0].targetPort).toBe(api.ports[0].name);
  });

  it.each([
    ['default ports', {}],
    ['moved ports', PORTS],
  ])('every URL a pod is given names a Service the chart renders, on its port (%s)', (_what, values) => {
    const objects = render({ values });
    const services = serviceAddresses(objects);
    const urls = [
      find(objects, 'ConfigMap', 'bullpen-env').data.API_HEALTH_URL,
      envOf(find(objects, 'Pod', 'bullpen-smoke-test').spec.containers[0]).API_URL,
      ...podSpecs(objects).map(({ pod }) => envOf(pod.containers[0]).REDIS_URL).filter(Boolean),
    ];
    expect(urls.length).toBe(5);
    for (const url of urls) {
      const { hostname, port } = new URL(url.replace('$(REDIS_PASSWORD)', 'password'));
      expect(services).toContain(`${hostname}:${port || 80}`);
    }
  });

  it('liveness probes give a busy or CPU-throttled pod 5 s to answer', () => {
    for (const { obj, pod } of podSpecs(render({ profile: 'preview' }))) {
      const probe = pod.containers[0].livenessProbe;
      if (probe?.httpGet) expect({ name: obj.metadata.name, timeout: probe.timeoutSeconds }).toEqual({ name: obj.metadata.name, timeout: 5 });
    }
  });

  it('gives every read-only container a writable /tmp, and Redis its /data', () => {
    for (const { obj, pod } of podSpecs(render())) {
      if (obj.kind === 'Pod') continue; // the `helm test` pod writes nothing
      const mounts = pod.containers[0].volumeMounts.filter((m: { readOnly?: boolean }) => !m.readOnly).map((m: { mountPath: string }) => m.mountPath);
      expect({ name: obj.metadata.name, mounts }).toEqual({ name: obj.metadata.name, mounts: obj.metadata.name === 'bullpen-redis' ? ['/data', '/tmp'] : ['/tmp'] });
    }
  });

  it('runs the Bullpen pods as the images\' `node` user (uid 1000) from their WORKDIR', () => {
    for (const { obj, pod } of podSpecs(render()).filter(({ obj }) => obj.metadata.name !== 'bullpen-redis')) {
      expect({ name: obj.metadata.name, uid: pod.securityContext.runAsUser }).toEqual({ name: obj.metadata.name, uid: 1000 });
      // Relative script paths (services/*/dist/main.js) resolve against the image's WORKDIR /app.
      expect(pod.containers[0]).not.toHaveProperty('workingDir');
    }
  });
});
