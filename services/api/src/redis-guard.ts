import type { RedisConnection } from '@bullpen/core';

/** Redis cannot answer now: not connected, or no reply within the deadline. Becomes a 503. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** Messages ioredis and BullMQ use when the connection, not the command, failed. */
const CONNECTION_FAILURE = /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|max retries per request|Stream isn't writeable/i;

/**
 * Runs a request's Redis work so that it fails fast instead of hanging: refused at once while
 * the connection is not ready (nothing is sent, so nothing can happen later), and cut off
 * after `timeoutMs` when Redis accepts the command but does not answer (a stopped or overloaded
 * server). After a timeout the command may still run, as with any network timeout; clients that
 * must not double-enqueue send an idempotency key.
 */
export class RedisGuard {
  constructor(
    readonly redis: RedisConnection,
    private readonly timeoutMs: number,
  ) {}

  async run<T>(op: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.redis.status !== 'ready') throw new RedisUnavailableError(`redis is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailableError(`redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([op(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves to a reason when Redis is not usable now, undefined when it answers PING. */
  async notReadyReason(timeoutMs = this.timeoutMs): Promise<string | undefined> {
    try {
      await this.run(() => this.redis.ping(), timeoutMs);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** True when `err` means Redis could not be reached, as opposed to a bug or a refused command. */
  isUnavailable(err: unknown): boolean {
    if (err instanceof RedisUnavailableError) return true;
    if (this.redis.status !== 'ready') return true;
    return err instanceof Error && (CONNECTION_FAILURE.test(err.message) || err.name === 'MaxRetriesPerRequestError');
  }
}
