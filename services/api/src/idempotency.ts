import { createHash } from 'node:crypto';
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
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * Idempotency keys, scoped per token name (two clients never share a key by accident).
 *
 * The protocol, per request carrying a key:
 * 1. `GET` the key's record; if there is one, answer 200 with its job(s) and enqueue nothing.
 * 2. Otherwise enqueue with job ids derived from the key (`idem-<sha256>`): BullMQ adds a job
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

  /** The Redis key of the record; also the seed of the job ids. */
  keyOf(scope: string, key: string): string {
    return `${this.deps.prefix}:idempotency:${sha256(`${scope}\0${key}`)}`;
  }

  /** Job id for one job under `recordKey`; `worker` is part of it so ids never collide across queues. */
  jobId(recordKey: string, worker: string, index?: number): string {
    return `idem-${sha256(`${recordKey}\0${worker}\0${index ?? ''}`)}`;
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
