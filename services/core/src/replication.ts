import type { Cluster, Redis } from 'ioredis';
import { withDeadline } from './deadline';
import type { RedisConnection } from './redis';

/**
 * `WAIT numreplicas timeout` on `redis`: resolves to how many replicas have acknowledged every
 * write sent on this connection so far, once `replicas` have or after `timeoutMs` (0: do not
 * wait, just count). WAIT is per connection, so it must run on the connection that wrote. On a
 * Cluster it runs on every master's connection and answers the fewest (a master this process
 * did not write to answers at once with its replica count).
 */
export async function waitForReplicas(redis: RedisConnection, replicas: number, timeoutMs: number): Promise<number> {
  const wait = (node: Redis | Cluster) => node.call('WAIT', replicas, Math.max(0, Math.round(timeoutMs))) as Promise<number>;
  if (!redis.isCluster) return wait(redis);
  const counts = await Promise.all((redis as Cluster).nodes('master').map(wait));
  return counts.length === 0 ? 0 : Math.min(...counts);
}

export interface ReplicationAck {
  /** Replicas that had to acknowledge. */
  required: number;
  /** Replicas that did, 0 when Redis could not be asked (see `problem`). */
  acknowledged: number;
  /** Why the replicas could not be asked, when they could not (no answer, connection lost). */
  problem?: string;
}

export interface ReplicationWaiterOptions {
  /** The producer connection the writes go through (WAIT counts that connection's writes). */
  redis: RedisConnection;
  /** Replicas each write must reach (`REDIS_MIN_REPLICAS_ACK`). */
  replicas: number;
  /** Longest WAIT, in milliseconds. */
  timeoutMs: number;
}

/** A replica whose last acknowledgement is older than this (seconds) is not waited for: it is stuck or cut off. */
const MAX_REPLICA_LAG_SECONDS = 3;
/** How long the count of connected replicas is reused, in milliseconds. */
const REPLICAS_CACHE_MS = 1_000;
/** Extra time past the WAIT's own timeout before giving up on Redis's answer, in milliseconds. */
const ANSWER_MARGIN_MS = 1_000;

/** Replicas `INFO replication` lists as online and acknowledging, e.g. `slave0:ip=...,state=online,offset=...,lag=0`. */
export function onlineReplicas(infoReplication: string): number {
  let online = 0;
  for (const line of infoReplication.split('\r\n')) {
    if (!/^slave\d+:/.test(line)) continue;
    const fields = new Map(line.slice(line.indexOf(':') + 1).split(',').map((kv) => kv.split('=') as [string, string]));
    if (fields.get('state') === 'online' && Number(fields.get('lag') ?? 0) <= MAX_REPLICA_LAG_SECONDS) online++;
  }
  return online;
}

/**
 * Waits for writes to reach `replicas` replicas, sharing WAITs between concurrent callers:
 * WAIT blocks its connection (commands behind it wait), so one WAIT at a time runs, and it
 * covers every write answered before it was sent. On a single Redis it WAITs only for the
 * replicas `INFO replication` shows online (enough of them: reused for a second), so a stopped replica costs
 * nothing: the answer is at once "fewer than required" instead of a connection blocked for
 * `timeoutMs` per enqueue. A replica that is connected but stuck can still hold each WAIT for
 * `timeoutMs`, until its lag passes 3 s.
 */
export class ReplicationWaiter {
  private queued: Array<(ack: ReplicationAck) => void> = [];
  private waiting = false;
  private online?: { count: number; at: number };

  constructor(private readonly options: ReplicationWaiterOptions) {}

  /** Call once a write on the connection has been answered. Never rejects. */
  afterWrite(): Promise<ReplicationAck> {
    return new Promise((resolve) => {
      this.queued.push(resolve);
      this.next();
    });
  }

  private next(): void {
    if (this.waiting || this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    this.waiting = true;
    // ask() answers a failure as a problem, never rejects.
    void this.ask()
      .then((ack) => batch.forEach((resolve) => resolve(ack)))
      .finally(() => {
        this.waiting = false;
        this.next();
      });
  }

  private async ask(): Promise<ReplicationAck> {
    const { replicas: required, timeoutMs } = this.options;
    const limit = timeoutMs + ANSWER_MARGIN_MS;
    try {
      return await withDeadline(this.count(), limit, () => new Error(`redis did not answer WAIT within ${limit} ms`));
    } catch (err) {
      this.online = undefined;
      return { required, acknowledged: 0, problem: (err as Error).message };
    }
  }

  private async count(): Promise<ReplicationAck> {
    const { redis, replicas: required, timeoutMs } = this.options;
    if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
    const target = redis.isCluster ? required : Math.min(required, await this.onlineReplicas(redis as Redis));
    if (target === 0) return { required, acknowledged: 0 };
    const acknowledged = await waitForReplicas(redis, target, timeoutMs);
    if (acknowledged < target) this.online = undefined; // a replica fell behind or left: count again next time
    return { required, acknowledged: Math.min(acknowledged, required) };
  }

  /** Online replicas; a count that suffices is reused for a second, a short one is asked again next time, so a returning replica counts at once. */
  private async onlineReplicas(redis: Redis): Promise<number> {
    const now = Date.now();
    if (this.online && now - this.online.at < REPLICAS_CACHE_MS) return this.online.count;
    const count = onlineReplicas(await redis.info('replication'));
    this.online = count >= this.options.replicas ? { count, at: now } : undefined;
    return count;
  }
}
