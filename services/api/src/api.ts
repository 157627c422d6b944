import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRuntime, ReplicationWaiter, type Logger, type WorkerRegistry } from '@bullpen/core';
import type { Express } from 'express';
import { createApp } from './app';
import { mayEnqueue, principalsOf, requireBasicAdmin, requireRole, TokenVerifier, type Principal } from './auth';
import type { ApiConfig } from './config';
import type { ApiContext } from './context';
import { IdempotencyStore } from './idempotency';
import { JobOwnership } from './job-ownership';
import { OpenResponses } from './open-responses';
import { jsonBody } from './json-body';
import { RateLimiter } from './rate-limit';
import { RedisGuard } from './redis-guard';
import { describeWorkers } from './worker-catalog';

export interface ApiDeps {
  config: ApiConfig;
  /** The Worker classes the API accepts (`discoverWorkers()` in production, any registry in tests). */
  registry: WorkerRegistry;
  logger: Logger;
}

/**
 * The API process: the runtime (one fail-fast producer connection, Queue handles, producer,
 * metrics) plus the Express app and its HTTP server. `start()` listens; the process may start
 * while Redis is down and answers 503 (and `/readyz` 503) until it is back.
 */
export function createApi({ config, registry, logger }: ApiDeps) {
  // Checked first: a token naming an unknown worker stops the API before anything is opened.
  const principals = principalsOf(config, registry);
  const runtime = createRuntime({ name: 'api', config, logger, role: 'producer', redisTimeoutMs: config.redisTimeoutMs });
  const { connection, producer, queues, register } = runtime;
  const guard = new RedisGuard(connection, config.redisTimeoutMs);
  const verifier = new TokenVerifier(principals);
  const workers = describeWorkers(registry);
  // Built once per token: what GET /api/workers answers it.
  const workerBodies = new Map([...principals.values()].map((p): [Principal, string] => [
    p, JSON.stringify({ workers: workers.filter((w) => mayEnqueue(p, registry.get(w.name))) }),
  ]));
  const ctx: ApiContext = {
    config,
    registry,
    workers,
    workersBodyOf: (principal) => workerBodies.get(principal)!,
    producer,
    queues,
    guard,
    redisWriteProblem: runtime.redisWriteProblem,
    // WAIT gets half the Redis budget: a write that took the other half still gets its answer in time.
    replication: config.minReplicasAck > 0
      ? new ReplicationWaiter({ redis: connection, replicas: config.minReplicasAck, timeoutMs: Math.floor(config.redisTimeoutMs / 2) })
      : undefined,
    idempotency: new IdempotencyStore({ redis: connection, prefix: config.prefix, retentionSeconds: config.idempotencyRetentionSeconds, secret: config.idSecret }),
    ownership: new JobOwnership(config.idSecret),
    rateLimiter: new RateLimiter({ redis: connection, guard, prefix: config.prefix, burstSeconds: config.rateBurstSeconds }),
    register,
    logger,
    mw: {
      client: requireRole(verifier, 'client'),
      admin: requireRole(verifier, 'admin'),
      dashboard: requireBasicAdmin(verifier),
      json: jsonBody(config.bodyLimitBytes),
    },
  };
  const app: Express = createApp(ctx);

  let server: Server | undefined;
  /** Requests not answered yet: at the end of the drain budget they get a 503 rather than holding the shutdown. */
  const inFlight = new OpenResponses();
  /** The one 'close' listener of every response, so a request costs no closure. */
  function settled(this: ServerResponse): void {
    inFlight.delete(this);
  }
  runtime.use('http server', {
    async start() {
      server = await listen(app, config);
      server.on('request', (_req, res: ServerResponse) => {
        inFlight.add(res);
        res.on('close', settled);
      });
    },
    // Stops taking requests and lets in-flight ones finish within the shutdown budget (those still open then answer 503 `shutting_down`).
    close: () => stopServer(server, inFlight, config.shutdownTimeoutSeconds * 1000),
  });

  return {
    app,
    register,
    producer,
    queues,
    /** The producer connection, for tests that wait on its events. */
    redis: connection,
    /** How many requests are being served now, for tests that shut down mid-request. */
    openRequests: (): number => inFlight.size,
    async start(): Promise<{ port: number }> {
      if (config.tokens.length === 0) logger.warn('API_TOKENS is empty: every /api request will answer 401');
      await runtime.start();
      const { port } = server!.address() as AddressInfo;
      logger.info({ port, workers: registry.list().map((w) => w.name), tokens: config.tokens.map(({ name, role }) => ({ name, role })) }, 'api started');
      return { port };
    },
    /** Drains HTTP, then closes the runtime (its Redis steps within a second, so a frozen Redis cannot hold the exit). Idempotent. */
    close: (): Promise<void> => runtime.close(),
  };
}

export type Api = ReturnType<typeof createApi>;

/** Headers must arrive within this (or the request timeout, when shorter); a slow body gets the rest of the request timeout. */
const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node looks for requests past their timeout; its default, 30 s, would let one outlive a short timeout by that much. */
const TIMEOUT_CHECK_MS = 1_000;

/**
 * Listens on `config.port` at `config.host` (all interfaces when unset). A client that trickles its headers or body holds a socket and a
 * parser: it is answered 408 and cut off once `API_REQUEST_TIMEOUT_SECONDS` pass.
 */
function listen(app: Express, config: Pick<ApiConfig, 'port' | 'host' | 'requestTimeoutSeconds'>): Promise<Server> {
  const requestTimeout = config.requestTimeoutSeconds * 1000;
  const server = createServer({ requestTimeout, headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout), connectionsCheckingInterval: TIMEOUT_CHECK_MS }, app);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** How long before the end of the drain budget open requests are answered, so their answers go out within it. */
const LAST_ANSWER_MS = 250;

/** A 503 for a request still open when the drain budget ends; its connection closes after it. */
function answerShuttingDown(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code: 'shutting_down', message: 'the API is shutting down and this request did not finish in time; retry (another replica answers)' } });
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1', connection: 'close' }).end(body);
}

/**
 * Stops listening, closes idle keep-alive connections, and waits for open requests until
 * `deadlineMs`: shortly before it, every request still open is answered 503 (a dashboard page
 * waiting on a frozen Redis, say), and at it every connection left is closed.
 */
async function stopServer(server: Server | undefined, inFlight: OpenResponses, deadlineMs: number): Promise<void> {
  if (!server) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const answer = setTimeout(() => inFlight.snapshot().forEach(answerShuttingDown), Math.max(0, deadlineMs - LAST_ANSWER_MS));
  const cut = setTimeout(() => server.closeAllConnections(), deadlineMs);
  await closed;
  clearTimeout(answer);
  clearTimeout(cut);
}
