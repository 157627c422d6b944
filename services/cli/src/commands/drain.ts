import { coerceError } from '../errors';
import { planDrain, type QueueReading } from '../policy';
import { findGroup, loadWorkerGroups } from '../worker-group';
import type { CommandContext } from './context';

export interface DrainOptions {
  group: string;
  force: boolean;
  release?: string;
}

/** Scales a group to zero once no job is left that only it would run (see planDrain). */
export async function drainCommand(ctx: CommandContext, { group: name, force, release }: DrainOptions): Promise<number> {
  const { cluster } = ctx;
  const [groups, reading] = await Promise.all([loadWorkerGroups(cluster), readQueues(ctx)]);
  const group = findGroup(groups, name, cluster.namespace, release);
  const plan = planDrain(group, groups, reading, force);
  for (const warning of plan.warnings) ctx.stderr(`warning: ${warning}`);
  if (!plan.scale) {
    ctx.stdout(`worker group "${group.name}" is already at 0 replicas (deployment/${group.deployment})`);
    return 0;
  }
  await cluster.scaleDeployment(group.deployment, 0);
  const checked = reading.ok && !force ? `; its queues hold no job only it would run (${reading.source})` : '';
  ctx.stdout(`drained worker group "${group.name}": deployment/${group.deployment} scaled from ${group.desiredReplicas} to 0 replicas${checked}`);
  return 0;
}

async function readQueues(ctx: CommandContext): Promise<QueueReading> {
  if (!ctx.queues) return { ok: false, error: 'no API configured (set --api-url or BULLPEN_API_URL, and BULLPEN_API_TOKEN)' };
  try {
    return { ok: true, source: ctx.queues.url, queues: await ctx.queues.read() };
  } catch (err) {
    return { ok: false, error: coerceError(err).message };
  }
}
