import { QueueSourceError } from './errors';

/** One queue's depth, as `status` shows it and `drain` checks it. */
export interface QueueStats {
  name: string;
  /** Jobs ready to run now (BullMQ waiting + prioritized): the backlog. */
  ready: number;
  /** Age in seconds of the job that has been ready the longest; 0 when none is. */
  oldestSeconds: number;
  active: number;
  delayed: number;
  /** Parents waiting for their children (flows); they become ready later. */
  waitingChildren: number;
  failed: number;
  paused: boolean;
  /**
   * BullMQ job schedulers on the queue (the beat's cron schedules). Each keeps its next run as one
   * delayed job, counted in `delayed`; 0 when the API does not say.
   */
  jobSchedulers: number;
}

/**
 * Delayed jobs other than the schedulers' next runs: one delayed job per scheduler is its next
 * occurrence, which is not work left over (it is due in the future, and again after that).
 */
export function pendingDelayed(q: QueueStats): number {
  return Math.max(0, q.delayed - q.jobSchedulers);
}

/** Jobs a worker would still have to run: ready, running, delayed (bar the schedulers' next runs) or waiting for children. */
export function pendingJobs(q: QueueStats): number {
  return q.ready + q.active + pendingDelayed(q) + q.waitingChildren;
}

/** Where queue depths come from. */
export interface QueueSource {
  /** Where it reads, for messages. */
  readonly url: string;
  read(): Promise<QueueStats[]>;
}

export interface ApiQueueSourceOptions {
  /** The Bullpen API's base URL, e.g. http://127.0.0.1:8080 after `kubectl port-forward svc/bullpen-api 8080`. */
  apiUrl: string;
  /** A client (or admin) token, sent as `Authorization: Bearer`. */
  token?: string;
  timeoutMs: number;
}

/** The part of `GET /api/queues` read here (counts per state, paused flag, schedulers; see services/api/README.md). */
interface QueueListBody {
  queues: Record<string, { paused: boolean; counts: Record<string, number>; oldestWaitingSeconds?: number; jobSchedulers?: number }>;
}

/**
 * Reads `GET /api/queues` of the Bullpen API: one request gives every queue's counts per state,
 * its paused flag, the oldest ready job's age and its job scheduler count. The API, not Redis: it is reachable wherever the
 * workers' jobs are enqueued from, needs a token rather than the Redis password, and the chart's
 * NetworkPolicy lets only Bullpen's own pods reach Redis.
 */
export class ApiQueueSource implements QueueSource {
  readonly url: string;

  constructor(private readonly options: ApiQueueSourceOptions) {
    this.url = `${options.apiUrl.replace(/\/+$/, '')}/api/queues`;
  }

  async read(): Promise<QueueStats[]> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        headers: { accept: 'application/json', ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw new QueueSourceError(`GET ${this.url} failed: ${networkReason(err)}`);
    }
    if (res.status === 401 || res.status === 403) {
      const hint = this.options.token ? 'BULLPEN_API_TOKEN was refused' : 'set BULLPEN_API_TOKEN to a client token';
      throw new QueueSourceError(`GET ${this.url} answered ${res.status}: ${hint}`);
    }
    const text = await res.text();
    if (!res.ok) throw new QueueSourceError(`GET ${this.url} answered ${res.status}: ${apiErrorMessage(text)}`);
    let body: QueueListBody;
    try {
      body = JSON.parse(text) as QueueListBody;
    } catch {
      throw new QueueSourceError(`GET ${this.url} did not answer JSON (is this the Bullpen API?)`);
    }
    if (!body || typeof body.queues !== 'object') throw new QueueSourceError(`GET ${this.url} answered without "queues"`);
    return Object.entries(body.queues).map(([name, q]) => toStats(name, q));
  }
}

export function toStats(name: string, q: QueueListBody['queues'][string]): QueueStats {
  const n = (state: string) => q.counts?.[state] ?? 0;
  return {
    name,
    ready: n('waiting') + n('prioritized'),
    oldestSeconds: q.oldestWaitingSeconds ?? 0,
    active: n('active'),
    delayed: n('delayed'),
    waitingChildren: n('waiting-children'),
    failed: n('failed'),
    paused: q.paused === true,
    jobSchedulers: q.jobSchedulers ?? 0,
  };
}

function apiErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON: show the start of it
  }
  return text.slice(0, 200) || '(empty body)';
}

/** fetch() hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, timeout). Duck-typed: errors may come from another realm. */
export function networkReason(err: unknown): string {
  const e = (err ?? {}) as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
