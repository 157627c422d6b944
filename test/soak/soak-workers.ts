import { Worker } from '@bullpen/core';

/** A no-op job that fails when asked to: the soak's 5 % poison. */
export class SoakWorker extends Worker<{ i: number; fail: boolean }> {
  static override maxRetries = 0;
  perform({ i, fail }: { i: number; fail: boolean }) {
    if (fail) throw new Error(`soak job ${i} fails on purpose`);
    return i;
  }
}
