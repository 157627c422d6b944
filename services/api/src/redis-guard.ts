import { answerWithin, classifyRedisError, connectionRefusal, RedisRefusedError, type RedisConnection, type RedisRefusal } from '@bullpen/core';

/**
 * Runs a request's Redis work so that it fails fast instead of hanging: refused at once while
 * the connection is not ready (nothing is sent, so nothing can happen later), and cut off
 * after `timeoutMs` when Redis accepts the command but does not answer (a stopped or overloaded
 * server). After a timeout the command may still run, as with any network timeout; clients that
 * must not double-enqueue send an idempotency key.
 */
export class RedisGuard {
  /** The connection's last `error` event, which says why it is not ready (ECONNREFUSED, NOAUTH...). */
  private lastError?: Error;

  constructor(
    readonly redis: RedisConnection,
    readonly timeoutMs: number,
  ) {
    redis.on('error', (err: Error) => {
      this.lastError = err;
    });
    redis.on('ready', () => {
      this.lastError = undefined;
    });
  }

  /** Not `async`: it wraps every Redis call of a request, and `async` would add a promise and a microtask to each. */
  run<T>(op: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    try {
      this.assertReady();
      return answerWithin(op(), timeoutMs);
    } catch (err) {
      // Refused (or `op` threw) before any promise: still a rejection, as callers chain `.catch`.
      return Promise.reject(err);
    }
  }

  /** Throws the refusal for a connection that is not ready; nothing is sent then. */
  assertReady(): void {
    if (this.redis.status !== 'ready') throw new RedisRefusedError(connectionRefusal(this.redis.status, this.lastError));
  }

  /**
   * The refusal `err` stands for (see `classifyRedisError`), or undefined for a bug or a refused
   * request. While the connection is down any error is taken for the outage.
   */
  refusalOf(err: unknown): RedisRefusal | undefined {
    return classifyRedisError(err) ?? (this.redis.status !== 'ready' ? connectionRefusal(this.redis.status, this.lastError) : undefined);
  }
}
