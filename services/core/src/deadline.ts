/**
 * Settles like `op`, or rejects with `error()` once `ms` pass first. The operation itself is not
 * cancelled (a Redis command may still run); only the wait for it ends. One promise and one
 * timer per call (not a race and a finally): it wraps every Redis call of an API request.
 */
export function withDeadline<T>(op: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    timer.unref();
    op.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Resolves true when `op` settles (either way) within `ms`, false when it has not by then (it is left running). */
export async function settlesWithin(op: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!op) return true;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([op.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
