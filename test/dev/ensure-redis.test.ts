import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { run } from '../support/run';
import { freePort } from '../support/free-port';
import { startDevProcess } from './dev-process';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'ensure-redis.sh');

/** Whether anything listens on the port (a plain connect: nothing lingers when it is refused). */
const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('scripts/ensure-redis.sh', () => {
  let cache: string;
  let port: number;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    cache = mkdtempSync(join(tmpdir(), 'bullpen-redis-'));
    port = await freePort();
    env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}`, BULLPEN_CACHE: cache };
  });

  afterEach(async () => {
    if (await answers(port)) await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
    rmSync(cache, { recursive: true, force: true });
  });

  it('stops the Redis it started for a command (make dev) when the command exits, with its exit code', async () => {
    const res = await run('bash', [SCRIPT, 'bash', '-c', `redis-cli -p ${port} ping && exit 3`], { env });
    expect(res.stdout).toContain('PONG');
    expect(res.code).toBe(3);
    expect(res.stdout).toContain(`redis: stopped the redis-server on 127.0.0.1:${port} that this run started`);
    expect(await answers(port)).toBe(false);
  });

  it('stops it after a Ctrl-C that the command handles', async () => {
    const command = "process.on('SIGINT', () => process.exit(0)); console.log('ready'); setInterval(() => {}, 1000)";
    const dev = startDevProcess('bash', [SCRIPT, process.execPath, '-e', command], { cwd: cache, env });
    await dev.waitForLine(/^ready$/, 10_000);
    dev.signalGroup('SIGINT');
    expect(await dev.exited).toEqual({ code: 0, signal: null });
    expect(dev.output()).toContain('redis: stopped the redis-server');
    expect(await answers(port)).toBe(false);
  });

  it('leaves a Redis running that it did not start, and one it starts without a command (make redis)', async () => {
    const started = await run('bash', [SCRIPT], { env });
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`it keeps running: stop it with redis-cli -p ${port} shutdown`);
    const again = await run('bash', [SCRIPT, 'true'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`redis: answering at 127.0.0.1:${port}\n`);
    expect(await answers(port)).toBe(true);
  });
});
