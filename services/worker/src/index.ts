export { loadWorkerConfig, type WorkerConfig } from './config';
export { discoverWorkers, WORKERS_DIR } from './discover';
export { JobOutOfMemoryError, JobProcessExitError, JobProcessPoolClosedError, JobSerializationError, JobTimeoutError } from './job-errors';
export { JobProcessPool, type IsolatedAttempt, type JobProcessPoolOptions } from './job-process-pool';
export { WorkerPool, type DrainResult, type WorkerPoolOptions } from './worker-pool';
export { createWorkerService, type WorkerService, type WorkerServiceDeps } from './worker-service';
export { DATA_PROCESSING_MAX_RECORDS, DataProcessingWorker, type DataProcessingArgs, type DataProcessingResult } from './workers/data-processing-worker';
export { HealthCheckWorker, type HealthCheckResult } from './workers/health-check-worker';
