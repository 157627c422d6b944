import pino, { type Logger } from 'pino';

export type { Logger };

/** One JSON logger per process; child loggers add `{queue, worker, jobId}`. */
export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
