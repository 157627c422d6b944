import { freePort } from './support/free-port';
import { RedisServer } from './support/redis-server';
import { startService, type ServiceProcess } from './support/service-process';
import { uniquePrefix } from './support/redis';

const PASSWORD = 's3cret-password';
const ATTEMPTS = 4;
/** ioredis's retry delay for attempt n, as createRedis sets it (attempt * 200 ms, at most 2 s). */
const backoffMs = (attempt: number) => Math.min(attempt * 200, 2_000);
/**
 * A line is stamped when it is logged, which a loaded machine delays by tens of milliseconds (seen:
 * 168 ms between the lines of a 200 ms retry). Half the backoff still tells one line per retry
 * from a storm of lines.
 */
const minGapMs = (attempt: number) => backoffMs(attempt) / 2;

type Line = Record<string, unknown>;
const isAttempt = (line: Line) => typeof line.msg === 'string' && line.msg.startsWith('cannot reach Redis at ');

/** Resolves once `proc` has logged `count` lines matching `match` (checked on every chunk of output, no sleeps). */
function linesLogged(proc: ServiceProcess, match: (line: Line) => boolean, count: number, timeoutMs = 20_000): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = proc.logs.filter(match);
      if (found.length < count) return;
      done();
      resolve(found);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`fewer than ${count} matching lines after ${timeoutMs} ms:\n${JSON.stringify(proc.logs, null, 1)}\n${proc.text.join('\n')}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      proc.child.stdout!.off('data', check);
      proc.child.stderr!.off('data', check);
    };
    // The process's own listeners parse each chunk first (registered before these).
    proc.child.stdout!.on('data', check);
    proc.child.stderr!.on('data', check);
    check();
  });
}

/** Each attempt line: a warn naming the URL without its password and what to run, one per retry, no faster than the backoff. */
function expectOneLinePerRetry(proc: ServiceProcess, attempts: Line[], port: number): void {
  const output = JSON.stringify(proc.logs) + proc.text.join('\n');
  expect(output).not.toContain(PASSWORD);
  expect(output).not.toContain('"stack"');
  expect(proc.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  for (const [i, line] of attempts.entries()) {
    expect(line).toMatchObject({ level: 40, attempt: i + 1, retryInMs: backoffMs(i + 1), redis: `REDIS_URL=redis://:***@127.0.0.1:${port}`, cause: 'unreachable' });
    expect(line.msg).toContain(`REDIS_URL=redis://:***@127.0.0.1:${port}`);
    expect(line.msg).toContain('`make redis` starts a local one');
    if (i > 0) {
      const gapMs = Date.parse(line.time as string) - Date.parse(attempts[i - 1].time as string);
      expect(gapMs).toBeGreaterThanOrEqual(minGapMs(i));
    }
  }
  // Nothing else is said about the outage: no per-connection "redis connection error" or "worker error" lines.
  expect(proc.logs.filter((l) => /error/.test(String(l.msg)))).toEqual([]);
}

describe('with Redis down, each process says once per retry what to check', () => {
  const procs: ServiceProcess[] = [];
  const servers: RedisServer[] = [];
  afterEach(async () => {
    for (const proc of procs.splice(0)) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    for (const server of servers.splice(0)) await server.destroy();
  });

  const start = (entry: string, port: number, env: Record<string, string> = {}) => {
    const proc = startService(entry, {
      REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}`, BULLPEN_PREFIX: uniquePrefix('redis-down'), METRICS_PORT: '0', PORT: '0', LOG_LEVEL: 'info',
      API_TOKENS: 'ci:redis-down-test-token-0123456789:client', API_ID_SECRET: 'redis-down-test-id-secret-0123456789abcd', ...env,
    });
    procs.push(proc);
    return proc;
  };

  it.each([
    ['worker', 'services/worker/src/main.ts'],
    ['beat', 'services/beat/src/main.ts'],
    ['api', 'services/api/src/main.ts'],
  ])('%s, started against a closed port', async (_name, entry) => {
    const port = await freePort(); // bound, then closed: nothing listens there
    const proc = start(entry, port);
    const attempts = await linesLogged(proc, isAttempt, ATTEMPTS);
    expectOneLinePerRetry(proc, attempts.slice(0, ATTEMPTS), port);
  });

  it('worker, when Redis goes away after it started (its BullMQ connections stay quiet), and when it is back', async () => {
    const redis = await RedisServer.start(['--appendonly', 'no', '--save', '', '--requirepass', PASSWORD]);
    servers.push(redis);
    const proc = start('services/worker/src/main.ts', redis.port);
    await proc.waitForLog('worker started');
    await redis.kill();
    const attempts = await linesLogged(proc, isAttempt, ATTEMPTS);
    expectOneLinePerRetry(proc, attempts.slice(0, ATTEMPTS), redis.port);
    await redis.start();
    const restored = await proc.waitForLog('redis connection restored');
    expect(restored.attempts).toBeGreaterThanOrEqual(ATTEMPTS);
  });

  it('logs the error with its stack at debug level', async () => {
    const port = await freePort();
    const proc = start('services/worker/src/main.ts', port, { LOG_LEVEL: 'debug' });
    const [debug] = await linesLogged(proc, (l) => l.msg === 'redis connection error', 1);
    expect(debug).toMatchObject({ level: 20, err: { message: `connect ECONNREFUSED 127.0.0.1:${port}`, stack: expect.stringContaining('ECONNREFUSED') } });
  });
});
