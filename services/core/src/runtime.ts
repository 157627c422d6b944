import type { CoreConfig } from './config';
import { settlesWithin } from './deadline';
import { releaseProducer, useProducer } from './default-producer';
import { HealthServer } from './health-server';
import { Lifecycle, type Component } from './lifecycle';
import type { Logger } from './logger';
import { createRegistry } from './metrics';
import { Producer } from './producer';
import { collectQueueDepth } from './queue-depth';
import { QueueHandles } from './queue-handles';
import { QUEUE_NAMES, type QueueName } from './queues';
import { createRedis, warnOnUnsafeRedis, type ConnectionRole } from './redis';
import { redisWriteCheck } from './redis-health';
import { logRedisReconnects } from './redis-reconnect-log';

export interface RuntimeOptions {
  /** The process, as its "<name> stopped" log line says. */
  name: string;
  config: Pick<CoreConfig, 'redis' | 'prefix' | 'maxArgsBytes' | 'host'>;
  logger: Logger;
  /** `producer` (fails fast: the API) or `consumer` (waits out an outage: the worker and the beat). */
  role: ConnectionRole;
  /** Queues whose `bullpen_queue_*` gauges this process exports; default all three. */
  gaugedQueues?: readonly QueueName[];
  /**
   * How long a scrape's queue gauges wait for Redis, in ms (default 5000); a readiness probe
   * waits at most 2000 of it.
   */
  redisTimeoutMs?: number;
}

export interface HealthOptions {
  /** `METRICS_PORT`; 0 picks a free one. */
  port: number;
  /** The process's own reason not to be ready (its loop not running), undefined when it is. */
  notReadyReason: () => string | undefined;
}

/** How long the Redis steps of a shutdown may take together, in milliseconds; then the connection is dropped. */
const REDIS_CLOSE_MS = 1_000;
/** The longest a readiness probe waits for Redis, in milliseconds. */
const READY_TIMEOUT_MS = 2_000;

/**
 * What every Bullpen process is built on: one Redis connection, the Queue handles on it, the
 * producer (bound to `Worker.performAsync` while the runtime runs), the metrics registry with the
 * queue gauges, and optionally the health port. A service adds its own parts with `use()`;
 * `start()` starts everything in the order added, `close()` closes it in reverse: the service's
 * parts first (drains), then the health port, the default-producer binding, the Queue handles
 * and the connection, the Redis steps sharing one second so a frozen Redis cannot hold the exit.
 */
export function createRuntime({ name, config, logger, role, gaugedQueues = QUEUE_NAMES, redisTimeoutMs }: RuntimeOptions) {
  const lifecycle = new Lifecycle();
  const connection = createRedis(config.redis, role);
  logRedisReconnects(connection, config.redis, logger);
  const queues = new QueueHandles({ connection, prefix: config.prefix, cluster: Boolean(config.redis.clusterNodes) });
  const register = createRegistry();
  const producer = new Producer({ queues, register, maxArgsBytes: config.maxArgsBytes });
  collectQueueDepth(register, gaugedQueues.map((q) => queues.get(q)), connection, redisTimeoutMs);
  const redisWriteProblem = redisWriteCheck(connection, { timeoutMs: Math.min(redisTimeoutMs ?? READY_TIMEOUT_MS, READY_TIMEOUT_MS) });

  // The Redis steps of a close share one deadline, set when the first of them runs.
  let redisDeadline = 0;
  const redisStep = (op: Promise<unknown> | undefined) => settlesWithin(op, Math.max(0, (redisDeadline ||= Date.now() + REDIS_CLOSE_MS) - Date.now()));
  lifecycle.add('redis connection', {
    async close() {
      // QUIT is refused while disconnected and unanswered by a frozen Redis: either way, drop the connection.
      const quit = connection.quit().then(() => true, () => false);
      if (!(await redisStep(quit)) || !(await quit)) connection.disconnect();
    },
  });
  lifecycle.add('queue handles', { close: () => redisStep(queues.close()) });

  // Checked once, whenever the connection is first ready: the process may start while Redis is down.
  let policyCheck: Promise<void> | undefined;
  const onReady = () => {
    logger.info('redis ready');
    policyCheck ??= warnOnUnsafeRedis(connection, logger);
  };
  lifecycle.add('redis policy check', {
    start() {
      connection.on('ready', onReady);
      if (connection.status === 'ready') onReady();
    },
    close() {
      connection.off('ready', onReady);
      return redisStep(policyCheck);
    },
  });
  lifecycle.add('default producer', { start: () => useProducer(producer), close: () => releaseProducer(producer) });

  let closing: Promise<void> | undefined;
  const stopped = (fields: Record<string, unknown>) => logger.info(fields, `${name} stopped`);

  return {
    connection,
    queues,
    producer,
    register,
    /** Why Redis cannot take writes now (down, a replica, out of memory, loading), undefined when it can. */
    redisWriteProblem,
    /** Adds a part of the process: started after those added before it, closed before them. */
    use(name: string, component: Component): void {
      lifecycle.add(name, component);
    },
    /**
     * Adds the `/healthz`, `/readyz`, `/metrics` port: not ready while Redis cannot take writes
     * or `notReadyReason` gives one. Add it before the parts it reports on, so it answers (and
     * `/readyz` explains) while they start, and stays up while they drain.
     */
    serveHealth({ port, notReadyReason }: HealthOptions): HealthServer {
      const health = new HealthServer({ port, host: config.host, register, logger, notReadyReason: async () => (await redisWriteProblem()) ?? notReadyReason() });
      lifecycle.add('health server', health);
      return health;
    },
    start: (): Promise<void> => lifecycle.start(),
    /**
     * Closes every part in reverse order, then logs "<name> stopped" with what the parts reported
     * (see `Component`). Memoised; safe before `start()`.
     */
    close(): Promise<void> {
      closing ??= lifecycle.close().then(stopped, (err: unknown) => {
        stopped({});
        throw err;
      });
      return closing;
    },
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
