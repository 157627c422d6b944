import { appRoutes, buildHistoryRoutes } from '@bull-board/api/dist/routes.js';
import type { MetricsHistoryProvider } from '@bull-board/api/typings/app';
import request from 'supertest';
import { DASHBOARD_ACTIONS } from '../src';
import { DASHBOARD_ROUTES } from '../src/dashboard-actions';
import { ADMIN_TOKEN, startTestApi, type TestApi } from './support/api';

/** Every route Bull Board can serve, the history ones as a provider with every capability adds them. */
function boardRoutes(): string[] {
  const provider: MetricsHistoryProvider = { getHistory: async () => [], getLatency: async () => [], getUsage: async () => ({}) as never, purge: async () => ({}) as never };
  const history = buildHistoryRoutes(provider, { hasUsage: true, canPurge: true, hasLatency: true });
  return [appRoutes.entryPoint, ...appRoutes.api, ...history].flatMap((r) =>
    [r.method].flat().flatMap((method) => [r.route].flat().map((path) => `${method.toUpperCase()} ${path}`)),
  );
}

const mapped = Object.values(DASHBOARD_ROUTES).flat();
/** A concrete path for a route pattern. */
const PARAMS: Record<string, string> = { queueName: 'low', jobId: 'no-such-job', queueStatus: 'failed', schedulerId: 'no-such-scheduler' };
const concrete = (pattern: string) => `/admin/queues${pattern.replace(/:(\w+)/g, (_, name: string) => PARAMS[name])}`;
const ROUTES = Object.entries(DASHBOARD_ROUTES).flatMap(([action, routes]) => routes.map((route) => [route, action] as const));
/** The purge route exists only with a history provider, which Bullpen does not configure. */
const SERVED = ROUTES.filter(([route]) => !route.includes('/metrics/history'));

describe("Bull Board's route table", () => {
  it('maps every route that changes something to exactly one action, and names no route Bull Board lacks', () => {
    const unsafe = boardRoutes().filter((r) => !r.startsWith('GET '));
    expect(unsafe.length).toBeGreaterThanOrEqual(24); // Bull Board 9.10 has 24: the walk is not vacuous
    expect(unsafe.filter((r) => !mapped.includes(r))).toEqual([]);
    expect(mapped.filter((r) => !unsafe.includes(r))).toEqual([]);
    expect(new Set(mapped).size).toBe(mapped.length);
    expect(Object.keys(DASHBOARD_ROUTES).sort()).toEqual([...DASHBOARD_ACTIONS].sort());
  });
});

