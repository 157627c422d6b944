import { isQueueName, QUEUE_NAMES, readQueueDepth, type QueueDepth, type QueueName } from '@bullpen/core';
import { Router } from 'express';
import type { ApiContext } from '../context';
import { HttpError } from '../http-error';
import { BacklogQuery, parseRequest, type Backlog, type QueueBacklog, type QueueSummary } from '../schemas';

type PerQueue<T> = Record<QueueName, T>;

const perQueue = <D extends QueueDepth, T>(depths: D[], view: (d: D) => T): PerQueue<T> =>
  Object.fromEntries(depths.map((d) => [d.queue, view(d)])) as PerQueue<T>;

export function queueRoutes(ctx: ApiContext): Router {
  const { queues: handles, guard, mw } = ctx;
  const router = Router();
  const queues = handles.all();
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

  /**
   * What KEDA's metrics-api trigger reads: jobs ready to run per queue, and `total` over the
   * queues `?queues=` lists (default: all), so one trigger follows a worker group's whole backlog.
   */
  router.get('/api/queues/backlog', mw.client, async (req, res) => {
    const { queues: listed = QUEUE_NAMES } = parseRequest(BacklogQuery, req.query, 'query');
    const read = await guard.run(() => Promise.all(listed.map((name) => readQueueDepth(handles.get(name), guard.redis))));
    const backlog = (d: QueueDepth): Backlog => ({
      ready: d.counts.waiting + d.counts.prioritized,
      oldestSeconds: d.oldestWaitingSeconds,
      paused: d.paused,
    });
    const each = read.map(backlog);
    const total: Backlog = {
      ready: each.reduce((sum, b) => sum + b.ready, 0),
      oldestSeconds: Math.max(...each.map((b) => b.oldestSeconds)),
      paused: each.every((b) => b.paused),
    };
    res.json({ queues: perQueue(read, backlog), total } satisfies QueueBacklog);
  });

  for (const action of ['pause', 'resume'] as const) {
    router.post(`/api/queues/:name/${action}`, mw.admin, async (req, res) => {
      const name = req.params.name as string;
      if (!isQueueName(name)) throw new HttpError(404, 'queue_not_found', `no queue "${name}" (queues: ${QUEUE_NAMES.join(', ')})`);
      const queue = handles.get(name);
      await guard.run(() => (action === 'pause' ? queue.pause() : queue.resume()));
      res.json({ queue: name, paused: action === 'pause' });
    });
  }

  return router;
}
