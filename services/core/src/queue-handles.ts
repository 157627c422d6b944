import { FlowProducer, Queue } from 'bullmq';
import { queuePrefix, type RedisConnection } from './redis';
import { QUEUE_NAMES, type QueueName } from './queues';

export interface QueueHandlesDeps {
  /** The process's connection; its owner creates and closes it. */
  connection: RedisConnection;
  prefix: string;
  /** On a Redis Cluster: each queue gets its own hash tag (see `queuePrefix`). */
  cluster?: boolean;
}

/**
 * The process's BullMQ handles: one Queue per queue name and one FlowProducer, each opened on
 * first use on the connection given, shared by whoever enqueues, reads or administers a queue.
 */
export class QueueHandles {
  private readonly queues = new Map<QueueName, Queue>();
  private flows?: FlowProducer;
  private closed = false;

  constructor(private readonly deps: QueueHandlesDeps) {}

  /** True on a Redis Cluster, where a flow's jobs must share one queue's hash slot. */
  get cluster(): boolean {
    return this.deps.cluster ?? false;
  }

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.deps.connection, prefix: this.prefixOf(name) });
      queue.on('error', () => {}); // connection errors surface as rejected commands; the caller reports them
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** All three queues, in priority order. */
  all(): Queue[] {
    return QUEUE_NAMES.map((name) => this.get(name));
  }

  /** The BullMQ prefix of one queue's keys. */
  prefixOf(queue: QueueName): string {
    return queuePrefix(this.deps.prefix, this.cluster, queue);
  }

  /** The FlowProducer chains are added with; its default prefix is `queue`'s (each node names its own). */
  flowProducer(queue: QueueName): FlowProducer {
    this.flows ??= new FlowProducer({ connection: this.deps.connection, prefix: this.prefixOf(queue) });
    return this.flows;
  }

  /** Closes the handles it opened; the connection stays open for its owner. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await this.flows?.close();
  }
}
