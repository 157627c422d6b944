import type { Logger } from './logger';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if a step threw). A second signal
 * exits at once, for the impatient at a terminal. If `stop` has not finished after
 * `deadlineMs` (a Redis that is down or frozen leaves its commands waiting forever), the
 * process exits 0 anyway: nothing is lost, as jobs it could not hand back are recovered by
 * another worker's stalled check once their locks expire.
 */
export function exitOnSignals(logger: Logger, stop: () => Promise<void>, deadlineMs?: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    if (deadlineMs !== undefined) {
      setTimeout(() => {
        logger.warn({ deadlineMs }, 'shutdown did not finish in time (is Redis reachable?); exiting, jobs whose locks could not be released are left to stalled recovery');
        process.exit(0);
      }, deadlineMs).unref();
    }
    stop().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The hard deadline of a shutdown: the drain budget plus a moment to close connections. */
export function shutdownDeadlineMs(shutdownTimeoutSeconds: number): number {
  return shutdownTimeoutSeconds * 1000 + 1_500;
}

/** Runs every step in order even if one throws; rethrows the first failure at the end. */
export async function closeAll(steps: ReadonlyArray<() => unknown>): Promise<void> {
  let first: unknown;
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      first ??= err;
    }
  }
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- the step's own error, rethrown as it came
  if (first !== undefined) throw first;
}

/** Prints a ConfigError as its one line and exits 2; any other start-up error with its stack. */
export function exitOnStartupError(err: unknown): never {
  if (err instanceof Error && err.name === 'ConfigError') {
    process.stderr.write(`bullpen: bad configuration: ${err.message}\n`);
  } else {
    process.stderr.write(`bullpen: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(2);
}
