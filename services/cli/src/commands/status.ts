import { coerceError } from '../errors';
import type { QueueStats } from '../queue-source';
import { renderStatus, type StatusReport } from '../status-report';
import { loadWorkerGroups } from '../worker-group';
import type { CommandContext } from './context';

export interface StatusOptions {
  json: boolean;
  release?: string;
}

/**
 * Prints every worker group with its autoscaler, then every queue's backlog. The queues are read
 * alongside; when they cannot be, the Kubernetes part is still printed and the reason said.
 */
export async function statusCommand(ctx: CommandContext, { json, release }: StatusOptions): Promise<number> {
  const queues: Promise<{ stats: QueueStats[] } | { error: string }> = ctx.queues
    ? ctx.queues.read().then(
        (stats) => ({ stats }),
        (err: unknown) => ({ error: coerceError(err).message }),
      )
    : Promise.resolve({ error: 'no API configured' });
  const groups = (await loadWorkerGroups(ctx.cluster)).filter((g) => release === undefined || g.release === release);
  const read = await queues;
  const report: StatusReport = {
    namespace: ctx.cluster.namespace,
    groups,
    queues: 'stats' in read ? read.stats : null,
    queueSource: ctx.queues?.url ?? null,
    ...('error' in read && ctx.queues ? { queueError: read.error } : {}),
  };
  ctx.stdout(json ? JSON.stringify(report, null, 2) : renderStatus(report));
  return 0;
}
