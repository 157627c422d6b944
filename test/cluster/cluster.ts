/**
 * The cluster suite's view of the local Kubernetes (`make test-cluster`): kubectl and helm as the
 * users run them, a Bullpen release's API through its Service, and its Redis through BullMQ for
 * what the API does not show (attempts started, stalled counts) and for job events.
 *
 * Runs inside the cluster's network namespace (scripts/cluster-run), where ClusterIPs and pod IPs
 * are reachable and KUBECONFIG, helm and kubectl are set.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { until, waitFor } from '../support/deferred';
import { run, runOk } from '../support/run';

export const ROOT = join(__dirname, '..', '..');
export const CHART = join(ROOT, 'charts', 'bullpen');
const APP_VERSION = /appVersion: *"?([^"\n]+)/.exec(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'))![1];
/** The shipped images plus the suite's SleepWorker (e2e-images.sh). */
export const E2E_TAG = `${APP_VERSION}-e2e`;

export const kubectl = (...args: string[]) => runOk('kubectl', args);
export const kubectlJson = async (...args: string[]): Promise<any> => JSON.parse(await kubectl(...args, '-o', 'json'));
export const helm = (...args: string[]) => runOk('helm', args);

/** Fails fast, naming the fix, when the suite runs outside `make test-cluster`. */
export async function requireCluster(): Promise<void> {
  const res = await run('kubectl', ['get', '--raw', '/readyz']).catch((err: Error) => ({ code: 1, stdout: '', stderr: err.message }));
  if (res.code !== 0) throw new Error(`no local cluster answers (${res.stderr.trim()}): run this suite with \`make test-cluster\``);
}

export type Profile = 'preview' | 'production';

/**
 * `helm upgrade --install` of a profile, as `make deploy` runs it, waiting until every pod is Ready.
 * --force-conflicts: where the values changed a group's replicas, they win over a `kubectl scale`.
 */
export async function install(namespace: string, profile: Profile, extra: string[] = []): Promise<void> {
  await helm('upgrade', '--install', 'bullpen', CHART, '--namespace', namespace, '--create-namespace',
    '--values', join(CHART, `values-${profile}.yaml`), '--set', `image.tag=${E2E_TAG}`, '--set', 'image.pullPolicy=Never',
    '--force-conflicts', '--wait', '--timeout', '5m', ...extra);
}

export async function pods(namespace: string, component: string): Promise<any[]> {
  const list = await kubectlJson('get', 'pods', '-n', namespace, '-l', `app.kubernetes.io/component=${component}`);
  return list.items;
}

