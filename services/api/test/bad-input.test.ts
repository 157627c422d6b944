import request from 'supertest';
import { AS, startTestApi, type TestApi } from './support/api';

type Send = (url: string) => request.Test;

const post = (path: string, body: unknown, headers: Record<string, string> = {}): Send =>
  (url) => request(url).post(path).set(AS.client).set(headers).send(body as object);
const postRaw = (path: string, raw: string, contentType: string): Send =>
  (url) => request(url).post(path).set(AS.client).set('Content-Type', contentType).send(raw);

const valid = { worker: 'DataProcessingWorker', args: { userId: 7 } };

/** Every rejected request of the issue's bad-input table, and its answer. */
const CASES: Array<{ name: string; send: Send; status: number; code: string; message?: RegExp; details?: unknown }> = [
  { name: 'malformed JSON', send: postRaw('/api/jobs', '{"worker": "DataProcessingWorker",', 'application/json'), status: 400, code: 'malformed_json' },
  { name: 'a JSON array body', send: post('/api/jobs', [valid]), status: 400, code: 'invalid_request' },
  { name: 'no body', send: (url) => request(url).post('/api/jobs').set(AS.client), status: 400, code: 'invalid_request' },
  { name: 'a form body', send: postRaw('/api/jobs', 'worker=DataProcessingWorker', 'application/x-www-form-urlencoded'), status: 415, code: 'unsupported_media_type' },
  { name: 'a missing worker', send: post('/api/jobs', { args: {} }), status: 400, code: 'invalid_request', message: /worker/ },
  { name: 'an unknown field', send: post('/api/jobs', { ...valid, delay: 5 }), status: 400, code: 'invalid_request', message: /Unrecognized key: "delay"/ },
  // The test registry's public workers; the internal HealthCheckWorker is never named to a client.
  {
    name: 'an unknown worker', send: post('/api/jobs', { worker: 'NoSuchWorker', args: {} }), status: 404, code: 'unknown_worker',
    message: /^unknown worker "NoSuchWorker"; known workers: DataProcessingWorker, EchoWorker, FlakyWorker, GateWorker$/, details: { worker: 'NoSuchWorker' },
  },
  {
    name: 'a misspelt worker', send: post('/api/jobs', { worker: 'DataProcesingWorker', args: {} }), status: 404, code: 'unknown_worker',
    message: /^unknown worker "DataProcesingWorker" \(did you mean DataProcessingWorker\?\); known workers: DataProcessingWorker, EchoWorker, /,
  },
  { name: 'a misspelt internal worker', send: post('/api/jobs', { worker: 'HealthChekWorker', args: {} }), status: 404, code: 'unknown_worker', message: /^unknown worker "HealthChekWorker"; known workers: (?!.*Health)/ },
  {
    name: "args failing the worker's schema",
    send: post('/api/jobs', { worker: 'DataProcessingWorker', args: { userId: -3, format: 'xml' } }),
    status: 422,
    code: 'invalid_args',
    details: {
      worker: 'DataProcessingWorker',
      issues: [
        { path: 'userId', message: 'Too small: expected number to be >0' },
        { path: 'format', message: 'Invalid option: expected one of "json"|"csv"' },
      ],
    },
  },
  { name: 'args missing a required field', send: post('/api/jobs', { worker: 'DataProcessingWorker' }), status: 422, code: 'invalid_args', message: /userId/ },
  { name: 'a body over the 256 KiB limit', send: post('/api/jobs', { worker: 'DataProcessingWorker', args: { userId: 1, pad: 'x'.repeat(300 * 1024) } }), status: 413, code: 'payload_too_large', message: /262144 bytes/ },
  { name: 'a negative delaySeconds', send: post('/api/jobs', { ...valid, delaySeconds: -1 }), status: 400, code: 'invalid_request', message: /delaySeconds/ },
  { name: 'a non-numeric delaySeconds', send: post('/api/jobs', { ...valid, delaySeconds: '10' }), status: 400, code: 'invalid_request', message: /delaySeconds/ },
  { name: 'an unparseable runAt', send: post('/api/jobs', { ...valid, runAt: 'tomorrow at noon' }), status: 400, code: 'invalid_request', message: /runAt/ },
  { name: 'a runAt without timezone', send: post('/api/jobs', { ...valid, runAt: '2030-01-01T10:00:00' }), status: 400, code: 'invalid_request', message: /runAt/ },
  { name: 'both delaySeconds and runAt', send: post('/api/jobs', { ...valid, delaySeconds: 5, runAt: '2030-01-01T10:00:00Z' }), status: 400, code: 'invalid_options' },
  { name: 'an empty idempotencyKey', send: post('/api/jobs', { ...valid, idempotencyKey: '' }), status: 400, code: 'invalid_request' },
  { name: 'an Idempotency-Key header that differs from the field', send: post('/api/jobs', { ...valid, idempotencyKey: 'a' }, { 'Idempotency-Key': 'b' }), status: 400, code: 'invalid_request' },
  { name: 'a bulk with no jobs', send: post('/api/jobs/bulk', { jobs: [] }), status: 400, code: 'invalid_request' },
  { name: 'a bulk over 1000 jobs', send: post('/api/jobs/bulk', { jobs: Array.from({ length: 1001 }, () => ({ worker: 'EchoWorker', args: { n: 1 } })) }), status: 400, code: 'invalid_request' },
  {
    name: 'a bulk with one job failing its schema',
    send: post('/api/jobs/bulk', { jobs: [valid, { worker: 'EchoWorker', args: { n: 1 } }, { worker: 'EchoWorker', args: { n: 'one' } }] }),
    status: 422,
    code: 'invalid_args',
    message: /^jobs\[2\]: EchoWorker: invalid args/,
    details: { index: 2, worker: 'EchoWorker', issues: [{ path: 'n', message: 'Invalid input: expected number, received string' }] },
  },
  {
    name: 'a bulk with an unknown worker', send: post('/api/jobs/bulk', { jobs: [valid, { worker: 'EchoWorkr' }] }), status: 404, code: 'unknown_worker',
    message: /^jobs\[1\]: unknown worker "EchoWorkr" \(did you mean EchoWorker\?\); known workers: /, details: { index: 1, worker: 'EchoWorkr' },
  },
  { name: 'a bulk job with a negative delay', send: post('/api/jobs/bulk', { jobs: [valid, { ...valid, delaySeconds: -5 }] }), status: 400, code: 'invalid_request', message: /jobs\.1\.delaySeconds/ },
  { name: 'an unknown job id', send: (url) => request(url).get('/api/jobs/8f0c1c1e-0000-4000-8000-000000000000').set(AS.client), status: 404, code: 'job_not_found' },
  { name: 'a retry of an unknown job', send: (url) => request(url).post('/api/jobs/nope/retry').set(AS.admin), status: 404, code: 'job_not_found' },
  { name: 'a cancel of an unknown job', send: (url) => request(url).delete('/api/jobs/nope').set(AS.admin), status: 404, code: 'job_not_found' },
  { name: 'a job lookup in an unknown queue', send: (url) => request(url).get('/api/jobs/x?queue=urgent').set(AS.client), status: 400, code: 'invalid_request' },
  { name: 'pausing an unknown queue', send: (url) => request(url).post('/api/queues/urgent/pause').set(AS.admin), status: 404, code: 'queue_not_found' },
  { name: 'an unknown route', send: (url) => request(url).get('/api/nothing-here').set(AS.client), status: 404, code: 'not_found' },
  { name: 'an unknown method on a known path', send: (url) => request(url).put('/api/jobs').set(AS.client).send(valid), status: 404, code: 'not_found' },
];

describe('bad input never reaches Redis', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
    // One accepted job first, so the queues' keys exist and "nothing changed" is a real check.
    await request(t.url).post('/api/jobs').set(AS.client).send(valid).expect(202);
  });
  afterEach(async () => {
    await t.close();
  });

  it.each(CASES)('$name answers $status $code and enqueues nothing', async ({ send, status, code, message, details }) => {
    const jobsBefore = await t.countJobs();
    const keysBefore = await t.countKeys();
    const res = await send(t.url);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    if (message) expect(res.body.error.message).toMatch(message);
    if (details) expect(res.body.error.details).toEqual(details);
    expect(await t.countJobs()).toBe(jobsBefore);
    expect(await t.countKeys()).toBe(keysBefore);
  });
});
