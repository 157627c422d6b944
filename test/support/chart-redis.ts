import { spawnSync } from 'node:child_process';
import { find, render, type RenderOptions } from '../../charts/test/helm';

/** Lines of the chart's redis.conf a local server sets itself: where it listens and keeps data. */
const LOCAL = new Set(['bind', 'dir']);

export interface ChartRedis {
  /** redis-server arguments: every line of the rendered redis.conf, then the StatefulSet's own arguments (the ACL users). */
  args(port: number): string[];
  /** Runs the rendered readiness probe against `port`, as the kubelet would in the pod; true when it passes. */
  probe(port: number): boolean;
}

/**
 * The bundled Redis exactly as `helm template` renders it, for a redis-server on loopback:
 * `password` stands for the Secret's, and `tlsDir` for the mounted certificate Secret.
 */
export function chartRedis(options: RenderOptions, password: string, tlsDir = '/nonexistent'): ChartRedis {
  const objects = render(options);
  const conf: string = find(objects, 'ConfigMap', 'bullpen-redis').data['redis.conf'];
  const container = find(objects, 'StatefulSet', 'bullpen-redis').spec.template.spec.containers[0];
  const [configFile, ...serverArgs] = container.args as string[];
  if (configFile !== '/etc/redis/redis.conf') throw new Error(`the StatefulSet's first argument is ${configFile}, not the config file`);
  const local = (text: string, port: number) =>
    text.replaceAll('$(REDIS_PASSWORD)', password).replaceAll('/etc/redis-tls', tlsDir).replace(/^(port|tls-port) [1-9]\d*$/, `$1 ${port}`);
  return {
    args: (port) => [
      ...conf
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#') && !LOCAL.has(line.split(' ')[0]))
        .flatMap((line) => {
          const [name, ...values] = local(line, port).split(' ');
          return [`--${name}`, ...values];
        }),
      ...serverArgs.map((arg) => local(arg, port)),
    ],
    probe: (port) => {
      const [shell, flag, script] = container.readinessProbe.exec.command as string[];
      const res = spawnSync(shell, [flag, local(script, port).replace(/ -p \d+ /, ` -p ${port} `)], {
        // The pod's env: redis-cli takes the password from REDISCLI_AUTH, as in the StatefulSet.
        env: { ...process.env, REDISCLI_AUTH: password },
        encoding: 'utf8',
        timeout: 10_000,
      });
      return res.status === 0;
    },
  };
}
