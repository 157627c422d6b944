/**
 * Hostile requests the API must refuse with a documented 4xx, enqueueing nothing. Plain data:
 * add a case by adding a line. `body` is sent byte for byte; `raw` cases are written to the
 * socket as they are (for framing and header abuse no HTTP client would send).
 */
export interface HostileCase {
  name: string;
  method?: string;
  path?: string;
  /** Which token to send; 'none' sends no Authorization header. */
  auth?: 'client' | 'admin' | 'none';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** A whole request written to the socket, `{{host}}` and `{{client}}` filled in. */
  raw?: string;
  /** With `raw`: keep the socket open after writing, as a client trickling the rest would; the server must cut it off. */
  hold?: boolean;
  status: number;
  code?: string;
}

const job = (fields: Record<string, unknown>) => JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: 1 }, ...fields });
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

export const HOSTILE_CASES: HostileCase[] = [
  // Authentication
  { name: 'no Authorization header', auth: 'none', body: job({}), status: 401, code: 'unauthorized' },
  { name: 'Bearer with no token', auth: 'none', headers: { authorization: 'Bearer ' }, body: job({}), status: 401, code: 'unauthorized' },
  { name: 'a wrong token', auth: 'none', headers: { authorization: 'Bearer client-token-0123456789abcdeX' }, body: job({}), status: 401, code: 'unauthorized' },
  { name: 'a 10 KB token', auth: 'none', headers: { authorization: `Bearer ${'x'.repeat(10_000)}` }, body: job({}), status: 401, code: 'unauthorized' },
  { name: 'Basic credentials on the API', auth: 'none', headers: { authorization: `Basic ${Buffer.from('app:client-token-0123456789abcdef').toString('base64')}` }, body: job({}), status: 401, code: 'unauthorized' },
  { name: 'a token with a NUL byte appended', auth: 'none', headers: { authorization: 'Bearer client-token-0123456789abcdef%00' }, body: job({}), status: 401, code: 'unauthorized' },
  { name: 'a client token on an admin route', method: 'POST', path: '/api/queues/default/pause', status: 403, code: 'forbidden' },
  { name: 'a client token deleting a job', method: 'DELETE', path: '/api/jobs/abc', status: 403, code: 'forbidden' },
  { name: 'the dashboard with no credentials', method: 'GET', path: '/admin/queues', auth: 'none', status: 401 },
  { name: 'the dashboard with a client token as password', method: 'GET', path: '/admin/queues', auth: 'none', headers: { authorization: `Basic ${Buffer.from('x:client-token-0123456789abcdef').toString('base64')}` }, status: 403 },

  // Malformed JSON
  { name: 'truncated JSON', body: '{"worker":"DataProcessingWorker","args":{', status: 400, code: 'malformed_json' },
  { name: 'a trailing comma', body: '{"worker":"DataProcessingWorker",}', status: 400, code: 'malformed_json' },
  { name: 'single-quoted JSON', body: "{'worker':'DataProcessingWorker'}", status: 400, code: 'malformed_json' },
  { name: 'NaN as a value', body: '{"worker":"DataProcessingWorker","delaySeconds":NaN}', status: 400, code: 'malformed_json' },
  { name: 'a bare string body', body: '"DataProcessingWorker"', status: 400, code: 'malformed_json' },
  { name: 'a null body', body: 'null', status: 400, code: 'malformed_json' },
  { name: 'a number body', body: '42', status: 400, code: 'malformed_json' },
  { name: 'an empty JSON body', headers: { 'content-length': '0' }, body: '', status: 400, code: 'invalid_request' },
  { name: 'two JSON documents', body: `${job({})}${job({})}`, status: 400, code: 'malformed_json' },
  { name: 'invalid UTF-8 bytes', body: Buffer.concat([Buffer.from('{"worker":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), status: 404, code: 'unknown_worker' },

  // Wrong types
  { name: 'worker as a number', body: JSON.stringify({ worker: 42 }), status: 400, code: 'invalid_request' },
  { name: 'worker as an array', body: JSON.stringify({ worker: ['DataProcessingWorker'] }), status: 400, code: 'invalid_request' },
  { name: 'args as a string', body: JSON.stringify({ worker: 'DataProcessingWorker', args: '{"userId":1}' }), status: 422, code: 'invalid_args' },
  { name: 'args as an array', body: JSON.stringify({ worker: 'DataProcessingWorker', args: [1] }), status: 422, code: 'invalid_args' },
  { name: 'userId as a string', body: JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: '1' } }), status: 422, code: 'invalid_args' },
  { name: 'userId as a float', body: JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: 1.5 } }), status: 422, code: 'invalid_args' },
  { name: 'delaySeconds as a string', body: job({ delaySeconds: '60' }), status: 400, code: 'invalid_request' },
  { name: 'delaySeconds as a boolean', body: job({ delaySeconds: true }), status: 400, code: 'invalid_request' },
  { name: 'runAt as a number', body: job({ runAt: 1_900_000_000_000 }), status: 400, code: 'invalid_request' },
  { name: 'idempotencyKey as an object', body: job({ idempotencyKey: { a: 1 } }), status: 400, code: 'invalid_request' },
  { name: 'bulk jobs as an object', path: '/api/jobs/bulk', body: JSON.stringify({ jobs: { 0: { worker: 'DataProcessingWorker' } } }), status: 400, code: 'invalid_request' },

  // Huge and deep
  { name: 'a 300 KiB body', body: job({ args: { userId: 1, pad: 'x'.repeat(300 * 1024) } }), status: 413, code: 'payload_too_large' },
  { name: 'args nested 5000 deep', body: JSON.stringify({ worker: 'DataProcessingWorker' }).replace(/}$/, `,"args":${nested(5000)}}`), status: 400, code: 'invalid_request' },
  { name: 'an unknown field nested 5000 deep', body: job({}).replace(/}$/, `,"x":${nested(5000)}}`), status: 400, code: 'invalid_request' },
  { name: 'a 10,000-character worker name', body: JSON.stringify({ worker: 'W'.repeat(10_000) }), status: 400, code: 'invalid_request' },
  { name: 'a bulk of 1001 jobs', path: '/api/jobs/bulk', body: JSON.stringify({ jobs: Array.from({ length: 1001 }, () => ({ worker: 'DataProcessingWorker', args: { userId: 1 } })) }), status: 400, code: 'invalid_request' },
  { name: 'an args object with 10,000 keys', body: JSON.stringify({ worker: 'EchoWorker', args: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])) }), status: 422, code: 'invalid_args' },

  // Prototype keys
  { name: '__proto__ in the envelope', body: '{"worker":"DataProcessingWorker","args":{"userId":1},"__proto__":{"polluted":true}}', status: 400, code: 'invalid_request' },
  { name: 'constructor in the envelope', body: '{"worker":"DataProcessingWorker","args":{"userId":1},"constructor":{"prototype":{"polluted":true}}}', status: 400, code: 'invalid_request' },
  { name: '__proto__ as the worker name', body: '{"worker":"__proto__"}', status: 404, code: 'unknown_worker' },
  { name: 'constructor as the worker name', body: '{"worker":"constructor"}', status: 404, code: 'unknown_worker' },
  { name: 'toString as the worker name', body: '{"worker":"toString"}', status: 404, code: 'unknown_worker' },
  { name: '__proto__ as the only args key of a strict worker', body: '{"worker":"EchoWorker","args":{"__proto__":{"n":1}}}', status: 422, code: 'invalid_args' },

  // Unicode
  { name: 'a homoglyph worker name (Greek omicron)', body: JSON.stringify({ worker: 'DataProcessingW\u03bfrker', args: { userId: 1 } }), status: 404, code: 'unknown_worker' },
  { name: 'a zero-width space in the worker name', body: JSON.stringify({ worker: 'DataProcessing\u200bWorker', args: { userId: 1 } }), status: 404, code: 'unknown_worker' },
  { name: 'a right-to-left override in the worker name', body: JSON.stringify({ worker: '\u202eDataProcessingWorker', args: { userId: 1 } }), status: 404, code: 'unknown_worker' },
  { name: 'a lone surrogate in the worker name', body: '{"worker":"Data\\ud800Worker"}', status: 404, code: 'unknown_worker' },
  { name: 'a full-width digit as userId', body: JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: '\uff11' } }), status: 422, code: 'invalid_args' },

  // Time
  { name: 'a negative delay', body: job({ delaySeconds: -1 }), status: 400, code: 'invalid_request' },
  { name: 'a delay of 1e300 seconds', body: job({ delaySeconds: 1e300 }), status: 400, code: 'invalid_request' },
  { name: 'a delay that overflows to Infinity', body: '{"worker":"DataProcessingWorker","args":{"userId":1},"delaySeconds":1e400}', status: 400, code: 'invalid_request' },
  { name: 'a runAt in the year 275760', body: job({ runAt: '+275760-09-13T00:00:00.000Z' }), status: 400, code: 'invalid_request' },
  { name: 'a runAt 50 years ahead', body: job({ runAt: '2076-01-01T00:00:00Z' }), status: 400 },
  { name: 'a runAt on February 30th', body: job({ runAt: '2030-02-30T00:00:00Z' }), status: 400, code: 'invalid_request' },

  // Paths
  { name: 'a traversal in a job id', method: 'GET', path: '/api/jobs/..%2F..%2Fetc%2Fpasswd', status: 404, code: 'job_not_found' },
  { name: 'a NUL byte in a job id', method: 'GET', path: '/api/jobs/abc%00def', status: 404, code: 'job_not_found' },
  { name: 'a Redis glob as a job id', method: 'GET', path: '/api/jobs/*', status: 404, code: 'job_not_found' },
  { name: 'a colon key in a job id', method: 'GET', path: '/api/jobs/default:meta', status: 404, code: 'job_not_found' },
  { name: 'a 5000-character job id', method: 'GET', path: `/api/jobs/${'a'.repeat(5000)}`, status: 400, code: 'invalid_request' },
  { name: 'a traversal in a queue name', method: 'POST', path: '/api/queues/..%2Fcritical/pause', auth: 'admin', status: 404, code: 'queue_not_found' },
  { name: 'an unknown route under /api', method: 'GET', path: '/api/jobs/1/../../queues', status: 404 },
  { name: 'PUT on the enqueue route', method: 'PUT', path: '/api/jobs', body: job({}), status: 404 },

  // Headers and framing
  { name: 'a text/plain body', headers: { 'content-type': 'text/plain' }, body: job({}), status: 415, code: 'unsupported_media_type' },
  { name: 'a multipart body', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\n\r\n--x--', status: 415, code: 'unsupported_media_type' },
  { name: 'JSON declared as UTF-16', headers: { 'content-type': 'application/json; charset=utf-16' }, body: job({}), status: 400, code: 'malformed_json' },
  { name: 'JSON declared as Latin-1', headers: { 'content-type': 'application/json; charset=latin1' }, body: job({}), status: 415, code: 'unsupported_media_type' },
  { name: 'a gzip Content-Encoding that is not gzip', headers: { 'content-encoding': 'gzip' }, body: job({}), status: 400 },
  { name: 'a 20 KB header', headers: { 'x-junk': 'x'.repeat(20_000) }, body: job({}), status: 431 },
  { name: 'a Content-Length longer than the body', raw: 'POST /api/jobs HTTP/1.1\r\nHost: {{host}}\r\nAuthorization: Bearer {{client}}\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{"worker":"DataProcessingWorker"}', status: 400 },
  { name: 'both Content-Length and chunked', raw: 'POST /api/jobs HTTP/1.1\r\nHost: {{host}}\r\nAuthorization: Bearer {{client}}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n', status: 400 },
  { name: 'a broken chunked body', raw: 'POST /api/jobs HTTP/1.1\r\nHost: {{host}}\r\nAuthorization: Bearer {{client}}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', status: 400 },
  { name: 'a chunked body over the body limit', raw: `POST /api/jobs HTTP/1.1\r\nHost: {{host}}\r\nAuthorization: Bearer {{client}}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(300 * 1024).toString(16)}\r\n${'x'.repeat(300 * 1024)}\r\n0\r\n\r\n`, status: 413 },
  { name: 'a Content-Length shorter than the body', raw: 'POST /api/jobs HTTP/1.1\r\nHost: {{host}}\r\nAuthorization: Bearer {{client}}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"worker":"DataProcessingWorker"}', status: 400 },
  { name: 'a header with a bare LF', raw: 'POST /api/jobs HTTP/1.1\r\nHost: {{host}}\nAuthorization: Bearer {{client}}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}', status: 400 },
];

