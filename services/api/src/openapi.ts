import { z } from 'zod';
import * as schemas from './schemas';
import type { WorkerInfo } from './schemas';

type Json = Record<string, unknown>;

/** Version of the HTTP contract (the routes in services/api/README.md), not of the package. */
export const OPENAPI_VERSION = '1.1.0';

/** The component schemas, each generated from the zod schema the code uses. */
const COMPONENTS = {
  EnqueueRequest: [schemas.EnqueueRequest, 'input'],
  BulkEnqueueRequest: [schemas.BulkEnqueueRequest, 'input'],
  EnqueueResponse: [schemas.EnqueueResponse, 'output'],
  BulkEnqueueResponse: [schemas.BulkEnqueueResponse, 'output'],
  JobStatus: [schemas.JobStatus, 'output'],
  JobActionResponse: [schemas.JobActionResponse, 'output'],
  QueueList: [schemas.QueueList, 'output'],
  QueueBacklog: [schemas.QueueBacklog, 'output'],
  QueuePauseResponse: [schemas.QueuePauseResponse, 'output'],
  WorkerList: [schemas.WorkerList, 'output'],
  HealthResponse: [schemas.HealthResponse, 'output'],
  ErrorResponse: [schemas.ErrorResponse, 'output'],
} as const satisfies Record<string, [z.ZodType, 'input' | 'output']>;

type ComponentName = keyof typeof COMPONENTS;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName) => ({ content: { 'application/json': { schema: ref(name) } } });

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed JSON, a body nested more than 32 deep, a path that is not valid percent-encoding, or a bad field (code malformed_json, invalid_request, invalid_options)',
  401: 'No or wrong bearer token',
  403: 'The token lacks the role',
  404: 'Unknown worker, job, queue or route',
  409: 'The job or key is in a state that forbids this',
  413: 'Body larger than API_BODY_LIMIT_BYTES (code payload_too_large), or args larger than WORKER_MAX_ARGS_BYTES as JSON (code args_too_large)',
  415: 'Body is not application/json',
  422: "Args fail the worker's schema (details.issues)",
  503: 'Redis refused or did not answer (code redis_unavailable, details.cause: unreachable, timeout, readonly, oom, loading, busy, masterdown, noreplicas, misconf, clusterdown, redirect, crossslot, tryagain, auth, noperm, replication); retry after Retry-After seconds',
};

const errors = (...statuses: number[]): Json =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: ERROR_TEXT[s], ...json('ErrorResponse') }]));

/** Path or query parameters from a zod object schema. */
function parameters(schema: z.ZodObject, where: 'path' | 'query'): Json[] {
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(properties).map(([name, s]) => ({
    name, in: where, required: where === 'path' || required.includes(name), schema: s, description: s.description,
  }));
}

interface Operation {
  summary: string;
  role?: 'client' | 'admin';
  body?: ComponentName;
  ok: Record<number, [string, ComponentName]>;
  errors?: number[];
  params?: Json[];
}

function operation({ summary, role, body, ok, errors: failures = [], params }: Operation): Json {
  const auth = role ? [401, 403] : [];
  return {
    summary: role ? `${summary} (role: ${role})` : summary,
    ...(role ? { security: [{ bearerAuth: [] }] } : { security: [] }),
    ...(params ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: true, ...json(body) } } : {}),
    responses: {
      ...Object.fromEntries(Object.entries(ok).map(([status, [description, schema]]) => [status, { description, ...json(schema) }])),
      ...errors(...[...auth, ...failures].sort()),
    },
  };
}

