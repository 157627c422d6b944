export { loadWorkerConfig, type WorkerConfig } from './config';
export { discoverWorkers, WORKERS_DIR } from './discover';
export { JobOutOfMemoryError, JobProcessExitError, JobProcessPoolClosedError, JobSerializationError, JobTimeoutError } from './job-errors';
export { JobProcessPool, type IsolatedAttempt, type JobProcessPoolOptions } from './job-process-pool';
export { WorkerPool, type DrainResult, type WorkerPoolOptions } from './worker-pool';
export { createWorkerService, type WorkerService, type WorkerServiceDeps } from './worker-service';
// Every job class in src/workers/, by name (jobs.ts is generated: scripts/workers-index.js).
export * from './jobs';
