export { Beat, type BeatDeps } from './beat';
export { createBeatService, type BeatService, type BeatServiceDeps } from './beat-service';
export { loadBeatConfig, type BeatConfig } from './config';
export { schedulerId, syncSchedules, type SyncResult } from './schedule-sync';
