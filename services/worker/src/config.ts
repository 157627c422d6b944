import { loadCoreConfig, QUEUE_NAMES, readInteger, readQueueList, readUrl, type CoreConfig, type Env, type QueueName } from '@bullpen/core';

export interface WorkerConfig extends CoreConfig {
  /** `METRICS_PORT`, default 9464: `/metrics`, `/healthz`, `/readyz`. */
  metricsPort: number;
  /** `WORKER_QUEUES`, default `critical,default,low`: the queues this pod consumes. */
  queues: QueueName[];
  /** `WORKER_CONCURRENCY`, default 8: job slots per queue in this pod. */
  concurrency: number;
  /** `SHUTDOWN_TIMEOUT_SECONDS`, default 25: drain budget on SIGTERM; below the pod's grace period. */
  shutdownTimeoutSeconds: number;
  /** `WORKER_LOCK_SECONDS`, default 30: a job whose worker stops renewing its lock this long is recovered. */
  lockSeconds: number;
  /** `WORKER_STALLED_CHECK_SECONDS`, default 30: how often to look for such jobs. */
  stalledCheckSeconds: number;
  /** `API_HEALTH_URL`, default `http://127.0.0.1:8080/healthz`: what HealthCheckWorker pings. */
  apiHealthUrl: string;
}

export function loadWorkerConfig(env: Env): WorkerConfig {
  return Object.freeze({
    ...loadCoreConfig(env),
    metricsPort: readInteger(env, 'METRICS_PORT', 9464, { min: 0, max: 65535 }),
    queues: readQueueList(env, 'WORKER_QUEUES', QUEUE_NAMES),
    concurrency: readInteger(env, 'WORKER_CONCURRENCY', 8, { min: 1, max: 1000 }),
    shutdownTimeoutSeconds: readInteger(env, 'SHUTDOWN_TIMEOUT_SECONDS', 25, { min: 0, max: 3600 }),
    lockSeconds: readInteger(env, 'WORKER_LOCK_SECONDS', 30, { min: 1, max: 3600 }),
    stalledCheckSeconds: readInteger(env, 'WORKER_STALLED_CHECK_SECONDS', 30, { min: 1, max: 3600 }),
    apiHealthUrl: readUrl(env, 'API_HEALTH_URL', 'http://127.0.0.1:8080/healthz', ['http:', 'https:']),
  });
}
