import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { WorkerService } from '@bullpen/worker';
import createClient from 'openapi-fetch';
import ts from 'typescript';
import { CLIENT_TOKEN, startTestApi, testRegistry, type TestApi } from './support/api';
import { startTestWorker } from './support/worker';

/**
 * What a user writes against the client generated from the served document. It is type-checked
 * against the generated types (each `@ts-expect-error` must meet an error, so a type that is too
 * loose fails as surely as one that is wrong), then run against the real API.
 */
const USAGE = `
import type createClient from 'openapi-fetch';
import type { operations, paths } from './api';

type Exact<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const exact = <A, B>(proof: Exact<A, B>): void => void proof;

type Responses<P extends keyof paths, M extends 'get' | 'post'> = NonNullable<paths[P][M]> extends { responses: infer R } ? R : never;
type JobState = 'waiting' | 'prioritized' | 'active' | 'delayed' | 'failed' | 'completed' | 'waiting-children' | 'unknown';

exact<keyof operations, 'enqueueJob' | 'enqueueJobs' | 'getJob' | 'cancelJob' | 'retryJob' | 'listQueues' | 'getQueueBacklog' | 'pauseQueue' | 'resumeQueue' | 'listWorkers' | 'getHealth' | 'getReadiness' | 'getMetrics' | 'getDashboard'>(true);
exact<Responses<'/api/jobs', 'post'>[202]['headers']['Location'], string>(true);
exact<Responses<'/api/jobs', 'post'>[429]['headers']['Retry-After'], number>(true);
exact<Responses<'/api/jobs/{id}', 'get'>[503]['headers']['Retry-After'], number>(true);
exact<Responses<'/api/jobs/{id}', 'get'>[401]['headers']['WWW-Authenticate'], string>(true);

export async function roundTrip(create: typeof createClient, baseUrl: string, token: string) {
  const client = create<paths>({ baseUrl, headers: { Authorization: \`Bearer \${token}\` } });

  const enqueued = await client.POST('/api/jobs', { body: { worker: 'EchoWorker', args: { n: 7 } } });
  if (!enqueued.data) throw new Error(\`enqueue answered \${enqueued.response.status}\`);
  exact<typeof enqueued.data.queue, 'critical' | 'default' | 'low'>(true);
  const { id, statusUrl } = enqueued.data;

  const deadline = Date.now() + 15_000;
  let job = (await client.GET('/api/jobs/{id}', { params: { path: { id } } })).data;
  while (job?.state !== 'completed' && job?.state !== 'failed' && Date.now() < deadline) {
    await new Promise((next) => setTimeout(next, 20)); // the poll's interval, not a wait for the result
    job = (await client.GET('/api/jobs/{id}', { params: { path: { id } } })).data;
  }
  if (!job) throw new Error('the job could not be read');
  exact<typeof job.state, JobState>(true);
  exact<typeof job.attemptsMade, number>(true);
  exact<typeof job.result, unknown>(true);
  exact<typeof job.finishedAt, string | null>(true);

  const bulk = await client.POST('/api/jobs/bulk', { body: { jobs: [{ worker: 'EchoWorker', args: { n: 1 } }, { worker: 'FlakyWorker', args: 'anything' }] } });
  exact<NonNullable<typeof bulk.data>['ids'], string[]>(true);

  const queues = (await client.GET('/api/queues')).data;
  exact<NonNullable<typeof queues>['queues']['critical']['counts']['completed'], number>(true);
  // @ts-expect-error the queue map has the three named queues only
  void queues?.queues.urgent;
  const backlog = (await client.GET('/api/queues/backlog', { params: { query: { queues: 'critical' } } })).data;
  exact<NonNullable<typeof backlog>['total']['ready'], number>(true);

  // @ts-expect-error EchoWorker's args.n is an integer
  const badArgs = await client.POST('/api/jobs', { body: { worker: 'EchoWorker', args: { n: 'seven' } } });
  // @ts-expect-error no worker of that name is registered
  const unknownWorker = await client.POST('/api/jobs', { body: { worker: 'NoSuchWorker' } });
  exact<NonNullable<typeof badArgs.error>['error']['code'], string>(true);
  // @ts-expect-error a path parameter that is not a queue
  void client.POST('/api/queues/{name}/pause', { params: { path: { name: 'urgent' } } });
  const adminOnly = await client.POST('/api/queues/{name}/pause', { params: { path: { name: 'low' } } });

  return {
    job: { id: job.id, worker: job.worker, queue: job.queue, state: job.state, result: job.result, attemptsMade: job.attemptsMade, finishedAt: job.finishedAt },
    enqueued: { status: enqueued.response.status, statusUrl, location: enqueued.response.headers.get('location') },
    bulk: { status: bulk.response.status, ids: bulk.data?.ids.length },
    completedOnCritical: queues?.queues.critical.counts.completed,
    backlogQueues: Object.keys(backlog?.queues ?? {}),
    refused: { badArgs: badArgs.error?.error.code, unknownWorker: unknownWorker.error?.error.code, adminOnly: [adminOnly.response.status, adminOnly.error?.error.code] },
  };
}
`;

