import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  closeAll, collectQueueDepth, createMetrics, createRedis, Producer, warnOnUnsafeRedis,
  type Logger, type WorkerRegistry,
} from '@bullpen/core';
import type { Express } from 'express';
import { createApp } from './app';
import { requireBasicAdmin, requireRole, TokenVerifier } from './auth';
import type { ApiConfig } from './config';
import type { ApiContext } from './context';
import { IdempotencyStore } from './idempotency';
import { jsonBody } from './json-body';
import { RedisGuard } from './redis-guard';
import { describeWorkers } from './worker-catalog';

export interface ApiDeps {
  config: ApiConfig;
  /** The Worker classes the API accepts (`discoverWorkers()` in production, any registry in tests). */
  registry: WorkerRegistry;
  logger: Logger;
}

/**
 * The API process: one fail-fast producer connection to Redis (it owns it and closes it last),
 * the metrics, the producer and the Express app. `start()` listens; the process may start
 * while Redis is down and answers 503 (and `/readyz` 503) until it is back.
 */
export function createApi({ config, registry, logger }: ApiDeps) {
  const connection = createRedis(config.redis, 'producer');
  connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const metrics = createMetrics();
  const producer = new Producer({ connection, prefix: config.prefix, cluster: Boolean(config.redis.clusterNodes), metrics });
  const guard = new RedisGuard(connection, config.redisTimeoutMs);
  const verifier = new TokenVerifier(config.tokens);
  const ctx: ApiContext = {
    config,
    registry,
    workers: describeWorkers(registry),
    producer,
    guard,
    idempotency: new IdempotencyStore({ redis: connection, prefix: config.prefix, retentionSeconds: config.idempotencyRetentionSeconds }),
    metrics,
    logger,
    mw: {
      client: requireRole(verifier, 'client'),
      admin: requireRole(verifier, 'admin'),
      dashboard: requireBasicAdmin(verifier),
      json: jsonBody(config.bodyLimitBytes),
    },
  };
  collectQueueDepth(metrics, producer.allQueues(), connection, config.redisTimeoutMs);
  const app: Express = createApp(ctx);

  let unsafeCheck: Promise<void> | undefined;
  connection.on('ready', () => {
    logger.info('redis ready');
    unsafeCheck ??= warnOnUnsafeRedis(connection, logger);
  });

  let server: Server | undefined;
  let closing: Promise<void> | undefined;

  return {
    app,
    metrics,
    producer,
    /** The producer connection, for tests that wait on its events. */
    redis: connection,
    async start(): Promise<{ port: number }> {
      if (config.tokens.length === 0) logger.warn('API_TOKENS is empty: every /api request will answer 401');
      server = await listen(app, config.port);
      const { port } = server.address() as AddressInfo;
      logger.info({ port, workers: registry.list().map((w) => w.name), tokens: config.tokens.map(({ name, role }) => ({ name, role })) }, 'api started');
      return { port };
    },
    /** Stops taking requests, lets in-flight ones finish within the shutdown budget, then closes Redis. Idempotent. */
    close(): Promise<void> {
      closing ??= closeAll([
        () => stopServer(server, config.shutdownTimeoutSeconds * 1000),
        () => unsafeCheck,
        () => producer.close(),
        () => connection.quit().catch(() => connection.disconnect()),
      ]).finally(() => logger.info('api stopped'));
      return closing;
    },
  };
}

export type Api = ReturnType<typeof createApi>;

function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}

async function stopServer(server: Server | undefined, deadlineMs: number): Promise<void> {
  if (!server) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
  await closed;
  clearTimeout(timer);
}
