import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A private redis-server on a free loopback port, for tests that stop, restart or freeze
 * Redis. Its data directory persists across restarts and is removed by `destroy()`.
 */
export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'bullpen-redis-'));
  private child?: ChildProcess;

  private constructor(readonly port: number, private readonly args: string[]) {}

  /** A server on a free port, not started yet (for "Redis appears later" cases). */
  static async create(args: string[] = ['--appendonly', 'no', '--save', '']): Promise<RedisServer> {
    return new RedisServer(await freePort(), args);
  }

  static async start(args?: string[]): Promise<RedisServer> {
    const server = await RedisServer.create(args);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it and resolves once it accepts connections. */
  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--maxmemory-policy', 'noeviction', ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout!.off('data', onData);
          child.stdout!.resume(); // keep draining the pipe so the server never blocks on it
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
      child.once('error', reject);
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

  /** SIGKILL: Redis dies at once, connections drop, as on a node loss. */
  async kill(): Promise<void> {
    const child = this.running();
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGCONT');
    child.kill('SIGKILL');
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
