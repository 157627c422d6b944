/**
 * The chart's TLS option, for real: a redis-server on loopback started with what `helm template`
 * renders for redis.tls.enabled (TLS only, plus the ACL users), a CA and a certificate made by
 * openssl, and Bullpen's API and worker as child processes that get only what the chart gives
 * them: a rediss:// REDIS_URL and NODE_EXTRA_CA_CERTS (Node reads it at start, hence processes).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { chartRedis, type ChartRedis } from './support/chart-redis';
import { waitFor } from './support/deferred';
import { RedisServer } from './support/redis-server';
import { startFixtureService, type ServiceProcess } from './support/service-process';

const PASSWORD = randomBytes(16).toString('hex');
const TOKEN = randomBytes(24).toString('hex');

/** A CA and a server certificate for DNS name `localhost` (as the chart's needs its Service name), in `dir`. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=bullpen-test-ca');
  openssl('req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  openssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '1', '-extfile', 'san.ext');
}

/** 'connected', or the first error a one-shot connection to `url` reports (a TLS failure comes as an 'error' event). */
async function connectOutcome(url: string, options: RedisOptions = {}): Promise<string> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5_000, ...options });
  let first: Error | undefined;
  client.on('error', (err) => (first ??= err));
  try {
    await client.connect();
    await client.ping();
    return 'connected';
  } catch (err) {
    return (first ?? (err as Error)).message;
  } finally {
    client.disconnect();
  }
}

describe('the chart\'s Redis TLS (real redis-server, config rendered by helm, certificates by openssl)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bullpen-tls-'));
  let rendered: ChartRedis;
  let server: RedisServer;
  const procs: ServiceProcess[] = [];

  beforeAll(async () => {
    makeCertificates(dir);
    rendered = chartRedis({ values: { redis: { tls: { enabled: true, existingSecret: 'redis-cert' } } } }, PASSWORD, dir);
    server = await RedisServer.start((port) => rendered.args(port));
  });
  afterAll(async () => {
    for (const proc of procs) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks TLS only, verifies against the CA and the certificate\'s name, and the rendered probe passes', async () => {
    const at = (scheme: string, host: string) => `${scheme}://bullpen:${PASSWORD}@${host}:${server.port}`;
    const ca = readFileSync(join(dir, 'ca.crt'));
    expect(await connectOutcome(at('redis', 'localhost'))).not.toBe('connected');
    // This process was started without NODE_EXTRA_CA_CERTS: the CA is unknown to it.
    expect(await connectOutcome(at('rediss', 'localhost'))).toMatch(/self[- ]signed certificate|unable to get local issuer/);
    expect(await connectOutcome(at('rediss', '127.0.0.1'), { tls: { ca } })).toMatch(/does not match certificate's altnames/);
    expect(await connectOutcome(at('rediss', 'localhost'), { tls: { ca } })).toBe('connected');
    expect(rendered.probe(server.port)).toBe(true);
  });

  it('the API and a worker enqueue, run and read a job back over rediss:// with only NODE_EXTRA_CA_CERTS', async () => {
    const env = {
      REDIS_URL: `rediss://bullpen:${PASSWORD}@localhost:${server.port}`, NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt'),
      API_TOKENS: `app:${TOKEN}:client`, API_ID_SECRET: randomBytes(32).toString('hex'), PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info',
    };
    const workers = join(__dirname, 'chaos', 'fixtures', 'queue-workers.ts');
    const api = startFixtureService('api', workers, env);
    const worker = startFixtureService('worker', workers, env);
    procs.push(api, worker);
    const apiUrl = `http://127.0.0.1:${(await api.waitForLog('api started')).port}`;
    await worker.waitForLog('worker started');
    await waitFor('the API ready', async () => (await fetch(`${apiUrl}/readyz`)).ok);
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    const posted = await fetch(`${apiUrl}/api/jobs`, { method: 'POST', headers, body: JSON.stringify({ worker: 'DefaultJob', args: { i: 42 } }) });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    const job = async () => (await (await fetch(`${apiUrl}/api/jobs/${id}`, { headers })).json()) as { state: string; result: unknown };
    await waitFor('the job completed', async () => (await job()).state === 'completed');
    expect((await job()).result).toBe(42);
  }, 60_000);
});
