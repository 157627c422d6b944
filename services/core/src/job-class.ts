import type { QueueName } from './queues';

/**
 * What enqueueing reads of a job's class; every `WorkerClass` is one. Declared apart from
 * worker.ts, whose `performAsync` calls the producer, so the producer does not import it back.
 */
export interface JobClass {
  readonly name: string;
  readonly queue: QueueName;
  readonly maxRetries: number;
  /** The args as the class's schema parses them; throws ArgsValidationError. */
  parseArgs(args: unknown): unknown;
}
