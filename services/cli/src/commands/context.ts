import type { Cluster } from '../cluster';
import type { QueueSource } from '../queue-source';

/** What every command gets: the cluster, where queues are read (null: no API configured), output. */
export interface CommandContext {
  cluster: Cluster;
  queues: QueueSource | null;
  stdout(text: string): void;
  stderr(text: string): void;
}
