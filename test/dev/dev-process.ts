import { spawn, type ChildProcess } from 'node:child_process';

const OUTPUT_TAIL_CHARS = 6_000;

export interface DevProcess {
  child: ChildProcess;
  /** Everything it (and the processes it started) printed so far, stdout and stderr. */
  output(): string;
  /** Resolves when the output has a line matching `pattern`; fails after `timeoutMs` or at exit. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** A signal to its whole process group, as a terminal sends Ctrl-C to its foreground job. */
  signalGroup(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `command` as the leader of its own process group, like a job a terminal starts. */
export function startDevProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): DevProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      for (const l of [...listeners]) l();
    });
  }
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      for (const l of [...listeners]) l();
      resolve({ code, signal });
    });
  });
  const tail = () => text.slice(-OUTPUT_TAIL_CHARS);
  return {
    child,
    exited,
    output: () => text,
    signalGroup(signal) {
      process.kill(-child.pid!, signal);
    },
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} after ${timeoutMs} ms; output:\n${tail()}`)), timeoutMs);
        const check = () => {
          const line = text.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) finish(undefined, line);
          else if (done) finish(new Error(`exited before a line matching ${pattern}; output:\n${tail()}`));
        };
        const finish = (err?: Error, line?: string) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(line!);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/**
 * Stops a process a test left running (it failed half-way): SIGTERM, so serve.js drains the
 * processes it started in their own groups; SIGKILL if that takes longer than `timeoutMs`.
 */
export async function stopDevProcess(p: DevProcess | undefined, timeoutMs = 30_000): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.signalGroup('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  if ((await Promise.race([p.exited, late])) === 'late') {
    p.signalGroup('SIGKILL');
    await p.exited;
  }
  clearTimeout(timer);
}
