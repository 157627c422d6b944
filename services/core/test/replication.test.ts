import { createRedis, onlineReplicas, ReplicationWaiter, waitForRedis, waitForReplicas, type RedisConnection } from '@bullpen/core';
import { RedisServer } from '../../../test/support/redis-server';
import { closeConnections, connectedReplicas, startReplica, withClient } from './support/redis-states';

describe('onlineReplicas', () => {
  it('counts the replicas INFO replication lists online and acknowledging', () => {
    const info = [
      '# Replication', 'role:master', 'connected_slaves:3',
      'slave0:ip=127.0.0.1,port=6380,state=online,offset=1234,lag=0',
      'slave1:ip=127.0.0.1,port=6381,state=wait_bgsave,offset=0,lag=0',
      'slave2:ip=127.0.0.1,port=6382,state=online,offset=1000,lag=9',
      'master_replid:abc',
    ].join('\r\n');
    expect(onlineReplicas(info)).toBe(1);
    expect(onlineReplicas('# Replication\r\nrole:master\r\nconnected_slaves:0\r\n')).toBe(0);
  });
});

describe('ReplicationWaiter on a real master and replica', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let redis: RedisConnection;
  beforeEach(async () => {
    master = await RedisServer.start();
    replica = await startReplica(master);
    redis = createRedis(master.url, 'producer');
    redis.on('error', () => {});
    await waitForRedis(redis, 5_000);
  });
  afterEach(async () => {
    replica.thaw();
    await closeConnections([redis]);
    await Promise.all([master.destroy(), replica.destroy()]);
  });
  const waits = () => withClient(master, async (c) => Number(/cmdstat_wait:calls=(\d+)/.exec(await c.info('commandstats'))?.[1] ?? 0), { readyCheck: false });

  it('WAIT on the writing connection counts the replica that has the write', async () => {
    await redis.set('replication:a', '1');
    expect(await waitForReplicas(redis, 1, 1_000)).toBe(1);
    expect(await withClient(replica, (c) => c.get('replication:a'))).toBe('1');
  });

  it('shares WAITs between concurrent writers, each acknowledged', async () => {
    const waiter = new ReplicationWaiter({ redis, replicas: 1, timeoutMs: 1_000 });
    const before = await waits();
    const acks = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      await redis.set(`replication:${i}`, String(i));
      return waiter.afterWrite();
    }));
    expect(acks.every((a) => a.acknowledged === 1 && a.required === 1)).toBe(true);
    expect((await waits()) - before).toBeLessThan(50);
    expect(await withClient(replica, (c) => c.get('replication:49'))).toBe('49');
  });

  it('answers at once with 0 when the replica is gone, and within the timeout when it is stuck', async () => {
    const waiter = new ReplicationWaiter({ redis, replicas: 1, timeoutMs: 300 });
    replica.freeze();
    await redis.set('replication:frozen', '1');
    const started = Date.now();
    expect(await waiter.afterWrite()).toEqual({ required: 1, acknowledged: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(300 + 2_000);
    replica.thaw();
    await replica.kill();
    await connectedReplicas(master, 0);
    const before = await waits();
    await redis.set('replication:gone', '1');
    expect(await waiter.afterWrite()).toEqual({ required: 1, acknowledged: 0 });
    expect(await waits()).toBe(before);
  });
});