// The dashboard (issue 13): changes from another origin, and Bull Board actions off by default.
// `host` and `origin` are set by hand, so a case is same-origin without knowing the test's port.
const dashboardLogin = { authorization: `Basic ${Buffer.from('ops:admin-token-0123456789abcdef').toString('base64')}` };
const sameOrigin = { ...dashboardLogin, host: 'bullpen.test', origin: 'http://bullpen.test', 'sec-fetch-site': 'same-origin' };
const board = (path: string) => `/admin/queues/api/queues/low${path}`;
HOSTILE_CASES.push(
  { name: 'a dashboard job added by a text/plain form on another port', path: board('/add'), auth: 'none', headers: { ...dashboardLogin, 'content-type': 'text/plain', origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' }, body: '{"name":"EchoWorker","data":{"n":1},"x":"="}', status: 403, code: 'cross_origin_request' },
  { name: 'a dashboard obliterate with no Origin', method: 'PUT', path: board('/obliterate'), auth: 'none', headers: dashboardLogin, body: '{}', status: 403, code: 'cross_origin_request' },
  { name: 'a dashboard retry of all failed jobs from Origin: null', method: 'PUT', path: board('/retry/failed'), auth: 'none', headers: { ...dashboardLogin, origin: 'null' }, status: 403, code: 'cross_origin_request' },
  { name: 'a dashboard change whose Origin is the host on another port', method: 'PUT', path: board('/pause'), auth: 'none', headers: { ...sameOrigin, origin: 'http://bullpen.test:8081' }, status: 403, code: 'cross_origin_request' },
  { name: 'a dashboard change with the right Origin but Sec-Fetch-Site: same-site', method: 'PUT', path: board('/retry/failed'), auth: 'none', headers: { ...sameOrigin, 'sec-fetch-site': 'same-site' }, status: 403, code: 'cross_origin_request' },
  { name: 'a same-origin dashboard add job (off by default)', path: board('/add'), auth: 'none', headers: sameOrigin, body: '{"name":"EchoWorker","data":{"n":1}}', status: 403, code: 'dashboard_action_disabled' },
  { name: 'a same-origin dashboard obliterate (off by default)', method: 'PUT', path: board('/obliterate'), auth: 'none', headers: sameOrigin, body: '{}', status: 403, code: 'dashboard_action_disabled' },
  { name: 'a same-origin dashboard global concurrency (off by default)', method: 'PUT', path: board('/concurrency'), auth: 'none', headers: sameOrigin, body: '{"concurrency":1}', status: 403, code: 'dashboard_action_disabled' },
  { name: 'a same-origin dashboard job data edit (off by default)', method: 'PATCH', path: board('/some-job/update-data'), auth: 'none', headers: sameOrigin, body: '{"jobData":{}}', status: 403, code: 'dashboard_action_disabled' },
  { name: 'a dashboard obliterate spelled in capitals', method: 'PUT', path: '/ADMIN/QUEUES/API/QUEUES/low/OBLITERATE', auth: 'none', headers: sameOrigin, body: '{}', status: 403, code: 'dashboard_action_disabled' },
  { name: 'a dashboard obliterate with a percent-encoded letter', method: 'PUT', path: board('/%6fbliterate'), auth: 'none', headers: sameOrigin, body: '{}', status: 403, code: 'dashboard_action_unknown' },
  { name: 'a same-origin dashboard change on a route Bull Board lacks', method: 'DELETE', path: board(''), auth: 'none', headers: sameOrigin, status: 403, code: 'dashboard_action_unknown' },
);

// Bounds and malformed input (issue 13): each answered with a 4xx before any worker, Redis or
// rate limit sees it. The corpus's API runs with WORKER_MAX_ARGS_BYTES=65536 (below the body
// limit, so args can be too large) and API_REQUEST_TIMEOUT_SECONDS=1.
const RESERVED_IDS = [
  'events', 'meta', 'id', 'wait', 'active', 'paused', 'delayed', 'completed', 'failed', 'prioritized', 'priority', 'limiter',
  'stalled', 'stalled-check', 'marker', 'pc', 'repeat', 'de', 'metrics', 'waiting-children', 'de:x', 'metrics:completed', 'x:logs',
];
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const flaky = (args: string) => `{"worker":"FlakyWorker","args":${args}}`;
HOSTILE_CASES.push(
  { name: 'a job id that is not valid percent-encoding', method: 'GET', path: '/api/jobs/%E0%A4%A', status: 400, code: 'invalid_request' },
  { name: 'a lone % in a job id to retry', method: 'POST', path: '/api/jobs/abc%/retry', auth: 'admin', status: 400, code: 'invalid_request' },
  { name: 'a truncated UTF-8 escape in a job id to cancel', method: 'DELETE', path: '/api/jobs/%C3', auth: 'admin', status: 400, code: 'invalid_request' },
  { name: 'a queue name that is not valid percent-encoding', method: 'POST', path: '/api/queues/%ZZ/pause', auth: 'admin', status: 400, code: 'invalid_request' },
  { name: 'args nested 33 deep for a worker without a schema', body: flaky(nested(32)), status: 400, code: 'invalid_request' },
  { name: 'arrays nested 33 deep for a worker without a schema', body: flaky(nestedArrays(32)), status: 400, code: 'invalid_request' },
  { name: 'a bulk with one job nested too deep', path: '/api/jobs/bulk', body: `{"jobs":[${flaky('{}')},${flaky(nested(31))}]}`, status: 400, code: 'invalid_request' },
  ...RESERVED_IDS.map((id): HostileCase => ({ name: `BullMQ's key "${id}" as a job id, with an admin token`, method: 'GET', path: `/api/jobs/${encodeURIComponent(id)}`, auth: 'admin', status: 404, code: 'job_not_found' })),
  { name: "BullMQ's meta key as a job id in one queue", method: 'GET', path: '/api/jobs/meta?queue=low', auth: 'admin', status: 404, code: 'job_not_found' },
  { name: "BullMQ's events key as a job id, with a client token", method: 'GET', path: '/api/jobs/events', status: 404, code: 'job_not_found' },
  { name: "a retry of BullMQ's meta key", method: 'POST', path: '/api/jobs/meta/retry', auth: 'admin', status: 404, code: 'job_not_found' },
  { name: "a cancel of BullMQ's id key", method: 'DELETE', path: '/api/jobs/id', auth: 'admin', status: 404, code: 'job_not_found' },
  { name: 'args over WORKER_MAX_ARGS_BYTES', body: flaky(JSON.stringify({ label: 'x'.repeat(70_000) })), status: 413, code: 'args_too_large' },
  { name: 'a bulk whose last job has args over WORKER_MAX_ARGS_BYTES', path: '/api/jobs/bulk', body: `{"jobs":[${flaky('{}')},${flaky(JSON.stringify({ label: 'x'.repeat(70_000) }))}]}`, status: 413, code: 'args_too_large' },
  { name: 'DataProcessingWorker with a million records', body: JSON.stringify({ worker: 'DataProcessingWorker', args: { userId: 1, records: 1_000_000 } }), status: 422, code: 'invalid_args' },
  { name: "the issue's bulk of 16 DataProcessingWorker jobs of a million records", path: '/api/jobs/bulk', body: JSON.stringify({ jobs: Array.from({ length: 16 }, () => ({ worker: 'DataProcessingWorker', args: { userId: 1, records: 1_000_000 } })) }), status: 422, code: 'invalid_args' },
  { name: 'a body that stops arriving', raw: 'POST /api/jobs HTTP/1.1\r\nHost: {{host}}\r\nAuthorization: Bearer {{client}}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"worker":', hold: true, status: 408 },

  // Scope: internal workers, other clients' jobs, guessable ids
  { name: 'a client token enqueueing the internal HealthCheckWorker', body: JSON.stringify({ worker: 'HealthCheckWorker' }), status: 403, code: 'worker_not_allowed' },
  { name: 'a client bulk of 1000 HealthCheckWorker jobs on critical', path: '/api/jobs/bulk', body: JSON.stringify({ jobs: Array.from({ length: 1000 }, () => ({ worker: 'HealthCheckWorker', args: { deep: nested(20) } })) }), status: 403, code: 'worker_not_allowed' },
  { name: "a job id carrying another token's owner tag", method: 'GET', path: '/api/jobs/0123456789abcdef-5a89cac8-db6e-44b6-892c-04b929b5be57', status: 404, code: 'job_not_found' },
  { name: 'an idempotency id computed without the server secret', method: 'GET', path: `/api/jobs/idem-${'ab'.repeat(32)}`, status: 404, code: 'job_not_found' },
);
