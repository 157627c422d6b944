import { withDeadline } from './deadline';

/**
 * Why Redis did not do what was asked, in words a person can act on. One place decides this for
 * every service: the API turns a refusal into `503 redis_unavailable`, readiness checks report it.
 */
export type RedisRefusalCause =
  | 'unreachable' // no connection: refused, closed, reconnecting
  | 'timeout' // a command got no answer in time
  | 'readonly' // READONLY: a replica
  | 'masterdown' // MASTERDOWN: a replica without its master, serving no data
  | 'oom' // OOM: maxmemory reached
  | 'loading' // LOADING: reading its data set after a restart
  | 'busy' // BUSY: a script or function runs and blocks everything else
  | 'noreplicas' // NOREPLICAS: min-replicas-to-write not met
  | 'misconf' // MISCONF: cannot persist to disk, refuses writes
  | 'clusterdown' // CLUSTERDOWN: a hash slot is not served
  | 'redirect' // MOVED / ASK the client could not follow
  | 'crossslot' // CROSSSLOT: a Cluster node reached as if it were a single Redis
  | 'tryagain' // TRYAGAIN: keys moving between Cluster nodes
  | 'auth' // NOAUTH / WRONGPASS
  | 'noperm' // NOPERM: the ACL user may not do this
  | 'replication'; // written, but fewer replicas acknowledged than required (WAIT)

export interface RedisRefusal {
  cause: RedisRefusalCause;
  /** What Redis refused and what to check, for people (API answers, /readyz, logs). */
  message: string;
  /** How long a client should wait before trying again (`Retry-After`), in seconds. */
  retryAfterSeconds: number;
}

/** What each cause says: the fact, the default detail in parentheses, and what to do. */
const CAUSES: Record<RedisRefusalCause, { what: string; detail?: string; action: string; retryAfterSeconds: number }> = {
  unreachable: { what: 'Redis cannot be reached', detail: 'connection refused or closed', action: 'check that it is running and that REDIS_URL (or REDIS_SENTINELS / REDIS_CLUSTER_NODES) points at it', retryAfterSeconds: 5 },
  timeout: { what: 'Redis did not answer in time', action: 'it may be overloaded, hung or cut off by the network; check its latency and CPU', retryAfterSeconds: 5 },
  readonly: { what: 'Redis is read-only', detail: 'it is a replica', action: 'check REDIS_URL points at the master, or use REDIS_SENTINELS', retryAfterSeconds: 5 },
  masterdown: { what: 'Redis is a replica that lost its master and serves no data', detail: 'replica-serve-stale-data no', action: 'restore the master, and point REDIS_URL at the master or use REDIS_SENTINELS', retryAfterSeconds: 5 },
  oom: { what: 'Redis is out of memory', detail: 'maxmemory reached', action: 'raise maxmemory or lower job retention (JOB_RETENTION_*)', retryAfterSeconds: 30 },
  loading: { what: 'Redis is loading its data set into memory', detail: 'after a restart', action: 'wait until it has finished', retryAfterSeconds: 5 },
  busy: { what: 'Redis is busy running a script or function and answers nothing else', action: 'wait for it to end, or stop it with SCRIPT KILL / FUNCTION KILL', retryAfterSeconds: 5 },
  noreplicas: { what: 'Redis refuses writes: fewer replicas are in sync than its min-replicas-to-write requires', action: 'check that its replicas run and keep up', retryAfterSeconds: 5 },
  misconf: { what: 'Redis refuses writes because it cannot save to disk', detail: 'MISCONF', action: 'check its disk space and the RDB/AOF errors in its log', retryAfterSeconds: 30 },
  clusterdown: { what: 'Redis Cluster is down', detail: 'a hash slot is not served', action: 'check the cluster nodes (CLUSTER INFO, CLUSTER NODES)', retryAfterSeconds: 5 },
  redirect: { what: 'Redis redirected the request to another Cluster node and it could not be followed', detail: 'MOVED/ASK', action: 'for a Redis Cluster set REDIS_CLUSTER_NODES, not REDIS_URL; during resharding, retry', retryAfterSeconds: 5 },
  crossslot: { what: 'Redis refused keys from several hash slots in one command', detail: 'CROSSSLOT: REDIS_URL points at a Redis Cluster node', action: 'for a Redis Cluster set REDIS_CLUSTER_NODES', retryAfterSeconds: 60 },
  tryagain: { what: 'Redis Cluster is moving the keys of this request between nodes', detail: 'TRYAGAIN', action: 'retry shortly', retryAfterSeconds: 1 },
  auth: { what: 'Redis refused the credentials', detail: 'NOAUTH/WRONGPASS', action: 'set the right user and password in REDIS_URL (redis://user:password@host)', retryAfterSeconds: 60 },
  noperm: { what: 'the Redis user in REDIS_URL lacks a permission Bullpen needs', detail: 'NOPERM', action: 'grant it every command BullMQ runs on the keys under BULLPEN_PREFIX', retryAfterSeconds: 60 },
  replication: { what: 'the write reached fewer Redis replicas than required', action: 'check the replicas; retry with the same idempotency key', retryAfterSeconds: 5 },
};

