import { QueueEvents } from 'bullmq';
import { createRedis, type QueueName } from '@bullpen/core';
import { REDIS_URL } from './api';

type JobEvent = 'active' | 'completed' | 'failed' | 'waiting' | 'removed';
const EVENTS: JobEvent[] = ['active', 'completed', 'failed', 'waiting', 'removed'];

interface Seen {
  event: JobEvent;
  jobId: string;
  payload: Record<string, unknown>;
}

/**
 * A queue's event stream from its very beginning (the prefix is fresh, so that is this test's
 * events only): `waitFor` resolves on an event that already happened or happens later, with no
 * subscribe-after-the-fact race and no sleeps.
 */
export class JobEvents {
  private readonly seen: Seen[] = [];
  private readonly waiters = new Set<{ match: (s: Seen) => boolean; resolve: (s: Seen) => void }>();

  private constructor(
    private readonly events: QueueEvents,
    private readonly connection: ReturnType<typeof createRedis>,
  ) {
    for (const event of EVENTS) {
      events.on(event, (payload: { jobId: string }) => this.record({ event, jobId: payload.jobId, payload }));
    }
    events.on('error', () => {});
  }

  static async open(prefix: string, queue: QueueName): Promise<JobEvents> {
    const connection = createRedis(REDIS_URL, 'consumer');
    const events = new QueueEvents(queue, { connection, prefix, lastEventId: '0-0' });
    await events.waitUntilReady();
    return new JobEvents(events, connection);
  }

  waitFor(event: JobEvent, jobId: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const match = (s: Seen) => s.event === event && s.jobId === jobId;
    const already = this.seen.find(match);
    if (already) return Promise.resolve(already.payload);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no "${event}" event for job ${jobId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (s: Seen) => {
          clearTimeout(timer);
          resolve(s.payload);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** How many times `event` happened for `jobId` so far. */
  count(event: JobEvent, jobId: string): number {
    return this.seen.filter((s) => s.event === event && s.jobId === jobId).length;
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private record(s: Seen): void {
    this.seen.push(s);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(s)) {
        this.waiters.delete(waiter);
        waiter.resolve(s);
      }
    }
  }
}
