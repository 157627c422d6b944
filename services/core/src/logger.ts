import { format } from 'node:util';
import pino, { type Bindings, type Logger } from 'pino';

export type { Logger };

/** Takes each line a tee'd logger writes, as people read it: `<ISO time> <LEVEL> <message> <fields as JSON>`. */
export type LogLineSink = (line: string) => void;

/** Where a tee'd logger keeps its sink; its children inherit it (pino children are prototype copies). */
const SINK = Symbol('bullpen.logLineSink');

type Teed = Logger & { [SINK]?: LogLineSink };

/** Errors as JSON keep their type, message and stack (JSON.stringify would give `{}`). */
function jsonValue(_key: string, value: unknown): unknown {
  return value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
}

/** One pino call's arguments (`(obj, msg, ...values)`, `(msg, ...values)` or `(err, msg)`) as a line. */
function formatLine(level: number, args: unknown[]): string {
  let [first, ...rest] = args;
  let fields: unknown;
  if (first instanceof Error) [fields, first] = [{ err: first }, rest.length ? rest.shift() : first.message];
  else if (typeof first === 'object' && first !== null) [fields, first] = [first, rest.shift()];
  const msg = first === undefined ? '' : format(first, ...rest);
  let json: string;
  try {
    json = fields === undefined || Object.keys(fields as object).length === 0 ? '' : ` ${JSON.stringify(fields, jsonValue)}`;
  } catch {
    json = ' [fields not serialisable]'; // circular or BigInt: pino's own line still has them
  }
  return `${new Date().toISOString()} ${(pino.levels.labels[level] ?? String(level)).toUpperCase()} ${msg}${json}`;
}

/** One JSON logger per process; child loggers add `{queue, worker, jobId}`. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      // Only tee'd loggers (a job's ctx.logger) pay for the formatting; pino skips disabled levels before this.
      logMethod(args, method, lvl) {
        const sink = (this as Teed)[SINK];
        if (sink) sink(formatLine(lvl, args));
        return method.apply(this, args);
      },
    },
  });
}

/**
 * A child of `logger` (made by `createLogger`) with `bindings` whose lines, and its own
 * children's, also go to `sink`, besides the usual JSON line: how a job's `ctx.logger` reaches
 * the job's log in Redis, which the dashboard shows.
 */
export function teeLogger(logger: Logger, bindings: Bindings, sink: LogLineSink): Logger {
  const child: Teed = logger.child(bindings);
  child[SINK] = sink;
  return child;
}
