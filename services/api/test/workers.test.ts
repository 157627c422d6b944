import request from 'supertest';
import { AS, startTestApi, type TestApi } from './support/api';

describe('GET /api/workers', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
  });
  afterEach(async () => {
    await t.close();
  });

  it('lists every registered worker to an admin with queue, retries, schedule and args schema, and no internal one to a client', async () => {
    const names = (body: { workers: Array<{ name: string }> }) => body.workers.map((w) => w.name);
    const client = await request(t.url).get('/api/workers').set(AS.client).expect(200);
    expect(names(client.body)).toEqual(['DataProcessingWorker', 'EchoWorker', 'FlakyWorker', 'GateWorker']);
    const res = await request(t.url).get('/api/workers').set(AS.admin).expect(200);
    expect(names(res.body)).toEqual(['DataProcessingWorker', 'EchoWorker', 'FlakyWorker', 'GateWorker', 'HealthCheckWorker']);
    const byName = Object.fromEntries(res.body.workers.map((w: { name: string }) => [w.name, w]));
    expect(byName.DataProcessingWorker).toEqual({
      name: 'DataProcessingWorker',
      queue: 'default',
      maxRetries: 3,
      retryBackoff: true,
      retryBackoffMax: 600,
      cronSchedule: null,
      argsSchema: {
        type: 'object',
        properties: {
          userId: { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          records: { type: 'integer', minimum: 0, maximum: 100_000, default: 100 },
        },
        required: ['userId'],
      },
    });
    expect(byName.HealthCheckWorker).toMatchObject({ queue: 'critical', maxRetries: 1, cronSchedule: '*/10 * * * *', argsSchema: null });
  });
});
