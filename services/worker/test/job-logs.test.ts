import { join } from 'node:path';
import { WorkerRegistry } from '@bullpen/core';
import { JOB_LOG_LIMITS } from '../src/job-log';
import { InlineLoggingWorker, IsolatedLoggingWorker } from './fixtures/logging-workers';
import { harness, type Harness } from './harness';

/** The logging fixtures, loaded from their module so a job process can load them too. */
const registry = () => WorkerRegistry.fromModules([join(__dirname, 'fixtures', 'logging-workers.ts')]);
const ISO_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

describe("what ctx.logger writes goes to the job's log (the dashboard's Logs tab)", () => {
  let h: Harness;
  beforeEach(() => (h = harness('job-logs')));
  afterEach(() => h.close());

  const logsOf = async (id: string) => (await h.queues.get('default').getJobLogs(id, 0, -1)).logs;

  it.each([
    ['inline', InlineLoggingWorker],
    ['in a job process', IsolatedLoggingWorker],
  ])('%s: every enabled line, in order, with its level and fields, before the job completes', async (_how, cls) => {
    await h.startWorker(registry(), { LOG_LEVEL: 'info' });
    const { id } = await h.producer.enqueue(cls, {});
    await expect(h.finished('default', id)).resolves.toBe('logged');
    const logs = await logsOf(id);
    expect(logs.every((l) => ISO_LINE.test(l))).toBe(true);
    expect(logs.map((l) => l.replace(ISO_LINE, '').replace(/"stack":"[^"]*"/, '"stack":"..."'))).toEqual([
      'INFO rows written {"rows":1000}',
      'WARN slow upload: 1200 ms',
      'ERROR disk nearly full {"err":{"type":"Error","message":"disk nearly full","stack":"..."}}',
    ]);
  });

  it('keeps the lines of a failed attempt', async () => {
    await h.startWorker(registry(), { LOG_LEVEL: 'info' });
    const { id } = await h.producer.enqueue(IsolatedLoggingWorker, { fail: true });
    await expect(h.finished('default', id)).rejects.toThrow('failed after logging');
    expect(await logsOf(id)).toHaveLength(3);
  });

  it.each([
    ['inline', InlineLoggingWorker],
    ['in a job process', IsolatedLoggingWorker],
  ])('%s: keeps the last lines and cuts a huge line to the byte cap', async (_how, cls) => {
    await h.startWorker(registry(), { LOG_LEVEL: 'info' });
    const lines = JOB_LOG_LIMITS.lines + 500;
    const { id } = await h.producer.enqueue(cls, { lines, hugeChars: 10_000 });
    await expect(h.finished('default', id)).resolves.toBe('logged');
    const logs = await logsOf(id);
    expect(logs).toHaveLength(JOB_LOG_LIMITS.lines);
    expect(logs.at(-2)).toMatch(new RegExp(`INFO line \\{"i":${lines}\\}$`));
    expect(logs.at(-1)).toMatch(/ INFO x+\.\.\. \[cut: 10030 bytes\]$/);
    expect(Math.max(...logs.map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(JOB_LOG_LIMITS.lineBytes);
  });
});
