import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JOB_STATES } from '@bullpen/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { ADMIN_TOKEN, AS, startTestApi, testRegistry, type TestApi } from './support/api';
import { cspViolations, launchChromium, offlineContext } from './support/browser';
import type { JobEvents } from './support/events';
import { startTestStack, type TestStack } from './support/stack';

/** A site on another port of the same host, serving the pages a test gives it. */
class OtherOrigin {
  private readonly pages = new Map<string, string>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OtherOrigin> {
    let site: OtherOrigin | undefined;
    const server = createServer((req, res) => {
      const html = site?.pages.get(req.url ?? '');
      res.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html' }).end(html ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    site = new OtherOrigin(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return site;
  }

  page(path: string, html: string): string {
    this.pages.set(path, html);
    return `${this.url}${path}`;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }
}

const LOGIN = { httpCredentials: { username: 'ops', password: ADMIN_TOKEN } };

/** Adds a job to `low` as the dashboard page's own script would (a string: the tests' lib has no DOM types). */
function addFromPage(page: Page): Promise<{ status: number; body: { error?: unknown } }> {
  return page.evaluate(`fetch('api/queues/low/add', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"EchoWorker","data":{"n":1}}' })
    .then(async (r) => ({ status: r.status, body: await r.json() }))`);
}

describe('the dashboard against pages on another origin, in a real browser', () => {
  const registry = testRegistry();
  let t: TestApi;
  let stack: TestStack;
  let low: JobEvents;
  let other: OtherOrigin;
  let browser: Browser;
  let failedJobId: string;

  beforeAll(async () => {
    stack = await startTestStack(registry, 'low');
    ({ api: t, events: low } = stack);
    other = await OtherOrigin.start();
    browser = await launchChromium();
    const { body: job } = await request(t.url).post('/api/jobs').set(AS.client).send({ worker: 'FlakyWorker', args: { label: 'csrf target' } }).expect(202);
    await low.waitFor('failed', job.id);
    failedJobId = job.id;
  });
  afterAll(async () => {
    await browser?.close();
    await other?.close();
    await stack?.close();
  });

  /** A browser logged in to the dashboard (Basic credentials cached), as the admin's would be. */
  async function loggedIn(): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await offlineContext(browser, [t.url, other.url], LOGIN);
    const page = await ctx.newPage();
    expect((await page.goto(`${t.url}/admin/queues`))?.status()).toBe(200);
    return { ctx, page };
  }

  /** What an attack could have changed: jobs per queue and state, the failed job's state, each queue's meta hash. */
  async function redisState() {
    const queues = t.api.queues.all();
    const counts = await Promise.all(queues.map((q) => q.getJobCounts(...JOB_STATES)));
    const metas = await Promise.all(queues.map((q) => t.api.redis.exists(`${t.prefix}:${q.name}:meta`)));
    const failed = await t.api.queues.get('low').getJobState(failedJobId);
    return { counts, metas, failed };
  }

  /** Non-GET dashboard requests the API answered, as `METHOD status` (its request metrics, so nothing in the browser can hide one). */
  async function dashboardChanges(): Promise<string[]> {
    const text = (await request(t.url).get('/metrics').expect(200)).text;
    return [...text.matchAll(/^http_request_duration_seconds_count\{method="(\w+)",route="\/admin\/queues",status="(\d+)"[^}]*\} (\d+)/gm)]
      .filter(([, method]) => method !== 'GET')
      .map(([, method, status, n]) => `${method} ${status} x${n}`);
  }

  /** Dashboard routes that add a job, retry the failed one, and delete the queue with its jobs. */
  const targets = () => {
    const low = `${t.url}/admin/queues/api/queues/low`;
    return { add: `${low}/add`, retry: `${low}/${failedJobId}/retry`, obliterate: `${low}/obliterate` };
  };

  it('refuses text/plain form posts and fetches from another port of the same host; nothing changes in Redis', async () => {
    const before = await redisState();
    expect(before.failed).toBe('failed');
    const { ctx, page } = await loggedIn();

    // A form needs no preflight; text/plain lets its body look like JSON.
    for (const [name, action] of Object.entries(targets())) {
      const url = other.page(`/form-${name}`, `<form method="POST" enctype="text/plain" action="${action}"><input name='{"name":"EchoWorker","data":{"n":1},"x":"' value='"}'></form><script>document.forms[0].submit()</script>`);
      const answer = page.waitForResponse((res) => res.url() === action && res.status() !== 401);
      await page.goto(url);
      const res = await answer;
      expect([name, res.status(), res.request().headers().origin]).toEqual([name, 403, other.url]);
      expect((await res.json()).error.code).toBe('cross_origin_request');
    }

    // fetch() as such a page would call it. Chromium refuses PUT in no-cors mode outright; the
    // no-cors POST is sent, its answer hidden by Cross-Origin-Resource-Policy; the cors-mode PUTs
    // need a preflight, which playwright's request routing answers itself with a yes, so they
    // are sent too: the worst case, a page allowed past CORS.
    const { add, retry, obliterate } = targets();
    const attempt = (url: string, init: string) => `await fetch('${url}', { credentials: 'include', ${init} }).then((r) => 'resolved', (e) => 'rejected: ' + e.name)`;
    await page.goto(other.page('/fetch', `<script>window.outcomes = (async () => ({
      addNoCors: ${attempt(add, `mode: 'no-cors', method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"name":"EchoWorker","data":{"n":1}}'`)},
      retryNoCors: ${attempt(retry, `mode: 'no-cors', method: 'PUT'`)},
      obliterateNoCors: ${attempt(obliterate, `mode: 'no-cors', method: 'PUT', body: '{}'`)},
      retryCors: ${attempt(retry, `method: 'PUT'`)},
      obliterateCors: ${attempt(obliterate, `method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}'`)},
    }))();</script>`));
    const rejected = 'rejected: TypeError';
    expect(await page.evaluate('window.outcomes')).toEqual({ addNoCors: rejected, retryNoCors: rejected, obliterateNoCors: rejected, retryCors: rejected, obliterateCors: rejected });

    // What reached the API, by its own request metrics: the three forms and the no-cors add, the
    // cors PUTs, all refused 403 (with the cached login, so not for want of credentials).
    const changes = await dashboardChanges();
    expect(changes).toContain('POST 403 x4');
    expect(changes.filter((c) => !c.startsWith('OPTIONS ') && !/ 403 /.test(c))).toEqual([]);
    expect(await redisState()).toEqual(before);
    await ctx.close();
  }, 60_000);

  it('cannot be framed: the frame gets no dashboard', async () => {
    const { ctx, page } = await loggedIn();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(m.text()));
    const framed = `${t.url}/admin/queues`;
    const answer = page.waitForResponse((res) => res.url() === framed && res.status() === 200);
    await page.goto(other.page('/frame', `<iframe src="${framed}" onload="document.title = 'frame loaded'"></iframe>`));
    const res = await answer;
    expect(res.headers()['x-frame-options']).toBe('DENY');
    expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.waitForFunction("document.title === 'frame loaded'");

    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame).toBeDefined();
    expect(frame!.url()).not.toBe(framed);
    expect(await frame!.locator('#__UI_CONFIG__, aside').count()).toBe(0);
    expect(await frame!.content()).not.toContain('Bullpen');
    expect(messages.some((text) => /frame-ancestors|X-Frame-Options/.test(text))).toBe(true);
    await ctx.close();
  });

  it('works under its CSP, which blocks scripts injected from elsewhere; a disabled action answers 403 and the page says why', async () => {
    const { ctx, page } = await loggedIn();
    const violations = await cspViolations(page);
    await page.goto(`${t.url}/admin/queues/queue/low`);
    for (const name of ['critical', 'default', 'low']) await page.locator('aside').getByRole('link', { name, exact: true }).waitFor();

    // Empty the queue from its menu: the "clean" action, off by default.
    const before = await redisState();
    await page.locator('main button[aria-haspopup=menu]').click();
    await page.getByRole('menuitem', { name: 'Empty' }).click();
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/queues/low/empty'));
    await page.getByRole('button', { name: 'Confirm' }).click();
    expect((await answer).status()).toBe(403);
    await page.getByText('Action disabled').waitFor();
    await page.getByText(`the dashboard's "clean" action is off`).waitFor();
    // Adding a job from the page itself: the "add" action, off too.
    const added = await addFromPage(page);
    expect(added.status).toBe(403);
    expect(added.body.error).toMatchObject({ code: 'dashboard_action_disabled', details: { action: 'add' } });
    expect(await redisState()).toEqual(before);
    expect(violations).toEqual([]);

    // What an injected script would try: one from another origin, one inline. Both are blocked, and reported.
    const reported = (what: string) => page.waitForEvent('console', (m) => m.text().startsWith(`csp violation: script-src-elem blocked ${what}`));
    const both = Promise.all([reported('https://evil.example/steal.js'), reported('inline')]);
    const ran = await page.evaluate(`{
      const external = document.createElement('script');
      external.src = 'https://evil.example/steal.js';
      const inline = document.createElement('script');
      inline.textContent = 'window.pwned = true';
      document.head.append(external, inline);
      window.pwned ?? false;
    }`);
    expect(ran).toBe(false);
    await both;
    expect(violations).toHaveLength(2);
    await ctx.close();
  });

  it('with DASHBOARD_ACTIONS=add, adds a job asked from its own page', async () => {
    const t2 = await startTestApi({ registry, env: { DASHBOARD_ACTIONS: 'add' } });
    try {
      const ctx = await offlineContext(browser, [t2.url], LOGIN);
      const page = await ctx.newPage();
      await page.goto(`${t2.url}/admin/queues`);
      expect((await addFromPage(page)).status).toBe(200);
      expect(await t2.countJobs()).toBe(1);
      await ctx.close();
    } finally {
      await t2.close();
    }
  });
});
