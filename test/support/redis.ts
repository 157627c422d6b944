import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { RedisConnection } from '@bullpen/core';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A BullMQ key prefix no other test uses, so tests run in parallel against one Redis. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Every key matching `pattern` (SCAN, never KEYS), on every master of a Cluster. */
export async function scanKeys(redis: RedisConnection, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return keys;
}

/** Keys under `prefix`, also those a Cluster's per-queue hash tags wrap (`{prefix:queue}:...`). */
function prefixKeys(redis: RedisConnection, prefix: string): Promise<string[]> {
  return redis instanceof Cluster
    ? Promise.all([scanKeys(redis, `${prefix}:*`), scanKeys(redis, `{${prefix}:*`)]).then((both) => both.flat())
    : scanKeys(redis, `${prefix}:*`);
}

/** Deletes every key under `prefix`; returns how many there were. */
export async function deletePrefix(redis: RedisConnection, prefix: string): Promise<number> {
  const keys = await prefixKeys(redis, prefix);
  // One key per command: on a Cluster the keys of one call must share a slot.
  if (redis instanceof Cluster) await Promise.all(keys.map((key) => redis.unlink(key)));
  else for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
  return keys.length;
}

export async function countKeys(redis: RedisConnection, prefix: string): Promise<number> {
  return (await prefixKeys(redis, prefix)).length;
}

export function testRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
}
