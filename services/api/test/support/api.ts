import { createLogger, JOB_STATES, waitForRedis, WorkerRegistry, type Env } from '@bullpen/core';
import { DataProcessingWorker, HealthCheckWorker } from '@bullpen/jobs';
import { createApi, loadApiConfig, type Api } from '../../src';
import { countKeys, deletePrefix, uniquePrefix } from '../../../../test/support/redis';
import { EchoWorker, FlakyWorker, GateWorker } from './workers';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CLIENT_TOKEN = 'client-token-0123456789abcdef';
export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const OTHER_CLIENT_TOKEN = 'other-client-token-0123456789';
export const API_TOKENS = `app:${CLIENT_TOKEN}:client,ops:${ADMIN_TOKEN}:admin,other:${OTHER_CLIENT_TOKEN}:client`;
/** As production has it: every API replica of a test shares it. */
export const ID_SECRET = 'test-id-secret-0123456789abcdefghijklmnop';

/** Headers for supertest's `.set()`. */
export const AS = {
  client: { Authorization: `Bearer ${CLIENT_TOKEN}` },
  otherClient: { Authorization: `Bearer ${OTHER_CLIENT_TOKEN}` },
  admin: { Authorization: `Bearer ${ADMIN_TOKEN}` },
} as const;

/** The built-in workers plus the test ones; the API and in-process workers share it. */
export function testRegistry(): WorkerRegistry {
  return new WorkerRegistry([DataProcessingWorker, HealthCheckWorker, EchoWorker, FlakyWorker, GateWorker]);
}

export interface TestApi {
  api: Api;
  url: string;
  prefix: string;
  env: Env;
  /** Jobs in every state of every queue. */
  countJobs(): Promise<number>;
  /** Redis keys under the prefix (jobs, queue metadata, idempotency records). */
  countKeys(): Promise<number>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  env?: Env;
  registry?: WorkerRegistry;
  /** Wait until Redis is ready before returning (default true). */
  waitForRedis?: boolean;
}

/** Starts a real API on an ephemeral port with its own prefix. */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const prefix = uniquePrefix('api');
  const env: Env = { REDIS_URL, BULLPEN_PREFIX: prefix, PORT: '0', API_TOKENS, API_ID_SECRET: ID_SECRET, LOG_LEVEL: 'silent', SHUTDOWN_TIMEOUT_SECONDS: '2', ...options.env };
  const config = loadApiConfig(env);
  const api = createApi({ config, registry: options.registry ?? testRegistry(), logger: createLogger('api', config.logLevel) });
  const { port } = await api.start();
  if (options.waitForRedis ?? true) {
    await waitForRedis(api.redis, 5_000);
    // Each queue writes its meta hash once ready; wait for it so key counts are stable.
    await Promise.all(api.queues.all().map((q) => q.getVersion()));
  }
  return {
    api,
    url: `http://127.0.0.1:${port}`,
    prefix,
    env,
    async countJobs() {
      const counts = await Promise.all(api.queues.all().map((q) => q.getJobCounts(...JOB_STATES)));
      return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
    },
    countKeys: () => countKeys(api.redis, prefix),
    async close() {
      try {
        if (api.redis.status === 'ready') {
          await deletePrefix(api.redis, prefix);
        }
      } finally {
        await api.close();
      }
    },
  };
}
