import { createRedis, redisWriteCheck, redisWriteProblem, waitForRedis, type RedisConnection } from '@bullpen/core';
import { Redis } from 'ioredis';
import { waitFor } from '../../../test/support/deferred';
import { RedisServer } from '../../../test/support/redis-server';
import { closeConnections, restartLoading, SLOW_LOADING, startOutOfMemory, startReplica, withClient } from './support/redis-states';

describe('redisWriteProblem: why Redis cannot take writes now', () => {
  const servers: RedisServer[] = [];
  const connections: RedisConnection[] = [];
  afterEach(async () => {
    await closeConnections(connections.splice(0));
    await Promise.all(servers.splice(0).map((s) => s.destroy()));
  });
  const track = (s: RedisServer) => (servers.push(s), s);
  async function connect(server: RedisServer, wait = true): Promise<RedisConnection> {
    const c = createRedis(server.url, 'producer');
    c.on('error', () => {});
    connections.push(c);
    if (wait) await waitForRedis(c, 5_000);
    return c;
  }

  it('is undefined for a master that takes writes, and writes nothing to find that out', async () => {
    const server = track(await RedisServer.start());
    const redis = await connect(server);
    expect(await redisWriteProblem(redis)).toBeUndefined();
    expect(await withClient(server, (c) => c.dbsize())).toBe(0);
  });

  it('names a replica and its master', async () => {
    const master = track(await RedisServer.start());
    const replica = track(await startReplica(master));
    expect(await redisWriteProblem(await connect(replica))).toBe(
      `Redis is read-only (it is a replica of 127.0.0.1:${master.port}): check REDIS_URL points at the master, or use REDIS_SENTINELS`,
    );
  });

  it('names maxmemory when Redis is out of memory under noeviction', async () => {
    const server = track(await startOutOfMemory());
    expect(await redisWriteProblem(await connect(server))).toMatch(
      /^Redis is out of memory \(maxmemory reached: \d+\.\d MB used of 1\.0 MB, policy noeviction\): raise maxmemory or lower job retention/,
    );
  });

  it('says Redis is loading, with its progress; a connection still waiting for the load says so too', async () => {
    const server = track(await RedisServer.start(SLOW_LOADING));
    const { loaded } = await restartLoading(server);
    // ioredis's ready check holds a connection back until the load is done (a producer connection's
    // options, with a short loading retry so no timer outlives the test)...
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, maxLoadingRetryTime: 100, retryStrategy: () => null });
    redis.on('error', () => {});
    connections.push(redis);
    const waiting = await waitFor('the connection to wait on the ready check', async () => redis.status === 'connect' && redisWriteProblem(redis));
    expect(waiting).toBe('Redis cannot be reached (connected, but Redis has not passed its ready check; it may be loading its data set): check that it is running and that REDIS_URL (or REDIS_SENTINELS / REDIS_CLUSTER_NODES) points at it');
    // ...a connection without that check is ready at once and reads the load from INFO.
    const unchecked = new Redis(server.url, { enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    unchecked.on('error', () => {});
    connections.push(unchecked);
    await waitFor('the unchecked connection', async () => unchecked.status === 'ready');
    expect(await redisWriteProblem(unchecked)).toMatch(/^Redis is loading its data set into memory \(after a restart, [\d.]+% done, about \d+ s left\): wait until it has finished$/);
    // Closed while its ready check waits on the load, ioredis's retry timer would still fire on the closed stream.
    await loaded;
    await waitFor('the checked connection to pass its ready check', async () => redis.status === 'ready');
  });

  it('says a Cluster node reached through REDIS_URL refuses BullMQ', async () => {
    const server = track(await RedisServer.start(['--appendonly', 'no', '--save', '', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
    expect(await redisWriteProblem(await connect(server))).toMatch(/^Redis refused keys from several hash slots .*REDIS_CLUSTER_NODES/);
  });

  it('answers at once while disconnected, and within its timeout when Redis is frozen', async () => {
    const server = track(await RedisServer.start());
    const redis = await connect(server);
    server.freeze();
    const started = Date.now();
    expect(await redisWriteProblem(redis, 300)).toBe('Redis did not answer in time (no answer within 300 ms): it may be overloaded, hung or cut off by the network; check its latency and CPU');
    expect(Date.now() - started).toBeLessThan(300 + 2_000);
    server.thaw();
    await server.kill();
    await waitFor('the connection to drop', async () => redis.status !== 'ready');
    expect(await redisWriteProblem(redis)).toMatch(/^Redis cannot be reached \(connection is \w+\)/);
  });

  it('redisWriteCheck asks Redis at most once per cacheMs however many probes come', async () => {
    const server = track(await RedisServer.start());
    const redis = await connect(server);
    const check = redisWriteCheck(redis, { cacheMs: 60_000 });
    const infoCalls = () => withClient(server, async (c) => Number(/cmdstat_info:calls=(\d+)/.exec(await c.info('commandstats'))?.[1] ?? 0), { readyCheck: false });
    const before = await infoCalls();
    const answers = await Promise.all(Array.from({ length: 50 }, () => check()));
    await check();
    expect(answers.every((a) => a === undefined)).toBe(true);
    // One from the check, one from asking for the count itself.
    expect((await infoCalls()) - before).toBe(2);
  });

  it('redisWriteCheck notices the change once its cache expires', async () => {
    const master = track(await RedisServer.start());
    const redis = await connect(master);
    const check = redisWriteCheck(redis, { cacheMs: 0 });
    expect(await check()).toBeUndefined();
    await withClient(master, (c) => c.call('REPLICAOF', '127.0.0.1', '1'));
    expect(await check()).toMatch(/^Redis is read-only \(it is a replica of 127\.0\.0\.1:1\)/);
  });
});
