import request from 'supertest';
import { z } from 'zod';
import { schemas } from '../src';
import { DASHBOARD_PATH } from '../src/routes/dashboard';
import { ADMIN_TOKEN, AS, startTestApi, type TestApi } from './support/api';
import { appRoutes, routeName } from './support/routes';

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || l.startsWith(`${name}{${labels},`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('health, metrics and OpenAPI', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
  });
  afterEach(async () => {
    await t.close();
  });

  it('answers /healthz and /readyz', async () => {
    expect((await request(t.url).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    expect((await request(t.url).get('/readyz').expect(200)).body).toEqual({ status: 'ready' });
  });

  describe('/metrics', () => {
    it('labels request durations with the route pattern, not the raw path', async () => {
      const { body } = await request(t.url).post('/api/jobs').set(AS.client).send({ worker: 'DataProcessingWorker', args: { userId: 5 } }).expect(202);
      await request(t.url).get(`/api/jobs/${body.id}`).set(AS.client).expect(200);
      await request(t.url).get('/api/jobs/some-other-id').set(AS.client).expect(404);
      await request(t.url).get('/no/such/path').expect(404);
      await request(t.url).get('/admin/queues/api/queues').auth('ops', ADMIN_TOKEN).expect(200);
      const res = await request(t.url).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.text;
      expect(sample(text, 'http_request_duration_seconds_count', 'method="POST",route="/api/jobs",status="202"')).toBe(1);
      expect(sample(text, 'http_request_duration_seconds_count', 'method="GET",route="/api/jobs/:id",status="200"')).toBe(1);
      expect(sample(text, 'http_request_duration_seconds_count', 'method="GET",route="/api/jobs/:id",status="404"')).toBe(1);
      expect(sample(text, 'http_request_duration_seconds_count', 'method="GET",route="unmatched",status="404"')).toBe(1);
      expect(sample(text, 'http_request_duration_seconds_count', 'method="GET",route="/admin/queues",status="200"')).toBe(1);
      expect(text).not.toContain(body.id);
      expect(text).not.toContain('/no/such/path');
    });

    it('exports the core metrics: enqueued counter, queue gauges read from Redis at scrape time, process metrics', async () => {
      await request(t.url).post('/api/jobs').set(AS.client).send({ worker: 'EchoWorker', args: { n: 1 } }).expect(202);
      // Enqueued behind the API's back: only a scrape-time read of Redis can see it.
      await t.api.queues.get('critical').add('EchoWorker', { n: 2 }, { jobId: 'outside-1' });
      await t.api.queues.get('low').pause();
      const text = (await request(t.url).get('/metrics').expect(200)).text;
      expect(sample(text, 'bullpen_jobs_enqueued_total', 'queue="critical",worker="EchoWorker"')).toBe(1);
      expect(sample(text, 'bullpen_queue_jobs', 'queue="critical",state="waiting"')).toBe(2);
      expect(sample(text, 'bullpen_queue_paused', 'queue="low"')).toBe(1);
      expect(sample(text, 'bullpen_queue_paused', 'queue="critical"')).toBe(0);
      expect(sample(text, 'bullpen_queue_oldest_waiting_seconds', 'queue="critical"')).toBeGreaterThanOrEqual(0);
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    });
  });

  describe('/openapi.json', () => {
    let doc: {
      openapi: string;
      paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    beforeEach(async () => {
      doc = (await request(t.url).get('/openapi.json').expect(200)).body;
    });

    it('documents every route of the router: each of the API, and the dashboard as its page', () => {
      expect(doc.openapi).toBe('3.1.0');
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      const routed = appRoutes(t.api.app)
        .filter((r) => !r.path.startsWith(DASHBOARD_PATH) && r.path !== '/openapi.json')
        .map((r) => routeName(r).replace(/:(\w+)/g, '{$1}'));
      expect(operations.sort()).toEqual([...routed, `GET ${DASHBOARD_PATH}`].sort());
      expect(doc.paths['/api/jobs'].post.security).toEqual([{ bearerAuth: [] }]);
      expect(doc.paths['/healthz'].get.security).toEqual([]);
      expect(Object.keys(doc.paths['/api/jobs'].post.responses).sort()).toEqual(['200', '202', '400', '401', '403', '404', '409', '413', '415', '422', '429', '500', '503']);
    });

    it('is generated from the zod schemas that validate requests', () => {
      const { $schema: _dialect, ...enqueue } = z.toJSONSchema(schemas.EnqueueRequest, { io: 'input', unrepresentable: 'any' });
      expect(doc.components.schemas.EnqueueRequest).toEqual(enqueue);
      expect(doc.components.schemas.EnqueueRequest).toMatchObject({
        additionalProperties: false,
        required: ['worker'],
        properties: { delaySeconds: { type: 'number', minimum: 0 }, runAt: { type: 'string', format: 'date-time' } },
      });
      expect(doc.components.schemas.DataProcessingWorkerArgs).toMatchObject({ required: ['userId'] });
      expect(doc.components.schemas.EchoWorkerArgs).toMatchObject({ properties: { n: { type: 'integer' } } });
    });
  });
});
