import type { Cluster } from 'ioredis';
import { answerWithin, classifyRedisError, connectionRefusal, redisRefusal } from './redis-errors';
import type { RedisConnection } from './redis';
import { parseInfo, type Info } from './redis-info';

/** How long a check waits for Redis by default, in milliseconds; below a kubelet probe's usual 3-5 s timeout. */
const DEFAULT_TIMEOUT_MS = 2_000;
/** How long a check's answer is reused by default, in milliseconds, so a probe storm costs one INFO per second. */
const DEFAULT_CACHE_MS = 1_000;

export interface RedisWriteCheckOptions {
  /** Longest wait for Redis's answer, in milliseconds; default 2000. */
  timeoutMs?: number;
  /** How long an answer is reused, in milliseconds; default 1000. 0 asks Redis every time. */
  cacheMs?: number;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The reason one Redis server's INFO says it refuses writes, or undefined; `where` names the node of a Cluster. */
function infoProblem(info: Info, where = ''): string | undefined {
  if (info.get('loading') === '1') {
    const done = info.get('loading_loaded_perc');
    const eta = info.get('loading_eta_seconds');
    return redisRefusal('loading', `after a restart${done ? `, ${done}% done` : ''}${eta ? `, about ${eta} s left` : ''}${where}`).message;
  }
  if (info.get('role') === 'slave') {
    const master = info.has('master_host') ? ` of ${info.get('master_host')}:${info.get('master_port')}` : '';
    return redisRefusal('readonly', `it is a replica${master}${where}`).message;
  }
  // Redis's own test (evict.c): memory it does not count for eviction (replication and AOF buffers) is left out.
  const maxmemory = Number(info.get('maxmemory') ?? 0);
  const counted = Number(info.get('used_memory') ?? 0) - Number(info.get('mem_not_counted_for_evict') ?? 0);
  const policy = info.get('maxmemory_policy') ?? 'noeviction';
  // With noeviction nothing can be freed; a volatile-* policy frees only keys with a TTL, which BullMQ's are not.
  if (maxmemory > 0 && counted > maxmemory && (policy === 'noeviction' || policy.startsWith('volatile-'))) {
    return redisRefusal('oom', `maxmemory reached: ${megabytes(counted)} used of ${megabytes(maxmemory)}, policy ${policy}${where}`).message;
  }
  if (info.get('aof_enabled') === '1' && info.get('aof_last_write_status') === 'err') {
    return redisRefusal('misconf', `its last AOF write failed${where}`).message;
  }
  return undefined;
}

const isCluster = (redis: RedisConnection): redis is Cluster => redis.isCluster;

/**
 * Why Redis cannot take writes now, or undefined when it can. Reads `INFO` (no key is
 * written): not connected, no answer within `timeoutMs`, loading its data set, a replica,
 * out of memory under `noeviction`, failing AOF writes, or (on a Cluster) a cluster that is not
 * `ok`; a command Redis refuses (BUSY, NOAUTH...) gives that refusal. Not checked: an RDB
 * snapshot failure (Redis refuses writes for it only when save points are set, which INFO does
 * not show) and `min-replicas-to-write`; enqueues still answer those with their own 503.
 */
export async function redisWriteProblem(redis: RedisConnection, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string | undefined> {
  return (await askRedis(redis, timeoutMs)).problem;
}

/** The check itself; `answered` is false when Redis gave no answer (not connected, timed out). */
async function askRedis(redis: RedisConnection, timeoutMs: number): Promise<{ problem?: string; answered: boolean }> {
  if (redis.status !== 'ready') return { problem: connectionRefusal(redis.status).message, answered: false };
  try {
    if (!isCluster(redis)) {
      const info = parseInfo(await answerWithin(redis.info(), timeoutMs));
      // BullMQ's scripts touch several keys of a queue; without a Cluster client and hash tags they fail with CROSSSLOT.
      if (info.get('cluster_enabled') === '1') return { problem: redisRefusal('crossslot').message, answered: true };
      return { problem: infoProblem(info), answered: true };
    }
    const masters = redis.nodes('master');
    const [clusterInfo, ...infos] = await answerWithin(
      Promise.all([redis.cluster('INFO'), ...masters.map((node) => node.info())]),
      timeoutMs,
    );
    const state = parseInfo(clusterInfo).get('cluster_state');
    if (state !== 'ok') return { problem: redisRefusal('clusterdown', `cluster_state is ${state}`).message, answered: true };
    for (const [i, text] of infos.entries()) {
      const problem = infoProblem(parseInfo(text), ` at ${masters[i].options.host}:${masters[i].options.port}`);
      if (problem) return { problem, answered: true };
    }
    return { answered: true };
  } catch (err) {
    const refusal = classifyRedisError(err);
    const answered = refusal !== undefined && refusal.cause !== 'timeout' && refusal.cause !== 'unreachable';
    return { problem: refusal?.message ?? (err as Error).message, answered };
  }
}

/**
 * `redisWriteProblem` with Redis's answer reused for `cacheMs`, and one INFO in flight at most,
 * however many probes arrive. No answer (not connected, timed out) is not reused, so readiness
 * returns as soon as Redis does. For `/readyz`: `notReadyReason: () => check()`.
 */
export function redisWriteCheck(redis: RedisConnection, options: RedisWriteCheckOptions = {}): () => Promise<string | undefined> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, cacheMs = DEFAULT_CACHE_MS } = options;
  let pending: Promise<string | undefined> | undefined;
  let last: { problem?: string; at: number } | undefined;
  return () => {
    if (redis.status !== 'ready') return redisWriteProblem(redis, timeoutMs);
    if (pending) return pending;
    if (last && Date.now() - last.at < cacheMs) return Promise.resolve(last.problem);
    pending = askRedis(redis, timeoutMs).then(({ problem, answered }) => {
      last = answered ? { problem, at: Date.now() } : undefined;
      pending = undefined;
      return problem;
    });
    return pending;
  };
}
