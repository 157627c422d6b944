import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../support/deferred';
import type { DevProcess } from './dev-process';
import { devSession } from './dev-session';
import { SLEEP_WORKER_MODULE } from './dev-tree';
import { api } from './serve-env';

/** The pids of `pid`'s child processes (Linux). */
const childrenOf = (pid: number): number[] => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

/** Exit 0 after "serve: stopped"; otherwise what make dev said, but for its info lines. */
async function expectCleanExit(dev: DevProcess): Promise<void> {
  const exit = await dev.exited;
  const said = dev.output().split('\n').filter((l) => !l.includes('"level":30')).join('\n');
  if (exit.code !== 0 || exit.signal !== null || !said.includes('serve: stopped\n')) {
    throw new Error(`make dev exited with ${JSON.stringify(exit)} after Ctrl-C; it said:\n${said}`);
  }
}

describe('make dev and job modules', () => {
  const session = devSession('dev-reload');

  it('makes a job module added while it runs enqueueable over HTTP, and survives a broken one', async () => {
    const { dev, apiUrl } = await session.start('node', ['scripts/serve.js']);
    const sleepJob = { worker: 'SleepWorker', args: { ms: 1 } };
    expect((await api(apiUrl, '/api/jobs', sleepJob)).status).toBe(404);

    copyFileSync(SLEEP_WORKER_MODULE, join(session.tree.workersDir, 'sleep-worker.ts'));
    await dev.waitForLine(/^serve: added sleep-worker\.ts in services\/jobs\/src\/workers\/; restarting api, worker and beat$/, 10_000);
    let id = '';
    await waitFor('the restarted API to accept SleepWorker', async () => {
      const res = await api(apiUrl, '/api/jobs', sleepJob);
      id = res.body?.id;
      return res.status === 202;
    }, 60_000, { intervalMs: 200 });
    // ...and the restarted worker to run it.
    await waitFor('the job to complete', async () => (await api(apiUrl, `/api/jobs/${id}`)).body.state === 'completed', 30_000);
    // jobs.ts follows, so the class is importable by name from @bullpen/jobs.
    expect(readFileSync(join(session.tree.root, 'services', 'jobs', 'src', 'jobs.ts'), 'utf8')).toContain("export * from './workers/sleep-worker';");

    const broken = join(session.tree.workersDir, 'broken-worker.ts');
    writeFileSync(broken, 'export class BrokenWorker extends {\n');
    await dev.waitForLine(/^serve: worker exited \(code 2\); it starts again when/, 60_000);
    // A syntax error stops the processes that load it, not make dev.
    expect(dev.child.exitCode).toBeNull();

    rmSync(broken);
    await dev.waitForLine(/^serve: removed broken-worker\.ts in/, 10_000);
    await waitFor('the API to be back with SleepWorker', async () => (await api(apiUrl, '/api/jobs', sleepJob)).status === 202, 60_000, { intervalMs: 200 });

    dev.signalGroup('SIGINT');
    await expectCleanExit(dev);
    // The banner is printed once, not at every restart.
    expect(dev.output().match(/^serve: api, worker and beat are up/gm)).toHaveLength(1);
  }, 180_000);

  it('exits 0 on a Ctrl-C that lands while the restarted processes are still loading', async () => {
    const { dev } = await session.start('node', ['scripts/serve.js']);
    const before = childrenOf(dev.child.pid!);
    expect(before).toHaveLength(3);
    copyFileSync(SLEEP_WORKER_MODULE, join(session.tree.workersDir, 'sleep-worker.ts'));
    // serve.js drains the old api, worker and beat, then starts new ones, which take a second or
    // more to load before any of them listens for SIGTERM: the Ctrl-C lands in that second.
    await waitFor('the new api, worker and beat to be started', async () => {
      const now = childrenOf(dev.child.pid!);
      return now.length === 3 && now.every((pid) => !before.includes(pid));
    }, 60_000, { intervalMs: 10 });

    dev.signalGroup('SIGINT');
    await expectCleanExit(dev);
  }, 120_000);
});
