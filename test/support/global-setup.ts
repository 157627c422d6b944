import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The two fields of Jest's GlobalConfig used here (@jest/types is not a dependency of ours). */
interface GlobalConfig {
  rootDir: string;
  testPathPatterns: { isSet(): boolean };
}

/**
 * Jest's globalSetup: before a run of the whole suite, checks once that the programs the tests
 * start are installed (scripts/ensure-test-tools.sh --check), so a missing helm stops the run
 * with one line and the command that installs it, instead of failing every chart test. A run
 * narrowed to some paths (one file, the e2e or cluster suites) is left to the tests' own errors.
 */
export default function globalSetup(globalConfig: GlobalConfig): void {
  if (globalConfig.testPathPatterns.isSet()) return;
  const check = spawnSync('bash', [join(globalConfig.rootDir, 'scripts', 'ensure-test-tools.sh'), '--check'], { encoding: 'utf8' });
  if (check.status === 0) return;
  const line = (check.stderr || check.error?.message || 'scripts/ensure-test-tools.sh --check failed').trim();
  // Jest prints the stack: make it the line itself, since where this was thrown tells nothing.
  throw Object.assign(new Error(line), { stack: line });
}
