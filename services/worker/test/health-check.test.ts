import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthCheckWorker } from '@bullpen/jobs';
import type { WorkerService } from '@bullpen/worker';
import { harness, type Harness } from './harness';

/** A label-less gauge's value as the worker service exports it. */
async function gauge(service: WorkerService, name: string): Promise<number> {
  return (await service.register.getSingleMetric(name)!.get()).values[0].value;
}

/** A stand-in API: answers /healthz with the status the test sets, or never when `hang`. */
async function fakeApi(behaviour: { status: number; hang?: boolean }): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    if (behaviour.hang) return;
    res.writeHead(behaviour.status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`, server };
}

describe('HealthCheckWorker', () => {
  let h: Harness;
  let server: Server | undefined;
  beforeEach(() => {
    h = harness('health');
  });
  afterEach(async () => {
    server?.closeAllConnections();
    server?.close();
    await h.close();
  });

  it('is scheduled every ten minutes on critical with one retry', () => {
    expect(HealthCheckWorker.cronSchedule).toBe('*/10 * * * *');
    expect(HealthCheckWorker.queue).toBe('critical');
    expect(HealthCheckWorker.maxRetries).toBe(1);
  });

  it('records a healthy API in bullpen_health_check_up and the last-success time', async () => {
    const api = await fakeApi({ status: 200 });
    server = api.server;
    const service = await h.startWorker(h.registry(), { API_HEALTH_URL: api.url });
    const before = Date.now() / 1000;
    const { id } = await HealthCheckWorker.performAsync(undefined);
    await expect(h.finished('critical', id)).resolves.toMatchObject({ healthy: true, status: 200 });
    expect(await gauge(service, 'bullpen_health_check_up')).toBe(1);
    expect(await gauge(service, 'bullpen_health_check_last_success_timestamp_seconds')).toBeGreaterThanOrEqual(Math.floor(before));
  });

  it('fails (after its one retry) and records 0 when the API answers 500', async () => {
    const api = await fakeApi({ status: 500 });
    server = api.server;
    const service = await h.startWorker(h.registry(), { API_HEALTH_URL: api.url });
    const { id } = await HealthCheckWorker.performAsync(undefined);
    await expect(h.finished('critical', id)).rejects.toThrow('api unhealthy: status 500');
    expect((await h.job('critical', id)).attemptsMade).toBe(2);
    expect(await gauge(service, 'bullpen_health_check_up')).toBe(0);
    expect(await gauge(service, 'bullpen_health_check_last_success_timestamp_seconds')).toBe(0);
  });

  it('gives up on an API that does not answer within 3 s', async () => {
    const api = await fakeApi({ status: 200, hang: true });
    server = api.server;
    await h.startWorker(h.registry(), { API_HEALTH_URL: api.url });
    const { id } = await h.producer.enqueue(HealthCheckWorker, undefined);
    await expect(h.finished('critical', id)).rejects.toThrow('api unhealthy: no answer within 3000 ms');
  }, 20_000);
});
