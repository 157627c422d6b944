import { isQueueName, QUEUE_NAMES, readQueueDepth, type QueueDepth, type QueueName } from '@bullpen/core';
import { Router } from 'express';
import type { ApiContext } from '../context';
import { HttpError } from '../http-error';
import type { QueueBacklog, QueueSummary } from '../schemas';

type PerQueue<T> = Record<QueueName, T>;

const perQueue = <D extends QueueDepth, T>(depths: D[], view: (d: D) => T): PerQueue<T> =>
  Object.fromEntries(depths.map((d) => [d.queue, view(d)])) as PerQueue<T>;

export function queueRoutes(ctx: ApiContext): Router {
  const { producer, guard, mw } = ctx;
  const router = Router();
  const queues = producer.allQueues();
  const depths = () => guard.run(() => Promise.all(queues.map((q) => readQueueDepth(q, guard.redis))));
  /** Depths plus each queue's job scheduler count (one ZCARD more), whose next runs sit in delayed. */
  const depthsWithSchedulers = () =>
    guard.run(() =>
      Promise.all(
        queues.map(async (q) => {
          const [depth, jobSchedulers] = await Promise.all([readQueueDepth(q, guard.redis), q.getJobSchedulersCount()]);
          return { ...depth, jobSchedulers };
        }),
      ),
    );

  router.get('/api/queues', mw.client, async (_req, res) => {
    const summary = (d: QueueDepth & { jobSchedulers: number }): QueueSummary => ({
      paused: d.paused,
      counts: d.counts,
      oldestWaitingSeconds: d.oldestWaitingSeconds,
      jobSchedulers: d.jobSchedulers,
    });
    res.json({ queues: perQueue(await depthsWithSchedulers(), summary) });
  });

  /** What KEDA's metrics-api trigger reads: jobs ready to run per queue. */
  router.get('/api/queues/backlog', mw.client, async (_req, res) => {
    const backlog = (d: QueueDepth): QueueBacklog['queues'][QueueName] => ({
      ready: d.counts.waiting + d.counts.prioritized,
      oldestSeconds: d.oldestWaitingSeconds,
      paused: d.paused,
    });
    res.json({ queues: perQueue(await depths(), backlog) } satisfies QueueBacklog);
  });

  for (const action of ['pause', 'resume'] as const) {
    router.post(`/api/queues/:name/${action}`, mw.admin, async (req, res) => {
      const name = req.params.name as string;
      if (!isQueueName(name)) throw new HttpError(404, 'queue_not_found', `no queue "${name}" (queues: ${QUEUE_NAMES.join(', ')})`);
      const queue = producer.queue(name);
      await guard.run(() => (action === 'pause' ? queue.pause() : queue.resume()));
      res.json({ queue: name, paused: action === 'pause' });
    });
  }

  return router;
}