/** The refusal for `cause`; `detail` replaces the default words in parentheses (e.g. "no answer within 500 ms"). */
export function redisRefusal(cause: RedisRefusalCause, detail?: string): RedisRefusal {
  const { what, action, retryAfterSeconds } = CAUSES[cause];
  const words = detail ?? CAUSES[cause].detail;
  return { cause, message: `${what}${words ? ` (${words})` : ''}: ${action}`, retryAfterSeconds };
}

/**
 * An error that already knows its refusal: a deadline that passed, a connection that is not
 * ready, replicas that did not acknowledge. `details` travel to the API answer.
 */
export class RedisRefusedError extends Error {
  override name = 'RedisRefusedError';
  constructor(
    readonly refusal: RedisRefusal,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: ErrorOptions,
  ) {
    super(refusal.message, options);
  }
}

/** Redis error codes (the reply's first word) and what they mean. */
const REPLY_CODES: Record<string, RedisRefusalCause> = {
  READONLY: 'readonly',
  MASTERDOWN: 'masterdown',
  OOM: 'oom',
  LOADING: 'loading',
  BUSY: 'busy',
  NOREPLICAS: 'noreplicas',
  MISCONF: 'misconf',
  CLUSTERDOWN: 'clusterdown',
  MOVED: 'redirect',
  ASK: 'redirect',
  CROSSSLOT: 'crossslot',
  TRYAGAIN: 'tryagain',
  NOAUTH: 'auth',
  WRONGPASS: 'auth',
  NOPERM: 'noperm',
};

/**
 * What ioredis and Node say when the connection, not the command, failed. ioredis's Cluster
 * and Sentinel clients add their own phrases for "no node to talk to".
 */
const UNREACHABLE = /Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Cluster isn't ready|Failed to refresh slots cache|None of startup nodes is available|All sentinels are unreachable|max number of clients reached/i;
const TIMED_OUT = /Command timed out|ETIMEDOUT/;

/** A reply code at the start of `message`, or after the `-` Redis 6 puts before an error raised inside a script. */
function replyCode(message: string): RedisRefusalCause | undefined {
  const first = /^([A-Z]+) /.exec(message)?.[1];
  if (first && REPLY_CODES[first]) return REPLY_CODES[first];
  if (first === 'ERR' || first === 'EXECABORT') {
    const inner = /-([A-Z]+) /.exec(message)?.[1];
    if (inner && REPLY_CODES[inner]) return REPLY_CODES[inner];
  }
  return undefined;
}

/**
 * The refusal `err` stands for, or undefined when it is not Redis refusing (a bug, a bad
 * argument, BullMQ saying a job is locked). Reads Redis's reply codes (`READONLY ...`,
 * `OOM ...`, also when raised inside a Lua script), a transaction's `EXECABORT` by the errors
 * that aborted it, ioredis's "Too many Cluster redirections", and connection failures.
 */
export function classifyRedisError(err: unknown): RedisRefusal | undefined {
  if (err instanceof RedisRefusedError) return err.refusal;
  if (!(err instanceof Error)) return undefined;
  const { message } = err;
  const code = replyCode(message);
  if (code) return redisRefusal(code);
  // ioredis rejects a MULTI whose commands Redis refused while queueing with EXECABORT, and keeps the reasons.
  const previous = (err as { previousErrors?: unknown }).previousErrors;
  if (Array.isArray(previous)) {
    for (const inner of previous) {
      const refusal = classifyRedisError(inner);
      if (refusal) return refusal;
    }
  }
  if (message.startsWith('Too many Cluster redirections')) return redisRefusal('redirect');
  if (err.name === 'MaxRetriesPerRequestError' || UNREACHABLE.test(message)) return redisRefusal('unreachable');
  if (TIMED_OUT.test(message)) return redisRefusal('timeout');
  return undefined;
}

/**
 * The refusal for a connection that is not `ready` (ioredis `status`): `connect` means connected
 * but Redis has not passed the ready check, which a Redis loading its data set passes only when
 * done. `lastError`, the connection's last `error` event, names a refusal such as NOAUTH.
 */
export function connectionRefusal(status: string, lastError?: Error): RedisRefusal {
  const named = lastError && classifyRedisError(lastError);
  if (named && named.cause !== 'unreachable' && named.cause !== 'timeout') return named;
  if (status === 'connect') return redisRefusal('unreachable', 'connected, but Redis has not passed its ready check; it may be loading its data set');
  return redisRefusal('unreachable', `connection is ${status}${lastError ? `; last error: ${lastError.message}` : ''}`);
}

/** `op`, or a `timeout` refusal once `ms` pass without Redis's answer. */
export function answerWithin<T>(op: Promise<T>, ms: number): Promise<T> {
  return withDeadline(op, ms, () => new RedisRefusedError(redisRefusal('timeout', `no answer within ${ms} ms`)));
}

/**
 * Whether `err` is a connection that is lost, refused or not let in (NOAUTH/WRONGPASS), not a
 * command Redis refused: the outage `logRedisReconnects` already reports once per attempt, so
 * other listeners (BullMQ workers re-emit their connections' errors) log it at debug only.
 */
export function isConnectionError(err: unknown): boolean {
  const cause = classifyRedisError(err)?.cause;
  return cause === 'unreachable' || cause === 'auth';
}
