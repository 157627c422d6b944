import { RedisRefusedError, type EnqueuedJob, type PreparedJob, type Producer, type WorkerRegistry } from '@bullpen/core';
import type { Request, Response, Router } from 'express';
import { assertMayEnqueue, mayEnqueue, principalOf, type Principal } from '../auth';
import { enqueueAllOrNothing, withLeftovers } from '../bulk-enqueue';
import type { ApiContext } from '../context';
import { toHttpError } from '../errors';
import { HttpError } from '../http-error';
import type { IdempotencyRecord } from '../idempotency';
import { statusUrl } from '../job-view';
import { sendJson } from '../json-response';
import { BulkEnqueueRequest, EnqueueRequest, idempotencyKey, parseRequest, type BulkJob, type EnqueueResponse } from '../schemas';

interface RequestedJob {
  job: PreparedJob;
  state: 'waiting' | 'delayed';
}

/**
 * Resolves and validates one job without touching Redis: unknown worker 404, a worker the token
 * may not enqueue 403, args failing the worker's schema 422, args over `maxArgsBytes` as JSON
 * 413, bad timing 400. This is the only check: the producer adds the prepared job as it is, and
 * bad input is refused even while Redis is down.
 */
function prepare(registry: WorkerRegistry, producer: Producer, principal: Principal, job: BulkJob, now: number): RequestedJob {
  const cls = registry.get(job.worker, (c) => mayEnqueue(principal, c)); // a 404 names only workers this token may enqueue
  assertMayEnqueue(principal, cls);
  const runAt = job.runAt === undefined ? undefined : new Date(job.runAt);
  const prepared = producer.prepare(cls, job.args === undefined ? {} : job.args, { delaySeconds: job.delaySeconds, runAt }, now);
  return { job: prepared, state: (prepared.opts.delay ?? 0) > 0 ? 'delayed' : 'waiting' };
}

/** The job with the id the API chose for it (its owner's tag, or the idempotency key's). */
function withId(job: PreparedJob, jobId: string): PreparedJob {
  return { ...job, opts: { ...job.opts, jobId } };
}

/** The key from the body or the `Idempotency-Key` header; both given must agree. */
function idempotencyKeyOf(req: Request, fromBody: string | undefined): string | undefined {
  const header = req.headers['idempotency-key'];
  if (header === undefined) return fromBody;
  const fromHeader = parseRequest(idempotencyKey, header, 'Idempotency-Key header');
  if (fromBody !== undefined && fromBody !== fromHeader) {
    throw new HttpError(400, 'invalid_request', 'the Idempotency-Key header and the idempotencyKey field differ');
  }
  return fromHeader;
}

/** A replayed key must be used for the same kind of request and the same workers. */
function assertSameRequest(record: IdempotencyRecord, kind: IdempotencyRecord['kind'], workers: string[]): void {
  const same = record.kind === kind && record.jobs.length === workers.length && record.jobs.every((j, i) => j.worker === workers[i]);
  if (!same) {
    throw new HttpError(409, 'idempotency_key_reused', 'this idempotency key was used for a different request; use a new key', {
      firstRequest: { kind: record.kind, workers: record.jobs.map((j) => j.worker) },
    });
  }
}

/** One enqueued job's answer, with `Location` its status URL (already percent-encoded, as `res.location` would leave it). */
function sendEnqueued(res: Response, status: 200 | 202, { id, worker, queue }: EnqueuedJob, state: EnqueueResponse['state']): void {
  const url = statusUrl(id);
  res.setHeader('Location', url);
  sendJson(res, status, { id, worker, queue, state, statusUrl: url } satisfies EnqueueResponse);
}

/** The header that says a 2xx enqueue has not reached `REDIS_MIN_REPLICAS_ACK` replicas yet. */
export const REPLICATION_HEADER = 'Bullpen-Replication';

