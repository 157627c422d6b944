import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLogger } from '@bullpen/core';
import request from 'supertest';
import { createApi, loadApiConfig } from '../src';
import { AS, ID_SECRET, REDIS_URL, startTestApi, testRegistry, type TestApi } from './support/api';

const ECHO_ONLY = 'echo-only-token-7f3a9c2e5b1d4806';
const ADMIN = 'scoped-admin-token-4e8b2d6f0a9c1357';
const CLIENT_A = 'client-a-token-9d2f6b0e4a8c1375';
const CLIENT_B = 'client-b-token-1c5e9a3f7b2d6048';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const echo = { worker: 'EchoWorker', args: { n: 1 } };

const dir = mkdtempSync(join(tmpdir(), 'bullpen-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A tokens file of its own; the path to pass as API_TOKENS_FILE. */
function tokensFile(text: string, extension = 'yaml'): string {
  const path = join(dir, `tokens-${++files}.${extension}`);
  writeFileSync(path, text);
  return path;
}

describe('scoped tokens and internal workers', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({
      env: { API_TOKENS: `echo:${ECHO_ONLY}:client:EchoWorker,ops:${ADMIN}:admin,a:${CLIENT_A}:client,b:${CLIENT_B}:client` },
    });
  });
  afterAll(() => t.close());

  it('refuses a scoped token another worker with 403, naming what it may enqueue, and enqueues nothing', async () => {
    const single = await request(t.url).post('/api/jobs').set(bearer(ECHO_ONLY)).send({ worker: 'DataProcessingWorker', args: { userId: 1 } });
    expect(single.status).toBe(403);
    expect(single.body.error).toEqual({ code: 'worker_not_allowed', message: 'token "echo" may enqueue only EchoWorker', details: { worker: 'DataProcessingWorker' } });
    const bulk = await request(t.url).post('/api/jobs/bulk').set(bearer(ECHO_ONLY)).send({ jobs: [echo, { worker: 'FlakyWorker' }] });
    expect(bulk.status).toBe(403);
    expect(bulk.body.error.message).toBe('jobs[1]: token "echo" may enqueue only EchoWorker');
    expect(await t.countJobs()).toBe(0);
    await request(t.url).post('/api/jobs').set(bearer(ECHO_ONLY)).send(echo).expect(202);
    const listed = await request(t.url).get('/api/workers').set(bearer(ECHO_ONLY)).expect(200);
    expect(listed.body.workers.map((w: { name: string }) => w.name)).toEqual(['EchoWorker']);
  });

  it('names only the workers a scoped token may enqueue when it asks for an unknown one', async () => {
    const res = await request(t.url).post('/api/jobs').set(bearer(ECHO_ONLY)).send({ worker: 'EchoWorkr' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('unknown worker "EchoWorkr" (did you mean EchoWorker?); known workers: EchoWorker');
  });

  it('lets only admin tokens enqueue an internal worker (HealthCheckWorker)', async () => {
    const refused = await request(t.url).post('/api/jobs').set(bearer(CLIENT_A)).send({ worker: 'HealthCheckWorker' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('HealthCheckWorker is internal: only admin tokens and the beat may enqueue it');
    const before = await t.countJobs();
    await request(t.url).post('/api/jobs').set(bearer(ADMIN)).send({ worker: 'HealthCheckWorker' }).expect(202);
    expect(await t.countJobs()).toBe(before + 1);
  });

  it("answers client B 404 for client A's job, exactly as for a job that does not exist; admin reads it", async () => {
    const { body } = await request(t.url).post('/api/jobs').set(bearer(CLIENT_A)).send(echo).expect(202);
    await request(t.url).get(`/api/jobs/${body.id}`).set(bearer(CLIENT_A)).expect(200);
    const theirs = await request(t.url).get(`/api/jobs/${body.id}`).set(bearer(CLIENT_B));
    const missing = await request(t.url).get(`/api/jobs/${body.id.replace(/.$/, body.id.endsWith('0') ? '1' : '0')}`).set(bearer(CLIENT_B));
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe(missing.body.error.code);
    expect(theirs.body.error.message).toBe(`no job with id "${body.id}"`);
    // B's own tag on A's UUID names no job either: the tag is part of the id.
    const mine = await request(t.url).post('/api/jobs').set(bearer(CLIENT_B)).send(echo).expect(202);
    const forged = `${mine.body.id.split('-')[0]}-${body.id.split('-').slice(1).join('-')}`;
    await request(t.url).get(`/api/jobs/${forged}`).set(bearer(CLIENT_B)).expect(404);
    const admin = await request(t.url).get(`/api/jobs/${body.id}`).set(bearer(ADMIN)).expect(200);
    expect(admin.body).toMatchObject({ id: body.id, worker: 'EchoWorker' });
  });

  it('keys idempotency-derived ids with the server secret: the same token name and key give other ids under another secret', async () => {
    const keyed = { ...echo, idempotencyKey: 'order-42' };
    const first = await request(t.url).post('/api/jobs').set(bearer(CLIENT_A)).send(keyed).expect(202);
    const other = await startTestApi({ env: { API_TOKENS: `a:${CLIENT_A}:client`, API_ID_SECRET: 'another-id-secret-9f8e7d6c5b4a3210fedcba' } });
    try {
      const second = await request(other.url).post('/api/jobs').set(bearer(CLIENT_A)).send(keyed).expect(202);
      expect(second.body.id).not.toBe(first.body.id);
      expect(second.body.id.split('-')[0]).not.toBe(first.body.id.split('-')[0]);
    } finally {
      await other.close();
    }
  });
});

describe('per-token enqueue rate limits', () => {
  const tokens = tokensFile(`tokens:
  - { name: slow, token: ${CLIENT_A}, role: client, rateLimit: { requestsPerSecond: 0.01, jobsPerSecond: 1000 } }
  - { name: few-jobs, token: ${CLIENT_B}, role: client, rateLimit: { requestsPerSecond: 1000, jobsPerSecond: 0.05 } }
  - { name: free, token: ${ADMIN}, role: admin, rateLimit: { requestsPerSecond: 0, jobsPerSecond: 0 } }
`);
  const env = { API_TOKENS: '', API_TOKENS_FILE: tokens, API_RATE_BURST_SECONDS: '100' };
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi({ env });
  });
  afterEach(() => t.close());

  it('answers 429 with Retry-After over the request rate, enqueues nothing, and holds across API replicas', async () => {
    await request(t.url).post('/api/jobs').set(bearer(CLIENT_A)).send(echo).expect(202);
    const replica = await startTestApi({ env: { ...env, BULLPEN_PREFIX: t.prefix } });
    try {
      const res = await request(replica.url).post('/api/jobs').set(bearer(CLIENT_A)).send(echo);
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('rate_limited');
      expect(res.body.error.message).toMatch(/^token "slow" is over its enqueue rate \(0\.01 requests and 1000 jobs per second\); retry after \d+ s$/);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(90);
      expect(await t.countJobs()).toBe(1);
    } finally {
      await replica.close();
    }
  });

  it('counts jobs, not requests, for bulks: 429 when the bucket is short, 413 for a bulk no wait would let through', async () => {
    const bulk = (n: number) => request(t.url).post('/api/jobs/bulk').set(bearer(CLIENT_B)).send({ jobs: Array.from({ length: n }, () => echo) });
    await bulk(3).expect(202); // the burst is 0.05 × 100 s = 5 jobs
    const short = await bulk(3);
    expect(short.status).toBe(429);
    expect(Number(short.headers['retry-after'])).toBeGreaterThan(0);
    const never = await bulk(6);
    expect(never.status).toBe(413);
    expect(never.body.error).toMatchObject({ code: 'too_many_jobs', message: expect.stringMatching(/this request has 6 jobs; token "few-jobs" may enqueue at most 5 at once/) });
    await bulk(2).expect(202);
    expect(await t.countJobs()).toBe(5);
  });

  it('does not limit a token whose rates are 0', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => request(t.url).post('/api/jobs').set(bearer(ADMIN)).send(echo)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
    await request(t.url).get('/api/workers').set(AS.client).expect(401); // only the file's tokens exist
  });
});

