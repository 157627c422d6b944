export { loadWorkerConfig, type WorkerConfig } from './config';
export { JobOutOfMemoryError, JobProcessExitError, JobProcessPoolClosedError, JobSerializationError, JobTimeoutError } from './job-errors';
export { JobProcessPool, type IsolatedAttempt, type JobProcessPoolOptions } from './job-process-pool';
export { WorkerPool, type DrainResult, type WorkerPoolOptions } from './worker-pool';
export { createWorkerService, type WorkerService, type WorkerServiceDeps } from './worker-service';
