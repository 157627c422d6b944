export { parseCommand, USAGE, type Command } from './args';
export { runCli, type CliDeps } from './cli';
export type { Cluster } from './cluster';
export { CLI_DEFAULTS, loadCliConfig, type CliConfig } from './config';
export {
  CliError,
  EXIT,
  ForbiddenError,
  KubeApiError,
  NoClusterError,
  QueueSourceError,
  RefusedError,
  UnauthorizedError,
  UnknownGroupError,
  UsageError,
} from './errors';
export { connectKube, type ConnectOptions } from './kube-cluster';
export { planDrain, planScale, type DrainPlan, type QueueReading, type ScalePlan } from './policy';
export { ApiQueueSource, pendingDelayed, pendingJobs, type QueueSource, type QueueStats } from './queue-source';
export { describeAutoscaler, renderStatus, type StatusReport } from './status-report';
export { formatAge, renderTable } from './table';
export { findGroup, joinWorkerGroups, loadWorkerGroups, type Autoscaler, type WorkerGroup } from './worker-group';
