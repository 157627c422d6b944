import type { QueueName } from '@bullpen/core';
import type { Job } from 'bullmq';
import { Router, type Request, type Response } from 'express';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';
import { HttpError } from '../http-error';
import { findJob, jobNotFound } from '../job-lookup';
import { jobStatus } from '../job-view';
import { JobParams, JobQuery, parseRequest, type JobActionResponse } from '../schemas';

/** BullMQ's error codes on a job that changed under us (see bullmq ErrorCode). */
const JOB_NOT_EXIST = -1;
const JOB_NOT_IN_STATE = -3;
const JOB_BELONGS_TO_SCHEDULER = -8;

const CANCELLABLE = new Set(['waiting', 'prioritized', 'delayed']);

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

export function jobRoutes(ctx: ApiContext): Router {
  const { queues: handles, guard, ownership, mw } = ctx;
  const router = Router();

  /**
   * The job named by `:id` (and `?queue=`), or 404 / 409. A client token asking for a job it
   * did not enqueue gets the same 404 as for a job that does not exist, before Redis is asked.
   */
  function lookup(req: Request, res: Response): Promise<Job> {
    const { id } = parseRequest(JobParams, req.params, 'job id');
    const { queue } = parseRequest(JobQuery, req.query, 'query');
    if (!ownership.mayRead(principalOf(res), id)) throw jobNotFound(id);
    const queues = queue ? [handles.get(queue)] : handles.all();
    return guard.run(() => findJob(queues, id));
  }

  const action = (job: Job, state: JobActionResponse['state']): JobActionResponse => ({
    id: job.id!, worker: job.name, queue: job.queueName as QueueName, state,
  });

  router.get('/api/jobs/:id', mw.client, async (req, res) => {
    let job = await lookup(req, res);
    const state = await guard.run(() => job.getState());
    // Finished between the two reads: read it again, or a completed job would show no result.
    if ((state === 'completed' || state === 'failed') && job.finishedOn === undefined) {
      const queue = handles.get(job.queueName as QueueName);
      job = (await guard.run(() => queue.getJob(job.id!))) ?? job;
    }
    res.json(jobStatus(job, state));
  });

  /** Moves a failed job back to waiting; it keeps its attempt count, so it gets one more run. */
  router.post('/api/jobs/:id/retry', mw.admin, async (req, res) => {
    const job = await lookup(req, res);
    try {
      await guard.run(() => job.retry('failed'));
    } catch (err) {
      if (codeOf(err) === JOB_NOT_EXIST) throw new HttpError(404, 'job_not_found', `job "${job.id}" is gone`);
      if (codeOf(err) === JOB_NOT_IN_STATE) {
        const state = await guard.run(() => job.getState());
        throw new HttpError(409, 'job_not_failed', `job "${job.id}" is ${state}; only failed jobs can be retried`, { state });
      }
      throw err;
    }
    res.status(202).json(action(job, 'waiting'));
  });

  /** Removes a job that has not started; a running or finished job answers 409. */
  router.delete('/api/jobs/:id', mw.admin, async (req, res) => {
    const job = await lookup(req, res);
    const state = await guard.run(() => job.getState());
    const conflict = (now: string) =>
      new HttpError(409, 'job_not_cancellable', `job "${job.id}" is ${now}; only waiting or delayed jobs can be cancelled`, { state: now });
    if (!CANCELLABLE.has(state)) throw conflict(state);
    try {
      await guard.run(() => job.remove());
    } catch (err) {
      if (codeOf(err) === JOB_BELONGS_TO_SCHEDULER) {
        throw new HttpError(409, 'job_scheduled', `job "${job.id}" is the next run of a cron schedule; remove the worker's cronSchedule instead`);
      }
      // BullMQ refuses to remove a locked job: a worker took it since we looked.
      if (err instanceof Error && /locked/.test(err.message)) throw conflict('active');
      throw err;
    }
    res.json(action(job, 'cancelled'));
  });

  return router;
}
