import { ArgsTooLargeError, EnqueueOptionsError, Producer, QueueHandles, releaseProducer, useProducer, Worker, type WorkerClass } from '@bullpen/core';
import { z } from 'zod';
import { countKeys, deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis';

/** No schema: its args are stored as given. */
class NoteWorker extends Worker<{ text: string }, void> {
  perform(_args: { text: string }): void {}
}

/** Its schema drops unknown fields: what is stored is what it keeps. */
class StrictNoteWorker extends Worker<{ text: string }, void> {
  static override schema = z.object({ text: z.string() });
  perform(): void {}
}

/** Args `{"text":"…"}` of exactly `bytes` bytes as JSON. */
const note = (bytes: number) => ({ text: 'x'.repeat(bytes - '{"text":""}'.length) });

describe('Producer with maxArgsBytes', () => {
  const redis = testRedis();
  let prefix: string;
  let queues: QueueHandles;
  let producer: Producer;
  beforeEach(() => {
    prefix = uniquePrefix('args-cap');
    queues = new QueueHandles({ connection: redis, prefix });
    producer = new Producer({ queues, maxArgsBytes: 2048 });
    useProducer(producer);
  });
  afterEach(async () => {
    releaseProducer(producer);
    await queues.close();
    await deletePrefix(redis, prefix);
  });
  afterAll(() => redis.quit());

  it('enqueues args of exactly the limit and refuses one byte more, saying both sizes, before Redis is touched', async () => {
    await NoteWorker.performAsync(note(2048));
    const keys = await countKeys(redis, prefix);
    const refused = NoteWorker.performAsync(note(2049));
    await expect(refused).rejects.toThrow(ArgsTooLargeError);
    await expect(refused).rejects.toThrow('NoteWorker: args are 2049 bytes as JSON, over WORKER_MAX_ARGS_BYTES (2048)');
    expect(await countKeys(redis, prefix)).toBe(keys);
    expect(await queues.get('default').count()).toBe(1);
  });

  it('measures UTF-8 bytes of the args after the schema, in bulks and chains too', async () => {
    // 700 three-byte characters: 2,111 bytes in 711 characters.
    await expect(producer.enqueue(NoteWorker as WorkerClass, { text: '€'.repeat(700) })).rejects.toMatchObject({ bytes: 2111, maxBytes: 2048 });
    const bulk = producer.enqueueBulk([{ worker: NoteWorker, args: note(20) }, { worker: NoteWorker, args: note(4000) }]);
    await expect(bulk).rejects.toThrow(ArgsTooLargeError);
    await expect(producer.chain([{ worker: NoteWorker, args: note(3000) }, { worker: NoteWorker }])).rejects.toThrow(ArgsTooLargeError);
    expect(await countKeys(redis, prefix)).toBe(0);
    // The schema drops the padding: the stored args are small.
    await producer.enqueue(StrictNoteWorker, { text: 'hi', padding: 'x'.repeat(5000) });
    expect(await queues.get('default').count()).toBe(1);
  });

  it('defaults to 256 KiB', async () => {
    const unset = new Producer({ queues });
    await expect(unset.enqueue(NoteWorker as WorkerClass, note(256 * 1024 + 1))).rejects.toMatchObject({ maxBytes: 262_144 });
  });

  it.each(['meta', 'events', 'wait', 'id', 'de'])("refuses BullMQ's key name %s as a job id", async (jobId) => {
    await expect(producer.enqueue(NoteWorker as WorkerClass, note(20), { jobId })).rejects.toThrow(EnqueueOptionsError);
    expect(await countKeys(redis, prefix)).toBe(0);
  });
});
