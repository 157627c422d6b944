import { gaugeOn, Worker, type JobContext, type MetricsRegistry } from '@bullpen/core';
import '../job-services';

const TIMEOUT_MS = 3_000;

/** `bullpen_health_check_*` on `register`: what the last health check in this process saw. */
export function healthCheckGauges(register: MetricsRegistry) {
  return {
    up: gaugeOn(register, { name: 'bullpen_health_check_up', help: '1 when the last health check of the API succeeded' }),
    lastSuccess: gaugeOn(register, { name: 'bullpen_health_check_last_success_timestamp_seconds', help: 'Unix time of the last successful health check' }),
  };
}

export interface HealthCheckResult {
  healthy: boolean;
  status?: number;
  durationMs: number;
}

/** Pings the API every ten minutes and records the outcome for `bullpen_health_check_*`. */
export class HealthCheckWorker extends Worker<void, HealthCheckResult> {
  static override queue = 'critical' as const;
  static override maxRetries = 1;
  static override cronSchedule = '*/10 * * * *';
  // Inline whatever the pod's default: it records its outcome on the pod's own metrics.
  static override isolation = 'inline' as const;
  // Run by the beat every ten minutes; a client flooding it would page the on-call for nothing.
  static override internal = true;

  static override registerMetrics(register: MetricsRegistry): void {
    healthCheckGauges(register);
  }

  async perform(_args: void, ctx: JobContext): Promise<HealthCheckResult> {
    const { apiHealthUrl, register } = ctx.services;
    const gauges = healthCheckGauges(register);
    const started = performance.now();
    let status: number | undefined;
    let failure: string | undefined;
    try {
      const res = await fetch(apiHealthUrl, { signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), ctx.signal]) });
      status = res.status;
      if (!res.ok) failure = `status ${res.status}`;
    } catch (err) {
      failure = (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : (err as Error).message;
    }
    const durationMs = Math.round(performance.now() - started);
    gauges.up.set(failure ? 0 : 1);
    if (failure) {
      ctx.logger.warn({ url: apiHealthUrl, status, durationMs, reason: failure }, 'api unhealthy');
      throw new Error(`api unhealthy: ${failure}`);
    }
    gauges.lastSuccess.set(Date.now() / 1000);
    ctx.logger.info({ url: apiHealthUrl, status, durationMs }, 'api healthy');
    return { healthy: true, status, durationMs };
  }
}