describe('dashboard actions', () => {
  const apis: TestApi[] = [];
  afterAll(() => Promise.all(apis.map((t) => t.close())));
  async function api(actions?: string): Promise<TestApi> {
    const t = await startTestApi({ env: actions === undefined ? {} : { DASHBOARD_ACTIONS: actions } });
    apis.push(t);
    return t;
  }
  /** A change as the dashboard's own page sends it. */
  const change = (t: TestApi, route: string) => {
    const [method, pattern] = route.split(' ');
    return request(t.url)[method.toLowerCase() as 'put'](concrete(pattern)).auth('ops', ADMIN_TOKEN).set('Origin', t.url).set('Sec-Fetch-Site', 'same-origin').send({});
  };

  describe('by default only retries', () => {
    let t: TestApi;
    beforeAll(async () => {
      t = await api();
    });

    it.each(SERVED.filter(([, action]) => action !== 'retry'))('refuses %s (%s) with 403, in the API shape plus the toast fields', async (route, action) => {
      const keysBefore = await t.countKeys();
      const res = await change(t, route);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: { code: 'dashboard_action_disabled', message: `the dashboard's "${action}" action is off; add it to DASHBOARD_ACTIONS (now retry) to allow it`, details: { action }, key: 'Action disabled' },
        message: `the dashboard's "${action}" action is off; add it to DASHBOARD_ACTIONS (now retry) to allow it`,
      });
      expect(await t.countKeys()).toBe(keysBefore);
    });

    it.each(SERVED.filter(([, action]) => action === 'retry'))('lets %s through to Bull Board', async (route) => {
      const res = await change(t, route);
      expect(res.status).not.toBe(403);
      expect(res.body.error?.code).toBeUndefined();
    });

    it('refuses a change on a route it does not know, even one Bull Board would answer 404', async () => {
      for (const [method, path] of [['POST', '/api/queues/low/drain'], ['DELETE', '/api/queues/low'], ['PUT', '/'], ['PROPFIND', '/api/queues']]) {
        const res = await request(t.url)[method.toLowerCase() as 'put'](`/admin/queues${path}`).auth('ops', ADMIN_TOKEN).set('Origin', t.url);
        expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 403, 'dashboard_action_unknown']);
      }
    });

    it('refuses a path that is also a retry unless every route it matches is allowed', async () => {
      // "clean all retry-status jobs" and "retry the job named clean" are the same path.
      const res = await change(t, 'PUT /api/queues/:queueName/clean/retry');
      expect(res.status).toBe(403);
      expect(res.body.error.details).toEqual({ action: 'clean' });
    });

    it('still serves reads', async () => {
      const res = await request(t.url).get('/admin/queues/api/queues').auth('ops', ADMIN_TOKEN).expect(200);
      expect(res.body.queues.map((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toEqual([false, false, false]);
    });
  });

  it('DASHBOARD_ACTIONS=none refuses retries too and makes Bull Board read-only, hiding its buttons', async () => {
    const t = await api('none');
    for (const [route] of SERVED) expect((await change(t, route)).status).toBe(403);
    const res = await request(t.url).get('/admin/queues/api/queues').auth('ops', ADMIN_TOKEN).expect(200);
    expect(res.body.queues.map((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toEqual([true, true, true]);
  });

  it('with every action on, a change on an unknown route is still refused', async () => {
    const t = await api(DASHBOARD_ACTIONS.join(','));
    expect((await change(t, 'PUT /api/queues/:queueName/:jobId/retry')).status).not.toBe(403);
    const res = await request(t.url).post('/admin/queues/api/queues/low/drain').auth('ops', ADMIN_TOKEN).set('Origin', t.url);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'dashboard_action_unknown', key: 'Action unknown' });
  });
});

describe('dashboard changes from another origin', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ env: { DASHBOARD_ACTIONS: 'retry,add' } });
  });
  afterAll(() => t.close());
  const add = () => request(t.url).post('/admin/queues/api/queues/low/add').auth('ops', ADMIN_TOKEN).send({ name: 'EchoWorker', data: { n: 1 } });

  it.each([
    ['no Origin', {}],
    ['another port of the same host', { Origin: 'http://127.0.0.1:1' }],
    ['another host', { Origin: 'http://evil.example' }],
    ['Origin: null', { Origin: 'null' }],
    ['a malformed Origin', { Origin: '::' }],
    ['the right Origin but Sec-Fetch-Site: same-site', { Origin: 'self', 'Sec-Fetch-Site': 'same-site' }],
    ['the right Origin but Sec-Fetch-Site: cross-site', { Origin: 'self', 'Sec-Fetch-Site': 'cross-site' }],
  ])('are refused with 403 cross_origin_request: %s', async (_name, headers: Record<string, string>) => {
    const res = await add().set(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'self' ? t.url : v])));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'cross_origin_request', key: 'Cross-origin request' });
    expect(res.body.message).toMatch(/must come from the dashboard page itself/);
    expect(await t.countJobs()).toBe(0);
  });

  it('pass from the same origin (host and port), with or without Sec-Fetch-Site', async () => {
    await add().set('Origin', t.url).set('Sec-Fetch-Site', 'same-origin').expect(200);
    await add().set('Origin', t.url).expect(200);
    expect(await t.countJobs()).toBe(2);
  });

  it('reads need no Origin', async () => {
    await request(t.url).get('/admin/queues/api/queues').auth('ops', ADMIN_TOKEN).set('Sec-Fetch-Site', 'cross-site').expect(200);
  });
});
