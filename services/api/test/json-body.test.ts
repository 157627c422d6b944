import { request as httpRequest } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { CLIENT_TOKEN, startTestApi, type TestApi } from './support/api';

const JOB = JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: 7 } });

interface Sent {
  status: number;
  body: { id?: string; worker?: string; error?: { code: string } };
}

/** POSTs `chunks` to /api/jobs one write each, with `headers` (no Content-Length unless given: chunked). */
function post(t: TestApi, headers: Record<string, string>, chunks: Buffer[]): Promise<Sent> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method: 'POST', path: '/api/jobs', headers: { authorization: `Bearer ${CLIENT_TOKEN}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Sent['body'] }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const whole = (text: string) => {
  const body = Buffer.from(text);
  return { length: { 'content-length': String(body.length) }, chunks: [body] };
};

// The API reads plain UTF-8 bodies itself and hands compressed ones and other charsets to
// body-parser: each form a client may send must reach the job, whichever path reads it.
describe('JSON request bodies', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(() => t.close());

  it.each([
    ['application/json with a Content-Length', { 'content-type': 'application/json', ...whole(JOB).length }, whole(JOB).chunks],
    ['a charset=utf-8 parameter, any case and quoted', { 'content-type': 'Application/JSON; Charset="UTF-8"', ...whole(JOB).length }, whole(JOB).chunks],
    ['a chunked body in many pieces', { 'content-type': 'application/json' }, [...Buffer.from(JOB)].map((byte) => Buffer.from([byte]))],
    ['a multi-byte character split across chunks', { 'content-type': 'application/json' }, (() => {
      const body = Buffer.from(JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: 7 }, idempotencyKey: 'clé-é' }));
      const at = body.indexOf(0xc3) + 1; // between the two bytes of é
      return [body.subarray(0, at), body.subarray(at)];
    })()],
    ['a leading byte order mark', { 'content-type': 'application/json' }, [Buffer.from(`\ufeff${JOB}`)]],
    ['a gzip body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, [gzipSync(JOB)]],
    ['a deflate body with charset=utf-8', { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'deflate' }, [deflateSync(JOB)]],
  ])('accepts %s', async (_name, headers, chunks) => {
    const { status, body } = await post(t, headers, chunks);
    expect({ status, worker: body.worker }).toEqual({ status: 202, worker: 'DataProcessingWorker' });
    expect(await t.api.queues.get('default').getJob(body.id!)).toMatchObject({ data: { userId: 7 } });
  });

  it.each([
    ['an empty chunked body', { 'content-type': 'application/json' }, [], 400, 'invalid_request'],
    ['a chunked body one byte over the limit', { 'content-type': 'application/json' }, [Buffer.alloc(256 * 1024 + 1, 0x20)], 413, 'payload_too_large'],
    ['a Content-Length over the limit', { 'content-type': 'application/json', 'content-length': String(256 * 1024 + 1) }, [Buffer.alloc(256 * 1024 + 1, 0x20)], 413, 'payload_too_large'],
    ['a primitive after whitespace', { 'content-type': 'application/json' }, [Buffer.from(' \n\t 42')], 400, 'malformed_json'],
  ])('refuses %s', async (_name, headers, chunks, status, code) => {
    const keysBefore = await t.countKeys();
    const sent = await post(t, headers, chunks);
    expect({ status: sent.status, code: sent.body.error?.code }).toEqual({ status, code });
    expect(await t.countKeys()).toBe(keysBefore);
  });
});
