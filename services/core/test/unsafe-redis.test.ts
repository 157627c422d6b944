import { Writable } from 'node:stream';
import { networkInterfaces } from 'node:os';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createRedis, waitForRedis, warnOnUnsafeRedis, type RedisConnection } from '@bullpen/core';
import { RedisServer } from '../../../test/support/redis-server';
import { closeConnections } from './support/redis-states';

const SAFE = ['--appendonly', 'yes', '--save', ''];
const PASSWORD = 'unsafe-redis-test-password-0123456789';

/** A logger that keeps its lines (level name and message), at debug, for checking what was said. */
function recordingLogger() {
  const lines: Array<{ level: string; msg: string; [field: string]: unknown }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, stream);
  return { logger, lines, said: (level: string) => lines.filter((l) => l.level === level).map((l) => l.msg) };
}

/** An address of this machine other than loopback, as another host would be reached. */
const otherAddress = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('warnOnUnsafeRedis (real redis-servers)', () => {
  const servers: RedisServer[] = [];
  const connections: RedisConnection[] = [];
  afterEach(async () => {
    await closeConnections(connections.splice(0));
    await Promise.all(servers.splice(0).map((s) => s.destroy()));
  });
  /** What warnOnUnsafeRedis logs for a connection to a server started with `args`, at `url(server)`. */
  async function check(args: string[], url: (server: RedisServer) => string, connect = (u: string) => createRedis(u, 'producer')) {
    const server = await RedisServer.start(args);
    servers.push(server);
    const redis = connect(url(server));
    redis.on('error', () => {});
    connections.push(redis);
    await waitForRedis(redis, 5_000);
    const log = recordingLogger();
    await warnOnUnsafeRedis(redis, log.logger);
    return log;
  }

  it('says nothing about a loopback Redis with noeviction and AOF', async () => {
    const log = await check(SAFE, (s) => s.url);
    expect(log.lines).toEqual([]);
  });

  it('still checks the policy as an ACL user that may not run CONFIG (the chart\'s), without a word about CONFIG', async () => {
    const acl = [...SAFE, '--maxmemory-policy', 'allkeys-lru', '--user', 'app', 'on', `>${PASSWORD}`, '~*', '+@all', '-@dangerous', '+info'];
    const log = await check(acl, (s) => `redis://app:${PASSWORD}@127.0.0.1:${s.port}`);
    expect(log.said('warn')).toEqual(['REDIS IS UNSAFE FOR JOBS: maxmemory-policy must be noeviction or jobs can be evicted']);
    expect(JSON.stringify(log.lines)).not.toMatch(/CONFIG|NOPERM/);
  });

  it('says once, at info, that the check was skipped when the ACL forbids INFO too', async () => {
    const acl = [...SAFE, '--user', 'noinfo', 'on', `>${PASSWORD}`, '~*', '+@all', '-@dangerous'];
    // Without INFO, ioredis's ready check cannot run either.
    const log = await check(acl, (s) => `redis://noinfo:${PASSWORD}@127.0.0.1:${s.port}`, (u) => new Redis(u, { enableReadyCheck: false, maxRetriesPerRequest: 1 }));
    expect(log.lines.map((l) => [l.level, l.msg])).toEqual([['info', 'redis policy check skipped: the ACL user in REDIS_URL may not run INFO']]);
  });

  (otherAddress ? it : it.skip)('warns once, naming REDIS_URL, about a Redis on another host with neither a password nor TLS', async () => {
    const log = await check([...SAFE, '--bind', otherAddress!, '--protected-mode', 'no'], (s) => `redis://${otherAddress}:${s.port}`);
    expect(log.said('warn')).toEqual([expect.stringMatching(/^REDIS_URL reaches Redis on another host with neither a password nor TLS: .*redis:\/\/USER:PASSWORD@host.* rediss:\/\//)]);
    expect(log.lines.find((l) => l.level === 'warn')).toMatchObject({ hosts: [otherAddress] });
  });

  (otherAddress ? it : it.skip)('says nothing about another host reached with a password', async () => {
    const log = await check([...SAFE, '--bind', otherAddress!, '--requirepass', PASSWORD], (s) => `redis://:${PASSWORD}@${otherAddress}:${s.port}`);
    expect(log.lines).toEqual([]);
  });
});
