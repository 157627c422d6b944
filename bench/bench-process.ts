// Runs a bench entry point (TypeScript, like `npm run serve:*`) in its own Node process, so a
// server measured by a load generator in this process does not share its event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

export interface BenchProcess<Ready> {
  child: ChildProcess;
  /** The first IPC message the child sends (its port, its pid, ...). */
  ready: Promise<Ready>;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Where the child's stdout goes: 'ignore' (/dev/null, the default) or 'pipe' (drained by `onStdout`). */
  stdout?: 'ignore' | 'pipe';
  onStdout?: (chunk: string) => void;
}

/** Starts `entry` (relative to the repository root) with tsx and an IPC channel. */
export function spawnBench<Ready = unknown>(entry: string, options: SpawnOptions = {}): BenchProcess<Ready> {
  // BENCH_CPU_PROF_DIR=dir profiles every bench child (`node --cpu-prof`), one .cpuprofile each.
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--conditions=development', '--import', 'tsx', join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit', 'ipc'],
  });
  if (options.stdout === 'pipe') {
    child.stdout!.setEncoding('utf8').on('data', options.onStdout ?? (() => {}));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<Ready>((resolve, reject) => {
    child.once('message', (msg) => resolve(msg as Ready));
    void exited.then((code) => reject(new Error(`${entry} exited with ${code} before it was ready`)));
  });
  ready.catch(() => {}); // entries that report readiness another way never send a message
  return {
    child,
    ready,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kib) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kib[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in microseconds, from /proc (Linux). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/**
 * CPU time the live child processes of `pid` have used so far, in microseconds (/proc, Linux):
 * the job processes of an isolated pool, which `process.cpuUsage()` does not count.
 */
export function childrenCpuMicros(pid: number): number {
  let micros = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // ppid is field 4 (index 1 after the command name).
    if (Number(fields[1]) === pid) micros += ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  }
  return micros;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;
