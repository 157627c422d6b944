import type { QueueName, WorkerRegistry } from '@bullpen/core';
import { startTestApi, type TestApi } from './api';
import { JobEvents } from './events';
import { startTestWorker } from './worker';

/** A test API, a worker consuming its prefix and one queue's events: enough to enqueue a job and watch it run. */
export interface TestStack {
  api: TestApi;
  events: JobEvents;
  /** Closes the events, the worker, then the API. */
  close(): Promise<void>;
}

/** Starts a TestStack on `registry`; `workerEnv` overrides the worker's settings (e.g. LOG_LEVEL). */
export async function startTestStack(registry: WorkerRegistry, queue: QueueName, workerEnv: Record<string, string> = {}): Promise<TestStack> {
  const api = await startTestApi({ registry });
  // What did start must not outlive a test file whose setup failed.
  const worker = await startTestWorker(api.prefix, registry, workerEnv).catch(async (err: unknown) => {
    await api.close();
    throw err;
  });
  const events = await JobEvents.open(api.prefix, queue).catch(async (err: unknown) => {
    await worker.close();
    await api.close();
    throw err;
  });
  return {
    api,
    events,
    async close() {
      await events.close();
      await worker.close();
      await api.close();
    },
  };
}
