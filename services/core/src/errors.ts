import { closestName } from './closest-name';

/** A bad environment variable. The message is one line that names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
  }
}

/** Job args rejected by a worker's schema, before anything touched Redis. */
export class ArgsValidationError extends Error {
  override name = 'ArgsValidationError';
  constructor(
    readonly worker: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super(`${worker}: invalid args: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}

/** How many known names the message lists before "and N more". */
const LISTED_NAMES = 20;

/**
 * A worker name that no registered Worker class carries. The message lists `known` (the names
 * the caller may see) and suggests the closest one: `unknown worker "DataProcesingWorker" (did
 * you mean DataProcessingWorker?); known workers: DataProcessingWorker, ExportWorker`.
 */
export class UnknownWorkerError extends Error {
  override name = 'UnknownWorkerError';
  /** The known name closest to `worker` by edit distance, when it is close enough to be a typo. */
  readonly suggestion?: string;

  constructor(
    readonly worker: string,
    readonly known: readonly string[] = [],
  ) {
    const suggestion = closestName(worker, known);
    const listed = known.length > LISTED_NAMES ? `${known.slice(0, LISTED_NAMES).join(', ')} and ${known.length - LISTED_NAMES} more` : known.join(', ');
    super(`unknown worker "${worker}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}; known workers: ${listed || 'none'}`);
    if (suggestion) this.suggestion = suggestion;
  }
}

/**
 * Job args larger than `WORKER_MAX_ARGS_BYTES` as JSON. Refused before anything touches Redis:
 * a job's args sit in Redis and in a worker's heap until it ends, so their size is capped.
 */
export class ArgsTooLargeError extends Error {
  override name = 'ArgsTooLargeError';
  constructor(
    readonly worker: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`${worker}: args are ${bytes} bytes as JSON, over WORKER_MAX_ARGS_BYTES (${maxBytes})`);
  }
}

/** Enqueue options that cannot be honoured (negative delay, unparseable date, both delay and runAt). */
export class EnqueueOptionsError extends Error {
  override name = 'EnqueueOptionsError';
}

/** Normalise anything thrown into an Error, once, at the catch site. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}

/** `start()` called on a runtime that was started (or closed) already: a process starts once. */
export class RuntimeStartedError extends Error {
  override name = 'RuntimeStartedError';
}

/** Steps of a shutdown that threw; every other step still ran. `failures` names each step with its error. */
export class ShutdownError extends AggregateError {
  override name = 'ShutdownError';
  constructor(readonly failures: ReadonlyArray<{ step: string; error: unknown }>) {
    super(failures.map((f) => f.error), `shutdown steps failed: ${failures.map((f) => `${f.step} (${f.error instanceof Error ? f.error.message : String(f.error)})`).join('; ')}`);
  }
}
