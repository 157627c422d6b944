import type { WorkerInfo } from './schemas';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** What `args` is for a worker without a schema: any JSON (an empty JSON Schema). */
const ANY_ARGS = { description: 'Any JSON: this worker has no schema' };

export interface JobRequestSchemas {
  /** Component schemas to add: `<Worker>Args`, `<Worker>Job`, `<Worker>BulkJob`, and the two request bodies. */
  schemas: Record<string, Json>;
  /** The component names of POST /api/jobs's and POST /api/jobs/bulk's bodies. */
  single: string;
  bulk: string;
}

/**
 * The enqueue bodies typed per worker, for client generators: a `oneOf` of one object per
 * worker, discriminated by `worker` (a `const`), whose `args` is that worker's published schema.
 * Each variant is the worker-agnostic body (generated from the zod schema that validates
 * requests) with `worker` and `args` narrowed. No workers: the worker-agnostic bodies as they are.
 * `fixed` holds the document's other component schemas, those bodies among them; their names are taken.
 */
export function jobRequestSchemas(workers: readonly WorkerInfo[], fixed: Record<'EnqueueRequest' | 'BulkEnqueueRequest', Json> & Record<string, Json>): JobRequestSchemas {
  if (workers.length === 0) return { schemas: {}, single: 'EnqueueRequest', bulk: 'BulkEnqueueRequest' };
  const schemas: Record<string, Json> = {};
  const put = (name: string, schema: Json) => {
    if (name in schemas || name in fixed) throw new Error(`OpenAPI: two components would be named "${name}"; rename one of the workers`);
    schemas[name] = schema;
  };
  const single = fixed.EnqueueRequest;
  const bulkProperties = fixed.BulkEnqueueRequest.properties as Record<string, Json>;
  const narrowed = (body: Json, w: WorkerInfo): Json => {
    const properties = body.properties as Record<string, Json>;
    return {
      ...body,
      description: `${w.name}: ${(body.description as string | undefined) ?? 'one job of a bulk'}`,
      properties: {
        ...properties,
        worker: { type: 'string', const: w.name, description: properties.worker.description },
        args: w.argsSchema ? ref(`${w.name}Args`) : ANY_ARGS,
      },
    };
  };
  const union = (suffix: string): Json => ({
    oneOf: workers.map((w) => ref(`${w.name}${suffix}`)),
    discriminator: { propertyName: 'worker', mapping: Object.fromEntries(workers.map((w) => [w.name, ref(`${w.name}${suffix}`).$ref])) },
  });
  for (const w of workers) {
    if (w.argsSchema) put(`${w.name}Args`, w.argsSchema);
    put(`${w.name}Job`, narrowed(single, w));
    put(`${w.name}BulkJob`, narrowed(bulkProperties.jobs.items as Json, w));
  }
  put('EnqueueJobRequest', { ...union('Job'), description: String(single.description) });
  put('EnqueueJobsRequest', {
    ...fixed.BulkEnqueueRequest,
    properties: { ...bulkProperties, jobs: { ...bulkProperties.jobs, items: union('BulkJob') } },
  });
  return { schemas, single: 'EnqueueJobRequest', bulk: 'EnqueueJobsRequest' };
}
