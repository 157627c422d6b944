import { inspect } from 'node:util';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `predicate` holds after an event `subscribe` reports; checks once at once. */
export function until(subscribe: (check: () => void) => () => void, predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const check = () => {
      if (predicate()) {
        unsubscribe();
        resolve();
      }
    };
    unsubscribe = subscribe(check);
    check();
  });
}

export interface WaitOptions {
  /** How long to wait between two probes. Default 100 ms. */
  intervalMs?: number;
  /** What to add to the timeout error, e.g. the tail of a process's log. */
  diagnose?: () => string;
}

/**
 * Polls `probe` (state no event reports, e.g. a count in Redis across a Redis restart) until it
 * returns something truthy, and resolves with that. After `timeoutMs` it fails naming `what`,
 * with the probe's last error and `diagnose()`.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, { intervalMs = 100, diagnose }: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${diagnose ? `\n${diagnose()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
