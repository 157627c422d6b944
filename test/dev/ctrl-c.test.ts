import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { waitFor } from '../support/deferred';
import { devSession } from './dev-session';
import { SLEEP_WORKER_MODULE } from './dev-tree';
import { api } from './serve-env';

const JOB_MS = 8_000;

describe('Ctrl-C on make dev', () => {
  const session = devSession('dev-ctrl-c');

  it('lets a running 8 s job finish, once, and exits 0', async () => {
    copyFileSync(SLEEP_WORKER_MODULE, join(session.tree.workersDir, 'sleep-worker.ts'));
    // The dev target's command (make adds one more parent that waits, as this test does).
    const { dev, apiUrl } = await session.start('bash', ['scripts/ensure-redis.sh', 'node', 'scripts/serve.js']);

    const enqueued = await api(apiUrl, '/api/jobs', { worker: 'SleepWorker', args: { ms: JOB_MS } });
    expect(enqueued.status).toBe(202);
    const id: string = enqueued.body.id;
    await waitFor('the job to run', async () => (await api(apiUrl, `/api/jobs/${id}`)).body.state === 'active', 20_000);

    const signalledAt = Date.now();
    dev.signalGroup('SIGINT');
    const exit = await dev.exited;
    const output = dev.output();

    expect(exit).toEqual({ code: 0, signal: null });
    // The drain waited for the job rather than giving it up.
    expect(Date.now() - signalledAt).toBeLessThan(JOB_MS + 20_000);
    const queue = new Queue('default', { connection: session.redis, prefix: session.prefix });
    try {
      const job = (await Job.fromId(queue, id))!;
      expect(await job.getState()).toBe('completed');
      expect(job.returnvalue).toEqual({ slept: JOB_MS });
      expect(job.attemptsMade).toBe(1);
      expect(job.stalledCounter).toBe(0);
    } finally {
      await queue.close();
    }
    const lines = output.split('\n');
    expect(lines.filter((l) => l.includes('"msg":"job started"') && l.includes(`"jobId":"${id}"`))).toHaveLength(1);
    // Each of the three processes heard of the Ctrl-C once.
    expect(lines.filter((l) => l.includes('"msg":"shutting down"'))).toHaveLength(3);
    expect(output).not.toContain('second signal');
    expect(output).toContain('serve: stopped\n');
  }, 120_000);
});
