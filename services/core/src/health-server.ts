import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger';

export interface HealthServerDeps {
  port: number;
  /** Bind address; all interfaces by default so kubelet probes and Prometheus reach it. */
  host?: string;
  register: Registry;
  /** Resolves to a reason string when the process is not ready, undefined when it is. */
  notReadyReason: () => Promise<string | undefined>;
  logger: Logger;
}

/**
 * The worker and beat processes' HTTP port: `/healthz` (process alive), `/readyz` (Redis
 * reachable and the process running), `/metrics` (Prometheus).
 */
export class HealthServer {
  private server?: Server;
  /** The port it listens on, once started (`port: 0` picks a free one). */
  port?: number;

  constructor(private readonly deps: HealthServerDeps) {}

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (status: number, type: string, body: string) => {
        res.writeHead(status, { 'content-type': type }).end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'method not allowed\n');
      if (path === '/healthz') return reply(200, 'application/json', '{"status":"ok"}\n');
      if (path === '/readyz') {
        this.deps.notReadyReason().then(
          (reason) => reply(reason ? 503 : 200, 'application/json', JSON.stringify(reason ? { status: 'not ready', reason } : { status: 'ready' }) + '\n'),
          (err: Error) => reply(503, 'application/json', JSON.stringify({ status: 'not ready', reason: err.message }) + '\n'),
        );
        return;
      }
      if (path === '/metrics') {
        this.deps.register.metrics().then(
          (text) => reply(200, this.deps.register.contentType, text),
          (err: Error) => {
            this.deps.logger.error({ err }, 'metrics collection failed');
            reply(500, 'text/plain', `metrics collection failed: ${err.message}\n`);
          },
        );
        return;
      }
      reply(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.deps.port, this.deps.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
