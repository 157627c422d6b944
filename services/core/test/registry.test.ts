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
    expect(() => registry.get('Nope')).toThrow(new UnknownWorkerError('Nope'));
    expect(() => registry.get('Nope')).toThrow('unknown worker "Nope"; known workers: none');
  });

  describe('an unknown worker name', () => {
    class DataProcessingWorker extends Worker<void> {
      perform() {}
    }
    class ExportWorker extends Worker<void> {
      perform() {}
    }
    class HealthCheckWorker extends Worker<void> {
      static override internal = true;
      perform() {}
    }
    const registry = new WorkerRegistry([ExportWorker, HealthCheckWorker, DataProcessingWorker]);
    const thrown = (name: string, visible?: (cls: WorkerClass) => boolean) => {
      try {
        registry.get(name, visible);
      } catch (err) {
        return err as UnknownWorkerError;
      }
      throw new Error(`${name} was found`);
    };

    it('lists the public workers and suggests the closest by edit distance', () => {
      const err = thrown('DataProcesingWorker');
      expect(err.message).toBe('unknown worker "DataProcesingWorker" (did you mean DataProcessingWorker?); known workers: DataProcessingWorker, ExportWorker');
      expect(err).toMatchObject({ worker: 'DataProcesingWorker', suggestion: 'DataProcessingWorker', known: ['DataProcessingWorker', 'ExportWorker'] });
    });

    it('never names an internal worker, even as the suggestion', () => {
      const err = thrown('HealthChekWorker');
      expect(err.message).toBe('unknown worker "HealthChekWorker"; known workers: DataProcessingWorker, ExportWorker');
      expect(err.suggestion).toBeUndefined();
    });

    it('lists what the caller may see when asked to', () => {
      expect(thrown('HealthChekWorker', () => true).message).toBe(
        'unknown worker "HealthChekWorker" (did you mean HealthCheckWorker?); known workers: DataProcessingWorker, ExportWorker, HealthCheckWorker',
      );
      expect(thrown('Export', (cls) => cls.name === 'ExportWorker').message).toBe('unknown worker "Export"; known workers: ExportWorker');
    });

    it.each([
      ['a different case', 'exportworker', 'ExportWorker'],
      ['a missing letter', 'ExprtWorker', 'ExportWorker'],
      ['two swapped letters', 'EpxortWorker', 'ExportWorker'],
      ['nothing alike', 'Mailer', undefined],
      ['a name 10000 characters long', 'E'.repeat(10_000), undefined],
    ])('suggests only a likely typo: %s', (_case, name, suggestion) => {
      expect(thrown(name).suggestion).toBe(suggestion);
    });
  });

  it('lists the first 20 known workers and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => `Job${String(i).padStart(2, '0')}Worker`);
    expect(new UnknownWorkerError('Nope', many).message).toBe(`unknown worker "Nope"; known workers: ${many.slice(0, 20).join(', ')} and 5 more`);
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
