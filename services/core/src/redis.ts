import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { isLoopbackHost, type HostPort } from './env';
import type { Logger } from './logger';
import { parseInfo } from './redis-info';
import type { QueueName } from './queues';

/** A connection to a single Redis, a Sentinel-managed master, or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/** Where Redis is: `url` alone, or with `sentinels` or `clusterNodes`, which then supply the hosts. */
export interface RedisSettings {
  /** `REDIS_URL`. With Sentinels or a Cluster only its credentials, TLS (`rediss:`) and db count. */
  url: string;
  /** `REDIS_SENTINELS`: ask these for the master named `sentinelMaster`, and follow its failovers. */
  sentinels?: readonly HostPort[];
  /** `REDIS_SENTINEL_MASTER`, default `mymaster`. */
  sentinelMaster: string;
  /** `REDIS_SENTINEL_PASSWORD`, when the Sentinels themselves require one. */
  sentinelPassword?: string;
  /** `REDIS_CLUSTER_NODES`: seed nodes of a Redis Cluster. */
  clusterNodes?: readonly HostPort[];
}

/**
 * `consumer` connections (workers, schedulers) wait out a Redis outage: BullMQ requires
 * `maxRetriesPerRequest: null` so blocking commands never give up. `producer` connections
 * (API, enqueue scripts) fail fast instead, so a request answers 503 rather than hanging.
 */
export type ConnectionRole = 'consumer' | 'producer';

/** Reconnect forever with a capped delay; the services recover by themselves when Redis returns. */
const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000);

function roleOptions(role: ConnectionRole): RedisOptions {
  return role === 'consumer'
    ? { maxRetriesPerRequest: null, enableReadyCheck: true }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3_000 };
}

/** The credentials, TLS and db a URL carries, for every node of a Sentinel set or Cluster. */
function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || 0);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(db ? { db } : {}),
  };
}

/** A connection for `role`; a plain URL string stands for a single Redis. */
export function createRedis(target: string | RedisSettings, role: ConnectionRole): RedisConnection {
  const settings: RedisSettings = typeof target === 'string' ? { url: target, sentinelMaster: 'mymaster' } : target;
  const options = { ...roleOptions(role), retryStrategy, lazyConnect: false };
  if (settings.clusterNodes) {
    return new Cluster(settings.clusterNodes.map((n) => ({ ...n })), {
      redisOptions: { ...urlOptions(settings.url), ...roleOptions(role) },
      clusterRetryStrategy: retryStrategy,
      enableReadyCheck: true,
      ...(role === 'producer' ? { enableOfflineQueue: false } : {}),
    });
  }
  if (settings.sentinels) {
    const url = urlOptions(settings.url);
    return new Redis({
      ...url,
      ...options,
      sentinels: settings.sentinels.map((n) => ({ ...n })),
      name: settings.sentinelMaster,
      sentinelPassword: settings.sentinelPassword,
      enableTLSForSentinelMode: url.tls !== undefined,
      sentinelRetryStrategy: retryStrategy,
      // Drop the connection as soon as the Sentinels announce a new master, not at the next error.
      failoverDetector: true,
      // A master demoted under us answers READONLY: reconnect (asking the Sentinels again) and resend.
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    });
  }
  return new Redis(settings.url, options);
}

/**
 * The BullMQ prefix of `queue`. On a Redis Cluster every key a BullMQ script touches must be
 * in one hash slot, so each queue wraps the prefix in its own hash tag (`{bull:critical}`):
 * the three queues land on different slots and can live on different shards.
 */
export function queuePrefix(prefix: string, cluster: boolean, queue: QueueName): string {
  return cluster ? `{${prefix}:${queue}}` : prefix;
}

/** The hosts a connection reaches (a Sentinel set's, or a Cluster's nodes'), and whether it authenticates or encrypts. */
function exposure(redis: RedisConnection): { hosts: string[]; protected: boolean } {
  const nodes: Redis[] = redis.isCluster ? (redis as Cluster).nodes() : [redis as Redis];
  const hosts = nodes.flatMap(({ options: o }) => (o.sentinels ? o.sentinels.map((s) => s.host ?? 'localhost') : o.path ? [] : [o.host ?? 'localhost']));
  const protectedAll = nodes.every(({ options: o }) => Boolean(o.password || o.tls));
  return { hosts: hosts.filter((h) => !isLoopbackHost(h)), protected: protectedAll };
}

const isNoPerm = (err: unknown) => err instanceof Error && err.message.startsWith('NOPERM');

/**
 * Warns once at start about a Redis that can lose jobs or that anyone on the network can use.
 * BullMQ loses jobs if Redis evicts keys, and loses acknowledged jobs on restart without AOF;
 * a `redis://` URL to another host without a password lets anyone who reaches it read and change
 * every job. None is fatal for a local run, so this warns rather than refusing to start. The
 * policy is read from INFO (memory, persistence), which managed Redis and the chart's ACL user
 * allow, unlike CONFIG.
 */
export async function warnOnUnsafeRedis(redis: RedisConnection, logger: Logger): Promise<void> {
  let info: Map<string, string> | undefined;
  try {
    info = parseInfo(await redis.info());
  } catch (err) {
    // An ACL that forbids INFO is a choice, not a fault: say so once, quietly.
    if (isNoPerm(err)) logger.info('redis policy check skipped: the ACL user in REDIS_URL may not run INFO');
    else logger.warn({ err }, 'could not read redis INFO to check maxmemory-policy and appendonly');
  }
  const { hosts, protected: safe } = exposure(redis);
  if (hosts.length > 0 && !safe) {
    logger.warn({ hosts }, 'REDIS_URL reaches Redis on another host with neither a password nor TLS: anyone who can reach it can read and change every job; give Redis a password (redis://:PASSWORD@host, or an ACL user redis://USER:PASSWORD@host) or use rediss://');
  }
  if (!info) return;
  const policy = info.get('maxmemory_policy');
  if (policy !== undefined && policy !== 'noeviction') {
    logger.warn({ maxmemoryPolicy: policy }, 'REDIS IS UNSAFE FOR JOBS: maxmemory-policy must be noeviction or jobs can be evicted');
  }
  if (info.get('aof_enabled') !== '1') {
    logger.warn({ appendonly: info.get('aof_enabled') === '0' ? 'no' : 'unknown' }, 'redis runs without AOF: jobs acknowledged just before a Redis restart can be lost');
  }
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: RedisConnection, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
