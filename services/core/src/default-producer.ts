import { loadCoreConfig } from './config';
import { Producer, type ChainStep, type EnqueuedJob } from './producer';
import { QueueHandles } from './queue-handles';
import { createRedis, type RedisConnection } from './redis';

/**
 * The producer behind `Worker.performAsync` and friends. A service's runtime binds its own
 * while it runs (`useProducer` on start, `releaseProducer` on close); scripts and apps that do
 * not build one get one created from the environment on first use.
 */
let current: { producer: Producer; own?: { queues: QueueHandles; connection: RedisConnection } } | undefined;

export function defaultProducer(): Producer {
  if (!current) {
    const config = loadCoreConfig(process.env);
    const connection = createRedis(config.redis, 'producer');
    const queues = new QueueHandles({ connection, prefix: config.prefix, cluster: Boolean(config.redis.clusterNodes) });
    current = { producer: new Producer({ queues, maxArgsBytes: config.maxArgsBytes }), own: { queues, connection } };
  }
  return current.producer;
}

/**
 * Runs the steps one after another, each receiving the previous step's result, through the
 * producer `performAsync` uses (see `Producer.chain`).
 */
export function chain(steps: readonly ChainStep[]): Promise<EnqueuedJob[]> {
  return defaultProducer().chain(steps);
}

/** Makes `performAsync` use `producer` (its owner keeps closing it). */
export function useProducer(producer: Producer): void {
  current = { producer };
}

/** Undoes `useProducer(producer)`, unless another producer was bound since. */
export function releaseProducer(producer: Producer): void {
  if (current?.producer === producer) current = undefined;
}

/** Closes the producer `performAsync` created, so a script can exit. Safe to call any time. */
export async function closeDefaultProducer(): Promise<void> {
  const own = current?.own;
  current = undefined;
  if (!own) return;
  await own.queues.close();
  await own.connection.quit().catch(() => own.connection.disconnect());
}
