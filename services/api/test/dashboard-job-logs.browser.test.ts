import { Worker, WorkerRegistry, type JobContext } from '@bullpen/core';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { ADMIN_TOKEN, AS, testRegistry, type TestApi } from './support/api';
import { cspViolations, launchChromium, offlineContext } from './support/browser';
import type { JobEvents } from './support/events';
import { startTestStack, type TestStack } from './support/stack';

class InvoiceWorker extends Worker<{ invoices: number }, number> {
  static override maxRetries = 0;
  perform({ invoices }: { invoices: number }, ctx: JobContext) {
    ctx.logger.info({ invoices }, 'invoices sent');
    return invoices;
  }
}

describe("the dashboard's Logs tab in a real browser", () => {
  const registry = new WorkerRegistry([...testRegistry().list(), InvoiceWorker]);
  let t: TestApi;
  let stack: TestStack;
  let events: JobEvents;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack(registry, 'default', { LOG_LEVEL: 'info' });
    ({ api: t, events } = stack);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("shows the line the job's ctx.logger wrote", async () => {
    const { body: job } = await request(t.url).post('/api/jobs').set(AS.client).send({ worker: 'InvoiceWorker', args: { invoices: 17 } }).expect(202);
    await events.waitFor('completed', job.id);
    const ctx = await offlineContext(browser, [t.url], { httpCredentials: { username: 'ops', password: ADMIN_TOKEN } });
    const page = await ctx.newPage();
    const violations = await cspViolations(page);
    await page.goto(`${t.url}/admin/queues/queue/default/${job.id}?status=completed`);
    await page.getByRole('button', { name: 'Logs' }).or(page.getByRole('tab', { name: 'Logs' })).first().click();
    await page.getByText(/INFO invoices sent \{"invoices":17\}/).waitFor();
    expect(await page.getByText('No logs available').count()).toBe(0);
    expect(violations).toEqual([]);
    await ctx.close();
  }, 60_000);
});
