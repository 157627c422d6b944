import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { ADMIN_TOKEN, AS, CLIENT_TOKEN, startTestApi, type TestApi } from './support/api';

type Json = Record<string, any>;

const SCOPED = 'echo-only-token-3b8e1f6a9c2d4705';
const SLOW = 'slow-client-token-6d0a4c8e2f1b9357';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const basic = (token: string) => ({ Authorization: `Basic ${Buffer.from(`someone:${token}`).toString('base64')}` });
const echo = { worker: 'EchoWorker', args: { n: 1 } };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document as `[METHOD path, operation]`. */
const operations = (doc: Json): Array<[string, Json]> =>
  Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).filter(([method]) => METHODS.includes(method)).map(([method, op]): [string, Json] => [`${method.toUpperCase()} ${path}`, op]));

/** A response or schema with its `$ref` (to #/components/...) followed. */
function resolved(doc: Json, node: Json): Json {
  if (typeof node.$ref !== 'string') return node;
  return node.$ref.slice(2).split('/').reduce((at: Json, key: string) => at[key], doc);
}

describe('the served OpenAPI document says what the API does', () => {
  let t: TestApi;
  let doc: Json;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bullpen-openapi-doc-'));
    const tokens = join(dir, 'tokens.yaml');
    writeFileSync(tokens, `tokens:
  - { name: app, token: ${CLIENT_TOKEN}, role: client, rateLimit: { requestsPerSecond: 0, jobsPerSecond: 0 } }
  - { name: ops, token: ${ADMIN_TOKEN}, role: admin, rateLimit: { requestsPerSecond: 0, jobsPerSecond: 0 } }
  - { name: echo, token: ${SCOPED}, role: client, workers: [EchoWorker] }
  - { name: slow, token: ${SLOW}, role: client, rateLimit: { requestsPerSecond: 0.01, jobsPerSecond: 1000 } }
`);
    t = await startTestApi({ env: { API_TOKENS: '', API_TOKENS_FILE: tokens, API_RATE_BURST_SECONDS: '100' } });
    doc = (await request(t.url).get('/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names every operation with a unique camelCase operationId', () => {
    const ids = operations(doc).map(([, op]) => op.operationId);
    expect(ids.filter((id) => typeof id !== 'string' || !/^[a-z][a-zA-Z]+$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/api/jobs'].post.operationId).toBe('enqueueJob');
    expect(doc.paths['/api/jobs/bulk'].post.operationId).toBe('enqueueJobs');
    expect(doc.paths['/api/jobs/{id}'].get.operationId).toBe('getJob');
  });

  it('lists 403 only where a token can be refused: enqueueing a worker it may not, admin routes, the dashboard', () => {
    const with403 = operations(doc).filter(([, op]) => '403' in op.responses).map(([, op]) => op.operationId);
    expect(with403.sort()).toEqual(['cancelJob', 'enqueueJob', 'enqueueJobs', 'getDashboard', 'pauseQueue', 'resumeQueue', 'retryJob']);
  });

  it('documents the 500 error body, and Retry-After and WWW-Authenticate on every answer that has them', () => {
    const wrong: string[] = [];
    for (const [name, op] of operations(doc)) {
      const responses = Object.fromEntries(Object.entries(op.responses as Json).map(([status, r]) => [status, resolved(doc, r)]));
      const header = (status: string, h: string) => responses[status]?.headers?.[h]?.required === true;
      if (name !== 'GET /admin/queues' && responses['500']?.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorResponse') wrong.push(`${name}: 500`);
      if ('401' in responses && !header('401', 'WWW-Authenticate')) wrong.push(`${name}: 401 without WWW-Authenticate`);
      for (const status of ['429', '503']) if (status in responses && !header(status, 'Retry-After')) wrong.push(`${name}: ${status} without Retry-After`);
    }
    expect(wrong).toEqual([]);
    expect(doc.components.securitySchemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(doc.paths['/admin/queues'].get.security).toEqual([{ basicAuth: [] }]);
  });

  it('types args per worker: a oneOf discriminated by worker, each with the args schema GET /api/workers publishes', async () => {
    const { workers } = (await request(t.url).get('/api/workers').set(AS.admin).expect(200)).body as { workers: Json[] };
    for (const body of ['EnqueueJobRequest', 'EnqueueJobsRequest']) {
      const union = body === 'EnqueueJobRequest' ? doc.components.schemas[body] : doc.components.schemas[body].properties.jobs.items;
      expect(union.discriminator.propertyName).toBe('worker');
      expect(Object.keys(union.discriminator.mapping).sort()).toEqual(workers.map((w) => w.name).sort());
      expect(union.oneOf.map((r: Json) => r.$ref).sort()).toEqual(Object.values(union.discriminator.mapping).sort());
      for (const w of workers) {
        const variant = resolved(doc, { $ref: union.discriminator.mapping[w.name] });
        expect(variant.properties.worker).toMatchObject({ const: w.name });
        expect(variant.required).toContain('worker');
        const args = resolved(doc, variant.properties.args);
        if (w.argsSchema) expect(args).toEqual(w.argsSchema);
        else expect(Object.keys(args).filter((k) => k !== 'description')).toEqual([]); // any JSON
      }
    }
    expect(doc.paths['/api/jobs'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EnqueueJobRequest' });
    expect(doc.paths['/api/jobs/bulk'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EnqueueJobsRequest' });
  });

  it('names the three queues as keys of the queue maps', () => {
    const { QueueList, QueueBacklog } = doc.components.schemas;
    expect(Object.keys(QueueList.properties.queues.properties)).toEqual(['critical', 'default', 'low']);
    expect(QueueList.properties.queues.required).toEqual(['critical', 'default', 'low']);
    expect(Object.keys(QueueBacklog.properties.queues.properties)).toEqual(['critical', 'default', 'low']);
    expect(QueueBacklog.properties.queues.required).toBeUndefined(); // only the listed queues
    expect(QueueList.properties.queues.additionalProperties).toBe(false);
  });

  /** Checks a real answer against the document: its status is listed for the operation, with every required header and its media type. */
  function conforms(operation: string, res: Response): string[] {
    const op = operations(doc).find(([, o]) => o.operationId === operation)?.[1];
    const documented = op?.responses[String(res.status)];
    if (!documented) return [`${operation}: ${res.status} is not documented`];
    const response = resolved(doc, documented);
    const missing = Object.entries((response.headers ?? {}) as Json)
      .filter(([name, h]) => h.required && res.headers[name.toLowerCase()] === undefined)
      .map(([name]) => `${operation} ${res.status}: no ${name} header`);
    const type = res.headers['content-type']?.split(';')[0];
    return type && !(type in response.content) ? [...missing, `${operation} ${res.status}: ${type} is not documented`] : missing;
  }

  it('documents each answer the API gives, with the headers it sends', async () => {
    const answers: Array<[string, Response]> = [
      ['enqueueJob', await request(t.url).post('/api/jobs').set(AS.client).send(echo)],
      ['enqueueJob', await request(t.url).post('/api/jobs').set(AS.client).send({ ...echo, idempotencyKey: 'doc-1' })],
      ['enqueueJob', await request(t.url).post('/api/jobs').set(AS.client).send({ ...echo, idempotencyKey: 'doc-1' })],
      ['enqueueJob', await request(t.url).post('/api/jobs').send(echo)],
      ['enqueueJob', await request(t.url).post('/api/jobs').set(bearer(SCOPED)).send({ worker: 'DataProcessingWorker', args: { userId: 1 } })],
      ['enqueueJobs', await request(t.url).post('/api/jobs/bulk').set(bearer(SCOPED)).send({ jobs: [echo, { worker: 'FlakyWorker' }] })],
      ['enqueueJob', await request(t.url).post('/api/jobs').set(bearer(SLOW)).send(echo)],
      ['enqueueJob', await request(t.url).post('/api/jobs').set(bearer(SLOW)).send(echo)],
      ['getJob', await request(t.url).get('/api/jobs/not-mine').set(bearer(SLOW))],
      ['pauseQueue', await request(t.url).post('/api/queues/low/pause').set(AS.client)],
      ['getDashboard', await request(t.url).get('/admin/queues')],
      ['getDashboard', await request(t.url).get('/admin/queues').set(basic(CLIENT_TOKEN))],
    ];
    expect(answers.map(([, res]) => res.status)).toEqual([202, 202, 200, 401, 403, 403, 202, 429, 404, 403, 401, 403]);
    expect(answers.flatMap(([operation, res]) => conforms(operation, res))).toEqual([]);
    // Location is the status URL; the two challenges are the documented ones.
    expect(answers[0][1].headers.location).toBe(answers[0][1].body.statusUrl);
    expect(answers[3][1].headers['www-authenticate']).toBe(resolved(doc, { $ref: '#/components/responses/Unauthorized' }).headers['WWW-Authenticate'].description);
    expect(answers[10][1].headers['www-authenticate']).toBe(resolved(doc, { $ref: '#/components/responses/DashboardUnauthorized' }).headers['WWW-Authenticate'].description);
  });
});