/** The OpenAPI 3.1 document served at /openapi.json; built once at start. */
export function buildOpenApi(workers: readonly WorkerInfo[]): Json {
  const jobParams = [...parameters(schemas.JobParams, 'path'), ...parameters(schemas.JobQuery, 'query')];
  const idempotencyHeader = {
    name: 'Idempotency-Key', in: 'header', required: false,
    schema: jsonSchema(schemas.idempotencyKey, 'input'), description: schemas.idempotencyKey.description,
  };
  const componentSchemas: Json = Object.fromEntries(
    Object.entries(COMPONENTS).map(([name, [schema, io]]) => [name, jsonSchema(schema, io)]),
  );
  for (const w of workers) if (w.argsSchema) componentSchemas[`${w.name}Args`] = w.argsSchema;
  const enqueueWrite = [400, 404, 409, 413, 415, 422, 503];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bullpen API',
      version: OPENAPI_VERSION,
      description: 'Enqueue background jobs, poll their status, administer queues. Args schemas of the registered workers are components named <Worker>Args.',
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token from API_TOKENS' },
        basicAuth: { type: 'http', scheme: 'basic', description: 'Dashboard: any username, an admin token as password' },
      },
      schemas: componentSchemas,
    },
    paths: {
      '/api/jobs': {
        post: operation({
          summary: 'Enqueue a job', role: 'client', body: 'EnqueueRequest', params: [idempotencyHeader],
          ok: { 202: ['Enqueued (header Bullpen-Replication: pending when fewer than REDIS_MIN_REPLICAS_ACK replicas have it yet)', 'EnqueueResponse'], 200: ['Same idempotency key as an earlier request: its job', 'EnqueueResponse'] },
          errors: enqueueWrite,
        }),
      },
      '/api/jobs/bulk': {
        post: operation({
          summary: 'Enqueue several jobs, all or none', role: 'client', body: 'BulkEnqueueRequest', params: [idempotencyHeader],
          ok: { 202: ['Enqueued (header Bullpen-Replication: pending when fewer than REDIS_MIN_REPLICAS_ACK replicas have them yet)', 'BulkEnqueueResponse'], 200: ['Same idempotency key as an earlier request: its jobs', 'BulkEnqueueResponse'] },
          errors: enqueueWrite,
        }),
      },
      '/api/jobs/{id}': {
        get: operation({ summary: 'Job status', role: 'client', params: jobParams, ok: { 200: ['The job', 'JobStatus'] }, errors: [400, 404, 409, 503] }),
        delete: operation({
          summary: 'Cancel a waiting or delayed job', role: 'admin', params: jobParams,
          ok: { 200: ['Cancelled', 'JobActionResponse'] }, errors: [400, 404, 409, 503],
        }),
      },
      '/api/jobs/{id}/retry': {
        post: operation({
          summary: 'Retry a failed job', role: 'admin', params: jobParams,
          ok: { 202: ['Moved back to waiting', 'JobActionResponse'] }, errors: [400, 404, 409, 503],
        }),
      },
      '/api/queues': {
        get: operation({ summary: 'Job counts per state and paused flag, per queue', role: 'client', ok: { 200: ['Queues', 'QueueList'] }, errors: [503] }),
      },
      '/api/queues/backlog': {
        get: operation({
          summary: 'Ready jobs per queue and their total over the listed queues, for autoscalers', role: 'client',
          params: parameters(schemas.BacklogQuery, 'query'), ok: { 200: ['Backlog', 'QueueBacklog'] }, errors: [400, 503],
        }),
      },
      ...Object.fromEntries((['pause', 'resume'] as const).map((action) => [`/api/queues/{name}/${action}`, {
        post: operation({
          summary: `${action === 'pause' ? 'Pause' : 'Resume'} a queue`, role: 'admin', params: parameters(schemas.QueueParams, 'path'),
          ok: { 200: ['Done', 'QueuePauseResponse'] }, errors: [400, 404, 503],
        }),
      }])),
      '/api/workers': {
        get: operation({ summary: 'Registered workers with queue, retries, schedule and args schema', role: 'client', ok: { 200: ['Workers', 'WorkerList'] } }),
      },
      '/healthz': { get: operation({ summary: 'Liveness', ok: { 200: ['Alive', 'HealthResponse'] } }) },
      '/readyz': { get: operation({ summary: 'Readiness: Redis answers', ok: { 200: ['Ready', 'HealthResponse'] }, errors: [503] }) },
      '/metrics': {
        get: { summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } },
      },
      '/admin/queues': {
        get: {
          summary: 'Dashboard (Bull Board)', security: [{ basicAuth: [] }],
          responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, ...errors(401, 403) },
        },
      },
    },
  };
}
