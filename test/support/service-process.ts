import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface ServiceProcess {
  child: ChildProcess;
  /** Parsed JSON log lines seen so far. */
  logs: Array<Record<string, unknown>>;
  /** Lines that were not JSON (e.g. the one-line config error on stderr). */
  text: string[];
  /** Resolves with the first log line whose `msg` matches. */
  waitForLog(msg: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * SIGKILLs the process, and with `ownProcessGroup` every process it started too (a worker's
   * job processes, which a busy loop keeps from noticing their parent is gone); resolves once
   * the process has exited. Does nothing when it already has.
   */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Its own process group, so `kill()` also reaches the processes it forks. */
  ownProcessGroup?: boolean;
}

/** Runs the api or worker as a real process with the Worker classes exported by `workersModule`. */
export function startFixtureService(service: 'api' | 'worker', workersModule: string, env: Record<string, string>, options: StartOptions = {}): ServiceProcess {
  return startService('test/support/fixture-main.ts', { FIXTURE_SERVICE: service, FIXTURE_WORKERS: workersModule, ...env }, options);
}

/** Runs a TypeScript entry point in its own Node process, as `npm run serve:*` does. */
export function startService(entry: string, env: Record<string, string>, { ownProcessGroup = false }: StartOptions = {}): ServiceProcess {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  const logs: Array<Record<string, unknown>> = [];
  const text: string[] = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  const onLine = (line: string) => {
    if (!line.trim()) return;
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(line);
    } catch {
      text.push(line);
      return;
    }
    logs.push(parsed!);
    for (const w of [...waiters]) {
      if (parsed!.msg === w.msg) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed!);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      lines.forEach(onLine);
    });
    stream.on('end', () => onLine(buffer));
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    logs,
    text,
    exited,
    async kill() {
      if (ownProcessGroup) {
        // The group outlives its leader: its forks are killed even when the leader has exited.
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
        }
      } else if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
      await exited;
    },
    waitForLog(msg) {
      const seen = logs.find((l) => l.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ msg, resolve });
        void exited.then(({ code }) => reject(new Error(`process exited (${code}) before logging "${msg}": ${text.join('\n')}`)));
      });
    },
  };
}
