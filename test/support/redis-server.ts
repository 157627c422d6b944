import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';

const OUTPUT_TAIL_CHARS = 8_000;

/**
 * One command on a fresh connection to a loopback Redis or Sentinel port, closed after; fails
 * fast (no retries, no offline queue) when nothing answers, for polling a topology's state.
 */
export async function redisCall(port: number, command: string, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000, commandTimeout: 5_000 });
  client.on('error', () => {}); // the rejected call reports it
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/**
 * A private redis-server on a free loopback port, for tests that stop, restart or freeze
 * Redis. Its data directory persists across restarts and is removed by `destroy()`.
 */
export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'bullpen-redis-'));
  private child?: ChildProcess;
  private outputTail = '';

  private constructor(readonly port: number, private readonly args: string[]) {}

  /**
   * A server on a free port, not started yet (for "Redis appears later" cases). `args` may be a
   * function of the port, for options that name it (`--port 0 --tls-port <port>`: TLS only).
   */
  static async create(args: string[] | ((port: number) => string[]) = ['--appendonly', 'no', '--save', '']): Promise<RedisServer> {
    const port = await freePort();
    return new RedisServer(port, typeof args === 'function' ? args(port) : args);
  }

  /** Creates and starts one; a port taken between choosing and binding it means another try on a fresh port. */
  static async start(args?: string[] | ((port: number) => string[])): Promise<RedisServer> {
    for (let attempt = 1; ; attempt++) {
      const server = await RedisServer.create(args);
      try {
        await server.start();
        return server;
      } catch (err) {
        await server.destroy();
        if (attempt >= 3 || !server.output.includes('Address already in use')) throw err;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The last few KB the current process printed (stdout and stderr), for error messages. */
  get output(): string {
    return this.outputTail;
  }

  /** Starts it and resolves once it accepts connections; rejects with its output if it exits or hangs first. */
  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--maxmemory-policy', 'noeviction', ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.outputTail = '';
    // Both pipes are read for the whole life of the process, so the server never blocks on them.
    const onData = (chunk: Buffer) => {
      this.outputTail = (this.outputTail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onReady = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) settle();
      };
      const onClose = (code: number | null, signal: string | null) => settle(new Error(`redis-server on port ${this.port} exited with ${code ?? signal} before it was ready:\n${this.outputTail}`));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        settle(new Error(`redis-server on port ${this.port} was not ready after ${timeoutMs} ms:\n${this.outputTail}`));
      }, timeoutMs);
      const settle = (err?: Error) => {
        clearTimeout(timer);
        child.stdout.off('data', onReady);
        child.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      child.stdout.on('data', onReady);
      child.once('close', onClose);
      child.once('error', (err) => settle(err));
    });
  }

  /** SHUTDOWN: Redis flushes its AOF and exits, as on a clean restart. */
  async shutdown(): Promise<void> {
    const child = this.running();
    if (!child) return;
    const exited = once(child, 'exit');
    const client = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    await client.call('SHUTDOWN').catch(() => {});
    client.disconnect();
    await exited;
  }

  /** SIGTERM: Redis flushes its AOF and exits, as when Kubernetes stops its pod (no client needed, whatever the ACL). */
  terminate(): Promise<void> {
    return this.stopWith('SIGTERM');
  }

  /** SIGKILL: Redis dies at once, connections drop, as on a node loss. */
  kill(): Promise<void> {
    return this.stopWith('SIGKILL');
  }

  /** Sends `signal` (after SIGCONT, in case it is frozen) and resolves once the process has exited. */
  private async stopWith(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.running();
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGCONT');
    child.kill(signal);
    await exited;
  }

  /** SIGSTOP: connections stay open but nothing answers (a hung server). */
  freeze(): void {
    this.running()?.kill('SIGSTOP');
  }

  thaw(): void {
    this.running()?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private running(): ChildProcess | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child : undefined;
  }
}

/**
 * Polls `check` every 100 ms until it answers true; after `timeoutMs` throws with `what`, the
 * last answer (or error) and `context()` (the processes' recent output), for topologies to wait on.
 */
export async function pollUntil(what: string, check: () => Promise<true | string>, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const answer = await check();
      if (answer === true) return;
      last = answer;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
