import { readHost, readHostPorts, readInteger, readLogLevel, readString, readUrl, type Env } from './env';
import { ConfigError } from './errors';
import type { RedisSettings } from './redis';

/** How long finished jobs stay in Redis; whichever limit is reached first trims them. */
export interface Retention {
  /**
   * Seconds a completed job is kept; default 0, no age limit: completed jobs are trimmed by
   * count only, which saves every completion a range scan of the completed set.
   */
  completedSeconds: number;
  /** Completed jobs kept per queue. Default 10000. */
  completedCount: number;
  /** Seconds a failed job is kept. Default 604800 (7 days). */
  failedSeconds: number;
  /** Failed jobs kept per queue. Default 10000. */
  failedCount: number;
}

/** What every Bullpen process needs: where Redis is, its key prefix, logging, retention. */
export interface CoreConfig {
  /** `REDIS_URL` (and `REDIS_SENTINELS` / `REDIS_SENTINEL_MASTER` or `REDIS_CLUSTER_NODES`). */
  redis: RedisSettings;
  /** `BULLPEN_PREFIX`, default `bull`; the BullMQ key prefix (on Redis Cluster each queue wraps it in its own hash tag). */
  prefix: string;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: string;
  retention: Retention;
  /**
   * `SHUTDOWN_TIMEOUT_SECONDS`, default 25: on SIGTERM the drain budget (active jobs, in-flight
   * requests); the process exits at the latest 1.5 s after it. Keep it below the pod's grace period.
   */
  shutdownTimeoutSeconds: number;
  /**
   * `HOST`, default all interfaces: the address the process's HTTP server (the API, or the
   * worker's and beat's metrics port) listens on. `make dev` sets 127.0.0.1.
   */
  host: string | undefined;
  /**
   * `WORKER_MAX_ARGS_BYTES`, default 262144 (256 KiB): the largest args a job may have, as JSON.
   * The API refuses larger ones (413) and the worker fails such a job for good before parsing it.
   */
  maxArgsBytes: number;
}

export const CORE_DEFAULTS = {
  redisUrl: 'redis://127.0.0.1:6379',
  sentinelMaster: 'mymaster',
  prefix: 'bull',
  maxArgsBytes: 256 * 1024,
  retention: { completedSeconds: 0, completedCount: 10_000, failedSeconds: 604_800, failedCount: 10_000 },
} as const;

export function loadCoreConfig(env: Env): CoreConfig {
  const prefix = readString(env, 'BULLPEN_PREFIX', CORE_DEFAULTS.prefix);
  if (!/^[\w{}.-]+$/.test(prefix)) {
    throw new ConfigError('BULLPEN_PREFIX', `only letters, digits, _ . - { } allowed, got "${prefix}"`);
  }
  const redis = loadRedisSettings(env);
  if (redis.clusterNodes && /[{}]/.test(prefix)) {
    throw new ConfigError('BULLPEN_PREFIX', `on Redis Cluster Bullpen gives each queue its own hash tag; use a prefix without braces, got "${prefix}"`);
  }
  const d = CORE_DEFAULTS.retention;
  return Object.freeze({
    redis,
    prefix,
    logLevel: readLogLevel(env, 'LOG_LEVEL'),
    shutdownTimeoutSeconds: readInteger(env, 'SHUTDOWN_TIMEOUT_SECONDS', 25, { min: 0, max: 3600 }),
    host: readHost(env, 'HOST'),
    maxArgsBytes: readInteger(env, 'WORKER_MAX_ARGS_BYTES', CORE_DEFAULTS.maxArgsBytes, { min: 1024, max: 64 * 1024 * 1024 }),
    retention: Object.freeze({
      completedSeconds: readInteger(env, 'JOB_RETENTION_COMPLETED_SECONDS', d.completedSeconds, { min: 0 }),
      completedCount: readInteger(env, 'JOB_RETENTION_COMPLETED_COUNT', d.completedCount, { min: 0 }),
      failedSeconds: readInteger(env, 'JOB_RETENTION_FAILED_SECONDS', d.failedSeconds, { min: 0 }),
      failedCount: readInteger(env, 'JOB_RETENTION_FAILED_COUNT', d.failedCount, { min: 0 }),
    }),
  });
}

/** One Redis, a Sentinel set naming its master, or a Cluster's seed nodes; never two of them. */
function loadRedisSettings(env: Env): RedisSettings {
  const url = readUrl(env, 'REDIS_URL', CORE_DEFAULTS.redisUrl, ['redis:', 'rediss:']);
  const sentinels = readHostPorts(env, 'REDIS_SENTINELS');
  const clusterNodes = readHostPorts(env, 'REDIS_CLUSTER_NODES');
  if (sentinels && clusterNodes) throw new ConfigError('REDIS_CLUSTER_NODES', 'set REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both');
  const sentinelMaster = readString(env, 'REDIS_SENTINEL_MASTER', CORE_DEFAULTS.sentinelMaster);
  if (!/^[\w.-]+$/.test(sentinelMaster)) throw new ConfigError('REDIS_SENTINEL_MASTER', `only letters, digits, _ . - allowed, got "${sentinelMaster}"`);
  return Object.freeze({ url, sentinels, sentinelMaster, sentinelPassword: readString(env, 'REDIS_SENTINEL_PASSWORD', '') || undefined, clusterNodes });
}
