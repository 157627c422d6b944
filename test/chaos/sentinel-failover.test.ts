import { join } from 'node:path';
import { waitFor } from '../support/deferred';
import { uniquePrefix } from '../support/redis';
import { SentinelSet } from '../support/redis-sentinel';
import { startFixtureService, type ServiceProcess } from '../support/service-process';

const SLEEP_WORKER = join(__dirname, '..', '..', 'services', 'worker', 'test', 'fixtures', 'sleep-worker.ts');
const TOKEN = 'sentinel-test-client-0123456789';

/**
 * An API and a worker process pointed at a Sentinel set (1 master, 1 replica, 3 sentinels),
 * neither ever restarted, through a failover of the master.
 */
describe('Sentinel failover (real redis-server and redis-sentinel processes)', () => {
  let set: SentinelSet;
  const procs: ServiceProcess[] = [];
  let apiUrl: string;

  async function start(extra: Record<string, string> = {}) {
    set = await SentinelSet.start({ replicas: 1, sentinels: 3 });
    const env = {
      REDIS_URL: 'redis://sentinel-managed',
      REDIS_SENTINELS: set.sentinels.map((s) => `${s.host}:${s.port}`).join(','),
      REDIS_SENTINEL_MASTER: set.masterName,
      BULLPEN_PREFIX: uniquePrefix('sentinel'),
      API_TOKENS: `app:${TOKEN}:client`,
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: '4',
      // Jobs whose outcome the demoted master swallowed come back quickly.
      WORKER_LOCK_SECONDS: '2',
      WORKER_STALLED_CHECK_SECONDS: '1',
      ...extra,
    };
    const api = startFixtureService('api', SLEEP_WORKER, env);
    const worker = startFixtureService('worker', SLEEP_WORKER, env);
    procs.push(api, worker);
    const { port } = await api.waitForLog('api started');
    await worker.waitForLog('worker started');
    apiUrl = `http://127.0.0.1:${port}`;
    // The API listens before its Redis connection is ready (it answers 503 until then).
    await waitFor('the API ready', async () => (await fetch(`${apiUrl}/readyz`)).ok);
  }

  afterEach(async () => {
    for (const proc of procs.splice(0)) await proc.kill();
    await set.destroy();
  });

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });

  /** Replication the API reported for acknowledged enqueues (`Bullpen-Replication`), if any. */
  const replication: string[] = [];

  /** Enqueues one SleepWorker job; its id when the API acknowledged it (202), else undefined. */
  async function enqueue(): Promise<string | undefined> {
    const res = await call('POST', '/api/jobs', { worker: 'SleepWorker', args: { ms: 50 } }).catch(() => undefined);
    if (res?.status !== 202) return undefined;
    const header = res.headers.get('bullpen-replication');
    if (header) replication.push(header);
    return ((await res.json()) as { id: string }).id;
  }

  async function enqueueAll(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = await enqueue();
      if (!id) throw new Error(`enqueue ${i} was not acknowledged`);
      ids.push(id);
    }
    return ids;
  }

  const stateOf = async (id: string) => {
    const res = await call('GET', `/api/jobs/${id}`).catch(() => undefined);
    return res?.ok ? ((await res.json()) as { state: string }).state : undefined;
  };

  async function allCompleted(ids: string[]): Promise<boolean> {
    const states = await Promise.all(ids.map(stateOf));
    return states.every((s) => s === 'completed');
  }

  it('follows SENTINEL FAILOVER with no restart: enqueues answer 202 again, and every job acknowledged before and after completes', async () => {
    await start();
    const before = await enqueueAll(100);
    const { from, to } = await set.failover();
    expect(to).not.toBe(from);
    // Within 30 s the API answers 202 again, on the new master.
    let first: string | undefined;
    await waitFor('an enqueue acknowledged after the failover', async () => Boolean((first = await enqueue())), 30_000);
    const after = [first!, ...(await enqueueAll(99))];
    await waitFor('every job acknowledged before and after the failover completed', () => allCompleted([...before, ...after]), 60_000);
    for (const proc of procs) expect(proc.child.exitCode).toBeNull();
  }, 120_000);

  it('with REDIS_MIN_REPLICAS_ACK=1 loses no acknowledged job across a failover forced right after the enqueues', async () => {
    replication.length = 0;
    await start({ REDIS_MIN_REPLICAS_ACK: '1' });
    const acknowledged = await enqueueAll(100);
    // Every 202 meant the job had reached the replica: none was answered as pending.
    expect(replication).toEqual([]);
    await set.failover();
    await waitFor('an enqueue acknowledged on the promoted replica', async () => Boolean(await enqueue()), 30_000);
    await waitFor('every job acknowledged before the failover completed', () => allCompleted(acknowledged), 60_000);
  }, 120_000);
});
