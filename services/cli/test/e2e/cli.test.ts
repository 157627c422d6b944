/**
 * The `bullpen` command, run as users run it (the npm bin, in its own process), against a real
 * kube-apiserver with the chart installed by helm, and the real Bullpen API on the test Redis for
 * queue depths. Nothing runs pods: READY stays 0 and only `.spec.replicas` moves. `make test-k8s`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startService, type ServiceProcess } from '../../../../test/support/service-process';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../../../../test/support/redis';
import { getJson, helmInstall, HPA_SETTINGS, installKedaCrds, KEDA_SETTINGS, ok, replicasOf, ROOT } from './fixtures';
import { freePort } from '../../../../test/support/free-port';
import { run, startControlPlane, type ControlPlane } from './kube-apiserver';

jest.setTimeout(120_000);

const BIN = join(ROOT, 'services', 'cli', 'bin', 'bullpen.js');
const CLIENT_TOKEN = 'e2e-client-token-0123456789';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
const WORKER = 'bullpen-worker-all';

describe('bullpen CLI against a real kube-apiserver (no kubelet: replicas are set, no pod runs)', () => {
  let cp: ControlPlane;
  let api: ServiceProcess;
  let apiUrl: string;
  let redis: Redis;
  const prefix = uniquePrefix('cli-e2e');

  interface Invocation {
    kubeconfig?: string;
    /** Point BULLPEN_API_URL at the test API (true), at another URL, or set nothing (false). */
    api?: boolean | string;
  }

  /** Runs `bullpen ARGS` in its own process, as a user would, with only the env given here. */
  function bullpen(args: string[], { kubeconfig = cp.kubeconfig, api: useApi = false }: Invocation = {}) {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig };
    delete env.BULLPEN_API_URL;
    delete env.BULLPEN_API_TOKEN;
    if (useApi) Object.assign(env, { BULLPEN_API_URL: useApi === true ? apiUrl : useApi, BULLPEN_API_TOKEN: CLIENT_TOKEN });
    return run(process.execPath, [BIN, ...args], { env });
  }

  async function callApi(method: string, path: string, token: string, body?: object): Promise<any> {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }
  const enqueue = () => callApi('POST', '/api/jobs', CLIENT_TOKEN, { worker: 'DataProcessingWorker', args: { userId: 1 } }) as Promise<{ id: string }>;
  const cancel = (id: string) => callApi('DELETE', `/api/jobs/${id}`, ADMIN_TOKEN);

  /** A kubeconfig that acts as a service account, with a token from the TokenRequest API. */
  async function serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
    const token = (await ok(cp.kubectl(['create', 'token', name, '-n', namespace, '--duration=1h']))).trim();
    return cp.tokenKubeconfig(`${namespace}-${name}`, token, namespace);
  }

  beforeAll(async () => {
    redis = testRedis();
    api = startService('services/api/src/main.ts', {
      REDIS_URL: TEST_REDIS_URL,
      BULLPEN_PREFIX: prefix,
      PORT: '0',
      API_TOKENS: `e2e-client:${CLIENT_TOKEN}:client,e2e-admin:${ADMIN_TOKEN}:admin`,
    });
    cp = await startControlPlane();
    await installKedaCrds(cp);
    const rbac = ['--set', 'cli.rbac.enabled=true'];
    await Promise.all([
      ok(helmInstall(cp, 'cli-preview', 'preview', rbac)),
      ok(helmInstall(cp, 'cli-production', 'production', [...HPA_SETTINGS, ...rbac])),
      ok(helmInstall(cp, 'cli-keda', 'production', [...KEDA_SETTINGS, ...rbac, '--set', 'cli.rbac.allowPin=true'])),
      ok(helmInstall(cp, 'cli-drain', 'preview')),
      ok(
        helmInstall(cp, 'cli-groups', 'preview', [
          '--set-json',
          'workers.groups=[{"name":"critical","queues":["critical"],"hpa":{"enabled":true,"minReplicas":2,"maxReplicas":6}},{"name":"rest","queues":["default","low"],"replicas":2}]',
        ]),
      ),
    ]);
    const started = await api.waitForLog('api started');
    await api.waitForLog('redis ready'); // 503 until then
    apiUrl = `http://127.0.0.1:${started.port}`;
  });

  afterAll(async () => {
    await cp?.stop();
    if (api) {
      api.child.kill('SIGTERM');
      await api.exited;
    }
    if (redis) {
      await deletePrefix(redis, prefix);
      await redis.quit();
    }
  });

  describe('status', () => {
    it('shows each group with desired/ready replicas and its autoscaler, and each queue from the API', async () => {
      const job = await enqueue();
      try {
        const json = await bullpen(['status', '-n', 'cli-groups', '--json'], { api: true });
        expect(json).toMatchObject({ code: 0, stderr: '' });
        const report = JSON.parse(json.stdout);
        expect(report.groups.map((g: any) => [g.name, g.deployment, g.desiredReplicas, g.readyReplicas, g.queues, g.autoscaler])).toEqual([
          ['critical', 'bullpen-worker-critical', 1, 0, ['critical'], { kind: 'hpa', name: 'bullpen-worker-critical', minReplicas: 2, maxReplicas: 6 }],
          ['rest', 'bullpen-worker-rest', 2, 0, ['default', 'low'], null],
        ]);
        expect(report.queueSource).toBe(`${apiUrl}/api/queues`);
        expect(report.queues.find((q: any) => q.name === 'default')).toMatchObject({ ready: 1, active: 0, failed: 0, paused: false });

        const table = await bullpen(['status', '-n', 'cli-groups'], { api: true });
        expect(table.code).toBe(0);
        const lines = table.stdout.split('\n');
        expect(lines[0]).toMatch(/^GROUP\s+DESIRED\s+READY\s+AUTOSCALER\s+QUEUES\s+DEPLOYMENT$/);
        expect(lines).toContainEqual(expect.stringMatching(/^critical\s+1\s+0\s+hpa min 2 max 6\s+critical\s+bullpen-worker-critical$/));
        expect(lines).toContainEqual(expect.stringMatching(/^rest\s+2\s+0\s+none\s+default,low\s+bullpen-worker-rest$/));
        expect(lines).toContainEqual(expect.stringMatching(/^QUEUE\s+BACKLOG\s+OLDEST\s+ACTIVE\s+DELAYED\s+FAILED\s+PAUSED\s+GROUPS$/));
        expect(lines).toContainEqual(expect.stringMatching(/^default\s+1\s+\d+s\s+0\s+0\s+0\s+no\s+rest$/));
      } finally {
        await cancel(job.id);
      }
    });

    it('still shows the Kubernetes part when the API is unreachable, and says why', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const res = await bullpen(['status', '-n', 'cli-groups'], { api: closed });
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^rest\s+2\s+0\s+none/m);
      expect(res.stdout).toContain(`queues: unavailable (GET ${closed}/api/queues failed: ECONNREFUSED); the Kubernetes part above is current`);
    });

    it('shows KEDA as the autoscaler of a KEDA-scaled group', async () => {
      const res = await bullpen(['status', '-n', 'cli-keda']);
      expect(res.stdout).toMatch(/^all\s+1\s+0\s+keda min 3 max 12\s+critical,default,low\s+bullpen-worker-all$/m);
      expect(res.stdout).toContain('queues: not read (no API configured');
    });
  });

  describe('scale', () => {
    it('sets .spec.replicas through the scale subresource, and agrees with kubectl scale both ways', async () => {
      const res = await bullpen(['scale', 'all', '3', '-n', 'cli-preview']);
      expect(res).toEqual({ code: 0, stdout: `deployment/${WORKER} scaled from 1 to 3 replicas\n`, stderr: '' });
      expect(await replicasOf(cp, 'cli-preview', WORKER)).toBe(3);
      // The API server records who set it, as for kubectl scale.
      const live = await getJson(cp, 'cli-preview', `deployment/${WORKER}`);
      expect(await ok(cp.kubectl(['get', `deployment/${WORKER}`, '-n', 'cli-preview', '--show-managed-fields', '-o', 'json']))).toContain('"manager": "bullpen"');
      expect(live.metadata.generation).toBeGreaterThan(1);

      await ok(cp.kubectl(['scale', `deployment/${WORKER}`, '--replicas=2', '-n', 'cli-preview']));
      const status = JSON.parse((await bullpen(['status', '-n', 'cli-preview', '--json'])).stdout);
      expect(status.groups[0]).toMatchObject({ name: 'all', desiredReplicas: 2 });
    });

    it('a bullpen scale survives helm upgrade with unchanged values, like kubectl scale', async () => {
      await ok(bullpen(['scale', 'all', '5', '-n', 'cli-preview']));
      await ok(helmInstall(cp, 'cli-preview', 'preview', ['--set', 'cli.rbac.enabled=true']));
      expect(await replicasOf(cp, 'cli-preview', WORKER)).toBe(5);
    });

    it('refuses when an HPA owns the group, says what to do instead, and changes nothing', async () => {
      const before = await getJson(cp, 'cli-production', `deployment/${WORKER}`);
      const res = await bullpen(['scale', 'all', '5', '-n', 'cli-production']);
      expect(res.code).toBe(3);
      expect(res.stderr).toContain('worker group "all" is scaled by HorizontalPodAutoscaler bullpen-worker-all (min 3, max 12)');
      expect(res.stderr).toContain('bullpen scale all 5 -n cli-production --pin');
      const after = await getJson(cp, 'cli-production', `deployment/${WORKER}`);
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });

    it('--pin pins the HPA at the count (min = max) and scales the Deployment to it', async () => {
      const res = await bullpen(['scale', 'all', '5', '-n', 'cli-production', '--pin']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('pinned horizontalpodautoscaler/bullpen-worker-all at 5');
      expect((await getJson(cp, 'cli-production', 'hpa/bullpen-worker-all')).spec).toMatchObject({ minReplicas: 5, maxReplicas: 5 });
      expect(await replicasOf(cp, 'cli-production', WORKER)).toBe(5);
      // As the output says: helm does not silently undo the pin; --force-conflicts takes the values back.
      const upgrade = await helmInstall(cp, 'cli-production', 'production', [...HPA_SETTINGS, '--set', 'cli.rbac.enabled=true']);
      expect(upgrade.code).not.toBe(0);
      expect(upgrade.stderr).toContain('conflicts with "bullpen"');
      await ok(helmInstall(cp, 'cli-production', 'production', [...HPA_SETTINGS, '--set', 'cli.rbac.enabled=true', '--force-conflicts']));
      expect((await getJson(cp, 'cli-production', 'hpa/bullpen-worker-all')).spec).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    });

    it('refuses under KEDA; --pin sets paused-replicas on the ScaledObject, which helm upgrade keeps', async () => {
      const refused = await bullpen(['scale', 'all', '4', '-n', 'cli-keda']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('is scaled by KEDA ScaledObject bullpen-worker-all (min 3, max 12)');
      expect(await replicasOf(cp, 'cli-keda', WORKER)).toBe(1);

      const pinned = await bullpen(['scale', 'all', '4', '-n', 'cli-keda', '--pin']);
      expect(pinned.code).toBe(0);
      const annotations = () => getJson(cp, 'cli-keda', 'scaledobject/bullpen-worker-all').then((s) => s.metadata.annotations);
      expect(await annotations()).toMatchObject({ 'autoscaling.keda.sh/paused-replicas': '4' });
      expect(await replicasOf(cp, 'cli-keda', WORKER)).toBe(4);
      await ok(helmInstall(cp, 'cli-keda', 'production', [...KEDA_SETTINGS, '--set', 'cli.rbac.enabled=true', '--set', 'cli.rbac.allowPin=true']));
      expect(await annotations()).toMatchObject({ 'autoscaling.keda.sh/paused-replicas': '4' });
      expect((await bullpen(['status', '-n', 'cli-keda'])).stdout).toContain('keda paused at 4 (min 3 max 12)');
    });
  });

  describe('drain', () => {
    it('refuses while a queue holds a job only this group runs, then scales to zero once it is empty', async () => {
      const job = await enqueue();
      const refused = await bullpen(['drain', 'all', '-n', 'cli-drain'], { api: true });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('refusing to drain "all": jobs are left that no other running group would run: default: 1 ready');
      expect(await replicasOf(cp, 'cli-drain', WORKER)).toBe(1);

      await cancel(job.id);
      const drained = await bullpen(['drain', 'all', '-n', 'cli-drain'], { api: true });
      expect(drained).toMatchObject({ code: 0, stderr: '' });
      expect(drained.stdout).toContain(`drained worker group "all": deployment/${WORKER} scaled from 1 to 0 replicas`);
      expect(await replicasOf(cp, 'cli-drain', WORKER)).toBe(0);

      const again = await bullpen(['drain', 'all', '-n', 'cli-drain'], { api: true });
      expect(again.stdout).toContain('is already at 0 replicas');
    });

    it('refuses when the queues cannot be read; --force scales to zero anyway, with a warning', async () => {
      await ok(bullpen(['scale', 'all', '1', '-n', 'cli-drain']));
      const refused = await bullpen(['drain', 'all', '-n', 'cli-drain']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('cannot tell whether the queues of "all" (critical, default, low) are empty: no API configured');
      expect(await replicasOf(cp, 'cli-drain', WORKER)).toBe(1);

      const forced = await bullpen(['drain', 'all', '-n', 'cli-drain', '--force']);
      expect(forced.code).toBe(0);
      expect(forced.stderr).toContain('warning: queues not checked');
      expect(await replicasOf(cp, 'cli-drain', WORKER)).toBe(0);
    });

    it('refuses an HPA-scaled group even with --force', async () => {
      const res = await bullpen(['drain', 'critical', '-n', 'cli-groups', '--force'], { api: true });
      expect(res.code).toBe(3);
      expect(res.stderr).toContain('turn the HPA off');
      expect(await replicasOf(cp, 'cli-groups', 'bullpen-worker-critical')).toBe(1);
    });
  });

  describe('errors', () => {
    it('an unknown group lists the known ones', async () => {
      const res = await bullpen(['scale', 'al', '2', '-n', 'cli-groups']);
      expect(res).toMatchObject({ code: 1, stderr: 'bullpen: unknown worker group "al" in namespace cli-groups; known groups: critical, rest\n' });
    });

    it('no cluster: names the server and the network error', async () => {
      const kubeconfig = join(cp.dir, 'kubeconfig-nowhere');
      const server = `https://127.0.0.1:${await freePort()}`;
      writeFileSync(kubeconfig, readKubeconfigWithServer(cp, server));
      const res = await bullpen(['status'], { kubeconfig });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(new RegExp(`^bullpen: no Kubernetes cluster reachable at ${server}: .*ECONNREFUSED`));
    });

    it('unauthorized: says the credentials were rejected', async () => {
      const kubeconfig = cp.tokenKubeconfig('bogus', 'not-a-valid-token', 'cli-preview');
      const res = await bullpen(['status'], { kubeconfig });
      expect(res).toMatchObject({ code: 1, stderr: `bullpen: unauthorized: ${cp.server} rejected the credentials of the current kubeconfig context (expired token or certificate?)\n` });
    });

    it("as the chart's cli ServiceAccount: status and scale work in its namespace", async () => {
      const kubeconfig = await serviceAccountKubeconfig('cli-preview', 'bullpen-cli');
      const before = await replicasOf(cp, 'cli-preview', WORKER);
      expect((await bullpen(['status'], { kubeconfig })).stdout).toMatch(new RegExp(`^all\\s+${before}\\s+0\\s+none`, 'm'));
      expect(await ok(bullpen(['scale', 'all', '2'], { kubeconfig }))).toContain(`scaled from ${before} to 2 replicas`);
      expect(await replicasOf(cp, 'cli-preview', WORKER)).toBe(2);
    });

    it('forbidden: names the verb, the resource and the namespace it lacks', async () => {
      const sa = await serviceAccountKubeconfig('cli-production', 'bullpen-cli');
      // The chart's Role without cli.rbac.allowPin: reading and scaling, no pinning.
      const pin = await bullpen(['scale', 'all', '4', '--pin'], { kubeconfig: sa });
      expect(pin.code).toBe(1);
      expect(pin.stderr).toBe(
        'bullpen: forbidden: cannot patch horizontalpodautoscalers (API group "autoscaling") in namespace cli-production ' +
          'as system:serviceaccount:cli-production:bullpen-cli; grant it with a Role (the chart\'s cli.rbac.enabled=true creates one)\n',
      );
      // Another namespace: no Role there at all.
      const elsewhere = await bullpen(['status', '-n', 'cli-drain'], { kubeconfig: sa });
      expect(elsewhere.stderr).toMatch(/^bullpen: forbidden: cannot list \S+ \(API group "[a-z.]+"\) in namespace cli-drain as system:serviceaccount:cli-production:bullpen-cli/);

      // A read-only identity: may look, may not scale.
      await ok(cp.kubectl(['create', 'serviceaccount', 'viewer', '-n', 'cli-preview']));
      await ok(cp.kubectl(['create', 'role', 'viewer', '-n', 'cli-preview', '--verb=get,list', '--resource=deployments.apps,horizontalpodautoscalers.autoscaling,scaledobjects.keda.sh']));
      await ok(cp.kubectl(['create', 'rolebinding', 'viewer', '-n', 'cli-preview', '--role=viewer', '--serviceaccount=cli-preview:viewer']));
      const viewer = await serviceAccountKubeconfig('cli-preview', 'viewer');
      expect((await bullpen(['status'], { kubeconfig: viewer })).code).toBe(0);
      const scale = await bullpen(['scale', 'all', '3'], { kubeconfig: viewer });
      expect(scale.stderr).toContain('bullpen: forbidden: cannot patch deployments/scale (API group "apps") in namespace cli-preview as system:serviceaccount:cli-preview:viewer');
      expect(await replicasOf(cp, 'cli-preview', WORKER)).toBe(2);
    });
  });
});

function readKubeconfigWithServer(cp: ControlPlane, server: string): string {
  const config = JSON.parse(readFileSync(cp.kubeconfig, 'utf8'));
  config.clusters[0].cluster.server = server;
  return JSON.stringify(config);
}
