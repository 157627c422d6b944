import { fork, type ChildProcess } from 'node:child_process';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { coerceError, type Logger, type QueueName } from '@bullpen/core';
import { fromWireError, JobOutOfMemoryError, JobProcessExitError, JobProcessPoolClosedError, JobSerializationError, JobTimeoutError, toWireError } from './job-errors';
import type { FromJobProcess, ToJobProcess } from './job-process';

export interface JobProcessPoolOptions {
  /** Most children alive at once (the pod's WORKER_CONCURRENCY). */
  size: number;
  /** Heap limit of each child, MB (WORKER_JOB_MEMORY_MB). */
  memoryMb: number;
  /** Level of the child's own pino logger. */
  logLevel: string;
  /** The child's JobServices.apiHealthUrl. */
  apiHealthUrl: string;
  /** The pod's logger: child crashes between jobs and spawn errors are logged here. */
  logger: Logger;
}

/** One attempt of a job whose class has `isolation = 'process'`. */
export interface IsolatedAttempt {
  /** The module the class was loaded from (`registry.modulePathOf(cls)`). */
  modulePath: string;
  /** The class name, looked up among the module's exports. */
  workerName: string;
  /** Already parsed by the class's schema. */
  args: unknown;
  job: { id: string; queue: QueueName; attempt: number };
  /** The child is killed and the attempt fails with JobTimeoutError after this long. */
  timeoutSeconds?: number;
  onProgress(value: number | object): Promise<void>;
  /** A line the child's `ctx.logger` wrote, for the job's log. */
  onLog(line: string): void;
  /** Aborted on shutdown hand-back: forwarded to the child's `ctx.signal`. */
  signal: AbortSignal;
}

/** The child's entry, beside this file: job-process.ts under tsx or jest, job-process.js in dist. */
const ENTRY = join(__dirname, `job-process${extname(__filename)}`);
/** V8's last words when a heap reaches its limit ("... JavaScript heap out of memory"). */
const OUT_OF_MEMORY = /heap out of memory/;
/** After a child exits, how long its stderr may stay open (held by a process it started) before the attempt is failed anyway. */
const STDERR_DRAIN_MS = 1000;

interface Running {
  attempt: IsolatedAttempt;
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
  onAbort(): void;
}

/** One child process and what the pool knows of it. */
class Child {
  ready = false;
  running?: Running;
  /** The pool killed it (timeout, crash report, close): its exit is expected. */
  killed = false;
  exited = false;
  outOfMemory = false;
  /** Resolves when the child is ready for work; rejects if it is gone first. */
  readonly started: Promise<void>;
  markStarted!: () => void;
  failStart!: (err: Error) => void;
  /** Resolves once the process has exited (or never started). */
  readonly gone: Promise<void>;
  markGone!: () => void;

  constructor(readonly process: ChildProcess) {
    this.started = new Promise<void>((resolve, reject) => {
      this.markStarted = resolve;
      this.failStart = reject;
    });
    this.gone = new Promise<void>((resolve) => (this.markGone = resolve));
  }
}

/** Parent flags that decide how modules load (a tsx loader, conditions), and take a value. */
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);

/**
 * The parent's loader flags and `--enable-source-maps`, and nothing else: not `--eval` (the
 * child would run the parent's script), `--inspect` (its port is taken) or `--test`.
 */
function inheritedExecArgv(): string[] {
  const argv = process.execArgv;
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const flag = arg.split('=', 1)[0];
    if (flag === '--enable-source-maps') kept.push(arg);
    if (!LOADER_FLAGS.has(flag)) continue;
    kept.push(arg);
    // `--import tsx` carries its value in the next argument, `--import=tsx` in its own.
    if (!arg.includes('=')) kept.push(argv[++i]);
  }
  return kept;
}

/**
 * Node flags of a child: the parent's loader flags, tsx and the development condition when the
 * entry is TypeScript and nothing loads it (jest), and the heap limit last, where it overrides
 * a limit set in NODE_OPTIONS.
 */
