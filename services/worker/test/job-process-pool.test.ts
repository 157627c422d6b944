import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { WorkerRegistry, type WorkerClass } from '@bullpen/core';
import { JobProcessPool, JobProcessPoolClosedError, JobTimeoutError, type IsolatedAttempt, type JobProcessPoolOptions } from '@bullpen/worker';
import { until } from '../../../test/support/deferred';
import * as poison from './fixtures/poison-workers';

const registry = WorkerRegistry.fromModules([join(__dirname, 'fixtures', 'poison-workers.ts')]);

/** The pool's own log lines, parsed, so a test can wait for one. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      listeners.forEach((listener) => listener());
      done();
    },
  });
  const logged = (msg: string) =>
    until(
      (check) => (listeners.add(check), () => listeners.delete(check)),
      () => lines.some((line) => line.msg === msg),
    );
  return { logger: pino({ level: 'debug' }, stream), lines, logged };
}

/** Whether a process with this pid still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('JobProcessPool', () => {
  let pool: JobProcessPool;
  let log: ReturnType<typeof capturedLogger>;
  const start = (opts: Partial<JobProcessPoolOptions> = {}) => {
    log = capturedLogger();
    pool = new JobProcessPool({ size: 2, memoryMb: 64, logLevel: 'silent', apiHealthUrl: 'http://127.0.0.1:1/healthz', logger: log.logger, ...opts });
  };
  afterEach(() => pool.close());

  /** An attempt of `cls`, loaded by the child from the module the registry found it in. */
  const attempt = (cls: WorkerClass, args?: unknown, more: Partial<IsolatedAttempt> = {}): IsolatedAttempt => ({
    modulePath: registry.modulePathOf(registry.get(cls.name))!,
    workerName: cls.name,
    args,
    job: { id: '7', queue: 'default', attempt: 1 },
    timeoutSeconds: cls.timeoutSeconds,
    onProgress: async () => {},
    onLog: () => {},
    signal: new AbortController().signal,
    ...more,
  });
  const pidOf = async () => ((await pool.run(attempt(poison.EchoWorker))) as { pid: number }).pid;

  it('returns the result of perform and passes its progress to onProgress', async () => {
    start();
    const progress: unknown[] = [];
    const result = await pool.run(attempt(poison.EchoWorker, { when: new Date(0), n: 1 }, { onProgress: async (value) => void progress.push(value) }));
    expect(result).toEqual({ args: { when: new Date(0), n: 1 }, pid: expect.any(Number) });
    expect((result as { pid: number }).pid).not.toBe(process.pid);
    expect(progress).toEqual([50, { stage: 'echoing', worker: 'EchoWorker', jobId: '7', attempt: 1 }]);
  });

  it('reuses a child between runs and queues runs beyond its size', async () => {
    start({ size: 1 });
    const [first, second] = await Promise.all([pidOf(), pidOf()]);
    expect(second).toBe(first);
    expect(await pidOf()).toBe(first);
  });

  it('fails a progress report that onProgress rejects in the child too', async () => {
    start();
    const run = pool.run(attempt(poison.EchoWorker, {}, { onProgress: () => Promise.reject(new Error('redis is down')) }));
    await expect(run).rejects.toThrow('redis is down');
  });

  it('keeps the name and message of an error thrown by perform, and the child', async () => {
    start({ size: 1 });
    const pid = await pidOf();
    const err = await pool.run(attempt(poison.ThrowingWorker, { quota: 3 })).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'QuotaExceededError', message: 'quota of 3 exceeded' });
    expect(await pidOf()).toBe(pid);
  });

  it('kills a busy loop at timeoutSeconds with JobTimeoutError, and the next run works', async () => {
    start({ size: 1 });
    const pid = await pidOf();
    const err = await pool.run(attempt(poison.BusyLoopWorker)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(JobTimeoutError);
    expect(err).toHaveProperty('message', 'timed out after 2 s');
    const next = await pidOf();
    expect(next).not.toBe(pid);
    expect(alive(pid)).toBe(false);
  }, 60_000);

  it('fails an attempt whose process exits, and replaces the child', async () => {
    start({ size: 1 });
    await expect(pool.run(attempt(poison.ExitWorker))).rejects.toThrow('job process exited with code 1');
    await expect(pidOf()).resolves.toEqual(expect.any(Number));
  });

  it('fails an attempt that runs out of memory, naming the heap limit', async () => {
    start({ size: 1, memoryMb: 64 });
    await expect(pool.run(attempt(poison.OomWorker))).rejects.toThrow('job process ran out of memory (heap limit 64 MB)');
    await expect(pidOf()).resolves.toEqual(expect.any(Number));
  }, 60_000);

  it('fails the attempt with an unhandled rejection in the child, and replaces the child', async () => {
    start({ size: 1 });
    const pid = await pidOf();
    await expect(pool.run(attempt(poison.StrayRejectionWorker))).rejects.toThrow('stray rejection');
    expect(await pidOf()).not.toBe(pid);
  });

  it('fails a result that cannot be sent back with a clear error', async () => {
    start();
    await expect(pool.run(attempt(poison.UnserializableResultWorker))).rejects.toMatchObject({
      name: 'JobSerializationError',
      message: expect.stringMatching(/^job result cannot be sent to the worker: .*could not be cloned/),
    });
  });

  it('replaces a child that exits while idle, and logs it', async () => {
    start({ size: 1 });
    const pid = (await pool.run(attempt(poison.ExitLaterWorker))) as number;
    await log.logged('job process exited between jobs');
    expect(log.lines.find((line) => line.msg === 'job process exited between jobs')).toMatchObject({ pid, err: { message: 'job process exited with code 3' } });
    expect(await pidOf()).not.toBe(pid);
  });

  it('forwards an abort to ctx.signal in the child', async () => {
    start();
    const controller = new AbortController();
    const run = pool.run(attempt(poison.AbortableWorker, undefined, {
      signal: controller.signal,
      onProgress: async () => controller.abort(new Error('shutting down')),
    }));
    await expect(run).resolves.toBe('aborted: shutting down');
  });

  it('close() kills every child, fails the runs in flight, and refuses later runs', async () => {
    start({ size: 2 });
    const pids = await Promise.all([pidOf(), pidOf()]);
    expect(new Set(pids).size).toBe(2);
    let closing: Promise<void> | undefined;
    const busy = pool.run(attempt(poison.AbortableWorker, undefined, { onProgress: async () => void (closing = pool.close()) }));
    await expect(busy).rejects.toThrow(JobProcessPoolClosedError);
    await closing;
    expect(pids.filter(alive)).toEqual([]);
    await expect(pool.run(attempt(poison.EchoWorker))).rejects.toThrow(JobProcessPoolClosedError);
  });

  it('close() while a child is starting fails the run that waits for it', async () => {
    start();
    const run = pool.run(attempt(poison.EchoWorker));
    await pool.close();
    await expect(run).rejects.toThrow(JobProcessPoolClosedError);
  });
});
