import { createHmac } from 'node:crypto';
import type { EnqueuedJob, RedisConnection } from '@bullpen/core';

/** What an idempotency key is bound to: the job(s) its first request enqueued. */
export interface IdempotencyRecord {
  kind: 'single' | 'bulk';
  jobs: EnqueuedJob[];
}

export interface IdempotencyStoreDeps {
  redis: RedisConnection;
  prefix: string;
  retentionSeconds: number;
  /** `API_ID_SECRET`: keys the record keys and job ids, so no client can compute another's. */
  secret: string;
}

/**
 * Idempotency keys, scoped per token name (two clients never share a key by accident) and
 * hashed with the server's secret (HMAC), so knowing a name and a key reveals no record or id.
 *
 * The protocol, per request carrying a key:
 * 1. `GET` the key's record; if there is one, answer 200 with its job(s) and enqueue nothing.
 * 2. Otherwise enqueue with job ids derived from the key (`<owner tag>-idem-<hmac>`): BullMQ adds a job
 *    whose id exists as a no-op, so two concurrent first requests still make one job.
 * 3. `SET NX` the record with a TTL of the retention: the request that wins answers 202, any
 *    other 200, with the same id. The record is written only after the job exists, so a failed
 *    enqueue never leaves a key bound to a job that was never made; and the record outlives
 *    the job's own retention trimming, so a finished, removed job is not run again.
 *
 * A key is honoured for `retentionSeconds` after its first use, and past that for as long as
 * its job is still stored (its id is still taken).
 */
export class IdempotencyStore {
  constructor(private readonly deps: IdempotencyStoreDeps) {}

  private hmac(value: string): string {
    return createHmac('sha256', this.deps.secret).update(value).digest('hex');
  }

  /** The Redis key of the record; also the seed of the job ids. */
  keyOf(scope: string, key: string): string {
    return `${this.deps.prefix}:idempotency:${this.hmac(`${scope}\0${key}`)}`;
  }

  /**
   * The part after the owner tag of one job's id under `recordKey` (see JobOwnership);
   * `worker` is part of it so ids never collide across queues.
   */
  jobIdSuffix(recordKey: string, worker: string, index?: number): string {
    return `idem-${this.hmac(`${recordKey}\0${worker}\0${index ?? ''}`).slice(0, 40)}`;
  }

  async find(recordKey: string): Promise<IdempotencyRecord | undefined> {
    const raw = await this.deps.redis.get(recordKey);
    return raw === null ? undefined : (JSON.parse(raw) as IdempotencyRecord);
  }

  /** Binds the key to `record` unless it is bound already; true when this call bound it. */
  async bind(recordKey: string, record: IdempotencyRecord): Promise<boolean> {
    const ok = await this.deps.redis.set(recordKey, JSON.stringify(record), 'EX', this.deps.retentionSeconds, 'NX');
    return ok === 'OK';
  }
}
