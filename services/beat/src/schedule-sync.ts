import { jobOptions, QUEUE_NAMES, type QueueHandles, type WorkerRegistry } from '@bullpen/core';

/** Scheduler ids Bullpen owns; schedulers with other ids (made by hand) are left alone. */
const ID_PREFIX = 'cron-';

export function schedulerId(workerName: string): string {
  return `${ID_PREFIX}${workerName}`;
}

export interface SyncResult {
  upserted: string[];
  removed: string[];
}

/**
 * Makes each queue's BullMQ job schedulers match the registry's `cronSchedule`s: one scheduler
 * per worker with a stable id, upserted (so two beats at once still make one), and removed when
 * its worker or schedule is gone or moved to another queue.
 */
export async function syncSchedules(queues: QueueHandles, registry: WorkerRegistry): Promise<SyncResult> {
  const result: SyncResult = { upserted: [], removed: [] };
  for (const queueName of QUEUE_NAMES) {
    const queue = queues.get(queueName);
    const wanted = registry.scheduled().filter((cls) => cls.queue === queueName);
    for (const cls of wanted) {
      const { attempts, backoff } = jobOptions(cls, {});
      await queue.upsertJobScheduler(
        schedulerId(cls.name),
        { pattern: cls.cronSchedule!, tz: 'UTC' },
        { name: cls.name, data: cls.cronArgs ?? null, opts: { attempts, backoff } },
      );
      result.upserted.push(schedulerId(cls.name));
    }
    const wantedIds = new Set(wanted.map((cls) => schedulerId(cls.name)));
    for (const scheduler of await queue.getJobSchedulers(0, -1)) {
      const id = scheduler.key;
      if (id.startsWith(ID_PREFIX) && !wantedIds.has(id)) {
        await queue.removeJobScheduler(id);
        result.removed.push(id);
      }
    }
  }
  return result;
}
