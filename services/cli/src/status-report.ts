import type { QueueStats } from './queue-source';
import { formatAge, renderTable } from './table';
import type { Autoscaler, WorkerGroup } from './worker-group';

/** What `bullpen status` found; `--json` prints it as is. */
export interface StatusReport {
  namespace: string;
  groups: WorkerGroup[];
  /** Per queue, or null when they could not be read (`queueError` says why). */
  queues: QueueStats[] | null;
  /** Where queues were read from (GET /api/queues), or null when no API is configured. */
  queueSource: string | null;
  queueError?: string;
}

export function renderStatus(report: StatusReport): string {
  const out: string[] = [];
  if (report.groups.length === 0) {
    out.push(`no Bullpen worker groups in namespace ${report.namespace} (Deployments labelled bullpen.dev/worker-group)`);
  } else {
    out.push(
      renderTable(
        ['GROUP', 'DESIRED', 'READY', 'AUTOSCALER', 'QUEUES', 'DEPLOYMENT'],
        report.groups.map((g) => [g.name, String(g.desiredReplicas), String(g.readyReplicas), describeAutoscaler(g.autoscaler), g.queues.join(','), g.deployment]),
      ),
    );
  }
  out.push('');
  if (report.queues) {
    const consumers = (queue: string) => report.groups.filter((g) => g.queues.includes(queue)).map((g) => g.name);
    out.push(
      renderTable(
        ['QUEUE', 'BACKLOG', 'OLDEST', 'ACTIVE', 'DELAYED', 'FAILED', 'PAUSED', 'GROUPS'],
        report.queues.map((q) => [
          q.name,
          String(q.ready),
          q.ready > 0 ? formatAge(q.oldestSeconds) : '-',
          String(q.active),
          String(q.delayed),
          String(q.failed),
          q.paused ? 'yes' : 'no',
          consumers(q.name).join(',') || '(none)',
        ]),
      ),
    );
  } else if (report.queueSource === null) {
    out.push('queues: not read (no API configured: set --api-url or BULLPEN_API_URL, and BULLPEN_API_TOKEN)');
  } else {
    out.push(`queues: unavailable (${report.queueError ?? 'unknown error'}); the Kubernetes part above is current`);
  }
  return out.join('\n');
}

/** "none", "hpa min 3 max 12", "keda min 1 max 10", "keda paused at 2 (min 1 max 10)". */
export function describeAutoscaler(a: Autoscaler | null): string {
  if (!a) return 'none';
  const range = `min ${a.minReplicas} max ${a.maxReplicas}`;
  if (a.pausedReplicas !== undefined) return `${a.kind} paused at ${a.pausedReplicas} (${range})`;
  return `${a.kind} ${range}`;
}
