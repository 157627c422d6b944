/** The three queues, highest priority first. API, workers and beat all import them from here. */
export const QUEUE_NAMES = ['critical', 'default', 'low'] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}
