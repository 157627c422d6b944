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
