import { Cluster, Redis } from 'ioredis';
import { RedisCluster } from './redis-cluster';
import { redisCall } from './redis-server';
import { SentinelSet } from './redis-sentinel';

/** The port of the server a client is connected to, as the server itself reports it. */
async function serverPort(client: Redis): Promise<number> {
  return Number(/tcp_port:(\d+)/.exec(await client.info('server'))![1]);
}

/**
 * A Sentinel client with ioredis defaults: it leaves the old master only when Sentinel demotes
 * it (REPLICAOF + CLIENT KILL), not at the promotion (that needs `failoverDetector: true`).
 * ECONNREFUSED while the sentinels still name a killed master is expected; a failed command
 * would reject, so the error events are only kept from being reported as unhandled.
 */
function sentinelClient(set: SentinelSet): Redis {
  const client = new Redis({ sentinels: set.sentinels, name: set.masterName, maxRetriesPerRequest: null });
  client.on('error', () => {});
  return client;
}

describe('SentinelSet (real redis-server and redis-sentinel processes on loopback)', () => {
  let set: SentinelSet | undefined;
  let client: Redis | undefined;

  afterEach(async () => {
    client?.disconnect();
    client = undefined;
    await set?.destroy();
    set = undefined;
  });

  it('lets an ioredis Sentinel client find the master and write to the new one after a failover', async () => {
    set = await SentinelSet.start({ replicas: 1, sentinels: 3 });
    client = sentinelClient(set);
    const first = await set.masterPort();
    await client.set('before', '1');
    // SENTINEL FAILOVER promotes without waiting for the replica to catch up: wait for its ack.
    expect(await client.wait(1, 10_000)).toBe(1);
    expect(await serverPort(client)).toBe(first);

    const { from, to } = await set.failover();

    expect(from).toBe(first);
    expect(to).not.toBe(first);
    await client.set('after', '2');
    expect(await serverPort(client)).toBe(to);
    expect(await redisCall(to, 'GET', 'after')).toBe('2');
    expect(await redisCall(to, 'GET', 'before')).toBe('1'); // replicated before the switch
    expect(((await redisCall(from, 'ROLE')) as unknown[])[0]).toBe('slave');
  }, 120_000);

  it('promotes a replica when the master is killed, and the client follows it', async () => {
    set = await SentinelSet.start({ replicas: 1, sentinels: 3 });
    client = sentinelClient(set);
    await client.set('before', '1');

    const { from, to } = await set.killMaster();

    expect(to).not.toBe(from);
    await client.set('after', '2');
    expect(await serverPort(client)).toBe(to);
    expect(await redisCall(to, 'GET', 'after')).toBe('2');
  }, 120_000);
});

describe('RedisCluster (real cluster-enabled redis-server processes on loopback)', () => {
  let cluster: RedisCluster | undefined;
  let client: Cluster | undefined;

  afterEach(async () => {
    client?.disconnect();
    client = undefined;
    await cluster?.destroy();
    cluster = undefined;
  });

  it('lets an ioredis Cluster write keys with different hash tags to different masters', async () => {
    cluster = await RedisCluster.start({ masters: 3 });
    client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
    client.on('error', () => {}); // a command that fails rejects; nothing here is expected to
    const keys = ['{a}:job', '{b}:job', '{c}:job', '{d}:job'];

    for (const key of keys) await client.set(key, key);

    const owners = await Promise.all(keys.map((key) => cluster!.nodeOwning(key)));
    for (const [i, key] of keys.entries()) expect(await redisCall(owners[i].port, 'GET', key)).toBe(key); // on the owner itself, no MOVED
    expect(new Set(owners.map((o) => o.port)).size).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
