import { join } from 'node:path';
import { uniquePrefix } from '../support/redis';
import { RedisServer } from '../support/redis-server';
import { startFixtureService, startService, type ServiceProcess } from '../support/service-process';

const SLEEP_WORKER = join(__dirname, '..', '..', 'services', 'worker', 'test', 'fixtures', 'sleep-worker.ts');
const BUDGET_SECONDS = 2;

/** Each Bullpen process, started against `redisUrl`, resolving once it is up. */
const PROCESSES: Record<string, (env: Record<string, string>) => { proc: ServiceProcess; started: string }> = {
  worker: (env) => ({ proc: startFixtureService('worker', SLEEP_WORKER, env), started: 'worker started' }),
  beat: (env) => ({ proc: startService('services/beat/src/main.ts', env), started: 'beat started' }),
  api: (env) => ({ proc: startFixtureService('api', SLEEP_WORKER, { ...env, PORT: '0' }), started: 'api started' }),
};

describe('SIGTERM while Redis is gone (real redis-server, real processes)', () => {
  let redis: RedisServer;
  let proc: ServiceProcess | undefined;
  afterEach(async () => {
    redis.thaw();
    await proc?.kill();
    await redis.destroy();
  });

  it.each([
    ['worker', 'stopped'],
    ['worker', 'frozen'],
    ['beat', 'stopped'],
    ['beat', 'frozen'],
    ['api', 'stopped'],
    ['api', 'frozen'],
  ])('the %s exits 0 within its budget + 2 s with Redis %s', async (name, how) => {
    redis = await RedisServer.start();
    const env = { REDIS_URL: redis.url, BULLPEN_PREFIX: uniquePrefix('sigterm'), METRICS_PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_SECONDS: String(BUDGET_SECONDS) };
    const started = PROCESSES[name](env);
    proc = started.proc;
    await proc.waitForLog(started.started);
    if (how === 'stopped') await redis.shutdown();
    else redis.freeze();
    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan((BUDGET_SECONDS + 2) * 1000);
  }, 30_000);
});
