import {
  ConfigError, loadCoreConfig, QUEUE_NAMES, readInteger, readQueueList, readString, readUrl, type CoreConfig, type Env, type QueueName,
} from '@bullpen/core';

export interface WorkerConfig extends CoreConfig {
  /** `METRICS_PORT`, default 9464: `/metrics`, `/healthz`, `/readyz`. */
  metricsPort: number;
  /** `WORKER_QUEUES`, default `critical,default,low`: the queues this pod consumes, highest priority first. */
  queues: QueueName[];
  /** `WORKER_CONCURRENCY`, default 8: jobs this pod runs at once, across its queues. */
  concurrency: number;
  /** `WORKER_RESERVED_CRITICAL`, default 1 when the pod consumes critical and concurrency > 1, else 0: slots only critical may use. */
  reservedCritical: number;
  /** `WORKER_QUEUE_WEIGHTS`, e.g. `critical:6,default:3,low:1`: weighted instead of strict order. */
  queueWeights?: Readonly<Partial<Record<QueueName, number>>>;
  /** `WORKER_ISOLATION`, default `inline`: how classes without `static isolation` run. */
  isolation: 'inline' | 'process';
  /** `WORKER_JOB_MEMORY_MB`, default 256: heap limit of an isolated job's process. */
  jobMemoryMb: number;
  /** `WORKER_MAX_RESULT_BYTES`, default 1 MiB: the largest result, as JSON, a job may store. */
  maxResultBytes: number;
  /** `WORKER_LOCK_SECONDS`, default 30: a job whose worker stops renewing its lock this long is recovered. */
  lockSeconds: number;
  /** `WORKER_STALLED_CHECK_SECONDS`, default 30: how often to look for such jobs. */
  stalledCheckSeconds: number;
  /** `API_HEALTH_URL`, default `http://127.0.0.1:8080/healthz`: what HealthCheckWorker pings. */
  apiHealthUrl: string;
}

export function loadWorkerConfig(env: Env): WorkerConfig {
  // Priority is the queues' own order, whatever order WORKER_QUEUES lists them in.
  const queues = QUEUE_NAMES.filter((q) => readQueueList(env, 'WORKER_QUEUES', QUEUE_NAMES).includes(q));
  const concurrency = readInteger(env, 'WORKER_CONCURRENCY', 8, { min: 1, max: 1000 });
  const consumesCritical = queues.includes('critical');
  const reservedCritical = readInteger(env, 'WORKER_RESERVED_CRITICAL', consumesCritical && concurrency > 1 ? 1 : 0, { min: 0, max: concurrency - 1 });
  if (reservedCritical > 0 && !consumesCritical) {
    throw new ConfigError('WORKER_RESERVED_CRITICAL', `reserves ${reservedCritical} slot(s) for critical, but WORKER_QUEUES does not include critical`);
  }
  return Object.freeze({
    ...loadCoreConfig(env),
    metricsPort: readInteger(env, 'METRICS_PORT', 9464, { min: 0, max: 65535 }),
    queues,
    concurrency,
    reservedCritical,
    queueWeights: readQueueWeights(env, 'WORKER_QUEUE_WEIGHTS', queues),
    isolation: readIsolation(env, 'WORKER_ISOLATION'),
    jobMemoryMb: readInteger(env, 'WORKER_JOB_MEMORY_MB', 256, { min: 16, max: 65536 }),
    maxResultBytes: readInteger(env, 'WORKER_MAX_RESULT_BYTES', 1024 * 1024, { min: 1024, max: 512 * 1024 * 1024 }),
    lockSeconds: readInteger(env, 'WORKER_LOCK_SECONDS', 30, { min: 1, max: 3600 }),
    stalledCheckSeconds: readInteger(env, 'WORKER_STALLED_CHECK_SECONDS', 30, { min: 1, max: 3600 }),
    apiHealthUrl: readUrl(env, 'API_HEALTH_URL', 'http://127.0.0.1:8080/healthz', ['http:', 'https:']),
  });
}

/** `critical:6,default:3,low:1`: a positive integer for every consumed queue, no other queue. */
function readQueueWeights(env: Env, name: string, queues: readonly QueueName[]): WorkerConfig['queueWeights'] {
  const value = readString(env, name, '');
  if (value === '') return undefined;
  const weights: Partial<Record<QueueName, number>> = {};
  for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(\w+):(\d+)$/.exec(entry);
    if (!match) throw new ConfigError(name, `expected queue:weight pairs like critical:6,default:3,low:1, got "${entry}"`);
    const [, queue, weight] = match;
    if (!queues.includes(queue as QueueName)) throw new ConfigError(name, `"${queue}" is not a queue this pod consumes (${queues.join(', ')})`);
    if (Number(weight) < 1) throw new ConfigError(name, `the weight of ${queue} must be at least 1, got ${weight}`);
    weights[queue as QueueName] = Number(weight);
  }
  const missing = queues.filter((q) => weights[q] === undefined);
  if (missing.length > 0) throw new ConfigError(name, `gives no weight to ${missing.join(', ')}; weigh every queue in WORKER_QUEUES`);
  return Object.freeze(weights);
}

function readIsolation(env: Env, name: string): 'inline' | 'process' {
  const value = readString(env, name, 'inline');
  if (value !== 'inline' && value !== 'process') throw new ConfigError(name, `expected inline or process, got "${value}"`);
  return value;
}
