import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker as BullWorker, type FlowProducer, type Queue } from 'bullmq';
import { createRedis, type RedisConnection } from '@bullpen/core';
import { deletePrefix, testRedis, uniquePrefix, TEST_REDIS_URL } from '../support/redis';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const bullmqForApi = require('../../scripts/bullmq-for-api') as { API_BULLMQ_EXPORTS: string[]; bundle(outfile: string): Promise<number> };
const ROOT = join(__dirname, '..', '..');

/** The values `files` take from BullMQ: named imports in TypeScript, `bullmq_1.X` in compiled CommonJS. */
function bullmqValuesUsed(files: string[]): Set<string> {
  const used = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const [, names] of text.matchAll(/^import \{([^}]*)\} from 'bullmq'/gm)) {
      for (const name of names.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type '))) used.add(name);
    }
    for (const [, name] of text.matchAll(/\bbullmq_1\.(\w+)/g)) used.add(name);
  }
  return used;
}

const sources = (dir: string, ext: RegExp): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : []));

/** What Dockerfile.api puts in place of node_modules/bullmq (scripts/bullmq-for-api.js). */
describe("the API image's BullMQ", () => {
  let dir: string;
  let bundled: { Queue: typeof Queue; FlowProducer: typeof FlowProducer };
  let text: string;
  beforeAll(async () => {
    // Inside node_modules/bullmq, as in the image: the bundle's requires resolve to BullMQ's own
    // dependencies (node_modules/bullmq/node_modules first).
    dir = mkdtempSync(join(ROOT, 'node_modules', 'bullmq', '.api-bundle-'));
    await bullmqForApi.bundle(join(dir, 'index.js'));
    text = readFileSync(join(dir, 'index.js'), 'utf8');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bundled = require(join(dir, 'index.js'));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('offers every value the API process takes from BullMQ (core, api, jobs and Bull Board), and no Worker', () => {
    const used = bullmqValuesUsed([
      ...['core', 'api', 'jobs'].flatMap((pkg) => sources(join(ROOT, 'services', pkg, 'src'), /\.ts$/)),
      ...sources(join(ROOT, 'node_modules', '@bull-board', 'api', 'dist'), /\.js$/),
    ]);
    expect([...used].sort()).toEqual([...bullmqForApi.API_BULLMQ_EXPORTS].sort());
    expect(Object.keys(bundled).sort()).toEqual([...bullmqForApi.API_BULLMQ_EXPORTS].sort());
    expect(text).not.toMatch(/\bclass (Worker|Sandbox|ChildPool)\b/);
  });

  describe('on Redis', () => {
    const prefix = uniquePrefix('bullmq-api');
    let connection: RedisConnection;
    let queue: Queue;
    let flows: FlowProducer;
    let worker: BullWorker | undefined;
    beforeAll(() => {
      connection = createRedis(TEST_REDIS_URL, 'consumer');
      queue = new bundled.Queue('default', { connection, prefix });
      flows = new bundled.FlowProducer({ connection, prefix });
    });
    afterAll(async () => {
      await worker?.close();
      await flows.close();
      await queue.close();
      await connection.quit();
      const redis = testRedis();
      await deletePrefix(redis, prefix);
      await redis.quit();
    });

    it('enqueues jobs and flows that the full BullMQ Worker runs', async () => {
      const job = await queue.add('Echo', { n: 1 });
      const tree = await flows.add({ name: 'Echo', queueName: 'default', prefix, data: { n: 3 }, children: [{ name: 'Echo', queueName: 'default', prefix, data: { n: 2 } }] });
      expect((await queue.getJob(job.id!))?.data).toEqual({ n: 1 });
      const done: number[] = [];
      const ran = new Promise<void>((resolve) => {
        worker = new BullWorker('default', async (j) => {
          done.push(j.data.n);
          if (done.length === 3) resolve();
          return j.data.n;
        }, { connection: { url: TEST_REDIS_URL }, prefix });
      });
      await ran;
      expect(done.sort()).toEqual([1, 2, 3]);
      expect(tree.children).toHaveLength(1);
    });
  });
});
