/**
 * A job's hash lives at `<prefix>:<queue>:<id>`, next to the queue's own keys at
 * `<prefix>:<queue>:<name>`. These are those names in BullMQ 6: QueueKeys.getKeys, the Lua
 * scripts' and `toKey`'s other names, `priority` (a key older versions left) and `metrics` (the
 * head of the metrics keys). An id equal to one would read the queue's event stream, a list or
 * its meta hash as a job, or overwrite it.
 */
const BULLMQ_KEY_NAMES: ReadonlySet<string> = new Set([
  'active', 'completed', 'de', 'delayed', 'events', 'failed', 'id', 'limiter', 'marker', 'meta', 'metrics',
  'paused', 'pc', 'prioritized', 'priority', 'repeat', 'stalled', 'stalled-check', 'wait', 'waiting-children',
]);

/**
 * True for ids that name a BullMQ key rather than a job: the names above, and anything with
 * `:`, which BullMQ uses to build every other key (`de:<id>`, `metrics:completed`, `<id>:logs`).
 */
export function isReservedJobId(id: string): boolean {
  return BULLMQ_KEY_NAMES.has(id) || id.includes(':');
}
