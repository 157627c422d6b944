export { discoverWorkers, WORKERS_DIR } from './discover';
// Every job class in src/workers/, by name (jobs.ts is generated: scripts/workers-index.js).
export * from './jobs';
