import { deletePrefix, testRedis, uniquePrefix } from '../support/redis';
import { startDevProcess, stopDevProcess, type DevProcess } from './dev-process';
import { devTree, type DevTree } from './dev-tree';
import { serveEnv } from './serve-env';

/**
 * A describe block's `make dev` runs: each test gets a fresh dev tree and the test Redis under
 * its own prefix; after it, the run is stopped, the tree removed and the prefix's keys deleted.
 */
export function devSession(name: string) {
  const redis = testRedis();
  const prefix = uniquePrefix(name);
  let dev: DevProcess | undefined;
  const session = {
    redis,
    prefix,
    tree: undefined as unknown as DevTree,
    /** Starts `command` in the tree, in its own process group; resolves once serve.js printed its banner. */
    async start(command: string, args: string[]): Promise<{ dev: DevProcess; apiUrl: string }> {
      const { env, apiUrl } = await serveEnv(prefix);
      dev = startDevProcess(command, args, { cwd: session.tree.root, env });
      await dev.waitForLine(/^serve: api, worker and beat are up/, 60_000);
      return { dev, apiUrl };
    },
  };
  beforeEach(() => {
    session.tree = devTree();
  });
  afterEach(async () => {
    await stopDevProcess(dev);
    dev = undefined;
    session.tree.remove();
    await deletePrefix(redis, prefix);
  });
  afterAll(() => redis.quit());
  return session;
}
