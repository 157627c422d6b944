import request, { type Response } from 'supertest';
import { ADMIN_TOKEN, AS, startTestApi, type TestApi } from './support/api';

const COMMON = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};
/** The dashboard's HTML only (OWASP's REST guidance asks the four others of JSON answers). */
const DOCUMENT = {
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

describe('security headers', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(() => t.close());

  const get = (path: string, headers: Record<string, string> = {}) => request(t.url).get(path).set(headers);
  const admin = { Authorization: `Basic ${Buffer.from(`ops:${ADMIN_TOKEN}`).toString('base64')}` };

  function expectCommon(res: Response): void {
    expect(res.headers).toMatchObject(COMMON);
    expect(res.headers['x-powered-by']).toBeUndefined();
  }
  const expectDocument = (res: Response) => expect(res.headers).toMatchObject(DOCUMENT);

  it.each([
    ['an API route', '/api/workers', AS.client, 200],
    ['an API route refused for want of a token', '/api/jobs/abc', {}, 401],
    ['an unknown API job', '/api/jobs/abc', AS.client, 404],
    ['an unknown route', '/no/such/route', {}, 404],
    ['an unknown route in other case', '/ADMIN', {}, 404],
    ['/healthz', '/healthz', {}, 200],
    ['/readyz', '/readyz', {}, 200],
    ['/metrics', '/metrics', {}, 200],
    ['/openapi.json', '/openapi.json', {}, 200],
  ])('%s: nosniff, no framing, the CSP that loads nothing, no-store', async (_name, path, headers, status) => {
    const res = await get(path, headers);
    expect(res.status).toBe(status);
    expectCommon(res);
    for (const name of Object.keys(DOCUMENT)) expect(res.headers[name]).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe(API_CSP);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  describe('the dashboard', () => {
    let page: Response;
    beforeAll(async () => {
      page = await get('/admin/queues', admin);
    });
    const csp = () => page.headers['content-security-policy'];

    it('its page: all of them, a CSP that allows only its own scripts and never framing, no-store', () => {
      expect(page.status).toBe(200);
      expectCommon(page);
      expectDocument(page);
      expect(page.headers['cache-control']).toBe('no-store');
      const directives = csp().split('; ');
      for (const d of ["default-src 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"]) {
        expect(directives).toContain(d);
      }
      expect(csp()).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    });

    it.each([
      ['its login challenge', '/admin/queues', {}, 401],
      ['its page in other case', '/Admin/Queues/', 'admin', 200],
      ['its data route', '/admin/queues/api/queues', 'admin', 200],
      ['a refused change', '/admin/queues/api/queues/low/obliterate', 'admin', 403],
    ])('%s: the same headers', async (_name, path, who, status) => {
      const req = path.endsWith('obliterate') ? request(t.url).put(path).set(admin).set('Origin', t.url) : get(path, who === 'admin' ? admin : {});
      const res = await req;
      expect(res.status).toBe(status);
      expectCommon(res);
      expectDocument(res);
      expect(res.headers['content-security-policy']).toBe(csp());
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('its static files: the same headers, and Bull Board keeps its own caching of them', async () => {
      const css = /href="(static\/css\/[^"]+\.css)"/.exec(page.text)?.[1];
      expect(css).toBeDefined();
      const res = await get(`/admin/queues/${css}`, admin);
      expect(res.status).toBe(200);
      expectCommon(res);
      expectDocument(res);
      expect(res.headers['content-security-policy']).toBe(csp());
      expect(res.headers['cache-control']).not.toBe('no-store');
    });
  });
});
