import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import request from 'supertest';
import { ADMIN_TOKEN, AS, testRegistry, type TestApi } from './support/api';
import { cspViolations, launchChromium, offlineContext } from './support/browser';
import type { JobEvents } from './support/events';
import { startTestStack, type TestStack } from './support/stack';

const RESULTS = join(__dirname, '../../../test-results');

describe('dashboard in a real browser', () => {
  const registry = testRegistry();
  let t: TestApi;
  let stack: TestStack;
  let low: JobEvents;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack(registry, 'low');
    ({ api: t, events: low } = stack);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const context = (options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> => offlineContext(browser, [t.url], options);

  it('turns away anonymous visitors with 401', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    const statuses: number[] = [];
    page.on('response', (res) => {
      if (new URL(res.url()).pathname === '/admin/queues') statuses.push(res.status());
    });
    // Chromium cancels the Basic challenge it has no credentials for, so the navigation fails.
    await expect(page.goto(`${t.url}/admin/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    expect(statuses).toEqual([401]);
    await ctx.close();
  });

  it('shows an admin the three queues under its CSP; a failed job retried there runs again', async () => {
    const { body: job } = await request(t.url).post('/api/jobs').set(AS.client).send({ worker: 'FlakyWorker', args: { label: 'from the browser test' } }).expect(202);
    await low.waitFor('failed', job.id);

    const ctx = await context({ httpCredentials: { username: 'ops', password: ADMIN_TOKEN } });
    const page = await ctx.newPage();
    const violations = await cspViolations(page);
    const res = await page.goto(`${t.url}/admin/queues`);
    expect(res?.status()).toBe(200);
    const sidebar = page.locator('aside');
    for (const name of ['critical', 'default', 'low']) await sidebar.getByRole('link', { name, exact: true }).waitFor();

    // Open the failed job from the sidebar: low -> its failed list -> the job.
    await sidebar.getByRole('link', { name: 'low', exact: true }).click();
    await page.getByRole('link', { name: /FAILED/ }).click();
    await page.getByRole('link', { name: job.id }).click();
    await page.waitForURL((url) => url.pathname === `/admin/queues/queue/low/${job.id}`);
    await page.getByText('flaky: first attempt fails').first().waitFor();

    await page.locator('button:has(svg.lucide-refresh-cw)').first().click();
    await page.getByText('Are you sure that you want to retry this job?').waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await low.waitFor('completed', job.id);

    const status = await request(t.url).get(`/api/jobs/${job.id}`).set(AS.client).expect(200);
    expect(status.body).toMatchObject({ state: 'completed', result: { attempt: 2 }, error: null });

    await page.goto(`${t.url}/admin/queues`);
    await page.locator('main').getByText('COMPLETED').first().waitFor();
    for (const name of ['critical', 'default', 'low']) await page.locator('main').getByText(name, { exact: true }).first().waitFor();
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'dashboard.png') });
    await page.goto(`${t.url}/admin/queues/queue/low/${job.id}?status=completed`);
    await page.getByText('FlakyWorker').first().waitFor();
    await page.screenshot({ path: join(RESULTS, 'dashboard-job.png') });
    expect(violations).toEqual([]);
    await ctx.close();
  }, 60_000);
});
