import type { Logger, Producer, QueueHandles, ReplicationWaiter, WorkerRegistry } from '@bullpen/core';
import type { Registry } from 'prom-client';
import type { RequestHandler } from 'express';
import type { ApiConfig } from './config';
import type { Principal } from './auth';
import type { IdempotencyStore } from './idempotency';
import type { JobOwnership } from './job-ownership';
import type { RateLimiter } from './rate-limit';
import type { RedisGuard } from './redis-guard';
import type { WorkerInfo } from './schemas';

/** What the routes share: built once by `createApi`, handed to every route module. */
export interface ApiContext {
  config: ApiConfig;
  registry: WorkerRegistry;
  /** The registry's workers as GET /api/workers and /openapi.json show them. */
  workers: readonly WorkerInfo[];
  producer: Producer;
  /** The process's Queue handles, for reads and queue admin. */
  queues: QueueHandles;
  guard: RedisGuard;
  /** Why Redis cannot take writes now, undefined when it can (cached for a second); `/readyz`. */
  redisWriteProblem: () => Promise<string | undefined>;
  /** Waits for `REDIS_MIN_REPLICAS_ACK` replicas after an enqueue; absent when that is 0. */
  replication?: ReplicationWaiter;
  idempotency: IdempotencyStore;
  /** Owner tags in job ids: who may read a job. */
  ownership: JobOwnership;
  /** Per-token enqueue limits. */
  rateLimiter: RateLimiter;
  /** GET /api/workers's body for each principal: the workers it may enqueue. */
  workersBodyOf(principal: Principal): string;
  /** The process's metrics registry (`/metrics`). */
  register: Registry;
  logger: Logger;
  /** Middleware built once: bearer auth per role, Basic auth for the dashboard, the JSON body parser. */
  mw: {
    client: RequestHandler;
    admin: RequestHandler;
    dashboard: RequestHandler;
    json: RequestHandler;
  };
}