/**
 * Runs the openapi-typescript CLI as a user would, on the served URL. It validates the document
 * first (Redocly's OpenAPI 3.1 structure rules, unique operationIds) and exits non-zero on an
 * error. A child process, because it is ES modules only and the API it fetches from runs here.
 */
async function generateTypes(url: string, file: string): Promise<void> {
  const cli = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin/cli.js');
  await promisify(execFile)(process.execPath, [cli, url, '--output', file], { timeout: 20_000 });
}

/** The TypeScript errors of `file`, checked strictly, one line each. */
function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts'], types: ['node'],
    module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const line = d.file && d.start !== undefined ? `${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${line}${text}`;
  });
}

describe('a client generated from the served OpenAPI document', () => {
  let t: TestApi;
  let worker: WorkerService;
  let dir: string;
  beforeAll(async () => {
    t = await startTestApi();
    worker = await startTestWorker(t.prefix, testRegistry());
    dir = mkdtempSync(join(tmpdir(), 'bullpen-openapi-client-'));
    // The usage file resolves openapi-fetch and @types/node as Bullpen's own code does.
    symlinkSync(resolve(__dirname, '../../../node_modules'), join(dir, 'node_modules'), 'dir');
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('validates, type-checks a typed usage, and round-trips a job through the worker', async () => {
    await generateTypes(`${t.url}/openapi.json`, join(dir, 'api.ts'));
    writeFileSync(join(dir, 'usage.ts'), USAGE);
    expect(typeErrors(join(dir, 'usage.ts'))).toEqual([]);

    const compiled = ts.transpileModule(USAGE, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
    writeFileSync(join(dir, 'usage.js'), compiled.outputText);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the CommonJS the test just compiled
    const { roundTrip } = require(join(dir, 'usage.js')) as { roundTrip: (c: typeof createClient, url: string, token: string) => Promise<Record<string, unknown>> };
    const seen = await roundTrip(createClient, t.url, CLIENT_TOKEN);

    expect(seen.job).toEqual({ id: expect.any(String), worker: 'EchoWorker', queue: 'critical', state: 'completed', result: { n: 7 }, attemptsMade: 1, finishedAt: expect.any(String) });
    expect(seen.enqueued).toEqual({ status: 202, statusUrl: expect.stringMatching(/^\/api\/jobs\//), location: (seen.enqueued as { statusUrl: string }).statusUrl });
    expect(seen.bulk).toEqual({ status: 202, ids: 2 });
    expect(seen.completedOnCritical).toBeGreaterThanOrEqual(1);
    expect(seen.backlogQueues).toEqual(['critical']);
    expect(seen.refused).toEqual({ badArgs: 'invalid_args', unknownWorker: 'unknown_worker', adminOnly: [403, 'forbidden'] });
  }, 60_000); // the generator's start and a type check of openapi-fetch take seconds on a busy machine
});
