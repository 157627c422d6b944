import { planScale } from '../policy';
import { findGroup, KEDA_PAUSED_ANNOTATION, loadWorkerGroups } from '../worker-group';
import type { CommandContext } from './context';

export interface ScaleOptions {
  group: string;
  replicas: number;
  pin: boolean;
  release?: string;
}

/** Sets a group's replicas through the scale subresource, unless an autoscaler owns them (see planScale). */
export async function scaleCommand(ctx: CommandContext, { group: name, replicas, pin, release }: ScaleOptions): Promise<number> {
  const { cluster } = ctx;
  const group = findGroup(await loadWorkerGroups(cluster), name, cluster.namespace, release);
  const plan = planScale(group, replicas, { pin });
  const deployment = `deployment/${group.deployment}`;
  const from = `from ${group.desiredReplicas} to ${replicas} replicas`;
  switch (plan.kind) {
    case 'scale':
      await cluster.scaleDeployment(group.deployment, replicas);
      ctx.stdout(`${deployment} scaled ${from}${pin ? ' (no autoscaler owns the group: --pin had nothing to pin)' : ''}`);
      break;
    case 'pin-hpa':
      await cluster.pinHpa(plan.hpa, replicas);
      await cluster.scaleDeployment(group.deployment, replicas);
      ctx.stdout(
        `pinned horizontalpodautoscaler/${plan.hpa} at ${replicas} (minReplicas = maxReplicas = ${replicas}) and scaled ${deployment} ${from}; ` +
          `helm upgrade now stops at a conflict over the HPA's minReplicas/maxReplicas (field manager "bullpen") ` +
          `until run with --force-conflicts, which puts the values' range back`,
      );
      break;
    case 'pin-keda':
      await cluster.pinScaledObject(plan.scaledObject, replicas);
      await cluster.scaleDeployment(group.deployment, replicas);
      ctx.stdout(
        `pinned scaledobject/${plan.scaledObject} at ${replicas} (${KEDA_PAUSED_ANNOTATION}=${replicas}) and scaled ${deployment} ${from}; ` +
          `to hand it back to KEDA: kubectl annotate scaledobject ${plan.scaledObject} -n ${cluster.namespace} ${KEDA_PAUSED_ANNOTATION}-`,
      );
      break;
  }
  return 0;
}
