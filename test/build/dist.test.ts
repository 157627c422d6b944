import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deletePrefix, testRedis, uniquePrefix, TEST_REDIS_URL } from '../support/redis';

const ROOT = join(__dirname, '..', '..');

/**
 * What the images run: `npm run build`, then plain `node services/<svc>/dist/main.js`, resolving
 * @bullpen/* through their package exports to dist/ (no tsx, no development condition).
 * No Docker engine runs here, so this is how the Dockerfiles' build and CMD are checked.
 */
describe('the compiled services, as the images run them', () => {
  const prefixes: string[] = [];
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'pipe' });
  }, 60_000);
  afterAll(async () => {
    const redis = testRedis();
    for (const prefix of prefixes) await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it('the bullpen CLI runs from dist/ and says plainly when there is no cluster', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'services/cli/dist/main.js'), 'status'], {
      env: { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'bullpen-home-')) },
      encoding: 'utf8',
    });
    expect(run.stderr.trim()).toMatch(/^bullpen: no Kubernetes cluster: no kubeconfig/);
    expect(run.status).toBe(1);
  });

  it.each([
    ['api', 'services/api/dist/main.js', { PORT: '0', API_TOKENS: 'ci:dist-test-token-0123456789:client', API_ID_SECRET: 'dist-test-id-secret-0123456789abcdefgh' }, 'api started'],
    ['worker', 'services/worker/dist/main.js', { METRICS_PORT: '0' }, 'worker started'],
    ['beat', 'services/beat/dist/main.js', { METRICS_PORT: '0' }, 'beat started'],
  ])('%s starts from dist/, then drains and exits 0 on SIGTERM', async (_name, entry, env, startedMsg) => {
    const prefix = uniquePrefix('dist');
    prefixes.push(prefix);
    const child = spawn(process.execPath, [join(ROOT, entry)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, REDIS_URL: TEST_REDIS_URL, BULLPEN_PREFIX: prefix, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes(`"msg":"${startedMsg}"`)) resolve();
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      void exited.then((code) => reject(new Error(`${entry} exited (${code}) before starting:\n${output}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"shutdown complete"');
  });
});
