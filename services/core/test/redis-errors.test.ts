import { classifyRedisError, createRedis, RedisRefusedError, redisRefusal, waitForRedis, type RedisConnection } from '@bullpen/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { waitFor } from '../../../test/support/deferred';
import { RedisServer } from '../../../test/support/redis-server';
import { closeConnections, adminClient, restartLoading, SLOW_LOADING, startOutOfMemory, startReplica, withClient } from './support/redis-states';

const causeOf = (err: unknown) => classifyRedisError(err)?.cause;

/** An error whose message (and, for EXECABORT, previous errors) are as ioredis reports them. */
function replyError(message: string, previousErrors?: string[]): Error {
  const err = Object.assign(new Error(message), { name: 'ReplyError' });
  return previousErrors ? Object.assign(err, { previousErrors: previousErrors.map((m) => replyError(m)) }) : err;
}

describe('classifyRedisError, on the replies Redis 7 and ioredis 5 give', () => {
  // Recorded from redis-server 7.0.15 through BullMQ 6 and ioredis 5 (the live tests below provoke them again).
  const SCRIPT = ' script: 5ab432e88830d573e2fa33392ffbd4ad25a9b100, on @user_script:589.';
  it.each([
    ['readonly', "READONLY You can't write against a read only replica." + SCRIPT],
    ['readonly', "READONLY You can't write against a read only replica."],
    ['masterdown', "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."],
    ['oom', "OOM command not allowed when used memory > 'maxmemory'." + SCRIPT],
    ['loading', 'LOADING Redis is loading the dataset in memory'],
    ['busy', 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'],
    ['busy', 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.'],
    ['noreplicas', 'NOREPLICAS Not enough good replicas to write.' + SCRIPT],
    ['misconf', "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."],
    ['misconf', 'MISCONF Errors writing to the AOF file: No space left on device'],
    ['clusterdown', 'CLUSTERDOWN Hash slot not served'],
    ['clusterdown', 'CLUSTERDOWN The cluster is down'],
    ['redirect', 'MOVED 1322 127.0.0.1:17753'],
    ['redirect', 'ASK 1322 127.0.0.1:17754'],
    ['redirect', 'Too many Cluster redirections. Last error: MOVED 1322 127.0.0.1:17753'],
    ['crossslot', "CROSSSLOT Keys in request don't hash to the same slot"],
    ['tryagain', 'TRYAGAIN Multiple keys request during rehashing of slot'],
    ['auth', 'NOAUTH Authentication required.'],
    ['auth', 'WRONGPASS invalid username-password pair or user is disabled.'],
    ['noperm', 'NOPERM this user has no permissions to access one of the keys used as arguments'],
    // Redis 6 wraps an error raised inside a script.
    ['readonly', "ERR Error running script (call to f_5ab432e8): @user_script:589: @user_script: 589: -READONLY You can't write against a read only replica. "],
    ['oom', "ERR Error running script (call to f_5ab432e8): @user_script:589: @user_script: 589: -OOM command not allowed when used memory > 'maxmemory'. "],
    // ioredis and Node when the connection failed.
    ['unreachable', "Stream isn't writeable and enableOfflineQueue options is false"],
    ['unreachable', 'Connection is closed.'],
    ['unreachable', 'connect ECONNREFUSED 127.0.0.1:6379'],
    ['unreachable', 'read ECONNRESET'],
    ['unreachable', "Cluster isn't ready and enableOfflineQueue options is false"],
    ['unreachable', 'All sentinels are unreachable. Retrying from scratch after 10ms.'],
    ['unreachable', 'ERR max number of clients reached'],
    ['timeout', 'Command timed out'],
    ['timeout', 'connect ETIMEDOUT'],
  ])('%s: %s', (cause, message) => {
    expect(causeOf(replyError(message))).toBe(cause);
  });

  it('reads a transaction aborted at queueing time (EXECABORT) by the errors that aborted it', () => {
    const err = replyError('EXECABORT Transaction discarded because of previous errors.', [
      "OOM command not allowed when used memory > 'maxmemory'.",
      "OOM command not allowed when used memory > 'maxmemory'.",
    ]);
    expect(causeOf(err)).toBe('oom');
  });

  it("knows ioredis's MaxRetriesPerRequestError by name", () => {
    const err = Object.assign(new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.'), { name: 'MaxRetriesPerRequestError' });
    expect(causeOf(err)).toBe('unreachable');
  });

  it.each([
    'BUSYKEY Target key name already exists.',
    'BUSYGROUP Consumer Group name already exists',
    'WRONGTYPE Operation against a key holding the wrong kind of value',
    "ERR wrong number of arguments for 'set' command",
    'NOSCRIPT No matching script. Please use EVAL.',
    'Missing lock for job 42. moveToFinished',
    'Cannot read properties of undefined (reading "id")',
  ])('is no refusal: %s', (message) => {
    expect(classifyRedisError(replyError(message))).toBeUndefined();
  });

  it('is no refusal for things that are not errors', () => {
    expect(classifyRedisError(undefined)).toBeUndefined();
    expect(classifyRedisError('READONLY')).toBeUndefined();
  });

  it('passes a RedisRefusedError through, and words every refusal as what happened and what to do', () => {
    const refusal = redisRefusal('timeout', 'no answer within 500 ms');
    expect(classifyRedisError(new RedisRefusedError(refusal))).toBe(refusal);
    expect(refusal.message).toBe('Redis did not answer in time (no answer within 500 ms): it may be overloaded, hung or cut off by the network; check its latency and CPU');
    expect(redisRefusal('readonly').message).toBe('Redis is read-only (it is a replica): check REDIS_URL points at the master, or use REDIS_SENTINELS');
    expect(redisRefusal('oom').message).toBe('Redis is out of memory (maxmemory reached): raise maxmemory or lower job retention (JOB_RETENTION_*)');
    expect(redisRefusal('oom').retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe('classifyRedisError, on refusals provoked from real redis-servers', () => {
  const servers: RedisServer[] = [];
  const connections: RedisConnection[] = [];
  afterEach(async () => {
    await closeConnections(connections.splice(0));
    await Promise.all(servers.splice(0).map((s) => s.destroy()));
  });
  const track = (...s: RedisServer[]) => (servers.push(...s), s[0]);

  /** What a BullMQ enqueue and a plain SET on a producer connection are refused with. */
  async function refusals(url: string): Promise<{ add?: string; set?: string; messages: string[] }> {
    const connection = createRedis(url, 'producer');
    connection.on('error', () => {});
    connections.push(connection);
    await waitForRedis(connection, 5_000);
    const queue = new Queue('default', { connection, prefix: 'classify' });
    queue.on('error', () => {});
    const messages: string[] = [];
    const caught = (err: Error) => (messages.push(err.message), causeOf(err) ?? `unclassified: ${err.message}`);
    try {
      const add = await queue.add('job', { n: 1 }).then(() => undefined, caught);
      const set = await connection.set('classify:key', 'v').then(() => undefined, caught);
      return { add, set, messages };
    } finally {
      await queue.close();
    }
  }

  it('READONLY from a replica', async () => {
    const master = track(await RedisServer.start());
    const replica = track(await startReplica(master));
    expect(await refusals(replica.url)).toMatchObject({ add: 'readonly', set: 'readonly' });
  });

  it('OOM from a full server under noeviction', async () => {
    const server = track(await startOutOfMemory());
    // An enqueue may slip in while memory is only just over; the next is refused.
    const { set } = await refusals(server.url);
    const { add } = await refusals(server.url);
    expect({ add, set }).toEqual({ add: 'oom', set: 'oom' });
  });

  it('NOREPLICAS from a master that needs a replica it does not have', async () => {
    const server = track(await RedisServer.start(['--appendonly', 'no', '--save', '', '--min-replicas-to-write', '1']));
    expect(await refusals(server.url)).toMatchObject({ add: 'noreplicas', set: 'noreplicas' });
  });

  it('MASTERDOWN from a replica without its master that serves no stale data', async () => {
    const server = track(await RedisServer.start(['--appendonly', 'no', '--save', '', '--replicaof', '127.0.0.1', '1', '--replica-serve-stale-data', 'no']));
    expect(await refusals(server.url)).toMatchObject({ add: 'masterdown', set: 'readonly' });
  });

  it('MISCONF from a server whose snapshots fail', async () => {
    const server = track(await RedisServer.start(['--appendonly', 'no', '--save', '3600 1', '--stop-writes-on-bgsave-error', 'yes', '--enable-protected-configs', 'yes']));
    await withClient(server, async (c) => {
      await c.config('SET', 'dir', '/proc'); // nobody, root included, may create a file there
      await c.bgsave();
    });
    await waitFor('the snapshot to fail', () => withClient(server, async (c) => (await c.info('persistence')).includes('rdb_last_bgsave_status:err')));
    expect(await refusals(server.url)).toMatchObject({ add: 'misconf', set: 'misconf' });
  });

  it('CLUSTERDOWN from a cluster node that serves no slot', async () => {
    const server = track(await RedisServer.start(['--appendonly', 'no', '--save', '', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
    expect(await refusals(server.url)).toMatchObject({ add: 'clusterdown', set: 'clusterdown' });
  });

  it('MOVED and CROSSSLOT from a node of a two-node cluster reached as a single Redis', async () => {
    const args = ['--appendonly', 'no', '--save', '', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];
    const [a, b] = [track(await RedisServer.start(args)), track(await RedisServer.start(args))];
    await withClient(a, (c) => c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '8191'));
    await withClient(b, (c) => c.call('CLUSTER', 'ADDSLOTSRANGE', '8192', '16383'));
    await withClient(a, (c) => c.call('CLUSTER', 'MEET', '127.0.0.1', String(b.port)));
    for (const node of [a, b]) {
      await waitFor('the cluster to be ok', () => withClient(node, async (c) => String(await c.call('CLUSTER', 'INFO')).includes('cluster_state:ok')));
    }
    // "classify:key" hashes to slot 14452, on b: a answers MOVED; BullMQ's scripts span slots without hash tags.
    expect(await refusals(a.url)).toMatchObject({ add: 'crossslot', set: 'redirect' });
  });

  it('BUSY from a server running a long script', async () => {
    const server = track(await RedisServer.start(['--appendonly', 'no', '--save', '', '--busy-reply-threshold', '50']));
    const runner = adminClient(server);
    const looping = runner.eval('local i = 0 while true do i = i + 1 end', 0).catch((err: Error) => err.message);
    await waitFor('the script to block the server', () => withClient(server, (c) => c.ping().then(() => false, (err: Error) => err.message.startsWith('BUSY')), { readyCheck: false }));
    try {
      const connection = createRedis(server.url, 'producer');
      connection.on('error', () => {});
      connections.push(connection);
      // The connection's ready check (INFO) is refused too, so ask with a client that skips it.
      const busy = await withClient(server, (c) => c.set('classify:key', 'v').then(() => undefined, (err: Error) => causeOf(err)), { readyCheck: false });
      expect(busy).toBe('busy');
    } finally {
      await withClient(server, (c) => c.call('SCRIPT', 'KILL'), { readyCheck: false });
      expect(await looping).toMatch(/Script killed/);
      runner.disconnect();
    }
  });

  it('LOADING from a server reading its data set after a restart', async () => {
    const server = track(await RedisServer.start(SLOW_LOADING));
    await restartLoading(server);
    const loading = await withClient(server, (c) => c.set('classify:key', 'v').then(() => undefined, (err: Error) => causeOf(err)), { readyCheck: false });
    expect(loading).toBe('loading');
  });

  it('NOAUTH, WRONGPASS and NOPERM from a server with a password and an ACL user', async () => {
    const server = track(await RedisServer.start(['--appendonly', 'no', '--save', '', '--requirepass', 'the-right-password']));
    // A producer connection never gets ready (its ready check is refused), so ask on one that skips the check.
    const refused = async (url: string) => {
      const c = new Redis(url, { enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => {});
      connections.push(c);
      return c.set('classify:key', 'v').then(() => undefined, (err: Error) => causeOf(err));
    };
    expect(await refused(server.url)).toBe('auth');
    expect(await refused(`redis://:the-wrong-password@127.0.0.1:${server.port}`)).toBe('auth');
    const admin = `redis://:the-right-password@127.0.0.1:${server.port}`;
    const setup = createRedis(admin, 'producer');
    connections.push(setup);
    await waitForRedis(setup, 5_000);
    await setup.call('ACL', 'SETUSER', 'limited', 'on', '>limited-password', '~other:*', '+@all');
    expect(await refusals(`redis://limited:limited-password@127.0.0.1:${server.port}`)).toMatchObject({ add: 'noperm', set: 'noperm' });
  });

  it('timeout from a frozen server, unreachable from a stopped one', async () => {
    const server = track(await RedisServer.start());
    const connection = createRedis(server.url, 'producer');
    connection.on('error', () => {});
    connections.push(connection);
    await waitForRedis(connection, 5_000);
    const timing = new Redis(server.url, { commandTimeout: 200, maxRetriesPerRequest: 0, retryStrategy: () => null });
    timing.on('error', () => {});
    await timing.ping();
    server.freeze();
    try {
      expect(await timing.get('classify:key').then(() => undefined, (err: Error) => causeOf(err))).toBe('timeout');
    } finally {
      timing.disconnect();
      server.thaw();
    }
    await server.kill();
    await waitFor('the connection to notice', async () => connection.status !== 'ready');
    expect(await connection.set('classify:key', 'v').then(() => undefined, (err: Error) => causeOf(err))).toBe('unreachable');
  });
});
