import { once } from 'node:events';
import { Redis, type Cluster } from 'ioredis';
import { waitFor } from '../../../../test/support/deferred';
import { RedisServer } from '../../../../test/support/redis-server';

/**
 * Real redis-servers put in the states production meets (a replica, out of memory, loading,
 * busy...), for tests of what Bullpen answers then. Each returns servers the caller destroys.
 */

/** A plain client for setting a server up: no retries, errors reported by the rejected call. */
export function adminClient(server: RedisServer, options: { readyCheck?: boolean } = {}): Redis {
  const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: options.readyCheck ?? true });
  client.on('error', () => {});
  return client;
}

/** Disconnects every connection and resolves once each has ended, so no socket or timer outlives a test. */
export async function closeConnections(connections: ReadonlyArray<Redis | Cluster>): Promise<void> {
  await Promise.all(
    connections.map((c) => {
      // Only a connection with a socket has one to wait for; one between reconnects just stops.
      const live = c.status === 'connecting' || c.status === 'connect' || c.status === 'ready';
      const ended = live ? once(c, 'end') : Promise.resolve();
      c.disconnect();
      return ended;
    }),
  );
}

/** Runs `fn` with an admin client, closed after. */
export async function withClient<T>(server: RedisServer, fn: (client: Redis) => Promise<T>, options?: { readyCheck?: boolean }): Promise<T> {
  const client = adminClient(server, options);
  try {
    return await fn(client);
  } finally {
    await closeConnections([client]);
  }
}

const NO_PERSISTENCE = ['--appendonly', 'no', '--save', ''];

/** A master's INFO replication field, e.g. `connected_slaves`. */
export async function infoField(server: RedisServer, section: string, field: string): Promise<string | undefined> {
  const text = await withClient(server, (c) => c.info(section));
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** A replica of `master`, resolved once its link to the master is up (it then answers READONLY to writes). */
export async function startReplica(master: RedisServer, extra: string[] = []): Promise<RedisServer> {
  // A master waits 5 s for more replicas before a diskless full sync by default.
  await withClient(master, (c) => c.config('SET', 'repl-diskless-sync-delay', '0'));
  const replica = await RedisServer.start([...NO_PERSISTENCE, '--replicaof', '127.0.0.1', String(master.port), ...extra]);
  await waitFor('the replica to sync', async () => (await infoField(replica, 'replication', 'master_link_status')) === 'up');
  await waitFor('the master to see the replica online', async () => (await infoField(master, 'replication', 'slave0'))?.includes('state=online'));
  return replica;
}

/** Resolves once `master` lists exactly `count` connected replicas. */
export async function connectedReplicas(master: RedisServer, count: number): Promise<void> {
  await waitFor(`${count} connected replicas`, async () => Number(await infoField(master, 'replication', 'connected_slaves')) === count);
}

/**
 * A server out of memory under `noeviction`: filled with 2 MB, then `maxmemory` set to 1 MB
 * below that, so every write that may grow memory is refused (`OOM command not allowed...`).
 */
export async function startOutOfMemory(): Promise<RedisServer> {
  const server = await RedisServer.start([...NO_PERSISTENCE, '--maxmemory-policy', 'noeviction']);
  await withClient(server, async (c) => {
    for (let i = 0; i < 4; i++) await c.set(`filler:${i}`, 'x'.repeat(512 * 1024));
    await c.config('SET', 'maxmemory', '1mb');
  });
  return server;
}

/** Fills `server` with 50k keys and restarts it with a slow load, resolving while it still answers LOADING. */
export async function restartLoading(server: RedisServer): Promise<{ loaded: Promise<void> }> {
  await withClient(server, async (c) => {
    await c.eval("for i = 1, 50000 do redis.call('SET', 'k' .. i, 'v') end", 0);
    await c.save();
  });
  await server.kill();
  const loaded = server.start();
  loaded.catch(() => {}); // a test that ends while it loads kills it
  await waitFor('redis to be loading', async () =>
    withClient(server, (c) => c.get('k1').then(() => false, (err: Error) => err.message.startsWith('LOADING')), { readyCheck: false }),
  );
  return { loaded };
}

/** Arguments for a server that loads its data set slowly after a restart (see `restartLoading`). */
export const SLOW_LOADING = ['--appendonly', 'no', '--save', '', '--key-load-delay', '100', '--loading-process-events-interval-bytes', '1024'];
