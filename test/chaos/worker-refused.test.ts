import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { uniquePrefix } from '../support/redis';
import { RedisServer } from '../support/redis-server';
import { startFixtureService, type ServiceProcess } from '../support/service-process';

const SLEEP_WORKER = join(__dirname, '..', '..', 'services', 'worker', 'test', 'fixtures', 'sleep-worker.ts');

/** A worker whose Redis refuses every write for good must wait it out, not spin and flood its log. */
describe('a worker against a Redis that refuses writes (real redis-server processes)', () => {
  const servers: RedisServer[] = [];
  let worker: ServiceProcess | undefined;
  afterEach(async () => {
    await worker?.kill();
    for (const server of servers.splice(0)) await server.destroy();
  });

  async function watch(url: string): Promise<{ proc: ServiceProcess; metricsPort: number }> {
    worker = startFixtureService('worker', SLEEP_WORKER, { REDIS_URL: url, BULLPEN_PREFIX: uniquePrefix('refused'), METRICS_PORT: '0', LOG_LEVEL: 'info' });
    const { metricsPort } = await worker.waitForLog('worker started');
    return { proc: worker, metricsPort: metricsPort as number };
  }

  it.each([
    ['a read-only replica', /replica/, async () => {
      const master = await RedisServer.start();
      const replica = await RedisServer.start(['--appendonly', 'no', '--save', '', '--replicaof', '127.0.0.1', String(master.port)]);
      servers.push(replica, master);
      return replica.url;
    }],
    ['a full Redis (maxmemory reached, noeviction)', /maxmemory/, async () => {
      const full = await RedisServer.start(['--appendonly', 'no', '--save', '', '--maxmemory', '1']);
      servers.push(full);
      return full.url;
    }],
  ])('against %s it is not ready, says why, and writes fewer than 100 log lines in 10 s', async (_case, reason, setUp) => {
    const { proc, metricsPort } = await watch(await setUp());
    const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(reason);
    const before = proc.logs.length + proc.text.length;
    // The stimulus is the refusal itself, lasting 10 s.
    await sleep(10_000);
    const lines = proc.logs.length + proc.text.length - before;
    expect(lines).toBeLessThan(100);
    const refusals = proc.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('cannot take jobs from Redis'));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0].msg).toContain('check REDIS_URL');
    expect(proc.child.exitCode).toBeNull();
  }, 40_000);
});
