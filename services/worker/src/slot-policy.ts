import type { QueueName } from '@bullpen/core';

export interface SlotPolicyOptions {
  /** The queues this pod consumes, highest priority first. */
  queues: readonly QueueName[];
  /** Jobs the pod runs at once, across its queues. */
  concurrency: number;
  /** Slots only `critical` may use. */
  reservedCritical: number;
  /** Weighted instead of strict order: each queue's share of the slots while all have jobs. */
  weights?: Readonly<Partial<Record<QueueName, number>>>;
}

/**
 * Which queue a free slot serves next. Strict order takes the highest queue that has jobs
 * (Sidekiq's strict mode, the users' "low runs when workers are idle"); weighted order
 * spreads the slots by the weights with a smooth weighted round robin (nginx's), exact
 * over any window rather than random. Either way `critical` alone may use the reserved slots.
 */
export class SlotPolicy {
  private readonly busyByQueue = new Map<QueueName, number>();
  private busy = 0;
  /** Smooth round robin state, one credit per queue. */
  private readonly credit = new Map<QueueName, number>();

  constructor(private readonly opts: SlotPolicyOptions) {
    for (const q of opts.queues) this.busyByQueue.set(q, 0);
  }

  get concurrency(): number {
    return this.opts.concurrency;
  }

  /** Slots taken now, by one queue or in all. */
  inUse(queue?: QueueName): number {
    return queue ? (this.busyByQueue.get(queue) ?? 0) : this.busy;
  }

  /** Whether a slot is free for `queue` now. */
  canStart(queue: QueueName): boolean {
    if (this.busy >= this.opts.concurrency) return false;
    if (queue === 'critical') return true;
    const nonCritical = this.busy - this.inUse('critical');
    return nonCritical < this.opts.concurrency - this.opts.reservedCritical;
  }

  /** The queue the next free slot serves among those that may have jobs, or none. */
  pick(hasJobs: (queue: QueueName) => boolean): QueueName | undefined {
    const candidates = this.opts.queues.filter((q) => hasJobs(q) && this.canStart(q));
    if (!this.opts.weights || candidates.length <= 1) return candidates[0];
    let total = 0;
    let best: QueueName | undefined;
    for (const q of candidates) {
      const weight = this.opts.weights[q] ?? 0;
      total += weight;
      const credit = (this.credit.get(q) ?? 0) + weight;
      this.credit.set(q, credit);
      if (best === undefined || credit > this.credit.get(best)!) best = q;
    }
    this.credit.set(best!, this.credit.get(best!)! - total);
    return best;
  }

  take(queue: QueueName): void {
    this.busy++;
    this.busyByQueue.set(queue, this.inUse(queue) + 1);
  }

  release(queue: QueueName): void {
    this.busy--;
    this.busyByQueue.set(queue, this.inUse(queue) - 1);
  }
}
