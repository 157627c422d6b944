import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jobs from '@bullpen/jobs';
import { discoverWorkers } from '@bullpen/jobs/discover';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const workersIndex = require('../../../scripts/workers-index') as {
  render(workersDir?: string): string;
  write(workersDir?: string, jobsFile?: string): boolean;
  problem(workersDir?: string, jobsFile?: string): string | undefined;
};

describe('the generated job index (src/jobs.ts)', () => {
  it('is in sync with src/workers/', () => {
    // On failure the message is the fix: `run node scripts/workers-index.js`.
    expect(workersIndex.problem()).toBeUndefined();
  });

  it('makes every discovered job class importable by name from @bullpen/jobs', () => {
    const discovered = discoverWorkers().list();
    expect(discovered.length).toBeGreaterThan(0);
    for (const cls of discovered) expect((jobs as Record<string, unknown>)[cls.name]).toBe(cls);
  });

  describe('the generator', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'bullpen-workers-index-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('exports each job module and skips tests and declarations, then says when the index falls behind', () => {
      const workersDir = join(dir, 'workers');
      const jobsFile = join(dir, 'jobs.ts');
      mkdirSync(workersDir);
      for (const f of ['export-worker.ts', 'billing.ts', 'billing.test.ts', 'types.d.ts']) writeFileSync(join(workersDir, f), '');
      expect(workersIndex.problem(workersDir, jobsFile)).toMatch(/jobs\.ts is missing: run `node scripts\/workers-index\.js`$/);
      expect(workersIndex.write(workersDir, jobsFile)).toBe(true);
      expect(workersIndex.render(workersDir).split('\n').filter((l) => l.startsWith('export'))).toEqual([
        "export * from './workers/billing';",
        "export * from './workers/export-worker';",
      ]);
      expect(workersIndex.write(workersDir, jobsFile)).toBe(false);
      expect(workersIndex.problem(workersDir, jobsFile)).toBeUndefined();
      writeFileSync(join(workersDir, 'report-worker.ts'), '');
      expect(workersIndex.problem(workersDir, jobsFile)).toMatch(/jobs\.ts is out of date with .*workers\/: run `node scripts\/workers-index\.js`$/);
    });
  });
});
