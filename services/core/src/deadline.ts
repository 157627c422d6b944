/**
 * Settles like `op`, or rejects with `error()` once `ms` pass first. The operation itself is not
 * cancelled (a Redis command may still run); only the wait for it ends.
 */
export function withDeadline<T>(op: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
    timer.unref();
  });
  return Promise.race([op, deadline]).finally(() => clearTimeout(timer));
}
