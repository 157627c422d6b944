import { createServer } from 'node:net';
import { freePort } from '../support/free-port';
import { TEST_REDIS_URL } from '../support/redis';

/** The client token serve.js sets when API_TOKENS is unset (the README's development token). */
export const DEV_CLIENT_TOKEN = 'dev-client-token-change-me';

/** Whether `port` can be bound on loopback now. (`once(server, 'listening')` would reject on EADDRINUSE, not answer false.) */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (ok) await new Promise((resolve) => server.close(resolve));
  return ok;
}

/** A free port whose next one is free too: serve.js gives the beat METRICS_PORT + 1. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65_535 && (await isFree(port + 1))) return port;
  }
}

/**
 * The environment of a `make dev` run of its own: development mode with serve.js's tokens, the
 * test Redis under `prefix`, free ports. Settings from the test's own environment that would
 * change that (tokens, HOST, NODE_ENV=test) are left out.
 */
export async function serveEnv(prefix: string): Promise<{ env: NodeJS.ProcessEnv; apiUrl: string }> {
  const { API_TOKENS: _tokens, API_TOKENS_FILE: _file, HOST: _host, ...inherited } = process.env;
  const port = await freePort();
  const env = {
    ...inherited,
    NODE_ENV: 'development',
    REDIS_URL: TEST_REDIS_URL,
    BULLPEN_PREFIX: prefix,
    PORT: String(port),
    METRICS_PORT: String(await freePortPair()),
    LOG_LEVEL: 'debug',
  };
  return { env, apiUrl: `http://127.0.0.1:${port}` };
}

/** A request to the API with the development client token; the parsed body and status. */
export async function api(apiUrl: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${apiUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${DEV_CLIENT_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}
