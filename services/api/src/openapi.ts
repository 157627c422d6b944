import { z } from 'zod';
import { jobRequestSchemas } from './openapi-jobs';
import * as schemas from './schemas';
import type { WorkerInfo } from './schemas';

type Json = Record<string, unknown>;

/** Version of the HTTP contract (the routes in services/api/README.md), not of the package. */
export const OPENAPI_VERSION = '1.2.0';

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

const ref = (kind: 'schemas' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const json = (schema: Json) => ({ content: { 'application/json': { schema } } });

/** Response headers, as the API sets them; written out where used, as generators ignore `required` on a `$ref`. */
const HEADERS = {
  Location: { description: "The job's status URL, the same as statusUrl", required: true, schema: { type: 'string' } },
  BullpenReplication: {
    description: 'pending: fewer than REDIS_MIN_REPLICAS_ACK replicas have the job(s) yet; absent otherwise',
    required: false, schema: { type: 'string', enum: ['pending'] },
  },
  RetryAfter: { description: 'Seconds to wait before trying again', required: true, schema: { type: 'integer', minimum: 0 } },
  BearerChallenge: { description: 'Bearer realm="bullpen"', required: true, schema: { type: 'string' } },
  BasicChallenge: { description: 'Basic realm="bullpen dashboard", charset="UTF-8"', required: true, schema: { type: 'string' } },
} as const satisfies Record<string, Json>;

/** Response header -> its entry in HEADERS. */
type ResponseHeaders = Record<string, keyof typeof HEADERS>;

/** The error answers, each `{error: {code, message, details?}}`; operations list the ones they can give. */
const ERRORS = {
  BadRequest: [400, 'Malformed JSON, a body nested more than 32 deep, a path that is not valid percent-encoding, or a bad field (code malformed_json, invalid_request, invalid_options)'],
  Unauthorized: [401, 'No or wrong bearer token (code unauthorized)', { 'WWW-Authenticate': 'BearerChallenge' }],
  AdminOnly: [403, 'A client token on a route that needs the admin role (code forbidden)'],
  WorkerNotAllowed: [403, 'The token may not enqueue this worker: it is internal (admin tokens only) or not among the workers the token is limited to (code worker_not_allowed)'],
  NotFound: [404, 'Unknown worker, job or queue (codes unknown_worker, job_not_found, queue_not_found); a job another client enqueued is not found either'],
  Conflict: [409, 'The job or key is in a state that forbids this (codes ambiguous_job_id, idempotency_key_reused, job_not_failed, job_not_cancellable, job_scheduled)'],
  PayloadTooLarge: [413, 'Body larger than API_BODY_LIMIT_BYTES (code payload_too_large), args larger than WORKER_MAX_ARGS_BYTES as JSON (code args_too_large), or, in a bulk, more jobs than the token may enqueue at once (code too_many_jobs)'],
  UnsupportedMediaType: [415, 'Body is not application/json (code unsupported_media_type)'],
  InvalidArgs: [422, "Args fail the worker's schema (code invalid_args, details.issues)"],
  RateLimited: [429, "Over the token's enqueue rate (code rate_limited); nothing was enqueued", { 'Retry-After': 'RetryAfter' }],
  InternalError: [500, 'An unexpected failure, logged by the API (code internal_error)'],
  RedisUnavailable: [503, 'Redis refused or did not answer (code redis_unavailable, details.cause: unreachable, timeout, readonly, oom, loading, busy, masterdown, noreplicas, misconf, clusterdown, redirect, crossslot, tryagain, auth, noperm, replication), or /readyz is not ready (code not_ready)', { 'Retry-After': 'RetryAfter' }],
  DashboardUnauthorized: [401, 'No or wrong Basic credentials: log in with any username and an admin token as the password (code unauthorized)', { 'WWW-Authenticate': 'BasicChallenge' }],
  DashboardForbidden: [403, "A client token's credentials (code forbidden); the dashboard's own changes under this path also answer 403 cross_origin_request when they do not come from its page"],
} as const satisfies Record<string, readonly [number, string, ResponseHeaders?]>;

type ErrorName = keyof typeof ERRORS;

const withHeaders = (headers: ResponseHeaders | undefined): Json =>
  headers ? { headers: Object.fromEntries(Object.entries(headers).map(([header, name]) => [header, HEADERS[name]])) } : {};

const errorResponses = (): Json =>
  Object.fromEntries(Object.entries(ERRORS).map(([name, [, description, headers]]) => [
    name, { description, ...withHeaders(headers), ...json(ref('schemas', 'ErrorResponse')) },
  ]));

/** Path or query parameters from a zod object schema. */
function parameters(schema: z.ZodObject, where: 'path' | 'query'): Json[] {
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(properties).map(([name, s]) => ({
    name, in: where, required: where === 'path' || required.includes(name), schema: s, description: s.description,
  }));
}

interface Success {
  description: string;
  schema: ComponentName;
  headers?: ResponseHeaders;
}

interface Operation {
  operationId: string;
  tag: string;
  summary: string;
  role?: 'client' | 'admin';
  /** A component schema name for the JSON body. */
  body?: string;
  ok: Record<number, Success>;
  /** Besides 401 and 403, which follow from `role`, and 500, which every operation lists. */
  errors?: ErrorName[];
  params?: Json[];
}

/** 401 with a bearer role, 403 with the admin role, 500 always; the rest as listed. */
function operation({ operationId, tag, summary, role, body, ok, errors = [], params }: Operation): Json {
  const auth: ErrorName[] = role === 'admin' ? ['Unauthorized', 'AdminOnly'] : role ? ['Unauthorized'] : [];
  const failures = [...auth, ...errors, 'InternalError' as const].map((name) => [String(ERRORS[name][0]), ref('responses', name)] as const);
  return {
    operationId,
    tags: [tag],
    summary: role ? `${summary} (role: ${role})` : summary,
    security: role ? [{ bearerAuth: [] }] : [],
    ...(params ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: true, ...json(ref('schemas', body)) } } : {}),
    responses: Object.fromEntries([
      ...Object.entries(ok).map(([status, { description, schema, headers }]) => [status, { description, ...withHeaders(headers), ...json(ref('schemas', schema)) }]),
      ...failures,
    ].sort(([a], [b]) => Number(a) - Number(b))),
  };
}

