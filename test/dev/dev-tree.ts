import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SERVICES = ['core', 'jobs', 'worker', 'beat', 'api'];
const SCRIPTS = ['serve.js', 'dev', 'workers-index.js', 'ensure-redis.sh'];

/** A job module for tests to add: SleepWorker, `{ ms }` of sleep. */
export const SLEEP_WORKER_MODULE = join(ROOT, 'services', 'worker', 'test', 'fixtures', 'sleep-worker.ts');

export interface DevTree {
  root: string;
  /** The copy's services/jobs/src/workers, which its `make dev` watches and discovers. */
  workersDir: string;
  remove(): void;
}

/**
 * A copy of what `make dev` runs (the services' sources, serve.js and its scripts) in a temp
 * directory, so a test can add job modules without touching the repository's own
 * services/jobs/src/workers, which other tests discover. Its node_modules links to the
 * repository's packages, except @bullpen/*, which link to the copy's services.
 */
export function devTree(): DevTree {
  const root = mkdtempSync(join(tmpdir(), 'bullpen-dev-'));
  for (const service of SERVICES) {
    for (const part of ['package.json', 'src']) cpSync(join(ROOT, 'services', service, part), join(root, 'services', service, part), { recursive: true });
  }
  for (const script of SCRIPTS) cpSync(join(ROOT, 'scripts', script), join(root, 'scripts', script), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json']) symlinkSync(join(ROOT, file), join(root, file));
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@bullpen'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules')).filter((e) => e !== '@bullpen')) {
    symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  for (const service of SERVICES) symlinkSync(join('..', '..', 'services', service), join(modules, '@bullpen', service));
  return {
    root,
    workersDir: join(root, 'services', 'jobs', 'src', 'workers'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
