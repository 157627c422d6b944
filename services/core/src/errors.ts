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

/** A worker name that no registered Worker class carries. */
export class UnknownWorkerError extends Error {
  override name = 'UnknownWorkerError';
  constructor(readonly worker: string) {
    super(`unknown worker "${worker}"`);
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