describe('token configuration checked against the registry at start', () => {
  const start = (API_TOKENS: string) => {
    const config = loadApiConfig({ REDIS_URL, API_TOKENS, API_ID_SECRET: ID_SECRET });
    return () => createApi({ config, registry: testRegistry(), logger: createLogger('api', 'silent') });
  };

  it('refuses a token naming an unknown worker, listing the known ones', () => {
    expect(start(`x:${CLIENT_A}:client:EchoWorker|EchoWorkr`)).toThrow(
      new ConfigError('API_TOKENS', 'entry 1 (x): no worker "EchoWorkr" (workers: DataProcessingWorker, EchoWorker, FlakyWorker, GateWorker, HealthCheckWorker)'),
    );
  });

  it('refuses a client token naming an internal worker', () => {
    expect(start(`x:${CLIENT_A}:client:HealthCheckWorker`)).toThrow(/entry 1 \(x\): HealthCheckWorker is internal; only admin tokens may enqueue it/);
  });
});

describe('tokens files', () => {
  it('reads YAML and JSON alike, and refuses unknown fields naming the entry', () => {
    const yaml = tokensFile(`tokens:\n  - name: billing\n    token: ${CLIENT_A}\n    role: client\n    workers: [EchoWorker]\n`);
    const json = tokensFile(JSON.stringify({ tokens: [{ name: 'billing', token: CLIENT_A, role: 'client', workers: ['EchoWorker'] }] }), 'json');
    const want = [{ name: 'billing', token: CLIENT_A, role: 'client', workers: ['EchoWorker'] }];
    expect(loadApiConfig({ API_TOKENS_FILE: yaml, API_ID_SECRET: ID_SECRET }).tokens).toEqual(want);
    expect(loadApiConfig({ API_TOKENS_FILE: json, API_ID_SECRET: ID_SECRET }).tokens).toEqual(want);
    const typo = tokensFile(`tokens:\n  - { name: billing, token: ${CLIENT_A}, role: client, worker: [EchoWorker] }\n`);
    expect(() => loadApiConfig({ API_TOKENS_FILE: typo, API_ID_SECRET: ID_SECRET })).toThrow(
      'API_TOKENS_FILE: entry 1: unknown field "worker" (fields: name, token, role, workers, rateLimit)',
    );
    expect(() => loadApiConfig({ API_TOKENS_FILE: yaml, API_TOKENS: `x:${CLIENT_B}:client`, API_ID_SECRET: ID_SECRET })).toThrow(
      'API_TOKENS_FILE: set API_TOKENS_FILE or API_TOKENS, not both',
    );
  });
});

describe('weak defaults', () => {
  const DEV = 'dev-client:dev-client-token-change-me:client';

  it('accepts the public development tokens only with NODE_ENV=development on loopback', () => {
    expect(loadApiConfig({ API_TOKENS: DEV, NODE_ENV: 'development', HOST: '127.0.0.1' }).tokens).toHaveLength(1);
    for (const env of [{ NODE_ENV: 'development' }, { NODE_ENV: 'development', HOST: '0.0.0.0' }, { NODE_ENV: 'production', HOST: '127.0.0.1', API_ID_SECRET: ID_SECRET }]) {
      expect(() => loadApiConfig({ API_TOKENS: DEV, ...env })).toThrow(/^API_TOKENS: entry 1 \(dev-client\) is a public development token; it is accepted only with NODE_ENV=development and HOST=127\.0\.0\.1/);
    }
  });

  it('requires API_ID_SECRET outside development, and a strong one', () => {
    expect(() => loadApiConfig({ NODE_ENV: 'production' })).toThrow(/^API_ID_SECRET: required outside development/);
    expect(() => loadApiConfig({ API_ID_SECRET: 'x'.repeat(40) })).toThrow('API_ID_SECRET: must be 32+ random characters (openssl rand -hex 32)');
  });
});
