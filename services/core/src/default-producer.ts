import { loadCoreConfig } from './config';
import { Producer, type ChainStep, type EnqueuedJob } from './producer';
import { createRedis, type RedisConnection } from './redis';

/**
 * The producer behind `Worker.performAsync` and friends in scripts and apps that do not build
 * their own: created from the environment on first use. Services bind theirs with `useProducer`.
 */
let current: { producer: Producer; ownConnection?: RedisConnection } | undefined;

export function defaultProducer(): Producer {
  if (!current) {
    const config = loadCoreConfig(process.env);
    const connection = createRedis(config.redis, 'producer');
    const producer = new Producer({ connection, prefix: config.prefix, cluster: Boolean(config.redis.clusterNodes), maxArgsBytes: config.maxArgsBytes });
    current = { producer, ownConnection: connection };
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

/** Closes the producer `performAsync` created, so a script can exit. Safe to call any time. */
export async function closeDefaultProducer(): Promise<void> {
  const previous = current;
  current = undefined;
  if (!previous?.ownConnection) return;
  await previous.producer.close();
  await previous.ownConnection.quit().catch(() => previous.ownConnection!.disconnect());
}