/** The OpenAPI 3.1 document served at /openapi.json; built once at start. */
export function buildOpenApi(workers: readonly WorkerInfo[]): Json {
  const jobParams = [...parameters(schemas.JobParams, 'path'), ...parameters(schemas.JobQuery, 'query')];
  const idempotencyHeader = {
    name: 'Idempotency-Key', in: 'header', required: false,
    schema: jsonSchema(schemas.idempotencyKey, 'input'), description: schemas.idempotencyKey.description,
  };
  const fixed = Object.fromEntries(Object.entries(COMPONENTS).map(([name, [schema, io]]) => [name, jsonSchema(schema, io)])) as Record<ComponentName, Json>;
  const jobs = jobRequestSchemas(workers, fixed);
  const replicated: ResponseHeaders = { 'Bullpen-Replication': 'BullpenReplication' };
  const enqueued: ResponseHeaders = { ...replicated, Location: 'Location' };
  const enqueueErrors: ErrorName[] = ['BadRequest', 'WorkerNotAllowed', 'NotFound', 'Conflict', 'PayloadTooLarge', 'UnsupportedMediaType', 'InvalidArgs', 'RateLimited', 'RedisUnavailable'];
  const jobErrors: ErrorName[] = ['BadRequest', 'NotFound', 'Conflict', 'RedisUnavailable'];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bullpen API',
      version: OPENAPI_VERSION,
      description: 'Enqueue background jobs, poll their status, administer queues. POST /api/jobs takes one of the <Worker>Job bodies and POST /api/jobs/bulk <Worker>BulkJob items, discriminated by worker; each worker\'s args schema is the component <Worker>Args (a worker without a schema takes any JSON). EnqueueRequest and BulkEnqueueRequest are the same bodies for any worker, args untyped.',
    },
    tags: [
      { name: 'jobs', description: 'Enqueue jobs and follow them' },
      { name: 'queues', description: 'Queue depths, backlog and pausing' },
      { name: 'workers', description: 'The registered workers' },
      { name: 'operations', description: 'Health, readiness and metrics' },
      { name: 'dashboard', description: 'Bull Board' },
    ],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token from API_TOKENS' },
        basicAuth: { type: 'http', scheme: 'basic', description: 'Dashboard: any username, an admin token as password' },
      },
      schemas: { ...fixed, ...jobs.schemas },
      responses: errorResponses(),
    },
    paths: {
      '/api/jobs': {
        post: operation({
          operationId: 'enqueueJob', tag: 'jobs', summary: 'Enqueue a job', role: 'client', body: jobs.single, params: [idempotencyHeader],
          ok: {
            202: { description: 'Enqueued', schema: 'EnqueueResponse', headers: enqueued },
            200: { description: 'Same idempotency key as an earlier request: its job', schema: 'EnqueueResponse', headers: enqueued },
          },
          errors: enqueueErrors,
        }),
      },
      '/api/jobs/bulk': {
        post: operation({
          operationId: 'enqueueJobs', tag: 'jobs', summary: 'Enqueue several jobs, all or none', role: 'client', body: jobs.bulk, params: [idempotencyHeader],
          ok: {
            202: { description: 'Enqueued', schema: 'BulkEnqueueResponse', headers: replicated },
            200: { description: 'Same idempotency key as an earlier request: its jobs', schema: 'BulkEnqueueResponse', headers: replicated },
          },
          errors: enqueueErrors,
        }),
      },
      '/api/jobs/{id}': {
        get: operation({ operationId: 'getJob', tag: 'jobs', summary: 'Job status', role: 'client', params: jobParams, ok: { 200: { description: 'The job', schema: 'JobStatus' } }, errors: jobErrors }),
        delete: operation({
          operationId: 'cancelJob', tag: 'jobs', summary: 'Cancel a waiting or delayed job', role: 'admin', params: jobParams,
          ok: { 200: { description: 'Cancelled', schema: 'JobActionResponse' } }, errors: jobErrors,
        }),
      },
      '/api/jobs/{id}/retry': {
        post: operation({
          operationId: 'retryJob', tag: 'jobs', summary: 'Retry a failed job', role: 'admin', params: jobParams,
          ok: { 202: { description: 'Moved back to waiting', schema: 'JobActionResponse' } }, errors: jobErrors,
        }),
      },
      '/api/queues': {
        get: operation({
          operationId: 'listQueues', tag: 'queues', summary: 'Job counts per state and paused flag, per queue', role: 'client',
          ok: { 200: { description: 'Queues', schema: 'QueueList' } }, errors: ['RedisUnavailable'],
        }),
      },
      '/api/queues/backlog': {
        get: operation({
          operationId: 'getQueueBacklog', tag: 'queues', summary: 'Ready jobs per queue and their total over the listed queues, for autoscalers', role: 'client',
          params: parameters(schemas.BacklogQuery, 'query'), ok: { 200: { description: 'Backlog', schema: 'QueueBacklog' } }, errors: ['BadRequest', 'RedisUnavailable'],
        }),
      },
      ...Object.fromEntries((['pause', 'resume'] as const).map((action) => [`/api/queues/{name}/${action}`, {
        post: operation({
          operationId: `${action}Queue`, tag: 'queues', summary: `${action === 'pause' ? 'Pause' : 'Resume'} a queue`, role: 'admin',
          params: parameters(schemas.QueueParams, 'path'), ok: { 200: { description: 'Done', schema: 'QueuePauseResponse' } }, errors: ['BadRequest', 'NotFound', 'RedisUnavailable'],
        }),
      }])),
      '/api/workers': {
        get: operation({
          operationId: 'listWorkers', tag: 'workers', summary: 'The workers this token may enqueue, with queue, retries, schedule and args schema', role: 'client',
          ok: { 200: { description: 'Workers', schema: 'WorkerList' } },
        }),
      },
      '/healthz': { get: operation({ operationId: 'getHealth', tag: 'operations', summary: 'Liveness', ok: { 200: { description: 'Alive', schema: 'HealthResponse' } } }) },
      '/readyz': {
        get: operation({ operationId: 'getReadiness', tag: 'operations', summary: 'Readiness: Redis answers and takes writes', ok: { 200: { description: 'Ready', schema: 'HealthResponse' } }, errors: ['RedisUnavailable'] }),
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics', tags: ['operations'], summary: 'Prometheus metrics', security: [],
          responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, 500: ref('responses', 'InternalError') },
        },
      },
      '/admin/queues': {
        get: {
          operationId: 'getDashboard', tags: ['dashboard'], summary: 'Dashboard (Bull Board), for browsers', security: [{ basicAuth: [] }],
          responses: {
            200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } },
            401: ref('responses', 'DashboardUnauthorized'),
            403: ref('responses', 'DashboardForbidden'),
          },
        },
      },
    },
  };
}
