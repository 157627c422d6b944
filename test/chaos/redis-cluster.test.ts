import { join } from 'node:path';
import { Job } from 'bullmq';
import { createRedis, EnqueueOptionsError, Producer, QueueHandles, QUEUE_NAMES, type RedisConnection } from '@bullpen/core';
import { waitFor } from '../support/deferred';
import { deletePrefix } from '../support/redis';
import { RedisCluster } from '../support/redis-cluster';
import { startFixtureService, type ServiceProcess } from '../support/service-process';
import { AddOne, CriticalJob, Double, Format } from './fixtures/queue-workers';

const WORKERS = join(__dirname, 'fixtures', 'queue-workers.ts');
const TOKEN = 'cluster-test-client-0123456789';
const WORKER_OF = { critical: 'CriticalJob', default: 'DefaultJob', low: 'LowJob' } as const;

describe('Redis Cluster (3 real masters on loopback)', () => {
  let cluster: RedisCluster;
  let connection: RedisConnection;
  let queues: QueueHandles;
  let producer: Producer;
  const procs: ServiceProcess[] = [];
  // The Cluster is this test's own, so a fixed prefix is isolated; this one's three queue hash tags
  // fall in the three masters' slot ranges (a random one put all three on one master 1 time in 9).
  const prefix = 'cluster-test';
  let apiUrl: string;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ masters: 3 });
    const nodes = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',');
    const env = {
      REDIS_URL: 'redis://cluster', REDIS_CLUSTER_NODES: nodes, BULLPEN_PREFIX: prefix, API_TOKENS: `app:${TOKEN}:client`,
      PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '16',
      // Three bulks of 1,000 at once are over a token's default burst (2,000 jobs); this test is about the Cluster.
      API_RATE_JOBS_PER_SECOND: '0',
    };
    const api = startFixtureService('api', WORKERS, { ...env, LOG_LEVEL: 'info' });
    const worker = startFixtureService('worker', WORKERS, { ...env, LOG_LEVEL: 'info' });
    procs.push(api, worker);
    const { port } = await api.waitForLog('api started');
    await worker.waitForLog('worker started');
    apiUrl = `http://127.0.0.1:${port}`;
    await waitFor('the API ready', async () => (await fetch(`${apiUrl}/readyz`)).ok);
    connection = createRedis({ url: 'redis://cluster', clusterNodes: cluster.nodes, sentinelMaster: 'mymaster' }, 'consumer');
    queues = new QueueHandles({ connection, prefix, cluster: true });
    producer = new Producer({ queues });
  }, 60_000);

  afterAll(async () => {
    for (const proc of procs) await proc.kill();
    await queues?.close();
    await deletePrefix(connection, prefix);
    await connection?.quit();
    await cluster.destroy();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${apiUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('runs 3,000 jobs over the three queues through the API and a worker, with the queues on different masters', async () => {
    for (let batch = 0; batch < 3; batch++) {
      const jobs = Array.from({ length: 1000 }, (_, i) => ({ worker: WORKER_OF[QUEUE_NAMES[i % 3]], args: { i: batch * 1000 + i } }));
      const res = await post('/api/jobs/bulk', { jobs });
      expect(res.status).toBe(202);
    }
    const completed = async () => (await Promise.all(QUEUE_NAMES.map((q) => queues.get(q).getCompletedCount()))).reduce((a, b) => a + b);
    await waitFor('3,000 jobs completed', async () => (await completed()) >= 3000, 90_000);
    expect(await Promise.all(QUEUE_NAMES.map((q) => queues.get(q).getFailedCount()))).toEqual([0, 0, 0]);
    // Each queue has its own hash tag, so the queues' keys are spread over the masters.
    const owners = await Promise.all(QUEUE_NAMES.map((q) => cluster.nodeOwning(queues.get(q).keys.meta)));
    expect(new Set(owners.map((o) => o.port)).size).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('runs a three-step chain on one queue, and refuses a chain across queues with a clear error', async () => {
    const steps = await producer.chain([AddOne.step({ n: 20 }), Double.step(), Format.step()]);
    const last = steps[steps.length - 1];
    await waitFor('the chain finished', async () => (await Job.fromId(queues.get('default'), last.id))?.finishedOn !== undefined, 30_000);
    expect((await Job.fromId(queues.get('default'), last.id))!.returnvalue).toBe('result=42');
    await expect(producer.chain([CriticalJob.step({ i: 1 }), AddOne.step()])).rejects.toThrow(EnqueueOptionsError);
  }, 60_000);
});
