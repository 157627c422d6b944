import request from 'supertest';
import { DASHBOARD_PATH } from '../src/routes/dashboard';
import { ADMIN_TOKEN, AS, startTestApi, type TestApi } from './support/api';
import { appRoutes, OPEN_ROUTES, routeName, type AppRoute } from './support/routes';

/** A request to a route that is malformed in one way, and the 4xx it must get (with an admin token, valid everywhere). */
interface Malformed {
  /** The path to send, `?query` included; default the route's own. */
  path: string;
  body?: object;
  status: number;
  code: string;
}

/** For a route that reads no path parameter, query or body: nothing to get wrong but the token. */
const NO_INPUT = 'no input';

/**
 * Every bearer route of the API and how a malformed request to it is refused. A route missing
 * here fails the test, so a new route comes with its 4xx path (and its auth, checked below).
 */
const MALFORMED: Record<string, Malformed | typeof NO_INPUT> = {
  'POST /api/jobs': { path: '/api/jobs', body: { worker: 'NoSuchWorker' }, status: 404, code: 'unknown_worker' },
  'POST /api/jobs/bulk': { path: '/api/jobs/bulk', body: { jobs: [{ worker: 'EchoWorker', args: { n: 'one' } }] }, status: 422, code: 'invalid_args' },
  'GET /api/jobs/:id': { path: '/api/jobs/x?queue=urgent', status: 400, code: 'invalid_request' },
  'POST /api/jobs/:id/retry': { path: '/api/jobs/%E0%A4%A/retry', status: 400, code: 'invalid_request' },
  'DELETE /api/jobs/:id': { path: '/api/jobs/meta', status: 404, code: 'job_not_found' },
  'GET /api/queues': NO_INPUT,
  'GET /api/queues/backlog': { path: '/api/queues/backlog?queues=urgent', status: 400, code: 'invalid_request' },
  'POST /api/queues/:name/pause': { path: '/api/queues/urgent/pause', status: 404, code: 'queue_not_found' },
  'POST /api/queues/:name/resume': { path: '/api/queues/%ZZ/resume', status: 400, code: 'invalid_request' },
  'GET /api/workers': NO_INPUT,
};

const isDashboard = (route: AppRoute): boolean => route.path.startsWith(DASHBOARD_PATH);
const isOpen = (route: AppRoute): boolean => OPEN_ROUTES.includes(routeName(route));
/** The route's path with every parameter filled in: `first` for the first, `x` for the others. */
const fill = (route: AppRoute, first = 'x'): string => {
  let n = 0;
  return route.path.replace(/:\w+/g, () => (n++ === 0 ? first : 'x'));
};
const send = (t: TestApi, method: string, path: string) => request(t.url)[method.toLowerCase() as 'get'](path);

describe('every route of the router', () => {
  let t: TestApi;
  let routes: AppRoute[];
  beforeAll(async () => {
    t = await startTestApi();
    routes = appRoutes(t.api.app);
  });
  afterAll(() => t.close());

  it('finds the API, the open routes and the dashboard in the router', () => {
    expect(routes.filter((r) => !isDashboard(r) && !isOpen(r)).length).toBe(Object.keys(MALFORMED).length);
    expect(OPEN_ROUTES.filter((name) => !routes.some((r) => routeName(r) === name))).toEqual([]);
    // Bull Board's pages, its data routes and the action gate in front of them.
    expect(routes.filter(isDashboard).length).toBeGreaterThan(30);
  });

  it('answers 401 without credentials, except the open routes; the dashboard asks for Basic', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const res = await send(t, route.method, fill(route));
      const expected = isOpen(route) ? 'not 401' : isDashboard(route) ? '401 Basic' : '401 Bearer';
      const got = res.status !== 401 ? 'not 401' : `401 ${res.headers['www-authenticate']?.split(' ')[0]}`;
      if (got !== expected) wrong.push(`${routeName(route)}: ${got}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it('has an entry for every bearer route, and no stale one', () => {
    const bearer = routes.filter((r) => !isDashboard(r) && !isOpen(r)).map(routeName);
    expect(bearer.filter((name) => !(name in MALFORMED))).toEqual([]);
    expect(Object.keys(MALFORMED).filter((name) => !bearer.includes(name))).toEqual([]);
    // "No input" only where there is no path parameter to get wrong.
    expect(Object.keys(MALFORMED).filter((name) => MALFORMED[name] === NO_INPUT && name.includes(':'))).toEqual([]);
  });

  it('refuses a malformed request to each bearer route with its 4xx, with a valid token', async () => {
    const wrong: string[] = [];
    for (const [name, entry] of Object.entries(MALFORMED)) {
      if (entry === NO_INPUT) continue;
      const res = await send(t, name.split(' ')[0], entry.path).set(AS.admin).send(entry.body);
      if (res.status !== entry.status || res.body.error?.code !== entry.code) wrong.push(`${name}: ${res.status} ${res.body.error?.code}`);
    }
    expect(wrong).toEqual([]);
    expect(await t.countJobs()).toBe(0);
  });

  it('refuses a malformed path parameter on each dashboard route with 400, with admin credentials', async () => {
    // As the dashboard's own page sends them: Basic with an admin token, from its own origin.
    const page = {
      authorization: `Basic ${Buffer.from(`ops:${ADMIN_TOKEN}`).toString('base64')}`,
      host: 'bullpen.test', origin: 'http://bullpen.test', 'sec-fetch-site': 'same-origin',
    };
    const wrong: string[] = [];
    for (const route of routes.filter((r) => isDashboard(r) && r.path.includes(':'))) {
      const res = await send(t, route.method, fill(route, '%E0%A4%A')).set(page);
      if (res.status !== 400) wrong.push(`${routeName(route)}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
