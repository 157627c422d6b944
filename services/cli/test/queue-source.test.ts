import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiQueueSource, pendingJobs } from '../src';
import { queueStats } from './groups';

/** A real HTTP server on loopback answering one fixed response, recording the requests. */
async function serve(status: number, body: string): Promise<{ url: string; requests: Array<{ url?: string; auth?: string }>; server: Server }> {
  const requests: Array<{ url?: string; auth?: string }> = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url, auth: req.headers.authorization });
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('queue depths from the Bullpen API', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('reads GET /api/queues with the bearer token: backlog = waiting + prioritized', async () => {
    const body = {
      queues: {
        default: {
          paused: true,
          oldestWaitingSeconds: 12.5,
          counts: { waiting: 3, prioritized: 2, active: 1, delayed: 4, failed: 6, completed: 100, 'waiting-children': 7 },
          jobSchedulers: 1,
        },
        // An API from before jobSchedulers: every delayed job counts.
        low: { paused: false, counts: { delayed: 2 } },
      },
    };
    const api = await serve(200, JSON.stringify(body));
    servers.push(api.server);
    const source = new ApiQueueSource({ apiUrl: `${api.url}/`, token: 'client-token-0123456789', timeoutMs: 2000 });
    expect(await source.read()).toEqual([
      { name: 'default', ready: 5, oldestSeconds: 12.5, active: 1, delayed: 4, waitingChildren: 7, failed: 6, paused: true, jobSchedulers: 1 },
      { name: 'low', ready: 0, oldestSeconds: 0, active: 0, delayed: 2, waitingChildren: 0, failed: 0, paused: false, jobSchedulers: 0 },
    ]);
    expect(api.requests).toEqual([{ url: '/api/queues', auth: 'Bearer client-token-0123456789' }]);
  });

  it("does not count a job scheduler's next run as pending: one delayed job per scheduler, never below zero", () => {
    expect(pendingJobs(queueStats('critical', { delayed: 1, jobSchedulers: 1 }))).toBe(0);
    expect(pendingJobs(queueStats('critical', { delayed: 2, jobSchedulers: 1 }))).toBe(1);
    // A scheduler whose next run is already due is ready (and pending), no longer delayed.
    expect(pendingJobs(queueStats('critical', { ready: 1, delayed: 0, jobSchedulers: 1 }))).toBe(1);
    expect(pendingJobs(queueStats('critical', { ready: 2, active: 1, delayed: 3, waitingChildren: 1 }))).toBe(7);
  });

  it('says to set BULLPEN_API_TOKEN when the API answers 401', async () => {
    const api = await serve(401, '{"error":{"code":"unauthorized","message":"missing token"}}');
    servers.push(api.server);
    await expect(new ApiQueueSource({ apiUrl: api.url, timeoutMs: 2000 }).read()).rejects.toThrow('answered 401: set BULLPEN_API_TOKEN to a client token');
  });

  it("passes on the API's own error message", async () => {
    const api = await serve(503, '{"error":{"code":"redis_unavailable","message":"Redis did not answer"}}');
    servers.push(api.server);
    await expect(new ApiQueueSource({ apiUrl: api.url, timeoutMs: 2000 }).read()).rejects.toThrow('answered 503: Redis did not answer');
  });

  it('names the URL and the network error when nothing listens', async () => {
    const api = await serve(200, '{}');
    await new Promise((resolve) => api.server.close(resolve));
    await expect(new ApiQueueSource({ apiUrl: api.url, timeoutMs: 2000 }).read()).rejects.toThrow(`GET ${api.url}/api/queues failed: ECONNREFUSED`);
  });
});