/** Registers the enqueue routes on `router` (the app's own: see `createApp`). */
export function enqueueRoutes(ctx: ApiContext, router: Router): void {
  const { registry, producer, queues, guard, idempotency, ownership, rateLimiter, replication, mw } = ctx;

  /**
   * With `REDIS_MIN_REPLICAS_ACK`, waits for the replicas to have what this connection wrote
   * (the jobs, or on a replay the request's own reads found them). Short of the count: marks
   * the answer `Bullpen-Replication: pending`, or with `REDIS_REPLICATION_STRICT` refuses it
   * with a 503 that says the jobs exist.
   */
  async function confirmReplication(res: Response, jobs: readonly EnqueuedJob[], keyed: boolean): Promise<void> {
    if (!replication) return;
    const { required, acknowledged, problem } = await replication.afterWrite();
    if (acknowledged >= required) return;
    if (!ctx.config.replicationStrict) {
      res.setHeader(REPLICATION_HEADER, 'pending');
      return;
    }
    const what = jobs.length === 1 ? 'the job was' : `the ${jobs.length} jobs were`;
    const retry = keyed
      ? 'retry with the same idempotency key: it answers with the same job(s) and never adds a second'
      : 'a retry without an idempotency key would enqueue again';
    const message = `${what} written to the master but reached only ${acknowledged} of ${required} replicas${problem ? ` (${problem})` : ''}; `
      + `${jobs.length === 1 ? 'it exists and will run' : 'they exist and will run'}, but a failover before a replica has ${jobs.length === 1 ? 'it' : 'them'} would lose ${jobs.length === 1 ? 'it' : 'them'}: ${retry}`;
    throw new RedisRefusedError(
      { cause: 'replication', message, retryAfterSeconds: 5 },
      { required, acknowledged, jobsExist: true, ids: jobs.map((j) => j.id) },
    );
  }

  /**
   * Runs `enqueue` at most once per idempotency key (see IdempotencyStore): answers 202 when
   * this request made the job(s), 200 with the first request's job(s) otherwise.
   */
  async function once(
    res: Response,
    key: string,
    kind: IdempotencyRecord['kind'],
    workers: string[],
    enqueue: (recordKey: string) => Promise<EnqueuedJob[]>,
    reply: (status: 200 | 202, jobs: EnqueuedJob[]) => Promise<void> | void,
  ): Promise<void> {
    const recordKey = idempotency.keyOf(principalOf(res).name, key);
    const seen = await guard.run(() => idempotency.find(recordKey));
    if (seen) {
      assertSameRequest(seen, kind, workers);
      await confirmReplication(res, seen.jobs, true);
      return reply(200, seen.jobs);
    }
    const jobs = await enqueue(recordKey);
    if (await guard.run(() => idempotency.bind(recordKey, { kind, jobs }))) {
      await confirmReplication(res, jobs, true);
      return reply(202, jobs);
    }
    const winner = (await guard.run(() => idempotency.find(recordKey))) ?? { kind, jobs };
    assertSameRequest(winner, kind, workers);
    await confirmReplication(res, winner.jobs, true);
    return reply(200, winner.jobs);
  }

  router.post('/api/jobs', mw.client, mw.json, async (req, res) => {
    const principal = principalOf(res);
    const body = parseRequest(EnqueueRequest, req.body);
    const key = idempotencyKeyOf(req, body.idempotencyKey);
    const { job, state } = prepare(registry, producer, principal, body, Date.now());
    await rateLimiter.spend(principal, 1);
    if (key === undefined) {
      const enqueued = await guard.run(() => producer.add(withId(job, ownership.newId(principal))));
      await confirmReplication(res, [enqueued], false);
      sendEnqueued(res, 202, enqueued, state);
      return;
    }
    await once(
      res, key, 'single', [job.worker.name],
      async (recordKey) => {
        const jobId = ownership.newId(principal, idempotency.jobIdSuffix(recordKey, job.worker.name));
        return [await guard.run(() => producer.add(withId(job, jobId)))];
      },
      async (status, [first]) => {
        const current = status === 202 ? state : await guard.run(() => queues.get(first.queue).getJobState(first.id));
        sendEnqueued(res, status, first, current);
      },
    );
  });

  router.post('/api/jobs/bulk', mw.client, mw.json, async (req, res) => {
    const principal = principalOf(res);
    const body = parseRequest(BulkEnqueueRequest, req.body);
    const key = idempotencyKeyOf(req, body.idempotencyKey);
    const now = Date.now();
    const jobs = body.jobs.map((item, index) => {
      try {
        return prepare(registry, producer, principal, item, now).job;
      } catch (err) {
        const http = toHttpError(err);
        if (!http) throw err;
        const details = { index, ...(http.details as object | undefined) };
        throw new HttpError(http.status, http.code, `jobs[${index}]: ${http.message}`, details);
      }
    });
    // Refused by Redis here, the answer says so: nothing of this bulk was sent.
    await rateLimiter.spend(principal, jobs.length).catch((err: unknown) => Promise.reject(withLeftovers(guard, err, { enqueued: 'none' })));
    // Ids are chosen here, so a bulk that fails part-way can be found and undone (see enqueueAllOrNothing).
    const items = (ids: string[]): PreparedJob[] => jobs.map((j, i) => withId(j, ids[i]));
    if (key === undefined) {
      const enqueued = await enqueueAllOrNothing(ctx, items(jobs.map(() => ownership.newId(principal))), true);
      await confirmReplication(res, enqueued, false);
      res.status(202).json({ ids: enqueued.map((j) => j.id) });
      return;
    }
    await once(
      res, key, 'bulk', jobs.map((j) => j.worker.name),
      (recordKey) => enqueueAllOrNothing(ctx, items(jobs.map((j, i) => ownership.newId(principal, idempotency.jobIdSuffix(recordKey, j.worker.name, i)))), false),
      (status, enqueued) => void res.status(status).json({ ids: enqueued.map((j) => j.id) }),
    );
  });
}
