import type { Logger, QueueHandles, WorkerRegistry } from '@bullpen/core';
import { syncSchedules } from './schedule-sync';

export interface BeatDeps {
  queues: QueueHandles;
  registry: WorkerRegistry;
  logger: Logger;
  intervalMs: number;
}

/** Re-syncs the schedules every `intervalMs`; a failed round is logged and retried next round. */
export class Beat {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private lastSuccess?: number;
  private stopped = false;

  constructor(private readonly deps: BeatDeps) {}

  /** Runs the first sync (and fails if it fails), then keeps syncing in the background. */
  async start(): Promise<void> {
    await this.sync();
    this.schedule();
  }

  /** True while the last sync succeeded within two intervals. */
  isHealthy(now = Date.now()): boolean {
    return !this.stopped && this.lastSuccess !== undefined && now - this.lastSuccess < 2 * this.deps.intervalMs;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round?.catch(() => {});
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.sync().catch((err: unknown) =>
        this.deps.logger.error({ err: (err as Error).message }, 'schedule sync failed (check REDIS_URL, the server\'s maxmemory and whether it is a replica); retrying next round'),
      );
      void this.round.finally(() => this.schedule());
    }, this.deps.intervalMs);
  }

  private async sync(): Promise<void> {
    const { upserted, removed } = await syncSchedules(this.deps.queues, this.deps.registry);
    this.lastSuccess = Date.now();
    this.deps.logger.debug({ upserted, removed }, 'schedules synced');
    if (removed.length > 0) this.deps.logger.info({ removed }, 'removed schedules of gone workers');
  }
}
