/** The attempt's error when a job runs past its class's `timeoutSeconds`. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/** The attempt's error when its result is larger than `WORKER_MAX_RESULT_BYTES`. */
export class ResultTooLargeError extends Error {
  override name = 'ResultTooLargeError';
}

/** An isolated attempt whose process exited (or was killed by a signal) before it reported a result. */
export class JobProcessExitError extends Error {
  override name = 'JobProcessExitError';
  constructor(
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(signal ? `job process killed by ${signal}` : `job process exited with code ${code}`);
  }
}

/** An isolated attempt whose process reached its heap limit (`WORKER_JOB_MEMORY_MB`). */
export class JobOutOfMemoryError extends Error {
  override name = 'JobOutOfMemoryError';
  constructor(readonly heapLimitMb: number) {
    super(`job process ran out of memory (heap limit ${heapLimitMb} MB)`);
  }
}

/** Args, a result or a progress value that cannot cross to or from an isolated job's process. */
export class JobSerializationError extends Error {
  override name = 'JobSerializationError';
}

/** A run asked of a JobProcessPool that is closed, or that was running when it closed. */
export class JobProcessPoolClosedError extends Error {
  override name = 'JobProcessPoolClosedError';
  constructor() {
    super('job process pool is closed');
  }
}

/** An error as it crosses between processes: Error objects lose their name and class on the way. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

export function toWireError(err: Error): WireError {
  return { name: err.name, message: err.message, stack: err.stack };
}

/** An Error carrying the original's name, message and stack (its class stays in the other process). */
export function fromWireError(wire: WireError): Error {
  const err = new Error(wire.message);
  err.name = wire.name;
  if (wire.stack !== undefined) err.stack = wire.stack;
  return err;
}
