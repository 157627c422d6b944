import { loadCoreConfig, readInteger, type CoreConfig, type Env } from '@bullpen/core';

export interface BeatConfig extends CoreConfig {
  /** `METRICS_PORT`, default 9464: `/metrics`, `/healthz`, `/readyz`. */
  metricsPort: number;
  /** `BEAT_SYNC_INTERVAL_SECONDS`, default 60: how often schedules are re-checked against the workers. */
  syncIntervalSeconds: number;
}

export function loadBeatConfig(env: Env): BeatConfig {
  return Object.freeze({
    ...loadCoreConfig(env),
    metricsPort: readInteger(env, 'METRICS_PORT', 9464, { min: 0, max: 65535 }),
    syncIntervalSeconds: readInteger(env, 'BEAT_SYNC_INTERVAL_SECONDS', 60, { min: 1, max: 86_400 }),
  });
}
