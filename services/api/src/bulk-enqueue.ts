import { QUEUE_NAMES, RedisRefusedError, type EnqueuedJob, type PreparedJob, type Producer, type QueueHandles, type QueueName } from '@bullpen/core';
import type { RedisGuard } from './redis-guard';

export interface BulkEnqueueDeps {
  producer: Producer;
  queues: QueueHandles;
  guard: RedisGuard;
}

/** What a refused bulk left in Redis: `none`, `some` (then `leftBehind` lists them), or `unknown` (Redis could not be asked). */
export interface BulkLeftovers {
  enqueued: 'none' | 'some' | 'unknown';
  leftBehind?: string[];
}

/** The request's jobs that exist, by id; a plain EXISTS on each job's hash. */
async function existing(deps: BulkEnqueueDeps, items: readonly PreparedJob[]): Promise<PreparedJob[]> {
  const found = await Promise.all(items.map((i) => deps.guard.redis.exists(deps.queues.get(i.worker.queue).toKey(i.opts.jobId))));
  return items.filter((_, k) => found[k] === 1);
}

/**
 * Enqueues every item or, as far as Redis allows, none. BullMQ adds a queue's jobs in one
 * pipeline per queue, which is not atomic (a refusal that starts mid-way, or a lost
 * connection, leaves the jobs before it), and the queues are separate round trips. So after a
 * failure, once every queue's pipeline has answered, the jobs of the request that made it are
 * found by id and, with `undo`, removed again. What is left is attached to the error
 * (`details.enqueued`, `details.leftBehind`): a job a worker took in the meantime cannot be
 * removed, and after a timeout nothing is known (the writes may still land).
 *
 * `undo` is false for a request with an idempotency key: its ids are the key's, a concurrent
 * request with the same key may own them, and retrying with the key adds just the missing jobs.
 */
export async function enqueueAllOrNothing(deps: BulkEnqueueDeps, items: readonly PreparedJob[], undo: boolean): Promise<EnqueuedJob[]> {
  const { producer, guard } = deps;
  guard.assertReady(); // refused before anything is sent: nothing to look for
  const byQueue = new Map<QueueName, number[]>();
  items.forEach((item, i) => byQueue.set(item.worker.queue, [...(byQueue.get(item.worker.queue) ?? []), i]));
  const queues = QUEUE_NAMES.filter((q) => byQueue.has(q));
  let outcomes: PromiseSettledResult<EnqueuedJob[]>[];
  try {
    outcomes = await guard.run(() => Promise.allSettled(queues.map((q) => producer.addBulk(byQueue.get(q)!.map((i) => items[i])))));
  } catch (err) {
    throw withLeftovers(guard, err, { enqueued: 'unknown' });
  }
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (!failed) {
    const results: EnqueuedJob[] = new Array(items.length);
    outcomes.forEach((o, q) => byQueue.get(queues[q])!.forEach((i, k) => (results[i] = (o as PromiseFulfilledResult<EnqueuedJob[]>).value[k])));
    return results;
  }
  throw withLeftovers(guard, failed.reason, await leftovers(deps, items, undo));
}

/** Finds (and with `undo` removes) what a failed bulk left; `unknown` when Redis cannot be asked. */
async function leftovers(deps: BulkEnqueueDeps, items: readonly PreparedJob[], undo: boolean): Promise<BulkLeftovers> {
  try {
    let left = await deps.guard.run(() => existing(deps, items));
    if (undo && left.length > 0) {
      await deps.guard.run(() => Promise.allSettled(left.map((i) => deps.queues.get(i.worker.queue).remove(i.opts.jobId))));
      left = await deps.guard.run(() => existing(deps, left));
    }
    return left.length === 0 ? { enqueued: 'none' } : { enqueued: 'some', leftBehind: left.map((i) => i.opts.jobId) };
  } catch {
    return { enqueued: 'unknown' };
  }
}

/** A refusal carries the leftovers to the answer; any other error (a bug) goes on as it is. */
export function withLeftovers(guard: RedisGuard, err: unknown, found: BulkLeftovers): unknown {
  const refusal = guard.refusalOf(err);
  if (!refusal) return err;
  const details = err instanceof RedisRefusedError ? err.details : undefined;
  return new RedisRefusedError(refusal, { ...details, ...found }, { cause: err });
}
