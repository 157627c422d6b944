import {
  closeDefaultProducer, createLogger, createRuntime, defaultProducer, enqueuedJobs, loadCoreConfig, RuntimeStartedError, ShutdownError, waitForRedis, Worker, type RedisConnection, type Runtime,
} from '@bullpen/core';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../../../test/support/redis';

/** Resolves once the connection has ended (quit or dropped); a connection left open fails the test by timing out. */
function ended(connection: RedisConnection): Promise<void> {
  return connection.status === 'end' ? Promise.resolve() : new Promise((resolve) => connection.once('end', () => resolve()));
}

class NoteWorker extends Worker<{ text: string }, void> {
  perform(_args: { text: string }): void {}
}

describe('createRuntime (real Redis)', () => {
  const redis = testRedis();
  let prefix: string;
  let runtimes: Runtime[];
  /** A runtime on this test's prefix; `order` records each part's start and close. */
  const runtime = (order: string[] = []) => {
    const r = createRuntime({ name: 'test', config: loadCoreConfig({ REDIS_URL: TEST_REDIS_URL, BULLPEN_PREFIX: prefix }), logger: createLogger('test', 'silent'), role: 'producer' });
    runtimes.push(r);
    for (const name of ['first', 'second', 'third']) {
      r.use(name, { start: () => order.push(`start ${name}`), close: () => order.push(`close ${name} (redis ${r.connection.status})`) });
    }
    return r;
  };
  beforeEach(() => {
    prefix = uniquePrefix('runtime');
    runtimes = [];
  });
  afterEach(async () => {
    await Promise.allSettled(runtimes.map((r) => r.close()));
    await deletePrefix(redis, prefix);
  });
  afterAll(() => redis.quit());

  it('starts parts in the order added and closes them in reverse, then the Redis connection', async () => {
    const order: string[] = [];
    const r = runtime(order);
    await waitForRedis(r.connection, 5_000);
    await r.start();
    await r.close();
    expect(order).toEqual(['start first', 'start second', 'start third', 'close third (redis ready)', 'close second (redis ready)', 'close first (redis ready)']);
    await ended(r.connection);
  });

  it('runs every close when one throws, then reports the failures together, naming each step', async () => {
    const order: string[] = [];
    const r = runtime(order);
    r.use('broken', { close: () => Promise.reject(new Error('disk on fire')) });
    r.use('also broken', {
      close() {
        throw new Error('no more disk');
      },
    });
    await r.start();
    const closed = r.close();
    await expect(closed).rejects.toThrow(ShutdownError);
    await expect(closed).rejects.toThrow('shutdown steps failed: also broken (no more disk); broken (disk on fire)');
    await expect(closed).rejects.toMatchObject({ failures: [{ step: 'also broken' }, { step: 'broken' }] });
    expect(order.filter((s) => s.startsWith('close'))).toHaveLength(3);
    await ended(r.connection);
  });

  it('closes once however often close() is called', async () => {
    const order: string[] = [];
    const r = runtime(order);
    await r.start();
    const [a, b] = [r.close(), r.close()];
    expect(a).toBe(b);
    await Promise.all([a, b, r.close()]);
    expect(order.filter((s) => s.startsWith('close'))).toHaveLength(3);
  });

  it('closes cleanly before start, and cannot start once closed', async () => {
    const order: string[] = [];
    const r = runtime(order);
    await r.close();
    expect(order.map((step) => step.split(' (')[0])).toEqual(['close third', 'close second', 'close first']);
    await ended(r.connection);
    await expect(r.start()).rejects.toThrow(RuntimeStartedError);
  });

  it('refuses a second start with a named error, and parts added after start', async () => {
    const r = runtime();
    await r.start();
    await expect(r.start()).rejects.toThrow(new RuntimeStartedError('the runtime has started already: start() runs once'));
    expect(() => r.use('late', {})).toThrow(RuntimeStartedError);
  });

  it('binds its producer to performAsync while it runs, and unbinds it on close', async () => {
    const r = runtime();
    await r.start();
    expect(defaultProducer()).toBe(r.producer);
    const { id } = await NoteWorker.performAsync({ text: 'hi' });
    expect((await enqueuedJobs(r.queues, NoteWorker)).map((j) => j.id)).toEqual([id]);
    await r.close();
    try {
      expect(defaultProducer()).not.toBe(r.producer);
    } finally {
      await closeDefaultProducer();
    }
  });
});
