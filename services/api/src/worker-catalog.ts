import type { WorkerRegistry } from '@bullpen/core';
import { z } from 'zod';
import type { WorkerInfo } from './schemas';

/** JSON Schema of what a client may send as args (`io: input`: fields with defaults are optional). */
export function argsJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/** The registered workers as GET /api/workers shows them; computed once at start. */
export function describeWorkers(registry: WorkerRegistry): WorkerInfo[] {
  return registry.list().map((cls) => ({
    name: cls.name,
    queue: cls.queue,
    maxRetries: cls.maxRetries,
    retryBackoff: cls.retryBackoff,
    retryBackoffMax: cls.retryBackoffMax,
    cronSchedule: cls.cronSchedule ?? null,
    argsSchema: cls.schema ? argsJsonSchema(cls.schema) : null,
  }));
}