function childExecArgv(memoryMb: number): string[] {
  const inherited = inheritedExecArgv();
  const loader = ENTRY.endsWith('.ts') && !inherited.some((arg) => arg.includes('tsx'))
    ? ['--conditions=development', '--import', pathToFileURL(require.resolve('tsx')).href]
    : [];
  return [...inherited, ...loader, `--max-old-space-size=${memoryMb}`];
}

/**
 * Runs isolated attempts in child processes (job-process.ts), one at a time each. Children
 * are started on demand up to `size` and reused; one that exits, crashes or is killed at a
 * timeout is replaced by a fresh one when next needed.
 */
export class JobProcessPool {
  private readonly children = new Set<Child>();
  private readonly idle: Child[] = [];
  /** Runs waiting for a child: woken one at a time when a child is freed or gone. */
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly opts: JobProcessPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new RangeError(`JobProcessPool size must be an integer >= 1, got ${opts.size}`);
    if (!Number.isInteger(opts.memoryMb) || opts.memoryMb < 1) throw new RangeError(`JobProcessPool memoryMb must be an integer >= 1, got ${opts.memoryMb}`);
  }

  /** Runs perform in a child; resolves with its result, rejects with the attempt's error (errors thrown by perform keep their message and name). */
  async run(attempt: IsolatedAttempt): Promise<unknown> {
    return this.dispatch(await this.acquire(), attempt);
  }

  /** Kills every child; idempotent; later run() rejects. */
  async close(): Promise<void> {
    const gone = [...this.children].map((child) => child.gone);
    if (!this.closed) {
      this.closed = true;
      for (const wake of this.waiters.splice(0)) wake();
      for (const child of this.children) {
        this.kill(child);
        this.settle(child, { error: new JobProcessPoolClosedError() });
      }
    }
    await Promise.all(gone);
  }

  private async acquire(): Promise<Child> {
    for (;;) {
      if (this.closed) throw new JobProcessPoolClosedError();
      const idle = this.idle.pop();
      if (idle) return idle;
      if (this.children.size < this.opts.size) {
        const child = this.spawn();
        await child.started;
        return child;
      }
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  private dispatch(child: Child, attempt: IsolatedAttempt): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const { modulePath, workerName, args, job, timeoutSeconds, signal } = attempt;
      const onAbort = () => this.send(child, { type: 'abort', reason: toWireError(coerceError(signal.reason)) });
      child.running = { attempt, resolve, reject, onAbort };
      if (this.closed) return this.settle(child, { error: new JobProcessPoolClosedError() });
      try {
        child.process.send({ type: 'run', modulePath, workerName, args, job } satisfies ToJobProcess, ignoreSendError);
      } catch (err) {
        return this.settle(child, { error: new JobSerializationError(`job args cannot be sent to the job process: ${coerceError(err).message}`) });
      }
      if (timeoutSeconds !== undefined) {
        child.running.timer = setTimeout(() => {
          this.kill(child);
          this.settle(child, { error: new JobTimeoutError(`timed out after ${timeoutSeconds} s`) });
        }, timeoutSeconds * 1000);
      }
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ends the child's current attempt (a no-op when it has none: a report after a kill is dropped), then frees the child. */
  private settle(child: Child, outcome: { result: unknown } | { error: Error }): void {
    const running = child.running;
    if (!running) return;
    child.running = undefined;
    clearTimeout(running.timer);
    running.attempt.signal.removeEventListener('abort', running.onAbort);
    if ('error' in outcome) running.reject(outcome.error);
    else running.resolve(outcome.result);
    if (!child.killed && !child.exited && !this.closed) {
      this.idle.push(child);
      this.waiters.shift()?.();
    }
  }

  private spawn(): Child {
    const { memoryMb, logLevel, apiHealthUrl, logger } = this.opts;
    const startedAt = performance.now();
    const proc = fork(ENTRY, [logLevel, apiHealthUrl], {
      execArgv: childExecArgv(memoryMb),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const child = new Child(proc);
    this.children.add(child);

    // The child's stderr goes on to the pod's (written, not piped: a pipe per child would add
    // listeners to process.stderr past EventEmitter's warning limit). Each chunk is searched for
    // V8's OOM line together with the end of the one before, in case the line was split.
    let tail = '';
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk);
      const text = tail + chunk;
      if (OUT_OF_MEMORY.test(text)) child.outOfMemory = true;
      tail = text.slice(-64);
    });
    proc.on('message', (message) => {
      const msg = message as FromJobProcess;
      if (msg.type !== 'ready') return this.onReport(child, msg);
      child.ready = true;
      logger.debug({ pid: proc.pid, startupMs: Math.round(performance.now() - startedAt) }, 'job process started');
      child.markStarted();
    });
    proc.on('error', (err) => {
      logger.error({ err, pid: proc.pid }, 'job process error');
      // No pid: it never started, and no 'exit' will follow.
      if (proc.pid === undefined) this.onGone(child, err);
    });
    proc.once('exit', (code, signal) => {
      // Its last stderr lines say whether it ran out of memory: wait for them, briefly.
      const report = () => {
        clearTimeout(timer);
        proc.off('close', report);
        this.onGone(child, child.outOfMemory ? new JobOutOfMemoryError(memoryMb) : new JobProcessExitError(code, signal));
      };
      const timer = setTimeout(report, STDERR_DRAIN_MS);
      proc.once('close', report);
      this.forget(child);
    });
    return child;
  }

  private onReport(child: Child, msg: Exclude<FromJobProcess, { type: 'ready' }>): void {
    switch (msg.type) {
      case 'progress': {
        const running = child.running;
        if (!running) return;
        const answer = (error?: Error) => {
          if (child.running === running) this.send(child, { type: 'progressed', seq: msg.seq, error: error && toWireError(error) });
        };
        Promise.resolve()
          .then(() => running.attempt.onProgress(msg.value))
          .then(() => answer(), (err: unknown) => answer(coerceError(err)));
        return;
      }
      case 'log':
        // Sent before the attempt's 'done' on the same channel, so it arrives before the outcome.
        child.running?.attempt.onLog(msg.line);
        return;
      case 'done':
        return this.settle(child, { result: msg.result });
      case 'failed':
        // A fatal report comes from a child about to exit: it must not take another job.
        if (msg.fatal) this.kill(child);
        return this.settle(child, { error: fromWireError(msg.error) });
    }
  }

  /** Takes an exited child out of the pool at once, so no run is handed to it. */
  private forget(child: Child): void {
    child.exited = true;
    this.children.delete(child);
    const at = this.idle.indexOf(child);
    if (at >= 0) this.idle.splice(at, 1);
    child.markGone();
    this.waiters.shift()?.();
  }

  /** Fails whatever the child was doing with `err`, or logs its exit if it was idle and not killed by the pool. */
  private onGone(child: Child, err: Error): void {
    if (!child.exited) this.forget(child);
    const { logger } = this.opts;
    const pid = child.process.pid;
    if (!child.ready) {
      if (!child.killed) logger.error({ err, pid }, 'job process failed to start');
      child.failStart(this.closed ? new JobProcessPoolClosedError() : err);
    } else if (child.running) {
      this.settle(child, { error: err });
    } else if (!child.killed) {
      logger.warn({ err, pid }, 'job process exited between jobs');
    }
  }

  private kill(child: Child): void {
    child.killed = true;
    child.process.kill('SIGKILL');
  }

  private send(child: Child, message: ToJobProcess): void {
    if (child.process.connected) child.process.send(message, ignoreSendError);
  }
}

/** A write to a child that fails means the child is gone; its exit settles the attempt. */
function ignoreSendError(): void {}
