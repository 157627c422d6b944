import request from 'supertest';
import { waitFor } from '../../../test/support/deferred';
import { RedisServer } from '../../../test/support/redis-server';
import { connectedReplicas, infoField, startReplica, withClient } from '../../core/test/support/redis-states';
import { AS, startTestApi, type TestApi } from './support/api';

const job = { worker: 'DataProcessingWorker', args: { userId: 7 } };
const bulk = { jobs: [{ worker: 'EchoWorker', args: { n: 1 } }, job] };

describe('REDIS_MIN_REPLICAS_ACK: a 202 means the job reached that many replicas', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let t: TestApi | undefined;

  beforeEach(async () => {
    master = await RedisServer.start();
    replica = await startReplica(master);
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await Promise.all([master.destroy(), replica.destroy()]);
  });

  const start = (env: Record<string, string> = {}) =>
    startTestApi({ env: { REDIS_URL: master.url, REDIS_MIN_REPLICAS_ACK: '1', API_REDIS_TIMEOUT_MS: '2000', ...env } });
  const enqueue = (body: object = job) => request(t!.url).post('/api/jobs').set(AS.client).send(body);

  it('answers 202 without the pending header while the replica acknowledges, and the replica has the job', async () => {
    t = await start();
    const res = await enqueue();
    expect(res.status).toBe(202);
    expect(res.headers['bullpen-replication']).toBeUndefined();
    // Acknowledged means the replica has it already, not eventually.
    expect(await withClient(replica, (c) => c.exists(`${t!.prefix}:default:${res.body.id}`))).toBe(1);
    const many = await request(t.url).post('/api/jobs/bulk').set(AS.client).send(bulk);
    expect(many.status).toBe(202);
    expect(many.headers['bullpen-replication']).toBeUndefined();
  });

  it('with the replica stopped answers 202 with Bullpen-Replication: pending, at once, and the job exists', async () => {
    t = await start();
    await replica.kill();
    await connectedReplicas(master, 0);
    const started = Date.now();
    const res = await enqueue();
    expect(res.status).toBe(202);
    expect(res.headers['bullpen-replication']).toBe('pending');
    // No replica is connected, so nothing is waited for.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await request(t.url).get(`/api/jobs/${res.body.id}`).set(AS.client)).status).toBe(200);
    const many = await request(t.url).post('/api/jobs/bulk').set(AS.client).send(bulk);
    expect(many.status).toBe(202);
    expect(many.headers['bullpen-replication']).toBe('pending');
  });

  it('in strict mode answers 503 saying the job was written but not replicated; the same key then answers it once replicated', async () => {
    t = await start({ REDIS_REPLICATION_STRICT: 'true' });
    await replica.kill();
    await connectedReplicas(master, 0);
    const res = await request(t.url).post('/api/jobs').set(AS.client).set('Idempotency-Key', 'durable-1').send(job);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error.code).toBe('redis_unavailable');
    expect(res.body.error.message).toMatch(/^the job was written to the master but reached only 0 of 1 replicas; it exists and will run, .*retry with the same idempotency key/);
    const { ids } = res.body.error.details as { ids: string[] };
    expect(res.body.error.details).toEqual({ cause: 'replication', required: 1, acknowledged: 0, jobsExist: true, ids });
    expect((await request(t.url).get(`/api/jobs/${ids[0]}`).set(AS.client)).status).toBe(200);

    const unkeyed = await request(t.url).post('/api/jobs/bulk').set(AS.client).send(bulk);
    expect(unkeyed.status).toBe(503);
    expect(unkeyed.body.error.message).toMatch(/^the 2 jobs were written to the master but reached only 0 of 1 replicas; .*a retry without an idempotency key would enqueue again/);

    await replica.start();
    await waitFor('the replica to be online', async () => (await infoField(master, 'replication', 'slave0'))?.includes('state=online'));
    const again = await request(t.url).post('/api/jobs').set(AS.client).set('Idempotency-Key', 'durable-1').send(job);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(ids[0]);
    expect(again.headers['bullpen-replication']).toBeUndefined();
  });
});
