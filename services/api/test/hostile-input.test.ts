import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { ADMIN_TOKEN, CLIENT_TOKEN, startTestApi, type TestApi } from './support/api';
import { HOSTILE_CASES, type HostileCase } from './hostile-corpus';

interface Answer {
  status: number;
  body: string;
}

function send(base: URL, c: HostileCase): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...c.headers };
  const token = { client: CLIENT_TOKEN, admin: ADMIN_TOKEN, none: undefined }[c.auth ?? 'client'];
  if (token) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: base.hostname, port: base.port, method: c.method ?? 'POST', path: c.path ?? '/api/jobs', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

/** Writes the request as it is (ending the socket unless `hold`) and reads the status line the server answers with. */
function sendRaw(base: URL, raw: string, hold = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(base.port), base.hostname);
    let reply = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(reply);
      if (!match) return reject(new Error(`no HTTP answer: ${JSON.stringify(reply.slice(0, 200))}`));
      resolve({ status: Number(match[1]), body: reply.slice(reply.indexOf('\r\n\r\n') + 4) });
    });
    const request = raw.replace('{{host}}', base.host).replace('{{client}}', CLIENT_TOKEN);
    if (hold) socket.write(request);
    else socket.end(request);
  });
}

describe('hostile input corpus', () => {
  let t: TestApi;
  let base: URL;
  beforeAll(async () => {
    t = await startTestApi({ env: { WORKER_MAX_ARGS_BYTES: '65536', API_REQUEST_TIMEOUT_SECONDS: '1' } });
    base = new URL(t.url);
  });
  afterAll(() => t.close());

  it('holds at least 50 cases with distinct names', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(HOSTILE_CASES.map((c) => c.name)).size).toBe(HOSTILE_CASES.length);
  });

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('refuses %s with its documented 4xx and enqueues nothing', async (_name, c) => {
    const keysBefore = await t.countKeys();
    const answer = c.raw ? await sendRaw(base, c.raw, c.hold) : await send(base, c);
    expect(answer.status).toBe(c.status);
    if (c.code) expect(JSON.parse(answer.body)).toMatchObject({ error: { code: c.code, message: expect.any(String) } });
    expect(await t.countJobs()).toBe(0);
    expect(await t.countKeys()).toBe(keysBefore);
  });

  it('stays healthy and unpolluted afterwards, and still enqueues a good job', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await send(base, { name: 'health', method: 'GET', path: '/healthz', auth: 'none', status: 200 })).status).toBe(200);
    const ok = await send(base, { name: 'valid', body: JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: 1 } }), status: 202 });
    expect(ok.status).toBe(202);
    expect(await t.countJobs()).toBe(1);
  });
});