export const isReady = (pod: any): boolean =>
  !pod.metadata.deletionTimestamp && (pod.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

export async function rollout(namespace: string, deployment: string): Promise<void> {
  await kubectl('rollout', 'status', `deployment/${deployment}`, '-n', namespace, '--timeout=180s');
}

/** `kubectl scale` of a worker Deployment, then waits until exactly that many pods run, all Ready. */
export async function scaleWorkers(namespace: string, deployment: string, replicas: number): Promise<void> {
  await kubectl('scale', `deployment/${deployment}`, '-n', namespace, `--replicas=${replicas}`);
  await rollout(namespace, deployment);
  await workersReady(namespace, replicas);
}

/** Waits until exactly `count` worker pods exist (none terminating) and all are Ready. */
export async function workersReady(namespace: string, count: number): Promise<void> {
  await waitFor(`${count} Ready worker pods in ${namespace} and no terminating one`, async () => {
    const all = await pods(namespace, 'worker');
    return all.length === count && all.every(isReady);
  }, 120_000, { intervalMs: 500 });
}

export interface PodEnd {
  deletionTimestamp?: string;
  exitCode?: number;
  finishedAt?: string;
}

/** Watches a namespace's worker pods (kubectl --watch) and keeps, per pod, how it was deleted and how it ended. */
export function watchWorkerPods(namespace: string): { ends: Map<string, PodEnd>; stop: () => void } {
  const fields = ['.type', '.object.metadata.name', '.object.metadata.deletionTimestamp',
    '.object.status.containerStatuses[0].state.terminated.exitCode', '.object.status.containerStatuses[0].state.terminated.finishedAt'];
  const template = fields.map((f) => `{${f}}`).join('{"|"}') + '{"\\n"}';
  const child = spawn('kubectl', ['get', 'pods', '-n', namespace, '-l', 'app.kubernetes.io/component=worker', '--watch', '--output-watch-events', '-o', `jsonpath=${template}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ends = new Map<string, PodEnd>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [, name, deletionTimestamp, exitCode, finishedAt] = line.split('|');
    const end = ends.get(name) ?? {};
    if (deletionTimestamp) end.deletionTimestamp = deletionTimestamp;
    if (exitCode) end.exitCode = Number(exitCode);
    if (finishedAt) end.finishedAt = finishedAt;
    ends.set(name, end);
  });
  return { ends, stop: () => child.kill() };
}

/**
 * Each pod exited by itself (exit 0 after draining) before its grace period ran out; the pod's
 * deletionTimestamp is the end of that grace period. Waits for each pod's end to be seen.
 */
export async function expectDrainedInGrace(ends: Map<string, PodEnd>, names: string[]): Promise<void> {
  for (const name of names) {
    await waitFor(`${name} to have ended`, async () => ends.get(name)?.exitCode !== undefined, 60_000, { intervalMs: 250 });
    const end = ends.get(name)!;
    expect({ name, exitCode: end.exitCode }).toEqual({ name, exitCode: 0 });
    expect(Date.parse(end.finishedAt!)).toBeLessThanOrEqual(Date.parse(end.deletionTimestamp!));
  }
}

async function secretValue(namespace: string, secret: string, key: string): Promise<string> {
  const encoded = await kubectl('get', 'secret', secret, '-n', namespace, '-o', `jsonpath={.data.${key}}`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

async function serviceAddress(namespace: string, service: string): Promise<{ host: string; port: number }> {
  const svc = await kubectlJson('get', 'service', service, '-n', namespace);
  return { host: svc.spec.clusterIP, port: svc.spec.ports[0].port };
}

export interface JobStatus {
  id: string;
  state: string;
  result: any;
  error: any;
  attemptsMade: number;
}

/** A release's API through its Service's ClusterIP, with the chart's generated tokens. */
export class Api {
  private constructor(readonly url: string, readonly clientToken: string, readonly adminToken: string) {}

  static async of(namespace: string): Promise<Api> {
    const { host, port } = await serviceAddress(namespace, 'bullpen-api');
    return new Api(`http://${host}:${port}`, await secretValue(namespace, 'bullpen-api', 'client-token'), await secretValue(namespace, 'bullpen-api', 'admin-token'));
  }

  async call(method: string, path: string, body?: unknown, token = this.clientToken): Promise<{ status: number; body: any }> {
    const res = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async enqueue(worker: string, args: unknown): Promise<string> {
    const res = await this.call('POST', '/api/jobs', { worker, args });
    if (res.status !== 202) throw new Error(`POST /api/jobs ${worker}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  async enqueueMany(worker: string, args: unknown[]): Promise<string[]> {
    const res = await this.call('POST', '/api/jobs/bulk', { jobs: args.map((a) => ({ worker, args: a })) });
    if (res.status !== 202) throw new Error(`POST /api/jobs/bulk: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.ids;
  }

  async job(id: string): Promise<JobStatus> {
    const res = await this.call('GET', `/api/jobs/${encodeURIComponent(id)}`);
    if (res.status !== 200) throw new Error(`GET /api/jobs/${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** A release's Redis through its Service, as BullMQ sees it (prefix `bull`). */
export class ReleaseRedis {
  private readonly queues = new Map<string, Queue>();
  private constructor(readonly connection: Redis) {}

  static async of(namespace: string): Promise<ReleaseRedis> {
    const { host, port } = await serviceAddress(namespace, 'bullpen-redis');
    const password = await secretValue(namespace, 'bullpen-redis', 'redis-password');
    // As the apps connect: the chart's ACL user (the default user is off).
    return new ReleaseRedis(new Redis({ host, port, username: 'bullpen', password, maxRetriesPerRequest: null }));
  }

  queue(name: string): Queue {
    if (!this.queues.has(name)) {
      const queue = new Queue(name, { connection: this.connection, prefix: 'bull' });
      // Redis going away is part of some tests; ioredis reconnects, and the test checks the outcome.
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return this.queues.get(name)!;
  }

  async job(queue: string, id: string): Promise<Job | undefined> {
    return Job.fromId(this.queue(queue), id);
  }

  /** Waits, on BullMQ's job events, until every id has completed or failed; returns the failed ones. */
  async settled(queue: string, ids: string[], timeoutMs: number): Promise<string[]> {
    // BullMQ never closes a connection it was handed, so this one is closed below.
    const connection = this.connection.duplicate();
    const events = new QueueEvents(queue, { connection, prefix: 'bull' });
    const pending = new Set(ids);
    const failed: string[] = [];
    const settle = (id: string, ok: boolean) => {
      if (pending.delete(id) && !ok) failed.push(id);
    };
    // Jobs that finished before the listener started have no event left to see.
    const catchUp = async () => {
      for (const id of ids) {
        const state = await this.queue(queue).getJobState(id);
        if (state === 'completed' || state === 'failed') settle(id, state === 'completed');
      }
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await events.waitUntilReady();
      const allSettled = until((check) => {
        const onCompleted = ({ jobId }: { jobId: string }) => (settle(jobId, true), check());
        const onFailed = ({ jobId }: { jobId: string }) => (settle(jobId, false), check());
        events.on('completed', onCompleted).on('failed', onFailed);
        void catchUp().then(check, check);
        return () => events.off('completed', onCompleted).off('failed', onFailed);
      }, () => pending.size === 0);
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${pending.size} of ${ids.length} jobs on ${queue} unfinished after ${timeoutMs} ms, e.g. ${[...pending].slice(0, 3).join(', ')}`)), timeoutMs);
      });
      await Promise.race([allSettled, timedOut]);
      return failed;
    } finally {
      clearTimeout(timer);
      await events.close();
      connection.disconnect();
    }
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) await queue.close();
    this.connection.disconnect();
  }
}

/** A release installed (or upgraded) from a profile, with its API and Redis connected. */
export async function installed(namespace: string, profile: Profile, extra: string[] = []): Promise<{ api: Api; redis: ReleaseRedis }> {
  await requireCluster();
  await install(namespace, profile, extra);
  return { api: await Api.of(namespace), redis: await ReleaseRedis.of(namespace) };
}

/** Every `name{labels} value` line of a Prometheus text exposition, as [series, value]. */
export async function scrape(url: string): Promise<Array<[string, number]>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.text()).split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const at = line.lastIndexOf(' ');
    return [line.slice(0, at), Number(line.slice(at + 1))];
  });
}
