import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deletePrefix, testRedis, uniquePrefix } from './redis';
import { run } from './run';

const ROOT = join(__dirname, '../..');
const FIXTURES = join(__dirname, 'fixtures/leak-guard');

/** The 1-based line of `leaks.test.ts` that holds `code`. */
function leakLine(code: string): number {
  return readFileSync(join(FIXTURES, 'leaks.test.ts'), 'utf8').split('\n').findIndex((line) => line.includes(code)) + 1;
}

/** One fixture file in a child jest with the suite's own config (jest.config.js), so with the guard. */
function jestOn(file: string, prefix: string) {
  const args = [join(ROOT, 'node_modules/jest/bin/jest.js'), '--ci', '--forceExit', '--testPathIgnorePatterns', '/node_modules/', '--', relative(ROOT, join(FIXTURES, file))];
  return run(process.execPath, args, { cwd: ROOT, env: { ...process.env, LEAK_GUARD_PREFIX: prefix } });
}

describe('the leak guard', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('leak-guard');
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  test('fails a test file that leaves a connection or a worker open, naming the line that made each', async () => {
    const { code, stderr } = await jestOn('leaks.test.ts', prefix);
    expect(code).toBe(1);
    expect(stderr).toMatch(/the test file left \d+ open/);
    for (const maker of ['new Redis(', 'new Worker(']) expect(stderr).toMatch(new RegExp(`a Redis connection to [^,]+, made at \\S+leaks\\.test\\.ts:${leakLine(maker)}:`));
    expect(stderr).toContain('2 passed');
  }, 120_000);

  test('passes a file whose connections are closed, closing, or never connected', async () => {
    const { code, stderr } = await jestOn('closes.test.ts', prefix);
    expect(stderr).not.toContain('the test file left');
    expect(stderr).toContain('2 passed');
    expect(code).toBe(0);
  }, 120_000);
});
