import { Job, QueueEvents } from 'bullmq';
import { createLogger, Producer, QueueHandles, QUEUE_NAMES, WorkerRegistry, type QueueName, type WorkerClass } from '@bullpen/core';
import { discoverWorkers } from '@bullpen/jobs/discover';
import { createWorkerService, loadWorkerConfig, type WorkerService } from '@bullpen/worker';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../../../test/support/redis';

/**
 * One test's world: its own key prefix, Queue handles and a producer on them, in-process worker services and
 * QueueEvents, all closed (and the prefix's keys deleted) by `close()`.
 */
export function harness(name: string) {
  const prefix = uniquePrefix(name);
  const redis = testRedis();
  const queues = new QueueHandles({ connection: redis, prefix });
  const producer = new Producer({ queues });
  const services: WorkerService[] = [];
  const events = new Map<QueueName, Promise<QueueEvents>>();

  return {
    prefix,
    redis,
    queues,
    producer,
    env: { REDIS_URL: TEST_REDIS_URL, BULLPEN_PREFIX: prefix, METRICS_PORT: '0', LOG_LEVEL: 'silent' } as Record<string, string>,

    /** The built-in workers plus `extra`, as a registry. */
    registry(...extra: WorkerClass[]): WorkerRegistry {
      return new WorkerRegistry([...discoverWorkers().list(), ...extra]);
    },

    async startWorker(registry: WorkerRegistry, env: Record<string, string> = {}): Promise<WorkerService & { metricsPort: number }> {
      const config = loadWorkerConfig({ ...this.env, ...env });
      const service = createWorkerService({ config, registry, logger: createLogger('worker', config.logLevel) });
      services.push(service);
      const { metricsPort } = await service.start();
      return Object.assign(service, { metricsPort });
    },

    /** The queue's QueueEvents, once it listens: callers at the same moment share the one wait, so none misses an event. */
    queueEvents(queue: QueueName): Promise<QueueEvents> {
      let ready = events.get(queue);
      if (!ready) {
        const qe = new QueueEvents(queue, { connection: { url: TEST_REDIS_URL }, prefix });
        ready = qe.waitUntilReady().then(() => qe);
        events.set(queue, ready);
      }
      return ready;
    },

    /** Resolves with the job's result when it completes; rejects with its reason if it fails. */
    async finished(queue: QueueName, id: string): Promise<unknown> {
      const qe = await this.queueEvents(queue);
      const job = await Job.fromId(queues.get(queue), id);
      if (!job) throw new Error(`no job ${id} in ${queue}`);
      return job.waitUntilFinished(qe);
    },

    async job(queue: QueueName, id: string): Promise<Job> {
      const job = await Job.fromId(queues.get(queue), id);
      if (!job) throw new Error(`no job ${id} in ${queue}`);
      return job;
    },

    async counts(): Promise<Record<string, number>> {
      const all = await Promise.all(QUEUE_NAMES.map((q) => queues.get(q).getJobCounts()));
      const total: Record<string, number> = {};
      for (const c of all) for (const [state, n] of Object.entries(c)) total[state] = (total[state] ?? 0) + n;
      return total;
    },

    async close(): Promise<void> {
      for (const s of services.reverse()) await s.close();
      for (const qe of events.values()) await (await qe).close();
      await queues.close();
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}

export type Harness = ReturnType<typeof harness>;
