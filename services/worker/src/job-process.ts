/**
 * Entry point of an isolated job's process (`static isolation = 'process'`), forked by
 * JobProcessPool: it runs one attempt at a time, as the pool asks, and is reused between them.
 * Arguments: the log level and the API health URL (the JobServices the parent cannot send).
 */
import { coerceError, createLogger, createRegistry, isWorkerClass, teeLogger, type JobContext, type JobServices, type QueueName, type WorkerClass } from '@bullpen/core';
import { fromWireError, JobSerializationError, toWireError, type WireError } from './job-errors';
import { capLogLine } from './job-log';
// The JobServices the job classes declare (@bullpen/jobs' job-services.ts), without loading them.
import type {} from '@bullpen/jobs';

/** What the pool sends its child. */
export type ToJobProcess =
  | { type: 'run'; modulePath: string; workerName: string; args: unknown; job: { id: string; queue: QueueName; attempt: number } }
  | { type: 'abort'; reason: WireError }
  | { type: 'progressed'; seq: number; error?: WireError };

/** What the child sends the pool. `fatal`: the process is about to exit and must not be reused. */
export type FromJobProcess =
  | { type: 'ready' }
  | { type: 'progress'; seq: number; value: number | object }
  | { type: 'log'; line: string }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: WireError; fatal?: boolean };

type RunMessage = Extract<ToJobProcess, { type: 'run' }>;

interface Attempt {
  controller: AbortController;
  /** Progress reports waiting for the parent's answer, by sequence number. */
  progress: Map<number, { resolve(): void; reject(err: Error): void }>;
}

const [logLevel, apiHealthUrl] = process.argv.slice(2);
const logger = createLogger('worker', logLevel);
// Nobody scrapes a job process, so its metrics skip the process sampling (idle CPU in every child).
const services: JobServices = { register: createRegistry({ processMetrics: false }), apiHealthUrl };
let current: Attempt | undefined;
let nextSeq = 0;

function send(message: FromJobProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send!(message, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** The class named `workerName` among the module's exports (found by class name, as the registry does). */
function loadWorker(modulePath: string, workerName: string): WorkerClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported: Record<string, unknown> = require(modulePath);
  const cls = Object.values(exported).find((value) => isWorkerClass(value) && value.name === workerName);
  if (!cls) throw new Error(`${modulePath} exports no Worker class named ${workerName}`);
  return cls as WorkerClass;
}

async function run({ modulePath, workerName, args, job }: RunMessage): Promise<void> {
  const attempt: Attempt = { controller: new AbortController(), progress: new Map() };
  current = attempt;
  const ctx: JobContext = {
    ...job,
    worker: workerName,
    // Its lines also go to the parent, for the job's log; work left running after the attempt ended must not write to the next job's.
    logger: teeLogger(logger, { queue: job.queue, worker: workerName, jobId: job.id, attempt: job.attempt }, (line) => {
      if (current === attempt) send({ type: 'log', line: capLogLine(line) }).catch(() => {});
    }),
    signal: attempt.controller.signal,
    progress: (value) => {
      // Work left running after its attempt ended must not report on the next job's behalf.
      if (current !== attempt) return Promise.resolve();
      const seq = nextSeq++;
      return new Promise<void>((resolve, reject) => {
        attempt.progress.set(seq, { resolve, reject });
        send({ type: 'progress', seq, value }).catch((err: unknown) => {
          attempt.progress.delete(seq);
          reject(new JobSerializationError(`job progress cannot be sent to the worker: ${coerceError(err).message}`));
        });
      });
    },
    services,
  };
  let outcome: FromJobProcess;
  try {
    const cls = loadWorker(modulePath, workerName);
    outcome = { type: 'done', result: await new cls().perform(args, ctx) };
  } catch (err) {
    outcome = { type: 'failed', error: toWireError(coerceError(err)) };
  }
  // Another attempt's report would be taken as this one's: stop answering for this one first.
  current = undefined;
  try {
    await send(outcome);
  } catch (err) {
    await send({ type: 'failed', error: toWireError(new JobSerializationError(`job result cannot be sent to the worker: ${coerceError(err).message}`)) });
  }
}

function onMessage(message: ToJobProcess): void {
  switch (message.type) {
    case 'run':
      // run() reports its own failures; one it cannot send means the parent is gone (see 'disconnect').
      run(message).catch(() => {});
      return;
    case 'abort':
      current?.controller.abort(fromWireError(message.reason));
      return;
    case 'progressed': {
      const waiter = current?.progress.get(message.seq);
      current?.progress.delete(message.seq);
      if (message.error) waiter?.reject(fromWireError(message.error));
      else waiter?.resolve();
    }
  }
}

/**
 * An uncaught error may have left the process broken: fail the attempt that is running (if any)
 * with it and exit, so the pool starts a fresh process for the next job.
 */
function die(thrown: unknown): void {
  const err = coerceError(thrown);
  if (!current) logger.error({ err }, 'job process crashed between jobs');
  current = undefined;
  const exit = () => process.exit(1);
  if (process.connected) process.send!({ type: 'failed', error: toWireError(err), fatal: true } satisfies FromJobProcess, exit);
  else exit();
}

if (!process.send) throw new Error('job-process is started by JobProcessPool, with an IPC channel');
process.on('message', onMessage);
process.on('uncaughtException', die);
process.on('unhandledRejection', die);
// The pool is gone: nobody will ask for work or read results.
process.on('disconnect', () => process.exit(0));
// A failed send means the parent is gone, which 'disconnect' handles.
send({ type: 'ready' }).catch(() => {});
