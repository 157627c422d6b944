import request from 'supertest';
import { DASHBOARD_PATH } from '../src/routes/dashboard';
import { ADMIN_TOKEN, AS, CLIENT_TOKEN, startTestApi, type TestApi } from './support/api';
import { appRoutes, OPEN_ROUTES, routeName, serves } from './support/routes';

type Role = 'client' | 'admin';

/** Every bearer-protected route (see services/api/README.md), with the role it needs; checked against the router below. */
const ROUTES: Array<{ method: 'get' | 'post' | 'delete'; path: string; role: Role; body?: object }> = [
  { method: 'post', path: '/api/jobs', role: 'client', body: { worker: 'DataProcessingWorker', args: { userId: 1 } } },
  { method: 'post', path: '/api/jobs/bulk', role: 'client', body: { jobs: [{ worker: 'DataProcessingWorker', args: { userId: 1 } }] } },
  { method: 'get', path: '/api/jobs/no-such-job', role: 'client' },
  { method: 'post', path: '/api/jobs/no-such-job/retry', role: 'admin' },
  { method: 'delete', path: '/api/jobs/no-such-job', role: 'admin' },
  { method: 'get', path: '/api/queues', role: 'client' },
  { method: 'get', path: '/api/queues/backlog', role: 'client' },
  { method: 'post', path: '/api/queues/low/pause', role: 'admin' },
  { method: 'post', path: '/api/queues/low/resume', role: 'admin' },
  { method: 'get', path: '/api/workers', role: 'client' },
];

const CALLERS: Array<{ caller: string; headers: Record<string, string>; expect: (route: Role) => 'denied' | 'forbidden' | 'allowed' }> = [
  { caller: 'no token', headers: {}, expect: () => 'denied' },
  { caller: 'a wrong token', headers: { Authorization: `Bearer ${CLIENT_TOKEN.replace(/.$/, 'X')}` }, expect: () => 'denied' },
  { caller: 'a token of another length', headers: { Authorization: `Bearer ${CLIENT_TOKEN}x` }, expect: () => 'denied' },
  { caller: 'a Basic header', headers: { Authorization: `Basic ${Buffer.from(`u:${ADMIN_TOKEN}`).toString('base64')}` }, expect: () => 'denied' },
  { caller: 'a client token', headers: AS.client, expect: (role) => (role === 'admin' ? 'forbidden' : 'allowed') },
  { caller: 'an admin token', headers: AS.admin, expect: () => 'allowed' },
];

const MATRIX = ROUTES.flatMap((route) => CALLERS.map((c) => ({ ...route, ...c, outcome: c.expect(route.role) })));

describe('auth', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
  });
  afterEach(async () => {
    await t.close();
  });

  it.each(MATRIX)('$method $path with $caller is $outcome', async ({ method, path, body, headers, outcome }) => {
    const res = await request(t.url)[method](path).set(headers).send(body);
    if (outcome === 'denied') {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="bullpen"');
      expect(res.body.error.code).toBe('unauthorized');
    } else if (outcome === 'forbidden') {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: 'this route needs the admin role' } });
    } else {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('covers every bearer route of the router, so the matrix cannot miss a new one', () => {
    const bearer = appRoutes(t.api.app).filter((r) => !r.path.startsWith(DASHBOARD_PATH) && !OPEN_ROUTES.includes(routeName(r)));
    expect(bearer.filter((r) => !ROUTES.some((x) => serves(r, x.method, x.path))).map(routeName)).toEqual([]);
    expect(ROUTES.filter((x) => !bearer.some((r) => serves(r, x.method, x.path))).map((x) => `${x.method} ${x.path}`)).toEqual([]);
  });

  it('checks the token before reading the body', async () => {
    const res = await request(t.url).post('/api/jobs').set('Content-Type', 'application/json').send('{not json');
    expect(res.status).toBe(401);
  });

  it.each(OPEN_ROUTES)('leaves %s open', async (route) => {
    const res = await request(t.url).get(route.split(' ')[1]);
    expect(res.status).toBe(200);
  });

  describe('dashboard (Basic auth, password = admin token)', () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

    it('asks anonymous callers to log in', async () => {
      const res = await request(t.url).get('/admin/queues');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="bullpen dashboard"/);
      expect(res.body.error.code).toBe('unauthorized');
    });

    it('refuses a wrong password and a bearer token', async () => {
      expect((await request(t.url).get('/admin/queues').set('Authorization', basic('ops', 'nope-nope-nope-nope'))).status).toBe(401);
      expect((await request(t.url).get('/admin/queues').set(AS.admin)).status).toBe(401);
    });

    it('forbids a client token', async () => {
      const res = await request(t.url).get('/admin/queues').set('Authorization', basic('app', CLIENT_TOKEN));
      expect(res.status).toBe(403);
    });

    it('lets an admin token in with any username, pages and API alike', async () => {
      const page = await request(t.url).get('/admin/queues').set('Authorization', basic('anyone', ADMIN_TOKEN));
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const api = await request(t.url).get('/admin/queues/api/queues').set('Authorization', basic('', ADMIN_TOKEN));
      expect(api.status).toBe(200);
      expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['critical', 'default', 'low']);
      expect((await request(t.url).get('/admin/queues/api/queues')).status).toBe(401);
    });

    it('refuses cross-site changes even with credentials', async () => {
      const res = await request(t.url)
        .put('/admin/queues/api/queues/low/pause')
        .set('Authorization', basic('ops', ADMIN_TOKEN))
        .set('Sec-Fetch-Site', 'cross-site');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('cross_origin_request');
    });
  });
});
