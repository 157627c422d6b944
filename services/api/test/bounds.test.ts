import { DATA_PROCESSING_MAX_RECORDS } from '@bullpen/jobs';
import request from 'supertest';
import { AS, startTestApi, type TestApi } from './support/api';

const nested = (depth: number, leaf = '1') => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
/** An enqueue of FlakyWorker (no schema: its args reach the worker as sent) with `args` as raw JSON. */
const flaky = (args: string) => `{"worker":"FlakyWorker","args":${args}}`;

describe('bounds on what one request may ask for', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi({ env: { WORKER_MAX_ARGS_BYTES: '4096' } });
  });
  afterEach(() => t.close());

  const post = (path: string, raw: string) => request(t.url).post(path).set(AS.client).set('Content-Type', 'application/json').send(raw);

  describe('JSON nesting', () => {
    it('takes a body 32 levels deep, the envelope counting as one, and refuses 33 with 400', async () => {
      // The envelope is level 1, so args may nest 31 more.
      expect((await post('/api/jobs', flaky(nested(31)))).status).toBe(202);
      const res = await post('/api/jobs', flaky(nested(32)));
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'invalid_request', message: 'the body nests objects and arrays more than 32 levels deep' });
      expect(await t.countJobs()).toBe(1);
    });

    it('counts arrays and objects alike, wherever the deep branch is', async () => {
      const mixed = '[{"a":'.repeat(16) + '1' + '}]'.repeat(16);
      const wide = `{"x":[1,2,3],"y":{"z":${nested(15)}},"deep":${mixed}}`;
      const res = await post('/api/jobs', flaky(wide));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    });

    it('refuses 100,000 levels, which would overflow a recursive walk, and still serves', async () => {
      expect((await post('/api/jobs', flaky('['.repeat(100_000) + ']'.repeat(100_000)))).status).toBe(400);
      expect((await request(t.url).get('/healthz')).status).toBe(200);
    });
  });

  describe('WORKER_MAX_ARGS_BYTES', () => {
    const label = (bytes: number) => JSON.stringify({ label: 'x'.repeat(bytes - '{"label":""}'.length) });

    it('takes args of exactly the limit as JSON and refuses one byte more with 413, naming both sizes', async () => {
      expect((await post('/api/jobs', flaky(label(4096)))).status).toBe(202);
      const res = await post('/api/jobs', flaky(label(4097)));
      expect(res.status).toBe(413);
      expect(res.body.error).toEqual({
        code: 'args_too_large',
        message: 'FlakyWorker: args are 4097 bytes as JSON, over WORKER_MAX_ARGS_BYTES (4096)',
        details: { worker: 'FlakyWorker', bytes: 4097, maxBytes: 4096 },
      });
      expect(await t.countJobs()).toBe(1);
    });

    it('counts UTF-8 bytes, not characters', async () => {
      // 2,000 characters of 3 bytes each: 6,000 bytes, under 4,096 characters.
      const res = await post('/api/jobs', flaky(JSON.stringify({ label: '€'.repeat(2000) })));
      expect(res.status).toBe(413);
      expect(res.body.error.details.bytes).toBe(6012);
    });

    it('refuses a whole bulk when one job is over, before Redis is touched', async () => {
      const keys = await t.countKeys();
      const res = await post('/api/jobs/bulk', `{"jobs":[${flaky('{}')},${flaky('{}')},${flaky(label(5000))}]}`);
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code: 'args_too_large', message: /^jobs\[2\]: FlakyWorker: args are 5000 bytes/, details: { index: 2, bytes: 5000, maxBytes: 4096 } });
      expect(await t.countJobs()).toBe(0);
      // Not even the token's rate-limit bucket was written.
      expect(await t.countKeys()).toBe(keys);
    });
  });

  it(`caps DataProcessingWorker's records at ${DATA_PROCESSING_MAX_RECORDS} with 422`, async () => {
    const job = (records: number) => JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: 1, records } });
    expect((await post('/api/jobs', job(DATA_PROCESSING_MAX_RECORDS))).status).toBe(202);
    const res = await post('/api/jobs', job(DATA_PROCESSING_MAX_RECORDS + 1));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'invalid_args', details: { issues: [{ path: 'records', message: expect.stringContaining(String(DATA_PROCESSING_MAX_RECORDS)) }] } });
  });

  it('answers a path that is not valid percent-encoding with 400, saying so', async () => {
    const res = await request(t.url).get('/api/jobs/%E0%A4%A').set(AS.client);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'invalid_request', message: 'the path is not valid percent-encoding' });
  });
});
