// The Bullpen API as `npm run serve:api` runs it (its config from the environment, info logging
// to stdout), on a free port it reports to the parent over IPC. Used by bench/http-enqueue.ts.
import { createLogger } from '@bullpen/core';
import { createApi, loadApiConfig } from '@bullpen/api';
import { discoverWorkers } from '@bullpen/jobs/discover';

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const logger = createLogger('api', config.logLevel);
  const api = createApi({ config, registry: discoverWorkers(), logger });
  const stop = () => void api.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  const { port } = await api.start();
  process.send!({ port, pid: process.pid });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
