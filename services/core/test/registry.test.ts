import { join } from 'node:path';
import { UnknownWorkerError, Worker, WorkerDefinitionError, WorkerRegistry, type WorkerClass } from '@bullpen/core';

describe('WorkerRegistry', () => {
  it('discovers every exported Worker subclass in a directory, by class name, skipping other exports and test files', () => {
    const registry = WorkerRegistry.discover(join(__dirname, 'fixtures', 'workers'));
    expect(registry.list().map((w) => w.name)).toEqual(['EmailWorker', 'NightlyReportWorker']);
    expect(registry.get('EmailWorker').queue).toBe('critical');
    expect(registry.scheduled().map((w) => w.name)).toEqual(['NightlyReportWorker']);
  });

  it('knows the module file each discovered or loaded class came from, so another process can load it', () => {
    const dir = join(__dirname, 'fixtures', 'workers');
    const discovered = WorkerRegistry.discover(dir);
    expect(discovered.modulePathOf(discovered.get('EmailWorker'))).toBe(join(dir, 'email-worker.ts'));
    const loaded = WorkerRegistry.fromModules([join(dir, 'report-worker.ts')]);
    expect(loaded.list().map((w) => w.name)).toEqual(['NightlyReportWorker']);
    expect(loaded.modulePathOf(loaded.get('NightlyReportWorker'))).toBe(join(dir, 'report-worker.ts'));
    expect(new WorkerRegistry(loaded.list()).modulePathOf(loaded.get('NightlyReportWorker'))).toBeUndefined();
  });

  it.each(['inline', 'process', undefined])('accepts isolation %s', (isolation) => {
    class IsolatedWorker extends Worker<void> {
      static override isolation = isolation as 'inline' | 'process' | undefined;
      perform() {}
    }
    expect(new WorkerRegistry([IsolatedWorker]).get('IsolatedWorker').isolation).toBe(isolation);
  });

  it('refuses an unknown worker name with UnknownWorkerError', () => {
    const registry = new WorkerRegistry([]);
    expect(() => registry.get('Nope')).toThrow(UnknownWorkerError);
  });

  it.each([
    ['a queue outside critical/default/low', { queue: 'urgent' }, /static queue "urgent"/],
    ['negative maxRetries', { maxRetries: -1 }, /maxRetries/],
    ['a 6-field cron', { cronSchedule: '0 0 2 * * *' }, /5 fields/],
    ['an invalid cron', { cronSchedule: '61 * * * *' }, /cronSchedule "61 \* \* \* \*"/],
    ['a zero backoff cap', { retryBackoffMax: 0 }, /retryBackoffMax/],
    ['an isolation other than inline/process', { isolation: 'thread' }, /static isolation "thread" is not one of inline, process/],
  ])('refuses a worker class with %s', (_case, statics, message) => {
    class BadWorker extends Worker<void> {
      perform() {}
    }
    Object.assign(BadWorker, statics);
    expect(() => new WorkerRegistry([BadWorker as WorkerClass])).toThrow(WorkerDefinitionError);
    expect(() => new WorkerRegistry([BadWorker as WorkerClass])).toThrow(message);
  });

  it('refuses two different classes with the same name', () => {
    const make = () =>
      class SameWorker extends Worker<void> {
        perform() {}
      };
    expect(() => new WorkerRegistry([make(), make()])).toThrow(/two Worker classes are named SameWorker/);
  });
});
